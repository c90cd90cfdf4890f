"""Breakpoints and watchpoints: one numbered table, as in gdb.

A breakpoint is an address (with an optional condition, an ignore count, temporary or not). A watchpoint is
an expression: `watch` stops when its value changes (checked at every instruction boundary, any expression);
`rwatch` / `awatch` stop when an instruction or event reads (or reads or writes) the memory behind a name:
a PACA field, an ICP register, memN[ADDR]. They read the journal's records ("load" for RAM, "mmio" for
devices, "mem" for RAM writes), so a read watch on a PACA field fires on the `lbz` of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from ppcinterp.debug.ctype import CType
from ppcinterp.debug.errors import DebugError
from ppcinterp.machine.predicate import Node
from ppcinterp.run.journal import Span, Step

KIND_TITLES = {"breakpoint": "Breakpoint", "watch": "Hardware watchpoint", "rwatch": "Hardware read watchpoint",
               "awatch": "Hardware access (read/write) watchpoint"}
TYPE_NAMES = {"breakpoint": "breakpoint", "watch": "hw watchpoint", "rwatch": "read watchpoint",
              "awatch": "acc watchpoint"}


class Hit(NamedTuple):
    """A read or write of a watched region, by one step."""
    step: Step
    write: bool
    value: int


@dataclass
class Breakpoint:
    number: int
    address: int
    spec: str                       # the location as the user wrote it
    condition: str | None = None
    temporary: bool = False
    enabled: bool = True
    hits: int = 0
    ignore: int = 0                 # crossings still to ignore (`continue N`, `ignore`)
    kind: str = "breakpoint"


@dataclass
class Watchpoint:
    number: int
    kind: str                       # watch | rwatch | awatch
    expr: str
    node: Node
    ctype: CType                    # the expression's type: values show as print shows them
    region: Span | None             # the memory read for rwatch / awatch
    name: str                       # canonical name (paca[0].kvm_hstate.host_ipi) to tell who changed it
    value: int | None = None        # the value at the last boundary (watch)
    condition: str | None = None
    enabled: bool = True
    hits: int = 0
    ignore: int = 0
    temporary: bool = False

    def accesses(self, unit: list[Step]) -> list[Hit]:
        """Every access of the watched memory in these steps."""
        if self.region is None:
            return []
        lo, hi = self.region.addr, self.region.addr + self.region.size
        out = []
        for step in unit:
            for c in step.changes:
                if c.what == "load":              # key: the Span read, new: the value
                    span, write, value = c.key, False, c.new
                elif c.what == "mmio":            # old: the device Access
                    span, write, value = c.old, c.old.store, c.old.value
                elif c.what == "mem":
                    span, write, value = c.key, True, c.new
                else:
                    continue
                if span.addr < hi and lo < span.addr + span.size:
                    out.append(Hit(step, write, value))
        return out


Point = Breakpoint | Watchpoint


class Points:
    def __init__(self) -> None:
        self.items: dict[int, Point] = {}
        self.next = 1

    def new_number(self) -> int:
        self.next += 1
        return self.next - 1

    def add(self, p: Point) -> Point:
        self.items[p.number] = p
        return p

    def get(self, number: int) -> Point:
        if number not in self.items:
            raise DebugError(f"No breakpoint number {number}.")
        return self.items[number]

    def delete(self, number: int) -> None:
        self.get(number)
        del self.items[number]

    def breakpoints(self) -> list[Breakpoint]:
        return [p for p in self.items.values() if isinstance(p, Breakpoint)]

    def watchpoints(self) -> list[Watchpoint]:
        return [p for p in self.items.values() if isinstance(p, Watchpoint)]

    def at(self, pc: int) -> list[Breakpoint]:
        return [b for b in self.breakpoints() if b.enabled and b.address == pc]

    def addresses(self) -> frozenset[int]:
        return frozenset(b.address for b in self.breakpoints() if b.enabled)

    def active_watches(self) -> list[Watchpoint]:
        return [w for w in self.watchpoints() if w.enabled]
