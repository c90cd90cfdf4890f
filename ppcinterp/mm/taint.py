"""Register taints: which of a thread's reads each register value came from, and the dependencies (addr, data,
ctrl, ctrlisync) they give the events an instruction makes. Shared by litmus threads (threads.py) and the race
studies' kernel code (study/power_deps.py): both run real semantics closures over containers watched here.

- A register read or written (GPRs, CR fields, SPRs: XER, LR, CTR ...) is seen through TaintRegs/TaintSprs: the
  instruction running notes the taints of what it read and which registers it wrote.
- After the instruction: its reads and writes get `addr` (the taints of the address fields RA/RA0/RB), a store's
  writes get `data` (RS, or RT as stb's syntax names it); a load's target gets its own reads as taint, any other
  register it writes (an update form's RA) the address's; an instruction without accesses gives what it wrote
  the taints of all it read (a stwcx.'s CR0 none: success is the reservation's, not a value's).
- A branch adds what it read to `ctrl`, which every later event carries; an isync turns `ctrl` as it is into
  `ctrlisync` for itself and every event after it (herd's ctrlcfence(ctrl, ISYNC)).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ppcinterp.mm.events import Event

ADDRESS_FIELDS = ("RA", "RA0", "RB")
STCX = ("stwcx.", "stdcx.")
NONE: frozenset[int] = frozenset()


class Log:
    __slots__ = ("reads", "writes")

    def __init__(self) -> None:
        self.reads: frozenset[int] = NONE
        self.writes: list[tuple[Any, Any]] = []


class TaintRegs(list[int]):
    """GPRs or CR fields noting, for the instruction running, what it read and wrote (the semantics index them by
    number only). `taint` and `log` are set by `watch` (a machine's Regs gets this class for a run)."""

    taint: list[frozenset[int]]
    log: Log

    def __getitem__(self, i: int) -> int:  # type: ignore[override]
        self.log.reads |= self.taint[i]
        return list.__getitem__(self, i)

    def __setitem__(self, i: int, v: int) -> None:  # type: ignore[override]
        list.__setitem__(self, i, v)
        self.log.writes.append((self, i % len(self)))


class TaintSprs(dict[int, int]):
    taint: dict[int, frozenset[int]]
    log: Log

    def __getitem__(self, k: int) -> int:
        self.log.reads |= self.taint.get(k, NONE)
        return dict.__getitem__(self, k)

    def get(self, k: int, default: Any = None) -> Any:
        self.log.reads |= self.taint.get(k, NONE)
        return dict.get(self, k, default)

    def __setitem__(self, k: int, v: int) -> None:
        dict.__setitem__(self, k, v)
        self.log.writes.append((self, k))


class Tracker:
    """The taints of one thread's registers and its control dependencies, over one run."""

    def __init__(self, gpr: list[int], cr: list[int], spr: dict[int, int]):
        self.log = Log()
        self.gpr: Any = gpr         # watched: a TaintRegs, TaintRegs and TaintSprs
        self.cr: Any = cr
        self.spr: Any = spr
        self.ctrl, self.ctrlisync = NONE, NONE
        self.start: list[frozenset[int]] = []
        self.saved: list[tuple[Any, type]] = []

    def watch(self) -> None:
        """Watch the containers (their class swapped, as machine/state.py's journal does) with no taints."""
        self.saved = [(c, c.__class__) for c in (self.gpr, self.cr, self.spr)]
        for c, cls in ((self.gpr, TaintRegs), (self.cr, TaintRegs), (self.spr, TaintSprs)):
            c.__class__ = cls
            c.log = self.log
        self.gpr.taint = [NONE] * len(self.gpr)
        self.cr.taint = [NONE] * len(self.cr)
        self.spr.taint = {}
        self.ctrl, self.ctrlisync = NONE, NONE

    def unwatch(self) -> None:
        for c, cls in self.saved:
            c.__class__ = cls
        self.saved = []

    def begin(self) -> None:
        """Before an instruction."""
        self.log.reads, self.log.writes = NONE, []
        self.start = list(self.gpr.taint)

    def end(self, name: str, family: str, fields: dict[str, int], made: Sequence[Event]) -> None:
        """After an instruction (`name` its base name) that made the events `made`: their dependencies, the
        taints of what it wrote, and the control dependencies it adds."""
        start, f = self.start, fields
        if name == "isync":
            self.ctrlisync |= self.ctrl
        addr = NONE.union(*(start[f[n]] for n in ADDRESS_FIELDS if n in f and not (n == "RA0" and f[n] == 0)))
        src = f.get("RS", f.get("RT")) if name.startswith("st") else None
        loaded = frozenset(e.index for e in made if e.kind == "R")
        accesses = False
        for e in made:
            e.ctrl, e.ctrlisync = self.ctrl, self.ctrlisync
            if e.kind in ("R", "W"):
                accesses = True
                e.addr = addr
                if e.kind == "W" and src is not None:
                    e.data = start[src]
        target = f.get("RT") if loaded and not name.startswith("st") else None
        for c, key in self.log.writes:
            if c is self.gpr and key == target:
                c.taint[key] = loaded
            elif c is self.cr and name in STCX:
                c.taint[key] = NONE
            else:
                c.taint[key] = addr if accesses else self.log.reads
        if family == "branch":
            self.ctrl |= self.log.reads
