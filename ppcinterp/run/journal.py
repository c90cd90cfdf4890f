"""The journal: what every step changed. Traces, paths, watchpoints, reverse stepping and the debugger read it,
all through this one adapter.

What a view reads is a sequence of Steps (index, thread, pc, next_pc, changes, event), each change a Change
with named fields:

  what                         key                 old                        new
  gpr | cr | fpr | vr | vsr    register number     old value                  new value      (thread: whose)
  spr                          SPR number          ...                        ...            (thread)
  msr | reservation | fpscr | vscr   None          ...                        ...            (thread)
  mem                          Span(addr, size)    old value                  new value
  load                         Span(addr, size)    cache_inhibited (bool)     the value read   (reads RAM)
  mmio                         the Device          Access(addr, size, ci, store, value)   its meaning (text)
  icp                          (Icp, field)        old                        new
  tb | thread                  None                old                        new
  slb                          index               (ESID, VSID) words         ...
  note                         "call"              (name, args, result)       text           (a stand-in's call)

Reads ("load", "mmio") and notes change nothing: undo and redo skip them; a device's state changes are
recorded as "icp" changes beside the access that caused them. Beside the steps, queries that need no Step
per instruction: pcs, branch decisions, device accesses, net changes between two positions.

How it is stored (compact: no object per step). `recs` holds four entries per record: a Block, where its
values start in `flat`, how many instructions ran (a loop's iterations one by one) and the pc after the last
(None: it raised); or a Step (an event, an instruction run by its closure), 0, 1, None. `flat` (an array of
unsigned 64-bit words) holds each block call's values where its codegen.Layout places them; `extra` holds, by
flat position, the changes an instruction made through the machine's memory or a closure (run/record.py).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, overload

from ppcinterp.machine.memory import Ram
from ppcinterp.machine.state import Change as Recorded

if TYPE_CHECKING:
    from ppcinterp.machine.core import Machine
    from ppcinterp.run.blocks import Block

_T = TypeVar("_T")

# changes naming a thread
THREAD_STATE = frozenset({"gpr", "cr", "fpr", "vr", "spr", "msr", "reservation", "vsr", "fpscr", "vscr"})
READS = frozenset({"load", "mmio", "note"})


class Span(NamedTuple):
    addr: int
    size: int


class Access(NamedTuple):
    addr: int
    size: int
    ci: bool
    store: bool
    value: int


class Change(NamedTuple):
    # key, old and new by `what`: the table above (an int for a register, a Span for memory, ...).
    what: str
    key: Any
    old: Any
    new: Any
    thread: int | None = None


def change(t: Recorded) -> Change:
    """A recorded tuple (what the machine's containers and regions append) as a Change."""
    if type(t) is Change:
        return t
    what = t[0]
    if what in ("mem", "load"):
        return Change(what, Span(*t[1]), t[2], t[3])
    if what == "mmio":
        return Change(what, t[1], Access(*t[2]), t[3])
    return Change(*t)


@dataclass(slots=True)
class Step:
    index: int                   # instruction number (events share the number of the step they precede)
    thread: int
    pc: int | None               # None for an event
    next_pc: int | None
    changes: list[Change] = field(default_factory=list)
    event: str | None = None     # what an event did ("host sets paca[0].kvm_hstate.host_ipi = 1")


def _flow(r: Block | Step | int, count: int, npc: int | None, cond: Collection[int] | None,
          f: Callable[[int, int | None], _T]) -> list[_T]:
    """f(pc, next pc) of a record's first `count` instructions (with cond: only of conditional branches); npc
    is the pc after the last. A loop's iterations repeat one pattern, so the list is made by repetition."""
    if isinstance(r, Step):
        return [f(r.pc, r.next_pc)] if r.pc is not None and (cond is None or r.pc in cond) else []
    if isinstance(r, int):
        return [f(r, npc)] if cond is None or r in cond else []
    addrs, n = r.addrs, r.n
    idx = range(n) if cond is None else [j for j, a in enumerate(addrs) if a in cond]
    if not idx:
        return []
    full, rest = divmod(count, n)
    pattern = [f(addrs[j], addrs[(j + 1) % n]) for j in idx]
    out = pattern * full + [p for j, p in zip(idx, pattern, strict=True) if j < rest]
    if (count - 1) % n in idx:                   # the last instruction went to npc
        out[-1] = f(addrs[(count - 1) % n], npc)
    return out


def _pair(pc: int, nxt: int | None) -> tuple[int, int | None]:
    return pc, nxt


def _decision(pc: int, nxt: int | None) -> tuple[int, bool] | None:
    return None if nxt is None else (pc, nxt != pc + 4)


class Trail:
    """What a path-only run records: the blocks entered and how far, and each instruction run by its closure.
    pcs, labels passed and branch decisions are derived from it (with the blocks' addresses)."""

    def __init__(self) -> None:
        # Four entries per record: a Block, a Step or a pc (an instruction run by its closure); where its values
        # start in `flat`; how many instructions ran; the pc after the last (None: it raised).
        self.recs: list[Any] = []

    def _counts(self, upto: int | None, nrecs: int | None = None) -> Iterator[tuple[Any, int, int | None]]:
        """(record, instructions of it within the first `upto` steps, pc after them) for every record (of the
        first `nrecs`: what a run recorded, before anything appended after it)."""
        recs = self.recs
        left = upto
        for i in range(0, len(recs) if nrecs is None else 4 * nrecs, 4):
            r, c, npc = recs[i], recs[i + 2], recs[i + 3]
            if left is not None:
                if left <= 0:
                    return
                if c > left:                         # cut inside: the next instruction's pc
                    c, npc = left, r.addrs[left % r.n]
                left -= c
            yield r, c, npc

    def pcs(self, upto: int | None = None, nrecs: int | None = None) -> list[int]:
        """The pc of every instruction executed (among the first `upto` steps)."""
        out: list[int] = []
        for r, c, _ in self._counts(upto, nrecs):
            if isinstance(r, Step):
                if r.pc is not None:
                    out.append(r.pc)
            elif isinstance(r, int):
                out.append(r)
            elif c == r.n:
                out.extend(r.addrs)
            else:
                full, rest = divmod(c, r.n)
                out.extend(r.addrs * full + r.addrs[:rest])
        return out

    def flow(self, cond: Collection[int] | None = None, upto: int | None = None) -> list[tuple[int, int | None]]:
        """(pc, next pc) of every instruction executed, or (cond) of every conditional branch; next pc None:
        the instruction raised."""
        return [x for r, c, npc in self._counts(upto) for x in _flow(r, c, npc, cond, _pair)]

    def decisions(self, cond: Collection[int], upto: int | None = None, drop_last: bool = False,
                  nrecs: int | None = None) -> list[tuple[int, bool]]:
        """(address, taken) of every conditional branch; drop_last: not of the last instruction (a run cut by
        its step limit, or gone to no code, names no decision for it)."""
        out = [x for r, c, npc in self._counts(upto, nrecs) for x in _flow(r, c, npc, cond, _decision)]
        k = len(self.recs) // 4 if nrecs is None else nrecs
        if drop_last and k:
            r, c, npc = self.recs[4 * k - 4], self.recs[4 * k - 2], self.recs[4 * k - 1]
            if isinstance(r, Step):             # a closure's step: its own next pc
                last, npc = r.pc, r.next_pc
            else:
                last = r if isinstance(r, int) else r.addrs[(c - 1) % r.n]
            if last in cond and npc is not None and out:
                out.pop()
        return [x for x in out if x is not None]

    def path(self, labels: dict[int, list[str]], upto: int | None = None, nrecs: int | None = None) -> list[str]:
        """The labels passed, in order."""
        out: list[str] = []
        for r, c, _ in self._counts(upto, nrecs):
            if isinstance(r, (Step, int)):
                pc = r.pc if isinstance(r, Step) else r
                out += labels.get(pc, ()) if pc is not None else ()
                continue
            full, rest = divmod(c, r.n)
            if full:
                out += [name for a in r.addrs for name in labels.get(a, ())] * full
            if rest:
                out += [name for a in r.addrs[:rest] for name in labels.get(a, ())]
        return out


class Journal(Trail):
    def __init__(self) -> None:
        super().__init__()
        self.flat = array("Q")
        self.extra: dict[int, list[Recorded]] = {}
        self._starts = array("Q")          # journal position of each record, built on demand
        self._insns = array("Q")           # instruction number of each record's first step
        self._keys: list[int] = []         # sorted positions of `extra`, built on demand
        # the last decoded (record, iteration) and its steps
        self._cache: tuple[tuple[int, int, int, int], list[Step]] | None = None

    @property
    def steps(self) -> Journal:
        """The steps: the journal itself, a sequence (len, index, slice, iteration, reversed)."""
        return self

    def _sync(self) -> int:
        """Index the records appended since the last call; returns the number of steps."""
        recs, starts, insns = self.recs, self._starts, self._insns
        k = len(starts)
        pos = insn = 0
        if k:
            r, c = recs[4 * k - 4], recs[4 * k - 2]
            pos, insn = starts[-1] + c, insns[-1] + ((r.pc is not None) if isinstance(r, Step) else c)
        for i in range(4 * k, len(recs), 4):
            r, c = recs[i], recs[i + 2]
            starts.append(pos)
            insns.append(insn)
            pos += c
            insn += (r.pc is not None) if isinstance(r, Step) else c
        return pos

    def __len__(self) -> int:
        return self._sync()

    def instructions(self) -> int:
        """Instruction steps recorded (events not counted)."""
        if not self._sync():
            return 0
        r, c = self.recs[-4], self.recs[-2]
        return self._insns[-1] + ((r.pc is not None) if isinstance(r, Step) else c)

    def __iter__(self) -> Iterator[Step]:
        return self.between(0, len(self))

    @overload
    def __getitem__(self, i: int) -> Step: ...
    @overload
    def __getitem__(self, i: slice) -> list[Step]: ...

    def __getitem__(self, i: int | slice) -> Step | list[Step]:
        n = self._sync()
        if isinstance(i, slice):
            a, b, step = i.indices(n)
            return list(self.between(a, b)) if step == 1 else [self[j] for j in range(a, b, step)]
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        return next(self.between(i, i + 1))

    def between(self, a: int, b: int) -> Iterator[Step]:
        """Steps a..b-1 (positions)."""
        from ppcinterp.run.record import record_steps
        b = min(b, self._sync())
        k = bisect_right(self._starts, a) - 1
        while a < b:
            start, c = self._starts[k], self.recs[4 * k + 2]
            hi = min(c, b - start)
            yield from record_steps(self, k, a - start, hi)
            a = start + hi
            k += 1

    def append(self, step: Step) -> None:
        self.recs.extend((step, 0, 1, None))

    def undo_last(self, machine: Machine) -> Step | None:
        """Reverse the newest step on the machine; returns it (removed from the journal)."""
        n = len(self)
        if not n:
            return None
        step = self[n - 1]
        undo(machine, step)
        self.truncate(n - 1)
        return step

    def truncate(self, n: int) -> None:
        """Forget the steps from position n on."""
        from ppcinterp.run.record import flat_end
        if n >= self._sync():
            return
        k = bisect_right(self._starts, n) - 1
        keep = n - self._starts[k]
        r = self.recs[4 * k]
        cut: int | None
        if keep and r.layout is not None:               # cut inside a block call: its first `keep` stay
            cut = flat_end(r, self.recs[4 * k + 1], keep)
        else:                                           # from the first removed block call's values on
            cut = next((self.recs[i + 1] for i in range(4 * (k + bool(keep)), len(self.recs), 4)
                        if getattr(self.recs[i], "layout", None) is not None), None)
        if keep:
            self.recs[4 * k + 2], self.recs[4 * k + 3] = keep, r.addrs[keep % r.n]
            k += 1
        del self.recs[4 * k:]
        del self._starts[k:]
        del self._insns[k:]
        if cut is not None:
            del self.flat[cut:]
            for p in [p for p in self.extra if p >= cut]:
                del self.extra[p]
            self._keys = []
        self._cache = None

    # ---------------------------------------------------------------- queries
    def _has_extra(self, k: int) -> bool:
        from ppcinterp.run.record import flat_end
        if len(self._keys) != len(self.extra):
            self._keys = sorted(self.extra)
        b, lo = self.recs[4 * k], self.recs[4 * k + 1]
        hi = flat_end(b, lo, self.recs[4 * k + 2])
        i = bisect_left(self._keys, lo)
        return i < len(self._keys) and self._keys[i] < hi

    def mmio(self, upto: int, last: int) -> list[tuple[Step, Change]]:
        """The last `last` device accesses among the first `upto` steps, oldest first."""
        from ppcinterp.run.record import iteration_steps
        out: list[tuple[Step, Change]] = []
        upto = min(upto, self._sync())
        for k in range(bisect_right(self._starts, upto - 1) - 1 if upto else -1, -1, -1):
            r, count = self.recs[4 * k], min(self.recs[4 * k + 2], upto - self._starts[k])
            chunks: Iterable[list[Step]]
            if isinstance(r, Step):
                chunks = [[r]]
            elif self._has_extra(k):
                n = r.n if r.looping else count
                chunks = (iteration_steps(self, k, it)[:count - it * r.n]
                          for it in range((count - 1) // n, -1, -1))
            else:
                continue
            for steps in chunks:
                for s in reversed(steps):
                    for c in reversed(s.changes):
                        if c.what == "mmio":
                            out.append((s, c))
                            if len(out) == last:
                                return out[::-1]
        return out[::-1]

    def net(self, a: int, b: int) -> list[Change]:
        """The changes of steps a..b-1 in order, a loop's whole iterations folded into one change per register
        (memory stores kept): the same first old and last new value of every location as the steps have."""
        from ppcinterp.run.record import folded
        out: list[Change] = []
        b = min(b, self._sync())
        if a >= b:
            return out
        k = bisect_right(self._starts, a) - 1
        while a < b:
            start, c = self._starts[k], self.recs[4 * k + 2]
            hi = min(c, b - start)
            out += folded(self, k, a - start, hi)
            a = start + hi
            k += 1
        return out


def undo(machine: Machine, step: Step) -> None:
    for c in reversed(step.changes):
        _put(machine, c, c[2])


def redo(machine: Machine, step: Step) -> None:
    """Apply a recorded step again, exactly as it happened (replaying history, events included, without
    running anything: devices and hooks are not asked twice)."""
    for c in step.changes:
        _put(machine, c, c[3])


def _put(machine: Machine, c: Recorded, value: Any) -> None:
    what, key = c[0], c[1]
    if what in THREAD_STATE:
        machine.threads[c[4]].undo(what, key, value)   # a put that is not itself recorded
    elif what == "mem":
        addr, size = key
        region = machine.memory.region_at(addr)
        assert isinstance(region, Ram)              # stores are recorded into RAM only (devices: mmio, icp)
        region.data[addr - region.base:addr - region.base + size] = value.to_bytes(size, "big")
    elif what == "icp":
        icp, fld = key
        icp.undo(fld, value)
    elif what == "thread":
        machine.current = value
    elif what == "tb":
        machine.tb = value
    elif what == "slb":
        machine.slb[key] = value
