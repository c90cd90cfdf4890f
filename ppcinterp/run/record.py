"""A journaled block's values: how they are written while it runs (Writer, what the generated code calls for
its slow paths) and read back into Steps and Changes (the journal's adapter, run/journal.py).

A block call's values (codegen.Layout): the entry value of every location the block writes, then for each
instruction (each iteration of a loop) its access's address and value (and a store's old value) and the new
value of each location it writes; a closure's instruction has one placeholder. Old values are not stored: a
location's old value is its value before, from the entry values, the instruction before that wrote it, or the
iteration before (a journaled loop calls no closure, so only its templates change its registers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from ppcinterp.machine.state import Log
from ppcinterp.run.analysis import location
from ppcinterp.run.journal import READS, Change, Journal, Span, Step, change

if TYPE_CHECKING:
    from ppcinterp.isa.context import Step as StepFn
    from ppcinterp.run.analysis import Insn
    from ppcinterp.run.blocks import Block
    from ppcinterp.run.codegen import Item

_LOCAL = {"gpr": "G", "cr": "CR", "spr": "S"}


class Writer:
    """What a journaled block calls: `jx` appends values; `rd`/`wr` make an access through the machine's memory
    and `call` runs a closure, each keeping the changes they made (in `log`, which the machine's memory and,
    around a call, its registers record into) by the flat position of the instruction's values."""

    __slots__ = ("jx", "flat", "extra", "log", "read", "write", "attach")

    def __init__(self, journal: Journal, read: Callable[[int, int, bool], int],
                 write: Callable[[int, int, int, bool], None], attach: Callable[[Log | None], None], log: Log):
        self.flat, self.extra, self.log = journal.flat, journal.extra, log
        self.jx = journal.flat.extend
        self.read, self.write, self.attach = read, write, attach

    def rd(self, a: int, size: int, ci: bool, ahead: int) -> int:
        try:
            return self.read(a, size, ci)
        finally:
            self._keep(ahead)

    def wr(self, a: int, size: int, value: int, ci: bool, ahead: int) -> None:
        try:
            self.write(a, size, value, ci)
        finally:
            self._keep(ahead)

    def call(self, fn: StepFn, ahead: int) -> int:
        self.attach(self.log)
        try:
            return fn()
        finally:
            self.attach(None)
            self._keep(ahead)

    def _keep(self, ahead: int) -> None:
        self.extra[len(self.flat) + ahead] = self.log[:]
        self.log.clear()


def _mem_width(ins: Insn) -> int:
    return 0 if ins.mem is None else 3 if ins.mem.store else 2


def flat_end(b: Block, fpos: int, count: int) -> int:
    """Where a block call's values end after its first `count` instructions."""
    lay = b.layout
    assert lay is not None                  # a journaled block's
    it, j = divmod(count, b.n) if b.looping else (0, count)
    return fpos + len(lay.entry) + it * lay.width + (lay.offsets[j] if j < b.n else lay.width)


def state(journal: Journal, k: int, it: int) -> dict[str, int]:
    """The block's written locations at the start of iteration `it` of record k."""
    b, fpos = journal.recs[4 * k], journal.recs[4 * k + 1]
    lay, flat = b.layout, journal.flat
    if not it:
        return {loc: flat[fpos + x] for x, loc in enumerate(lay.entry)}
    prev = fpos + len(lay.entry) + (it - 1) * lay.width
    cur: dict[str, int] = {}
    for j, item in enumerate(b.items):
        base = prev + lay.offsets[j] + _mem_width(item.insn)
        for w, loc in enumerate(item.insn.writes):
            cur[loc] = flat[base + w]
    return cur


def record_steps(journal: Journal, k: int, lo: int, hi: int) -> Iterator[Step]:
    """Steps lo..hi-1 of record k."""
    r = journal.recs[4 * k]
    if isinstance(r, Step):
        if lo == 0 < hi:
            yield r
        return
    n = r.n if r.looping else max(hi, 1)
    while lo < hi:
        it = lo // n if r.looping else 0
        steps = iteration_steps(journal, k, it)
        base = it * r.n
        yield from steps[lo - base:hi - base]
        if base + len(steps) <= lo:
            return
        lo = base + len(steps)


