"""The debugger's engine: a run that can be stepped, continued and reversed, with breakpoints and watchpoints.

No UI here. A UI calls `execute(line) -> text` (the gdb-like command language, commands.py) and reads the
structured state for its panes: `location()`, `points`, `changed()`, `path()`, `mmio()`, `machine.current`,
`in_past`, `exited`, `history_range()`, `displays`, `last_stop`.

How it runs: live execution is Engine.resume with the journal on (the one run loop, in chunks that stop at
breakpoint addresses, so `continue` runs compiled blocks; one instruction at a time when a watchpoint or a
per-step condition must be checked). Everything executed is history (history.py): reverse commands undo it,
forward commands in the past redo it exactly (the scenario's racing writes included) and go on live at the
end. Changing state in the past forgets the future and goes on live from there.

Scenario events are the run loop's event hooks (run/events.py): they fire on arriving at their address (or
step number), before any stop there, so a stop shows what the host did on the way. Each remembers where in the
history it fired, so forgetting the future from before that point makes it pending again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ppcinterp.api import Session
from ppcinterp.debug.commands import Commands
from ppcinterp.debug.engine_edit import StateEdits
from ppcinterp.debug.engine_state import Access, Display, StateViews  # noqa: F401 - re-exported for UIs
from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.history import History
from ppcinterp.debug.points import Points
from ppcinterp.debug.present import Symbols, relative
from ppcinterp.debug.runs import Plan, Runs, replayed, start_next
from ppcinterp.debug.stops import Stop, arrived, refresh_watches, watch_hit
from ppcinterp.debug.values import Values
from ppcinterp.diagnostics import PpcError, ScenarioError
from ppcinterp.run.engine import DEFAULT_STEP_LIMIT, Result
from ppcinterp.run.events import rearm
from ppcinterp.run.journal import Step
from ppcinterp.study import inputs, scenario

CHUNK = 4096                     # instructions per live chunk: how often Ctrl-C is looked at
LR = 8


class DebugEngine(StateViews, StateEdits):
    def __init__(self, session: Session, entry: str | int, *, events: Sequence[scenario.Event] = (),
                 max_steps: int = DEFAULT_STEP_LIMIT, title: str | None = None, notes: Sequence[str] = (),
                 prepare: Callable[[str, object], Callable[[], None]] | None = None, then: Sequence[Plan] = ()):
        self.session = session
        self.machine = session.machine
        try:
            self.entry_pc = entry if isinstance(entry, int) else session.address_of(entry)
        except PpcError as e:
            raise DebugError(e.message) from None
        self.entry = entry if isinstance(entry, str) else f"{entry:#x}"
        session.engine.bind(session.hunk_bound(entry))     # `hunk N` of a whole file: as in the fragment
        self.runs = Runs([(self.entry, [], ""), *then])   # the scenario's runs: the first, then its [[then]]s
        self.prepare = prepare or (lambda name, value: lambda: session.set(name, value))
        self.title = title or self.entry
        self.max_steps = max_steps
        self.notes = list(notes)           # said once, at the start (what the debugger does not follow)
        self.points = Points()
        self.values = Values(self)
        self.symbols = Symbols(self)
        self.displays: list[Display] = []
        self.hooks, self.step_hooks = self._event_hooks(events, prepare)
        self._initial = session.snapshot()
        self._decoded = self.machine.current
        self._interrupt = False
        self.history = History(self.machine)
        self.live_pc = self.entry_pc
        self.exit: Result | None = None
        self._marks = (0, 0)
        self.last_stop: Stop | None = None   # why the last moving command stopped (None: at the start)
        self.commands = Commands(self)
        self.restart()

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_scenario(cls, path: str | Path, source: str | None = None, patch: str | None = None,
                      icp_base: int | None = None, ram_size: int | None = None) -> DebugEngine:
        """Debug a scenario: its source (or `source`), CPU, state, entry and events, and its [[then]] runs one
        after the other (runs.py); `icp_base` places the ICPs elsewhere than the scenario does, `ram_size` gives
        it another amount of RAM."""
        sc = scenario.load(path, source, patch)
        if "race" in sc.data:                # several threads from their own entries: no one run to step through
            raise ScenarioError("a race study ([[race]] threads) is explored with `ppcinterp interleave`, not "
                                "debugged (`debug FILE --entry E` steps through one of its threads' code)",
                                inputs.pos_of(sc.text, sc.path, "race"))
        if icp_base is not None:
            sc.data["icp_base"] = icp_base
        if ram_size is not None:
            sc.data["ram_size"] = ram_size
        session = scenario.build_session(sc)
        notes = [f"(the scenario has {len(sc.then) + 1} runs: this is run 1; at the end of each, `continue` starts "
                 "the next; `info runs` lists them)"] if sc.then else []
        try:
            return cls(session, sc.entry, events=sc.events, max_steps=sc.data.get("max_steps", DEFAULT_STEP_LIMIT),
                       title=str(path), notes=notes, prepare=lambda n, v: scenario._prepare(sc, session, n, v),
                       then=sc.then)
        except DebugError as e:
            raise ScenarioError(f"{path}: {e}") from None

    @classmethod
    def from_source(cls, path: str | list[str], entry: str, **options) -> DebugEngine:
        """Debug a source file from an entry (a label, `hunk N`, `line N`, `FILE:N`, `upstream N`, an address);
        options are Session's (cpu, features, config, include_dirs, defines, kernel_env, base, threads, current,
        icp_base, ram_size)."""
        session = Session(path, **options)
        try:
            return cls(session, entry, title=f"{path if isinstance(path, str) else ' '.join(path)} from {entry}")
        except DebugError as e:
            raise PpcError(str(e)) from None

    def _event_hooks(self, events: Sequence[scenario.Event], prepare) -> tuple[dict, dict]:
        """The scenario's events as the run loop's hooks (run/events.py). Each records where in the history it
        fired, so that forgetting the future from before that point makes it pending again. `prepare` checks
        and resolves an assignment (a scenario's reports a bad one at its place in the file)."""
        by_pc: dict[int, list] = {}
        by_step: dict[int, list] = {}
        clock = lambda: len(self.history.journal)          # noqa: E731 - where its step is recorded next
        for ev in events:
            try:
                step, key = scenario.event_point(self.session, ev.at)
                hook = self.session.event_hook(ev.assignments, ev.note, prepare=prepare, clock=clock)
            except PpcError as e:
                if isinstance(e, ScenarioError) and e.pos is not None:
                    raise
                raise DebugError(f"event at '{ev.at[:80]}': {e.message}") from None
            (by_step if step else by_pc).setdefault(key, []).append(hook)
        return by_pc, by_step

    # ---------------------------------------------------------------- the command language
    def execute(self, line: str) -> str:
        """Run one command line (gdb's language; an empty line repeats the last command); returns its output.
        A failing command returns its one-line error message and sets `last_ok` to False."""
        return self.commands.execute(line)

    @property
    def last_ok(self) -> bool:
        return self.commands.last_ok

    def interrupt(self, stop: bool = True) -> None:
        """Ask a running command to stop at the next chunk boundary (Ctrl-C); asked just before a command starts
        (from another thread), it stops that command's movement at once. Every stop clears the request, and
        interrupt(False) withdraws it (a UI does once the command it was meant for has ended)."""
        self._interrupt = stop

    def interrupted(self) -> bool:
        """Whether Ctrl-C asked the running command to stop (a script's while loop looks between passes)."""
        return self._interrupt

    # ---------------------------------------------------------------- starting over
    def restart(self) -> Stop | None:
        """Back to the initial state at the entry of run 1 (events due there fire); history starts afresh."""
        m = self.machine
        m.restore(self._initial)
        self.history = History(m)
        self.runs.reset()
        rearm(self.hooks, self.step_hooks)
        self._sync_thread()
        self.enter(self.runs.plan[0][0])
        self._marks = (self.history.pos, self.history.pos)
        self.last_stop = Stop("exit", 0, exit=self.exit) if self.exit else None
        return self.last_stop

    def enter(self, entry: str) -> None:
        """Go live at an entry (a run's start): the events due on arriving there fire."""
        try:
            self.entry_pc = self.session.address_of(entry)
        except PpcError as e:
            raise DebugError(e.message) from None
        self.entry = entry
        self.session.engine.bind(self.session.hunk_bound(entry))
        self.live_pc, self.exit = self.session.engine.resume(
            self.entry_pc, self.history.journal, max_steps=0, first=self.history.count, arrive=True,
            hooks=self.hooks, step_hooks=self.step_hooks)
        self.history.extended()
        self.refresh_watches()

    @property
    def run_index(self) -> int:
        """The scenario's run being played (1-based; a scenario with [[then]] runs has several)."""
        return self.runs.index(self.history.pos)

    @property
    def run_count(self) -> int:
        return self.runs.count

    def run(self) -> Stop:
        """`run`: start over and continue to a breakpoint or the end."""
        ended = self.restart()
        if ended:
            return ended
        hit = arrived(self, [], frozenset(), None)
        return self._stopped(hit) if hit else self.forward()

    # ---------------------------------------------------------------- moving forward
    def check_can_run(self) -> None:
        if self.exited is not None and self.run_index < self.run_count and self.exit.ok:
            return                                  # the next run starts (forward)
        if self.exited is not None:
            raise DebugError(f"The run has ended ({relative(self, self.exit.message)}). Use \"run\" to start again, or "
                             "reverse-stepi / reverse-continue to go back.")

    def forward(self, count: int | None = None, *, temps: frozenset[int] = frozenset(),
                until: Callable[[list[Step]], bool] | None = None) -> Stop:
        """Execute (or replay) count instructions, or until a breakpoint, watchpoint, temporary stop address,
        until(unit), the end of the run, the step limit or an interrupt."""
        self.check_can_run()
        h, eng = self.history, self.session.engine
        start = h.pos
        if self.exited is not None:                 # the end of a run, and more to play: start the next
            said = start_next(self)
            if count is not None:
                return self._stopped(Stop("run-start", 0, message=said), start)
            stop = self.forward(count, temps=temps, until=until)
            stop.message = said + ("\n" + stop.message if stop.message else "")
            return stop
        moved, unit = 0, []
        budget = h.count + self.max_steps                    # live instructions one command may execute
        while count is None or moved < count:
            if self._interrupt:
                return self._stopped(Stop("interrupted", moved, unit=unit), start)
            if not h.at_end:
                before = h.pos
                unit = h.forward()
                moved += 1
                self._sync_thread()
                if self.runs.crossed(before, h.pos):    # replaying over the start of the next run: stop there
                    return self._stopped(Stop("run-start", moved, unit=unit, message=replayed(self)), start)
            else:
                if h.count >= budget:
                    return self._stopped(Stop("limit", moved, unit=unit), start)
                per_unit = until is not None or bool(self.points.active_watches())
                n = 1 if per_unit else min(CHUNK, budget - h.count, CHUNK if count is None else count - moved)
                before, counted = len(h.steps), h.count
                breaks = frozenset() if per_unit else self.points.addresses() | temps
                self.live_pc, res = eng.resume(self.live_pc, h.journal, max_steps=n, first=h.count, breaks=breaks,
                                               hooks=self.hooks, step_hooks=self.step_hooks)
                h.extended()
                moved += h.count - counted
                unit = h.steps[before:] if n == 1 else []
                if res is not None:
                    self.exit = res
            if h.at_end and self.exit is not None:      # the last instruction may still trigger a watchpoint
                reports = [r for w in self.points.active_watches() if (r := watch_hit(self, w, unit, False))]
                return self._stopped(Stop("exit", moved, exit=self.exit, unit=unit, watch_reports=reports), start)
            hit = arrived(self, unit, temps, until)
            if hit is not None:
                hit.moved, hit.unit = moved, unit
                return self._stopped(hit, start)
        return self._stopped(Stop("step", moved, unit=unit), start)

    def next_insn(self) -> Stop:
        """nexti: one instruction, but a link branch (bl, bcl, bctrl...) runs until its return address."""
        self.check_can_run()
        pc = self.pc
        d = self.session.engine.insn_at.get(pc)
        if d is not None and d.lk:
            stop = self.forward(None, temps=frozenset({pc + 4}))
            if stop.reason == "location":
                stop.reason = "step"
            return stop
        return self.forward(1)

    def finish(self) -> tuple[Stop, int | None]:
        """Run until the routine returns to the address in LR (its caller) or the run ends; returns the stop
        and the return address used (None when LR holds no code address: then it runs to the end)."""
        self.check_can_run()
        lr = self.machine.thread.spr.get(LR, 0)
        eng = self.session.engine
        target = lr if lr in eng.code and lr not in eng.exit_names else None
        return self.forward(None, temps=frozenset({target}) if target is not None else frozenset()), target

    def advance(self, address: int) -> Stop:
        """until/advance LOCATION: run until the location, or until the current routine returns (to LR)."""
        self.check_can_run()
        lr = self.machine.thread.spr.get(LR, 0)
        eng = self.session.engine
        temps = {address} | ({lr} if lr in eng.code and lr not in eng.exit_names else set())
        return self.forward(None, temps=frozenset(temps))

    def until_next(self) -> Stop:
        """until (no argument): like nexti, but a backward jump (a loop) runs on until an address past this."""
        self.check_can_run()
        start = self.pc
        d = self.session.engine.insn_at.get(start)
        if d is not None and d.lk:
            return self.next_insn()
        stop = self.forward(None, until=lambda _unit: self.pc > start)
        if stop.reason == "location":
            stop.reason = "step"
        return stop

    # ---------------------------------------------------------------- moving backward
    def backward(self, count: int | None = None, *,
                 until: Callable[[list[Step]], bool] | None = None) -> Stop:
        """Undo count instructions, or back to a breakpoint, a watchpoint, until(unit) or the first one."""
        h = self.history
        moved, unit, start = 0, [], h.pos
        while count is None or moved < count:
            if self._interrupt:
                return self._stopped(Stop("interrupted", moved, True, unit=unit), start)
            back = h.back()
            if back is None:
                return self._stopped(Stop("history-start", moved, True, unit=unit), start)
            unit = back
            moved += 1
            self._sync_thread()
            hit = arrived(self, unit, frozenset(), until, backward=True)
            if hit is not None:
                hit.moved, hit.unit, hit.backward = moved, unit, True
                return self._stopped(hit, start)
        return self._stopped(Stop("step", moved, True, unit=unit), start)

    def reverse_next(self) -> Stop:
        """reverse-nexti: back one instruction; if that was a return (blr) to here, back to its call."""
        here = self.pc if not self.exited else None
        stop = self.backward(1)
        if stop.reason != "step" or here is None:
            return stop
        s = stop.unit[0]
        d = self.session.engine.insn_at.get(s.pc)
        if d is not None and d.base_name == "bclr" and not d.lk and s.next_pc == here:
            call = here - 4
            moved = stop.moved
            stop = self.backward(None, until=lambda u: u[0].pc == call)
            stop.moved += moved
            if stop.reason == "location":
                stop.reason = "step"
        return stop

    # ---------------------------------------------------------------- what a stop is
    def refresh_watches(self) -> None:
        """Take every watch expression's value as the one to compare with (after a jump in state)."""
        refresh_watches(self)

    def _stopped(self, stop: Stop, start: int | None = None) -> Stop:
        self._interrupt = False             # cleared here, not when a movement starts: no Ctrl-C is lost
        if start is not None:
            self._marks = (start, self.history.pos)
        if stop.reason == "exit" and stop.exit is None:
            stop.exit = self.exit
        self.last_stop = stop
        return stop

    def _sync_thread(self) -> None:
        """The engine's closures are bound to a thread: rebuild them when the current thread changed."""
        if self._decoded != self.machine.current:
            self.session.engine.decode()
            self._decoded = self.machine.current
