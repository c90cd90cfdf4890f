"""Every way one thread can run, its instructions executed by ppcinterp's own semantics (isa/), once per answer
its reads may get: the events it makes (reads, writes, fences) with their dependencies.

The instructions come decoded (InsnDef and field values): the semantics factory of each builds its closure over
this module's thread state and memory, as the run loop's do over a Machine. What the closures touch is watched:

- registers carry taints, the reads their values came from, which give the events their addr, data, ctrl and
  ctrlisync dependencies (taint.py, shared with the race studies' kernel code);
- sync/lwsync/eieio/isync (the `sync` definition's L field tells sync from lwsync) are fence events.

A read is answered with each value the location may hold (`values`): the thread is run again from the start
with one more answer chosen (a depth-first search over the answers), so a run is the thread's events for one
sequence of answers. A stwcx./stdcx. holding a reservation may also fail (herd's stwcx. may always fail).
A backward branch taken more than `unroll` times cuts the run (herd's loop unrolling), and every run counts
against the caller's Budget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from ppcinterp.diagnostics import PpcError
from ppcinterp.isa.table import INSNS, InsnDef, semantics_of
from ppcinterp.mm.events import Event, ThreadRun
from ppcinterp.mm.taint import STCX, TaintRegs, TaintSprs, Tracker

M64 = (1 << 64) - 1
SF = 1 << 63
FENCE_NAMES = {"isync": "isync", "eieio": "eieio"}
MAX_STEPS = 10_000            # instructions in one run: a loop that never ends is cut by `unroll` long before


@dataclass(frozen=True, slots=True)
class Insn:
    """One instruction of a thread: its address, definition, field values and where it was written."""

    addr: int
    insn: InsnDef
    fields: dict[str, int]
    where: Any = None            # a Pos (for messages)
    text: str = ""


@dataclass(slots=True)
class ThreadProgram:
    thread: int
    code: list[Insn]
    regs: dict[int, int] = field(default_factory=dict)      # initial GPRs
    locations: dict[int, str] = field(default_factory=dict)  # address -> location name


class Cut(Exception):
    """A run cut by the unroll bound."""


class _Need(Exception):
    """The run reached a choice the script does not give yet: its options."""

    def __init__(self, options: list[int] | list[bool]):
        self.options: list[Any] = list(options)


class _Thread:
    """What the semantics read of a hardware thread (machine/state.py's Thread, with taints)."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.gpr = TaintRegs([0] * 32)
        self.cr = TaintRegs([0] * 8)
        self.spr = TaintSprs()
        self.taints = Tracker(self.gpr, self.cr, self.spr)
        self.fpr = [0] * 32
        self.vr = [0] * 32
        self.vsr_lo = [0] * 32
        self._msr = self.msr = SF
        self.reservation: int | None = None
        self.fpscr = self.vscr = 0


@dataclass(slots=True)
class _Ctx:
    """What a semantics factory may capture (run/decoding.py's DecodeCtx, for one litmus thread)."""

    addr: int
    nxt: int
    ret: int
    insn: InsnDef
    thread: _Thread
    memory: Any
    machine: Any = None
    sf: bool = True
    target: Callable[[int], int] = staticmethod(lambda a: a)
    resolve: Callable[[int], int] = staticmethod(lambda a: a)

    @property
    def g(self) -> list[int]:
        return self.thread.gpr

    @property
    def cr(self) -> list[int]:
        return self.thread.cr

    @property
    def spr(self) -> dict[int, int]:
        return self.thread.spr

    @property
    def mem(self) -> Any:
        return self.memory


class ThreadRunner:
    """Runs one ThreadProgram; `runs(values)` gives every ThreadRun."""

    def __init__(self, prog: ThreadProgram, unroll: int = 2):
        self.prog, self.unroll = prog, unroll
        self.t = _Thread(prog.thread)
        self.by_addr = {i.addr: k for k, i in enumerate(prog.code)}
        self.end = prog.code[-1].addr + 4 if prog.code else 0
        self.steps: list[Callable[[], int]] = []
        for k, i in enumerate(prog.code):
            sem = semantics_of(i.insn)
            if sem is None:
                raise PpcError(f"'{i.insn.name}' has no semantics in ppcinterp: a litmus test cannot run it", i.where)
            nxt = prog.code[k + 1].addr if k + 1 < len(prog.code) else self.end
            ctx = _Ctx(i.addr, nxt, i.addr + 4, i.insn, self.t, self)
            self.steps.append(sem(cast(Any, ctx), i.fields))      # a Ctx as isa/ declares it, taints added
        self.values: dict[str, list[int]] = {}
        # the run under way: its answers so far, the next to use, its events, rmw pairs, this instruction's accesses
        self.script: list[Any] = []
        self.choice = 0
        self.events: list[Event] = []
        self.rmw: list[tuple[int, int]] = []
        self.access: list[int] = []
        self.here = prog.code[0] if prog.code else Insn(0, INSNS["ori"], {})

    # -- memory, as the closures see it
    def read(self, addr: int, size: int, ci: bool = False) -> int:
        loc = self._loc(addr)
        mask = (1 << 8 * size) - 1
        options = sorted({v & mask for v in self.values.get(loc, [0])})
        k = self.choice
        self.choice += 1
        if k >= len(self.script):
            raise _Need(options)
        v: int = self.script[k]
        self.events.append(Event("R", self.t.index, len(self.events), loc, v, size, ci=ci, where=self.here.text))
        self.access.append(len(self.events) - 1)
        return v

    def write(self, addr: int, size: int, value: int, ci: bool = False) -> None:
        loc = self._loc(addr)
        self.events.append(Event("W", self.t.index, len(self.events), loc, value & ((1 << 8 * size) - 1), size,
                                 ci=ci, where=self.here.text))
        self.access.append(len(self.events) - 1)

    def _loc(self, addr: int) -> str:
        loc = self.prog.locations.get(addr)
        if loc is None:
            raise PpcError(f"P{self.t.index}: '{self.here.text}' accesses address {addr:#x}, which is no location "
                           "of the test", self.here.where)
        return loc

    # -- runs
    def runs(self, values: dict[str, list[int]], spend: Callable[[], None]) -> tuple[list[ThreadRun], bool]:
        """Every run given the values each location may hold; True with them if the unroll bound cut one."""
        self.values = values
        out: list[ThreadRun] = []
        cut = False
        todo: list[list[Any]] = [[]]
        while todo:
            script = todo.pop()
            try:
                run = self._run(script)
            except _Need as n:
                todo += [script + [o] for o in reversed(n.options)]
                continue
            except Cut:
                cut = True
                continue
            if run is not None:
                spend()
                out.append(run)
        return out, cut

    def _run(self, script: list[Any]) -> ThreadRun | None:
        t = self.t
        self.script, self.choice, self.events, self.rmw = script, 0, [], []
        for k in range(32):
            list.__setitem__(t.gpr, k, self.prog.regs.get(k, 0))
        for k in range(8):
            list.__setitem__(t.cr, k, 0)
        dict.clear(t.spr)
        t.taints.watch()
        t.reservation = None
        last_larx: int | None = None
        taken: dict[int, int] = {}
        pc: int = self.prog.code[0].addr if self.prog.code else self.end
        steps = 0
        while pc != self.end:
            at = self.by_addr.get(pc)
            if at is None:
                raise PpcError(f"P{t.index} branches to {pc:#x}, outside its code", self.here.where)
            k = at
            steps += 1
            if steps > MAX_STEPS:
                raise Cut
            i = self.here = self.prog.code[k]
            name = i.insn.base_name
            before = len(self.events)
            fence = _fence(i)
            if fence is not None:
                self.events.append(Event("F", t.index, before, fence=fence, where=i.text))
            forced = None
            if name in STCX and t.reservation is not None:
                k2 = self.choice
                self.choice += 1
                if k2 >= len(script):
                    raise _Need([True, False])
                forced = script[k2]
                if not forced:
                    t.reservation = None        # the store conditional fails although the reservation holds
            t.taints.begin()
            self.access = []
            try:
                npc = self.steps[k]()
            except (_Need, Cut, PpcError):
                raise
            except Exception as e:      # noqa: BLE001 - what a thread without a whole machine cannot do
                raise PpcError(f"P{t.index}: '{i.text}' cannot run in a litmus test ({type(e).__name__}: {e})",
                               i.where) from None
            if forced and not self.access:
                return None         # an attempt at another address: the same run as the forced failure
            t.taints.end(name, i.insn.family, i.fields, self.events[before:])
            if name in ("lwarx", "ldarx") and self.access:
                last_larx = self.access[0]
                self.events[last_larx].exclusive = True
            elif name in STCX and self.access:
                w = self.access[0]
                self.events[w].exclusive = True
                if last_larx is not None:
                    self.rmw.append((last_larx, w))
            if i.insn.family == "branch" and npc <= pc:
                taken[pc] = taken.get(pc, 0) + 1
                if taken[pc] > self.unroll:
                    raise Cut
            pc = npc
        return ThreadRun(t.index, self.events, self.rmw, tuple(list.__getitem__(t.gpr, k) for k in range(32)))


def _fence(i: Insn) -> str | None:
    name = i.insn.base_name
    if name == "sync":
        return "lwsync" if i.fields.get("LS", 0) == 1 else "sync"
    return FENCE_NAMES.get(name)


def all_runs(progs: list[ThreadProgram], init: dict[str, int], spend: Callable[[], None],
             unroll: int = 2) -> tuple[list[list[ThreadRun]], bool]:
    """Every run of every thread, the values a read may get found by a fixpoint: the initial values, then what
    the runs of the last round wrote. A value that needs a longer chain of reads than the threads make can only
    come out of thin air (a dependency cycle, which every model here forbids), so the rounds stop there."""
    runners = [ThreadRunner(p, unroll) for p in progs]
    values = {loc: [v] for loc, v in init.items()}
    rounds = 0
    while True:
        results = [r.runs(values, spend) for r in runners]
        new = {loc: set(vs) for loc, vs in values.items()}
        for runs, _ in results:
            for run in runs:
                for e in run.events:
                    if e.kind == "W" and e.loc is not None:
                        new.setdefault(e.loc, set()).add(e.value)
        chain = sum(max((sum(e.kind == "R" for e in run.events) for run in runs), default=0) for runs, _ in results)
        rounds += 1
        fixed = {loc: sorted(vs) for loc, vs in new.items()}
        if fixed == values or rounds > chain:
            return [runs for runs, _ in results], any(cut for _, cut in results)
        values = fixed