def iteration_steps(journal: Journal, k: int, it: int) -> list[Step]:
    """The steps of iteration `it` of block record k (a block that does not loop: all of them), decoded once
    and kept until the next."""
    key = (k, it, len(journal.recs), len(journal.flat))
    if journal._cache is not None and journal._cache[0] == key:
        return journal._cache[1]
    b, fpos, count, npc = journal.recs[4 * k:4 * k + 4]
    lay, extra, t = b.layout, journal.extra, b.thread
    cur = state(journal, k, it)
    first = journal._insns[k] + it * b.n
    todo = min(b.n, count - it * b.n) if b.looping else count
    more = b.looping and it * b.n + todo < count        # another iteration follows in this record
    base = fpos + len(lay.entry) + it * lay.width
    steps: list[Step] = []
    for j in range(todo):
        item = b.items[j]
        pos = base + lay.offsets[j]
        last = j == todo - 1
        if last and not more and npc is None:           # it raised: what it did before is in extra
            steps.append(Step(first + j, t, item.addr, None, [change(c) for c in extra.get(pos, ())]))
            break
        if item.insn is None:                           # a closure: its changes were recorded as made
            ch = [change(c) for c in extra.get(pos, ())]
            for c in ch:
                if c.thread == t and c.what in _LOCAL:
                    cur[_LOCAL[c.what] + str(c.key)] = c.new
        else:
            ch = _template(journal, item, pos, cur, t)
        nxt = (b.addrs[0] if more else npc) if last else item.nxt
        steps.append(Step(first + j, t, item.addr, nxt, ch))
    journal._cache = (key, steps)
    return steps


def _template(journal: Journal, item: Item, pos: int, cur: dict[str, int], t: int) -> list[Change]:
    ins, flat = item.insn, journal.flat
    assert ins is not None                  # an analysed instruction (a closure's has no values of its own)
    ch: list[Change] = []
    p = pos
    m = ins.mem
    if m is not None:
        a, v = flat[p], flat[p + 1]
        old = flat[p + 2] if m.store else None
        p += 3 if m.store else 2
    for loc in ins.order:
        if loc == "@MEM":
            assert m is not None            # "@MEM" stands for the instruction's one access
            if pos in journal.extra:
                ch.extend(change(c) for c in journal.extra[pos])
            elif m.store:
                if old != v:
                    ch.append(Change("mem", Span(a, m.size), old, v))
            else:
                ch.append(Change("load", Span(a, m.size), m.ci, v))
            continue
        new = flat[p]
        p += 1
        was = cur.get(loc, 0)
        if was != new:
            kind, n = location(loc)
            ch.append(Change(kind, n, was, new, t))
        cur[loc] = new
    return ch


def folded(journal: Journal, k: int, lo: int, hi: int) -> list[Change]:
    """The changes (reads left out) of steps lo..hi-1 of record k, whole iterations of a loop folded."""
    r = journal.recs[4 * k]
    if isinstance(r, Step) or not r.looping or hi - lo <= 2 * r.n:
        return [c for s in record_steps(journal, k, lo, hi) for c in s.changes if c.what not in READS]
    n = r.n
    i0, i1 = -(-lo // n), hi // n                     # whole iterations i0..i1-1
    out = folded(journal, k, lo, i0 * n) if lo < i0 * n else []
    before, after = state(journal, k, i0), state(journal, k, i1)
    for loc in r.layout.entry:
        if before[loc] != after[loc]:
            kind, num = location(loc)
            out.append(Change(kind, num, before[loc], after[loc], r.thread))
    lay, flat, extra = r.layout, journal.flat, journal.extra
    mems = [(j, it.insn.mem) for j, it in enumerate(r.items) if it.insn.mem is not None]
    for it in range(i0, i1):                           # stores (and slow paths) of every iteration
        base = journal.recs[4 * k + 1] + len(lay.entry) + it * lay.width
        for j, m in mems:
            pos = base + lay.offsets[j]
            if pos in extra:
                out += [c for c in map(change, extra[pos]) if c.what not in READS]
            elif m.store and flat[pos + 2] != flat[pos + 1]:
                out.append(Change("mem", Span(flat[pos], m.size), flat[pos + 2], flat[pos + 1]))
    if i1 * n < hi:
        out += folded(journal, k, i1 * n, hi)
    return out
