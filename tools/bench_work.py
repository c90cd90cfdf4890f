"""tools/bench.py's workloads, run the way the product runs them.

- AluLoop: tests/data/bench_alu_loop.S (16 instructions an iteration, closed by bdnz), one long run a chunk.
- Hunk3Mix: the shipped scenarios that enter `hunk 3`, each on its own session and state, run in turn with
  their events; only Session.run is timed (restoring the state and building the event hooks are not).
- paths / interleave: the commands' in-process work (ppcinterp.study.explore / ppcinterp.study.interleave).
- journal_memory: tracemalloc peak of one long journaled run, and its garbage-collection share of CPU time.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ppcinterp.api import Session
from ppcinterp.run.engine import Result
from ppcinterp.study import scenario as sc_mod
from ppcinterp.study.explore import explore, load_domain
from ppcinterp.study.interleave import actor_from, explore_races

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "asm" / "book3s_hv_rmhandlers.S"
ALU_SOURCE = ROOT / "tests" / "data" / "bench_alu_loop.S"
ALU_ENTRY = "bench_alu_loop"
ALU_BODY = 16                      # instructions an iteration
RAM = 0x1000000                    # the machine's RAM region: what the loop loads and stores

# How a variant runs: (session, entry, max_steps, hooks, step_hooks) -> Result
Runner = Callable[[Session, "int | str", int, dict | None, dict | None], Result]


def variants() -> dict[str, Runner]:
    """The runs the product makes: Session.run untraced, path-only and journaled."""
    def untraced(s, entry, n, hooks, step_hooks):
        return s.run(entry, max_steps=n, journal=False, hooks=hooks, step_hooks=step_hooks, path=False)

    def path_only(s, entry, n, hooks, step_hooks):
        return s.run(entry, max_steps=n, journal=False, hooks=hooks, step_hooks=step_hooks, path=True)

    def journaled(s, entry, n, hooks, step_hooks):
        return s.run(entry, max_steps=n, journal=True, hooks=hooks, step_hooks=step_hooks)

    return {"untraced": untraced, "path-only": path_only, "journaled": journaled}


def engine_only(s: Session, entry: int | str, n: int, hooks: dict | None, step_hooks: dict | None) -> Result:
    """Engine.run, untraced, without Session.run around it (a reference: what the Session's own work costs)."""
    pc = entry if isinstance(entry, int) else s.address_of(entry)
    return s.engine.run(pc, max_steps=n, journal=False, path=False)


class AluLoop:
    def __init__(self) -> None:
        self.session = Session(str(ALU_SOURCE))
        self.pc = self.session.address_of(ALU_ENTRY)
        self.kind: str | None = None
        self.last = 0                  # steps of the last run

    def describe(self) -> str:
        return f"one run a chunk (last {self.last:,} steps)"

    def prepare(self, iterations: int) -> int:
        """Power-on state, RAM base and CTR set; returns a step limit the run cannot reach."""
        s = self.session
        s.reset()
        s.set("r9", RAM)
        s.set("r10", iterations)
        return ALU_BODY * iterations + 100

    def once(self, run: Runner, iterations: int) -> tuple[int, float]:
        limit = self.prepare(iterations)
        t = time.process_time()
        res = run(self.session, self.pc, limit, None, None)
        spent = time.process_time() - t
        if self.kind is None:
            self.kind = res.kind
        if res.kind != self.kind or res.steps < ALU_BODY * iterations:
            raise RuntimeError(f"the ALU loop ended early: {res.kind} {res.exit} after {res.steps} steps")
        self.last = res.steps
        return res.steps, spent

    def chunk(self, run: Runner) -> Callable[[float], tuple[int, float]]:
        """One run a chunk, its iterations sized from the previous run's speed."""
        rate = 0.0

        def go(seconds: float) -> tuple[int, float]:
            nonlocal rate
            if not rate:
                steps, spent = self.once(run, 200)
                rate = steps / spent
            steps, spent = self.once(run, max(1, int(rate * seconds / ALU_BODY)))
            rate = steps / spent
            return steps, spent
        return go


@dataclass
class Case:
    scenario: sc_mod.Scenario
    session: Session
    state: tuple
    limit: int


class Hunk3Mix:
    def __init__(self) -> None:
        self.cases: list[Case] = []
        for path in sorted((ROOT / "asm" / "scenarios").glob("*.toml")):
            sc = sc_mod.load(path)
            if sc.entry.strip() != "hunk 3":
                continue
            session = sc_mod.build_session(sc)
            self.cases.append(Case(sc, session, session.snapshot(), sc.data.get("max_steps", 10_000)))
        self.steps = self.runs = 0
        self.spent = 0.0

    def describe(self) -> str:
        return (f"{len(self.cases)} scenarios, {self.steps / max(1, self.runs):.0f} steps a run, "
                f"{1e6 * self.spent / max(1, self.runs):.1f} us a run")

    def chunk(self, run: Runner) -> Callable[[float], tuple[int, float]]:
        """Every case in turn (state restored, event hooks rebuilt: not timed) until `seconds` of runs."""
        def go(seconds: float) -> tuple[int, float]:
            steps, spent = 0, 0.0
            while spent < seconds:
                for c in self.cases:
                    c.session.restore(c.state)
                    hooks, step_hooks = sc_mod.hooks_for(c.scenario, c.session)
                    t = time.process_time()
                    res = run(c.session, c.scenario.entry, c.limit, hooks, step_hooks)
                    spent += time.process_time() - t
                    steps += res.steps
                    self.runs += 1
            self.steps += steps
            self.spent += spent
            return steps, spent
        return go


def run_floor(repeats: int = 20_000) -> float:
    """CPU seconds of one untraced Session.run of a one-instruction routine (nop, blr to an exit): what a run
    costs before its instructions (the call, the loop's set-up, the exit's Stop, the Result)."""
    s = Session(str(ALU_SOURCE))
    pc = s.address_of(ALU_ENTRY) + 4 * (ALU_BODY + 3)          # the loop's last instruction: nop, then the end
    base = s.snapshot()
    s.run(pc, journal=False, path=False)
    t = time.process_time()
    for _ in range(repeats):
        s.run(pc, journal=False, path=False)
    spent = time.process_time() - t
    s.restore(base)
    return spent / repeats


@contextmanager
def counting_steps() -> Iterator[list[int]]:
    """Sum the steps of every Session.run meanwhile (through Session.observers)."""
    total = [0]

    def observe(_session: Session, res: Result) -> None:
        total[0] += res.steps
    Session.observers.append(observe)
    try:
        yield total
    finally:
        Session.observers.remove(observe)


def paths_once() -> tuple[int, int]:
    """`ppcinterp paths asm/book3s_hv_rmhandlers.S --entry "hunk 3"` without the printing: (steps, runs)."""
    with counting_steps() as total:
        ex = explore(str(SEED), load_domain(ROOT / "asm" / "domains" / "hunk3.toml"))
    return total[0], ex.runs


def interleave_once() -> tuple[int, int]:
    """`ppcinterp interleave asm/scenarios/kvm_ipi_ee_bounce.toml` without the printing: (steps, runs)."""
    with counting_steps() as total:
        sc = sc_mod.load(ROOT / "asm" / "scenarios" / "kvm_ipi_ee_bounce.toml")
        report = explore_races(sc, actor_from(sc, "host-ipi"))
    return total[0], len(report.interleavings)


@dataclass
class JournalMemory:
    steps: int
    bytes_per_step: float
    peak_mib: float
    gc_share: float                # of the CPU time of the same run without tracemalloc


def journal_memory(alu: AluLoop, steps: int) -> JournalMemory:
    iterations = max(1, steps // ALU_BODY)
    run = variants()["journaled"]
    limit = alu.prepare(iterations)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        res = run(alu.session, alu.pc, limit, None, None)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    done = res.steps
    del res
    gc.collect()
    in_gc = 0.0
    started = 0.0

    def clock(phase: str, _info: dict) -> None:
        nonlocal in_gc, started
        if phase == "start":
            started = time.process_time()
        else:
            in_gc += time.process_time() - started
    limit = alu.prepare(iterations)
    gc.callbacks.append(clock)
    try:
        t = time.process_time()
        res = run(alu.session, alu.pc, limit, None, None)
        spent = time.process_time() - t
    finally:
        gc.callbacks.remove(clock)
    del res
    return JournalMemory(done, peak / done, peak / 2**20, in_gc / spent)
