"""Basic blocks: the run loop's unit of execution, compiled to Python from the instruction templates.

A block is a straight-line run of decoded instructions from one address: each templated instruction inlined
(run/codegen.py), any other called through its closure (the block ends early if that does not fall
through). It ends at a templated branch, before an exit, a hunk's end or an address where hooks run, or after
`max_len` instructions (MAX_BLOCK, or fewer to stop exactly at a step budget). A block whose branch goes back
to its own start loops inside itself while the step budget allows. Compiled on first execution, once per
(start, code table, stop addresses, length, variant, mode); the generated source is shared by every engine that
compiles the same text.

Modes: a block is compiled from the templates' 64-bit or 32-bit text (MSR[SF] = 1 or 0), and the run loop picks
the blocks of the thread's mode. An instruction that may change the MSR (mtmsrd ...) is never part of a block:
it runs alone, through its closure, and the loop looks at MSR[SF] again after it, so a mode switch takes effect
at the next instruction.

Exactness: the generated code sets `_k` to an instruction's index before anything that can raise, and on an
exception stores it (and the instructions of completed loop iterations) where the loop finds it; the loop
then reports the fault at that instruction with the step count the per-instruction loop would have.
Stores into code are refused by CodeGuard (blocks and closures see the same memory), so no block is stale.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Final, cast

from ppcinterp.isa.templates import HELPERS, Tmpl
from ppcinterp.machine.memory import PAGE_SHIFT, Memory, MemoryFault
from ppcinterp.run import codegen
from ppcinterp.run.analysis import Insn, analyse
from ppcinterp.run.codegen import Item, Layout

if TYPE_CHECKING:
    from ppcinterp.isa.context import Step
    from ppcinterp.run.engine import Engine

MAX_BLOCK = 64
MAX_SHARED = 4_096          # block texts kept compiled across sessions (fuzzing makes thousands of programs)
_PACK = {n: struct.Struct(f">{c}") for n, c in ((1, "B"), (2, "H"), (4, "I"), (8, "Q"))}
_NAMESPACE = {**HELPERS, **{f"U{n}": s.unpack_from for n, s in _PACK.items()},
              **{f"P{n}": s.pack_into for n, s in _PACK.items()}}
class Missing(Enum):
    """What a table's get() gives for a key it has no entry for (None is an entry: nothing there)."""

    MISSING = 0


MISSING: Final = Missing.MISSING
# A block's maker: its compiled function, from the thread's containers, the memory access hooks and closures.
Maker = Callable[..., Callable[..., tuple[int, int]]]
_MAKERS: dict[tuple[Any, ...], tuple[Maker, Layout]] = {}      # by what block_source makes the source from
_ANALYSED: dict[tuple[Tmpl, int], Insn | None] = {}


@dataclass(slots=True, eq=False)
class Block:
    run: Callable[..., tuple[int, int]]
    addrs: tuple[int, ...]
    n: int                       # instructions (of one iteration, for a loop)
    at: list[int]                # [index of the instruction that raised, instructions of completed iterations]
    looping: bool
    thread: int                  # whose registers it runs on
    items: list[Item]            # what the journal adapter reads the values with
    layout: Layout | None        # journaled blocks: where their values are
    id: int = -1


# The compiled blocks of one code table, by start (a short block: by (start, length)); None: no block there.
BlockTable = dict[int | tuple[int, int], Block | None]
# One per computation mode, indexed by MSR[SF]: 32-bit mode's first.
BlockTables = tuple[BlockTable, BlockTable]


