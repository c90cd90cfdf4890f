"""Events: state set once, when a run reaches a point (an address, or a step number) -- the host's racing
writes, a scenario's events, an exploration's event sets, the interleaver's actor, the debugger's replayed
events. One kind of hook serves them all; the run loop fires hooks (`fire`) and journals each as a step.

A hook is called fn(engine, step) before the instruction at its point runs and may return a text (the event's
note), which the journal keeps with the changes it made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from ppcinterp.diagnostics import PpcError
from ppcinterp.machine.core import Machine
from ppcinterp.machine.memory import MemoryFault
from ppcinterp.machine.state import Log
from ppcinterp.run.journal import Journal, Step, change

if TYPE_CHECKING:
    from ppcinterp.run.engine import Engine

# A hook: called with the engine and the step number before the instruction at its point; returns the event's note.
Hook = Callable[["Engine", int], "str | None"]
# Hooks by address or step number: one, or a list (the run loop's tables hold lists).
HookTable = dict[int, list[Hook]] | dict[int, Hook | list[Hook]]


class EventHook:
    """An event's hook: fires once per run; built once per event set and re-armed (rearm) for each run of an
    exploration. Its assignments are resolved at the first firing (where a bad value is reported) and reused
    while the current thread and the memory map stay the same (names and `&` values depend on them).
    `clock()` (default: the step number) is recorded in `fired_at`, so that a debugger that forgets the
    future from an earlier point can re-arm what fired after it."""

    __slots__ = ("machine", "pairs", "note", "assign", "prepare", "fired", "fired_at", "clock", "_setters")

    def __init__(self, machine: Machine, pairs: list[tuple[str, object]], note: str,
                 assign: Callable[[str, object], None] | None,
                 prepare: Callable[[str, object], Callable[[], None]] | None,
                 clock: Callable[[], int] | None = None, prepared: list[Callable[[], None]] | None = None):
        self.machine, self.pairs, self.note, self.assign, self.prepare = machine, pairs, note, assign, prepare
        self.fired = False
        self.fired_at = -1
        self.clock = clock
        self._setters: dict[tuple[int, int], list[Callable[[], None]]] = {}
        if prepared is not None:        # made by prepare() for the thread and memory map of now
            self._setters[self._key()] = prepared

    def _key(self) -> tuple[int, int]:
        return self.machine.current, len(self.machine.memory.regions)

    def rearm(self) -> None:
        self.fired = False

    def __call__(self, _engine: Engine, n: int) -> str | None:
        if self.fired:
            return None
        self.fired = True
        self.fired_at = self.clock() if self.clock is not None else n
        try:
            return self._fire()
        except MemoryFault as e:        # the event's own write: its error, not a fault of the next instruction
            what = f"event '{self.note}'" if self.note else "an event"
            raise PpcError(f"{what} at step {n}: {e}") from None

    def _fire(self) -> str | None:
        if self.prepare is None:
            assert self.assign is not None      # an event sets its names one way or the other
            for name, value in self.pairs:
                self.assign(name, value)
        else:
            key = self._key()
            setters = self._setters.get(key)
            if setters is None:
                setters = []
                for name, value in self.pairs:       # one by one, as set did: an error leaves the earlier made
                    setters.append(self.prepare(name, value))
                    setters[-1]()
                self._setters[key] = setters
            else:
                for put in setters:
                    put()
        return self.note or ", ".join(f"{name} = {value}" for name, value in self.pairs)


def hooks_in(*tables: HookTable) -> Iterator[Hook]:
    """Every hook of hook tables ({address or step: [hooks]})."""
    for table in tables:
        for fns in table.values():
            yield from fns if isinstance(fns, list) else (fns,)


def rearm(*tables: HookTable) -> None:
    """Re-arm every EventHook of hook tables for another run."""
    for fn in hooks_in(*tables):
        if isinstance(fn, EventHook):
            fn.rearm()


def fire(engine: Engine, fns: Hook | list[Hook], n: int, journal: Journal | None, log: Log | None,
         attach: bool) -> None:
    """Run a hook (or a list of hooks) before step n; with a journal each is journaled as a step of its own
    (`attach`: the registers' recording is turned on around it, when the run does not keep it on)."""
    machine = engine.machine
    for fn in fns if isinstance(fns, list) else (fns,):
        if journal is None:
            fn(engine, n)
            continue
        assert log is not None                  # a journaled run records into a log
        start = len(log)
        if attach:
            machine.attach_registers(log)
        try:
            text = fn(engine, n)
        finally:
            if attach:
                machine.attach_registers(None)
        if text is not None or len(log) > start:
            journal.append(Step(n, machine.current, None, None, [change(c) for c in log[start:]], text or "event"))
        del log[start:]
