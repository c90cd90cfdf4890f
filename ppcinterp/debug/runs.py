"""The runs of a scenario in one debugging session: the first, then each `[[then]]` run from the state the
previous one left (its own state assignments on top), as `ppcinterp run` plays them.

They share one history: the start of run k is a step of its own (the `[[then]]` state, recorded like `set
var`), so going back over it returns to the end of run k-1, and replaying forward stops there again. At the end
of run k, `continue` starts run k+1 and goes on (a stepping command starts it and stops before its first
instruction); `run` starts over from run 1, `run N` goes to the start of run N.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.present import relative
from ppcinterp.run.journal import Step, change

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine
    from ppcinterp.run.engine import Result

Plan = tuple[str, list[tuple[str, object]], str]          # entry, state assignments, note


@dataclass
class Runs:
    plan: list[Plan]
    starts: list[int] = field(default_factory=list)       # journal index of the start step of runs 2, 3, ...
    counts: list[int] = field(default_factory=lambda: [0])   # instruction number where each run started
    exits: list[Result] = field(default_factory=list)    # how each run before the current one ended

    @property
    def count(self) -> int:
        return len(self.plan)

    def index(self, pos: int) -> int:
        """The run (1-based) a history position is in."""
        return 1 + bisect.bisect_left(self.starts, pos)

    def crossed(self, before: int, after: int) -> bool:
        """Whether moving forward from `before` to `after` went over the start of a run."""
        return any(before <= s < after for s in self.starts)

    def reset(self) -> None:
        self.starts.clear()
        self.counts[1:] = []
        self.exits.clear()


def start_next(dbg: DebugEngine) -> str:
    """At the end of a run, start the next: its state on top of what the last one left, at its entry."""
    runs, h = dbg.runs, dbg.history
    k = runs.index(h.pos)                          # the run that just ended
    if dbg.exit is not None and not dbg.exit.ok:
        raise DebugError(f"Run {k} of {runs.count} ended with {dbg.exit.kind}: the runs after it are not played "
                         "(as `ppcinterp run` does not).")
    entry, state, note = runs.plan[k]
    log: list = []
    dbg.machine.attach(log)
    try:
        for name, value in state:
            dbg.prepare(name, value)()
    finally:
        dbg.machine.attach(None)
    runs.exits[k - 1:] = [dbg.exit]
    runs.starts[k - 1:] = [len(h.steps)]
    runs.counts[k:] = [h.count]
    said = ", ".join(f"{n} = {v}" for n, v in state)
    h.record(Step(h.count, dbg.machine.current, None, None, [change(c) for c in log],
                  f"run {k + 1} of {runs.count}" + (f": {note}" if note else "") + (f" ({said})" if said else "")))
    dbg.enter(entry)
    return started(dbg, k + 1)


def started(dbg: DebugEngine, k: int) -> str:
    entry, state, note = dbg.runs.plan[k - 1]
    said = "; ".join(f"{n} = {v}" for n, v in state)
    return f"Starting run {k} of {dbg.runs.count}" + (f": {note}" if note else "") + \
        f" (entry {entry} at {dbg.entry_pc:#x}" + (f"; {said}" if said else "") + ")"


def info_runs(dbg: DebugEngine) -> str:
    runs = dbg.runs
    now = dbg.run_index
    rows = ["  Run  Entry            State and note"]
    for k, (entry, state, note) in enumerate(runs.plan, 1):
        what = "the scenario's [state]" if k == 1 else "; ".join(f"{n} = {v}" for n, v in state) or "(no changes)"
        ended = f"  -- ended: {relative(dbg, runs.exits[k - 1].message)}" if k < now else ""
        rows.append(f"{'*' if k == now else ' '} {k:<4} {entry:<16} {what}" + (f"  ({note})" if note else "") + ended)
    if runs.count > 1 and now < runs.count:
        rows.append(f"At the end of run {now}, `continue` starts run {now + 1}; `run N` starts over and goes to the "
                    "start of run N.")
    return "\n".join(rows)


def run_to(dbg: DebugEngine, n: int) -> str:
    """`run N`: start over and go to the start of run N, passing breakpoints and watchpoints by."""
    from ppcinterp.debug.points import Points
    if not 1 <= n <= dbg.run_count:
        raise DebugError(f"There is no run {n}: the scenario has {dbg.run_count} run{'s' * (dbg.run_count != 1)}.")
    dbg.restart()
    points, dbg.points = dbg.points, Points()
    text = ""
    try:
        while dbg.run_index < n:
            if dbg.exited is None:
                stop = dbg.forward()
                if stop.reason not in ("exit", "run-start"):
                    raise DebugError(f"Run {dbg.run_index} did not end (stopped: {stop.reason}); run {n} not reached.")
            else:
                text = start_next(dbg)
    finally:
        dbg.points = points
        dbg.refresh_watches()
    return text


def replayed(dbg: DebugEngine) -> str:
    """Replaying forward over the start of run k: how run k-1 ended, and that run k starts."""
    from ppcinterp.debug.report import exit_text
    k = dbg.run_index
    return exit_text(dbg, dbg.runs.exits[k - 2], k - 1) + "\n" + started(dbg, k)