class CodeGuard:
    """The memory instructions see: a store into an executable section is refused with a fault (the code runs
    as it was assembled, so a changed instruction would silently not take effect); all else is Memory's."""

    def __init__(self, memory: Memory, ranges: list[tuple[int, int]]):
        self.memory, self.ranges = memory, ranges
        self.pages = memory.pages
        self.read = memory.read
        self.lo = lo = min((b for b, _ in ranges), default=0)
        self.hi = hi = max((e for _, e in ranges), default=0)
        covers, write = self.covers, memory.write

        def guarded(addr: int, size: int, value: int, ci: bool = False) -> None:
            if addr < hi and addr + size > lo and covers(addr, size):
                raise MemoryFault(addr, size, True, "a store into the code, which runs as assembled "
                                                    "(the interpreter does not execute modified code)")
            write(addr, size, value, ci)
        self.write = guarded            # a closure: blocks call it for every access they do not make inline

    def region(self, lo: int, hi: int, store: bool) -> tuple[Any, int, Callable[[int], None],
                                                             Callable[[range], None]] | None:
        """(bytes, base, dirty.add, dirty.update) of the plain RAM region holding lo..hi-1, for a block to access
        inline; None if there is none (a device, unmapped, two regions) or a store could reach the code."""
        r = self.pages.get(lo >> PAGE_SHIFT)
        if r is None or lo < r.base or hi > r.limit:
            r = self.memory.region_at(lo)                  # a page several regions share, or none
            if r is None or hi > r.limit:
                return None
        if not r.plain or (store and lo < self.hi and hi > self.lo):
            return None
        # A plain region is a Ram (no isinstance test: blocks ask at every entry whose access is not hoisted).
        return r.inline  # type: ignore[attr-defined,no-any-return]

    def covers(self, addr: int, size: int) -> bool:
        """Whether addr..addr+size-1 touches the code."""
        return addr < self.hi and addr + size > self.lo and any(addr < e and addr + size > b for b, e in self.ranges)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.memory, name)


def analysed(t: Tmpl, nxt: int) -> Insn | None:
    key = (t, nxt)
    got = _ANALYSED.get(key, MISSING)
    if got is MISSING:
        if len(_ANALYSED) > 8 * MAX_SHARED:
            _ANALYSED.clear()
        got = _ANALYSED[key] = analyse(t.folded(nxt), t.branch, HELPERS)
    return got


def compile_block(engine: Engine, start: int, code: dict[int, Step], stops: frozenset[int], journal: bool,
                  sf: bool = True, max_len: int = MAX_BLOCK) -> Block | None:
    """The block starting at `start` in the code table `code` (the whole program's, or one bound to a hunk) for
    the mode MSR[SF] = sf, or None if no decoded instruction is there or it may change the MSR. It ends before
    any address in `stops` but its first, and before an instruction that may change the MSR."""
    template, nxt_at = (engine.tmpl_at.get, engine.nxt_at) if sf else (engine.narrow.template, engine.nxt32_at)
    base, msr_at = engine.base_code, engine.msr_at
    items: list[Item] = []
    closures: list[Callable[[], int]] = []
    addr, looping = start, False
    while len(items) < max_len:
        if addr not in nxt_at or code.get(addr) is not base.get(addr):     # an exit, or outside the bound hunk
            break
        if addr in stops and items or addr in msr_at:
            break
        nxt = nxt_at[addr]
        t = template(addr)
        insn = analysed(t, nxt) if t is not None else None
        if insn is None:
            items.append(Item(addr, nxt, None, len(closures)))
            closures.append(code[addr])
        else:
            assert t is not None            # an analysed instruction has a template
            items.append(Item(addr, nxt, insn))
            if insn.cond and dict(t.params).get("T") != start:
                addr = nxt                  # a superblock: on along the fall-through, a side exit if taken
                continue
            if insn.branch:
                # a journaled loop has no closure calls: the journal reads each iteration's old values from the
                # last (its registers change only by the templates)
                looping = dict(t.params).get("T") == start and start not in stops and not (journal and closures)
                break
        addr = nxt
    if not items:
        return None
    ram = engine.machine.ram
    # The source is a function of these alone: sessions of one program (each CPU model's, each test's) share it
    key = (tuple((it.addr, it.nxt, it.insn, it.closure) for it in items), start, looping, journal, ram.base,
           ram.limit, addr, len(closures))
    made = _MAKERS.get(key)
    if made is None:                    # generated and compiled once per key
        if len(_MAKERS) > MAX_SHARED:       # many programs in one process (fuzzing): keep the heap small
            _MAKERS.clear()
        src = codegen.block_source(items, start, looping, journal, codegen.Ram(ram.base, ram.limit), addr,
                                   len(closures))
        ns = dict(_NAMESPACE)
        exec(compile(src.text, f"<block {start:#x}>", "exec"), ns)     # noqa: S102 - our own generated source
        made = _MAKERS[key] = (cast(Maker, ns["make"]), src.layout)   # the function the source defines
    make, layout = made
    at = [0, 0]
    g, cr, spr, read, write, _t = engine.env
    fn = make(g, cr, spr, read, write, at, ram.data, ram.dirty.add, ram.dirty, engine.guard.region, *closures)
    return Block(fn, tuple(it.addr for it in items), len(items), at, looping, engine.machine.current, items,
                 layout if journal else None)
