"""A race study under the Power memory model (ppcinterp/mm, herd7's ppc.cat): each thread's real code is run
alone with value speculation, its runs become mm ThreadRuns, and every execution the model allows over one run
per thread is judged by the study's invariant on its final state.

- A thread's run: its instructions executed by the study's own machine (study/threads.py's Racers, one thread
  at a time), each load answered with any value its location may hold: the thread's own view (its last write,
  else the initial value) or one another thread's runs write. Each choice is a branch of a depth-first search
  over answers, as mm/threads.py does for litmus threads. The values are found by a fixpoint: runs with no
  other thread's values, then with what the last round's runs wrote, until nothing new is written.
- Normal memory is one location per byte (a word load is four reads of one byte each): the kernel's byte
  stores into a message word the handler exchanges as a word then meet in the model; a torn word the hardware
  forbids is allowed here (more executions, never fewer).
- A device (an ICP page) is one location whose value is the whole device state. Each cache-inhibited access
  is a read of the state before and a write of the state after, an rmw pair (ATOMICITY keeps them adjacent in
  coherence order), the state computed by machine/xics.py: an XIRR load accepts, an MFRR or EOI store
  settles. So the device's coherence order is the order it saw its accesses, one thread's accesses to one ICP
  stay in program order (SC PER LOCATION), and a load returns what the device computed from the state it read.
- Events of a location only one thread touches are left out of the runs given to the model; a dependency
  through one of their reads is composed through it (power_deps.py).
- Each event carries the addr, data, ctrl and ctrlisync dependencies of the code's register taints
  (power_deps.py); `jobs` combines the runs in several processes with the results of one (power_jobs.py).
Left out: dependencies through memory and FP/vector registers (more executions allowed, never fewer); a stwcx.
failing although its reservation holds; lwsync and eieio's narrower rules for cache-inhibited accesses (ppc.cat
orders them as normal ones, the architecture does not let lwsync order them at all); a backward branch taken
more than UNROLL times cuts that run (herd's loop unrolling).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ppcinterp import mm
from ppcinterp.diagnostics import PpcError
from ppcinterp.machine.memory import Device
from ppcinterp.study import scenario as sc_mod
from ppcinterp.study.dpor import MAX_JOBS, judging
from ppcinterp.study.power_deps import Taints, shared_events
from ppcinterp.study.power_jobs import Combine
from ppcinterp.study.threads import LOAD_RESERVE, STORE_CONDITIONAL, Judged, Racers

UNROLL = 2
MAX_RUNS = 20_000            # runs of one thread in one round
MAX_ROUNDS = 8


class _Need(Exception):
    def __init__(self, options: list[int]):
        self.options = options


class _Cut(Exception):
    """A run cut by the unroll bound."""


@dataclass
class Access:
    """What one instruction did to one location, for the report: the value its register got or gave."""
    loc: str
    name: str
    value: int
    write: bool
    device: bool
    locs: tuple[str, ...]                        # the locations of its events (a byte each, or the device)


@dataclass
class Run:
    """One run of one thread: its events (all locations), the accesses behind them, its end and final state."""
    thread: int
    events: list[mm.Event]
    rmw: list[tuple[int, int]]
    end: tuple[str, str]
    insns: list[tuple[int, int]]                 # (step, pc)
    accesses: dict[int, list[Access]]            # step -> its accesses
    memory: dict[int, int]                       # byte address -> the value it last wrote
    devices: dict[str, Any]                      # device name -> its state after the thread's last access
    regs: list[int]
    shared: mm.ThreadRun | None = None           # the events the model sees (shared locations only)


class Speculator(Racers):
    """A Racers machine on which one thread runs at a time, its loads answered from a script of choices."""

    def __init__(self, sc: sc_mod.Scenario, max_steps: int):
        self.on = False                          # off: the machine reads and writes as Racers's does
        self.others: dict[str, set[int]] = {}    # location -> the values other threads' runs write there
        self.mev: list[mm.Event] = []            # the run under way: its events, rmw pairs, this step's accesses
        self.rmw: list[tuple[int, int]] = []
        self.acc: list[Access] = []
        super().__init__(sc, max_steps)
        self.codes: dict[Any, int] = {}          # device state -> its value as an event's
        self.states: list[Any] = []
        self.names: dict[str, str] = {}          # location -> its name in reports
        self.devices: dict[str, Device] = {}
        self.taints = Taints()

    def code(self, state: Any) -> int:
        if state not in self.codes:
            self.codes[state] = len(self.states)
            self.states.append(state)
        return self.codes[state]

    # ---- speculation ----
    def _choose(self, loc: str, local: int) -> int:
        options = sorted({local} | self.others.get(loc, set()))
        if len(options) == 1:
            return local
        k = self.choice
        self.choice += 1
        if k >= len(self.script):
            raise _Need(options)
        return int(self.script[k])

    def _ev(self, kind: str, loc: str, value: int, size: int, ci: bool = False) -> int:
        d = self.insn_def
        excl = d is not None and d.name in (LOAD_RESERVE if kind == "R" else STORE_CONDITIONAL) and not ci
        self.mev.append(mm.Event(kind, self.thread, len(self.mev), loc, value, size, exclusive=excl, ci=ci,
                                    where=f"{self.step_no}"))
        return len(self.mev) - 1

    def _device(self, region: Device, addr: int, size: int, value: int | None, ci: bool) -> int:
        loc = region.name
        self.devices[loc], self.names[loc] = region, loc
        state = getattr(region, "state", None)
        if state is None:
            raise PpcError(f"device {loc} keeps no state a memory model can read")
        c = self._choose(loc, self.code(state()))
        region.restore(self.states[c])            # type: ignore[attr-defined]
        if value is None:
            value = self._read(addr, size, ci)
        else:
            self._write(addr, size, value, ci)
        r = self._ev("R", loc, c, 8, True)
        w = self._ev("W", loc, self.code(region.state()), 8, True)      # type: ignore[attr-defined]
        self.rmw.append((r, w))
        self.dev_after[loc] = region.state()      # type: ignore[attr-defined]
        name = self.name_of(addr, size, region)
        self.acc.append(Access(loc, name, value, self._is_store, True, (loc,)))
        return value

    def _observed_read(self, addr: int, size: int, ci: bool = False) -> int:
        if not self.on:
            return super()._observed_read(addr, size, ci)
        region = self.machine.memory.region_at(addr)
        if isinstance(region, Device):
            self._is_store = False
            return self._device(region, addr, size, None, ci)
        value = 0
        for b in range(addr, addr + size):
            loc = self._byte(b, region)
            v = self._choose(loc, self._read(b, 1, ci))
            r = self._ev("R", loc, v, 1, ci)
            if self.insn_def is not None and self.insn_def.name in LOAD_RESERVE:
                self.larx[loc] = r
            value = value << 8 | v
        self.acc.append(Access(self._byte(addr, region), self.name_of(addr, size, region), value, False, False,
                               tuple(self._byte(b, region) for b in range(addr, addr + size))))
        return value

    def _observed_write(self, addr: int, size: int, value: int, ci: bool = False) -> None:
        if not self.on:
            return super()._observed_write(addr, size, value, ci)
        region = self.machine.memory.region_at(addr)
        if isinstance(region, Device):
            self._is_store = True
            self._device(region, addr, size, value, ci)
            return None
        self._write(addr, size, value, ci)
        for k, b in enumerate(range(addr, addr + size)):
            loc = self._byte(b, region)
            v = value >> 8 * (size - 1 - k) & 0xFF
            w = self._ev("W", loc, v, 1, ci)
            self.mem_after[b] = v
            if self.insn_def is not None and self.insn_def.name in STORE_CONDITIONAL and loc in self.larx:
                self.rmw.append((self.larx.pop(loc), w))
        self.acc.append(Access(self._byte(addr, region), self.name_of(addr, size, region), value, True, False,
                               tuple(self._byte(b, region) for b in range(addr, addr + size))))
        return None

    def _byte(self, b: int, region: Any) -> str:
        loc = f"{b:#x}"
        if loc not in self.names:
            self.names[loc] = self.name_of(b, 1, region)
        return loc

    # ---- one run ----
    def run(self, k: int, script: list[int]) -> Run:
        self.reset()
        r = self.runs[k]
        self.thread = r.spec.thread
        self.script, self.choice, self.mev, self.rmw = script, 0, [], []
        self.larx: dict[str, int] = {}
        self.mem_after: dict[int, int] = {}
        self.dev_after: dict[str, Any] = {}
        accesses: dict[int, list[Access]] = {}
        taken: dict[int, int] = {}
        self.on = True
        self.taints.start(r.engine)
        try:
            while r.end is None:
                pc = r.pc
                self.insn_def, self.step_no, self.acc = r.engine.insn_at.get(pc), r.steps, []
                before = len(self.mev)
                fences = len(self.events)
                self.taints.before()
                self.step(k)
                for ev in self.events[fences:]:
                    if ev.kind == "F":
                        fence = mm.SYNONYMS.get(ev.fence or "", ev.fence)
                        self.mev.append(mm.Event("F", self.thread, len(self.mev), fence=fence,
                                                 where=f"{r.steps - 1}"))
                self.taints.after(r.engine, pc, self.mev[before:])
                if self.acc or len(self.mev) > before:
                    accesses[r.steps - 1] = self.acc
                if r.end is None and r.pc <= pc:
                    taken[pc] = taken.get(pc, 0) + 1
                    if taken[pc] > UNROLL:
                        raise _Cut
        finally:
            self.on = False
            self.taints.stop()
        regs = [r.engine.thread.gpr[i] for i in range(32)]
        return Run(k, self.mev, self.rmw, r.end or ("none", "none"), list(r.insns), accesses,
                   dict(self.mem_after), dict(self.dev_after), regs)

    def all_runs(self, k: int, others: dict[str, set[int]]) -> tuple[list[Run], bool]:
        self.others = others
        out: list[Run] = []
        cut = False
        todo: list[list[int]] = [[]]
        while todo:
            script = todo.pop()
            try:
                out.append(self.run(k, script))
            except _Need as n:
                todo += [script + [o] for o in reversed(n.options)]
            except _Cut:
                cut = True
            if len(out) + len(todo) > MAX_RUNS:
                raise PpcError(f"race[{k}]: more than {MAX_RUNS:,} runs of thread {self.runs[k].spec.thread} under "
                               "value speculation; make the study smaller")
        return out, cut


@dataclass
class PowerLeaf:
    """One execution the model allows: a run per thread (indices into PowerStudy.runs[k]), rf and co, its
    outcome and whether the invariant held."""
    picks: tuple[int, ...]
    execution: mm.Execution
    ends: tuple[tuple[str, str], ...]
    observed: tuple[int, ...]
    holds: bool

    @property
    def outcome(self) -> tuple[Any, ...]:
        return self.ends, self.observed


@dataclass
class PowerStudy(Judged):
    scenario: sc_mod.Scenario
    racers: Speculator
    invariant: str
    observe: list[str]
    limit: int
    runs: list[list[Run]]
    shared: list[str]                    # the locations the model sees
    candidates: int                      # candidate executions examined (the model's and the bound's unit)
    leaves: list[PowerLeaf] = field(default_factory=list)
    cut: bool = False                    # the bound on candidates was met
    unrolled: bool = False               # a run was cut by the loop bound
    model: str = "power"



def _fixpoint(sp: Speculator) -> tuple[list[list[Run]], bool]:
    """Every run of every thread, each load's values those the other threads' runs write, found by rounds."""
    n = len(sp.runs)
    others: list[dict[str, set[int]]] = [{} for _ in range(n)]
    for _ in range(MAX_ROUNDS):
        results = [sp.all_runs(k, others[k]) for k in range(n)]
        written: list[dict[str, set[int]]] = []
        for runs, _cut in results:
            w: dict[str, set[int]] = {}
            for run in runs:
                for e in run.events:
                    if e.kind == "W" and e.loc is not None:
                        w.setdefault(e.loc, set()).add(e.value)
            written.append(w)
        new: list[dict[str, set[int]]] = [{} for _ in range(n)]
        for k in range(n):
            for j in range(n):
                if j != k:
                    for loc, vs in written[j].items():
                        new[k].setdefault(loc, set()).update(vs)
        if new == others:
            return [runs for runs, _ in results], any(c for _, c in results)
        others = new
    raise PpcError(f"the values the threads' loads may read did not settle in {MAX_ROUNDS} rounds of value "
                   "speculation")


def _share(sp: Speculator, runs: list[list[Run]]) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """Keep in each run the events of locations two threads access and one writes (and the fences); the initial
    value of each such location."""
    touched: dict[str, set[int]] = {}
    written: set[str] = set()
    for k, rs in enumerate(runs):
        for run in rs:
            for e in run.events:
                if e.loc is not None:
                    touched.setdefault(e.loc, set()).add(k)
                    if e.kind == "W":
                        written.add(e.loc)
    shared = sorted(loc for loc in written if len(touched[loc]) > 1)
    keep = set(shared)
    sp.reset()
    init = {}
    for loc in shared:
        dev = sp.devices.get(loc)
        init[loc] = (sp.code(dev.state()), 8) if dev is not None else (sp._read(int(loc, 16), 1, False), 1)  # type: ignore[attr-defined]
    for rs in runs:
        for run in rs:
            evs, new = shared_events(run.events, keep)
            rmw = [(new[a], new[b]) for a, b in run.rmw if a in new and b in new]
            run.shared = mm.ThreadRun(sp.runs[run.thread].spec.thread, evs, rmw, ())    # its events' thread
    return shared, init


def explore_power(sc: sc_mod.Scenario, invariant: str | None, max_executions: int,
                  observe: list[str] | None = None, model: str = "power", jobs: int = 1) -> PowerStudy:
    """The executions Power allows of the study's threads, each judged by the invariant (observe: the names
    whose final values make an outcome, as dpor.explore_threads's; jobs: local processes, power_jobs.py)."""
    if not 1 <= jobs <= MAX_JOBS:
        raise PpcError(f"--jobs must be 1 to {MAX_JOBS}, not {jobs}")
    sp = Speculator(sc, sc.data.get("max_steps", 10_000))
    inv_text, check, names, getters = judging(sp, invariant, observe)
    runs, unrolled = _fixpoint(sp)
    shared, init = _share(sp, runs)
    study = PowerStudy(sc, sp, inv_text, names, max_executions, runs, shared, 0, unrolled=unrolled)
    base = sp.session.snapshot()

    def judge(ex: mm.Execution) -> tuple[Any, ...]:
        picks = tuple(next(i for i, r in enumerate(runs[k]) if r.shared is run) for k, run in enumerate(ex.skel.runs))
        chosen = [runs[k][i] for k, i in enumerate(picks)]
        _final(sp, base, chosen, ex)
        return picks, tuple(r.end for r in chosen), tuple(g() for g in getters), bool(check())

    shared_runs: list[list[mm.ThreadRun]] = [[r.shared for r in rs] for rs in runs]     # type: ignore[misc]
    found, study.candidates, study.cut = Combine(shared_runs, init, model, max_executions, judge).all(jobs)
    for _, rf, co, (picks, ends, observed, holds) in found:
        skel = mm.Skeleton([shared_runs[k][i] for k, i in enumerate(picks)], init)
        study.leaves.append(PowerLeaf(picks, mm.Execution(skel, rf, co), ends, observed, holds))
    return study


def _final(sp: Speculator, base: tuple[Any, ...], chosen: list[Run], ex: mm.Execution) -> None:
    """Put the machine in the execution's final state: each thread's registers and what it alone wrote, then
    each shared location's co-last write."""
    sp.session.restore(base)
    for run in chosen:
        t = sp.runs[run.thread].engine.thread
        for i, v in enumerate(run.regs):
            t.gpr[i] = v
        for b, v in run.memory.items():
            sp._write(b, 1, v, False)
        for name, state in run.devices.items():
            sp.devices[name].restore(state)      # type: ignore[attr-defined]
    for loc, order in ex.co_order.items():
        v = ex.skel.events[order[-1]].value
        if loc in sp.devices:
            sp.devices[loc].restore(sp.states[v])      # type: ignore[attr-defined]
        else:
            sp._write(int(loc, 16), 1, v, False)
