"""Memory models over candidate executions: sequential consistency and Power as herd7's ppc.cat defines it
(Alglave, Maranget, Tautschnig, "Herding cats", TOPLAS 2014), written as relations over events in our own Python.

The API, for litmus tests (ppcinterp/litmus) and for several threads running kernel code alike:

- `Event(kind, thread, index, loc, value, size, fence, exclusive, ci, addr, data, ctrl, ctrlisync)` (events.py):
  kind "R", "W" or "F"; `index` is the event's place in its thread's program order; `fence` one of sync, lwsync,
  eieio, isync; addr/data/ctrl/ctrlisync are the indices of the same thread's reads the event depends on.
- `ThreadRun(thread, events, rmw, regs)`: one way a thread ran (its events in program order; rmw pairs a
  lwarx's read with its successful stwcx.'s write, as indices into `events`).
- `Skeleton(runs, init)` is one run per thread plus an initial write per location (`init`: loc -> (value,
  size)); `Execution(skeleton, rf, co)` adds which write each read read (read index -> write index) and each
  location's coherence order (its writes, initial first).
- `allowed(execution, model) -> bool` and `check(execution, model) -> Violation | None` (the axiom broken);
  `executions(runs, init, model, limit)` enumerates the consistent executions of per-thread runs (`runs[i]`:
  thread i's possible runs), pruning per-location coherence before building whole candidates; passing `limit`
  candidates raises PpcError.
- `thread_runs(events)` groups any event records with thread, index, kind, loc, value (and, when they have
  them, size, fence, ci, exclusive, addr, data, ctrl, ctrlisync) into ThreadRuns: the race studies' MemEvents
  (study/threads.py) as they are. Records without dependencies give events without them: Power then judges
  the code with less preserved program order than it has, so it may allow more outcomes, never fewer.
- threads.py runs decoded instructions with ppcinterp's own semantics (isa/) and gives each thread's runs.

Left out: mixed-size accesses (a location is one cell), dcbf and the cache-maintenance instructions, and the
`ptesync`/`mbar` variants (sync with L=2 counts as sync). A cache-inhibited (device) access (`ci`) is an access
like any other, as in ppc.cat: what the architecture adds for them (eieio ordering all cache-inhibited accesses,
loads among them included) is not modelled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ppcinterp.diagnostics import PpcError
from ppcinterp.mm import model_power, model_sc
from ppcinterp.mm.axioms import Violation
from ppcinterp.mm.enumerate import DEFAULT_LIMIT, Budget, candidates
from ppcinterp.mm.events import Event, Execution, Skeleton, ThreadRun

SYNONYMS = {"ptesync": "sync", "hwsync": "sync"}       # fences the models know by another name
MODELS: dict[str, Callable[[Execution], Violation | None]] = {"power": model_power.check, "sc": model_sc.check}

__all__ = ["MODELS", "DEFAULT_LIMIT", "Budget", "Event", "Execution", "Skeleton", "ThreadRun", "Violation",
           "allowed", "check", "executions", "thread_runs"]


def check(ex: Execution, model: str = "power") -> Violation | None:
    """None if `model` allows the execution, else the first axiom it breaks."""
    fn = MODELS.get(model)
    if fn is None:
        raise PpcError(f"unknown memory model '{model}' (known: {', '.join(sorted(MODELS))})")
    return fn(ex)


def allowed(ex: Execution, model: str = "power") -> bool:
    return check(ex, model) is None


def executions(runs: list[list[ThreadRun]], init: dict[str, tuple[int, int]], model: str = "power",
               limit: int = DEFAULT_LIMIT, budget: Budget | None = None) -> Iterator[Execution]:
    """The executions `model` allows, over every combination of one run per thread."""
    fn = MODELS.get(model)
    if fn is None:
        raise PpcError(f"unknown memory model '{model}' (known: {', '.join(sorted(MODELS))})")
    budget = budget or Budget(limit, "the executions")
    for cand in candidates(runs, init, budget):
        if fn(cand.execution) is None:
            yield cand.execution


def thread_runs(events: Iterable[Any], rmw: Iterable[tuple[tuple[int, int], tuple[int, int]]] = ()) -> list[ThreadRun]:
    """One ThreadRun per thread (in thread order) from event records in any order; `rmw` pairs (thread, index) of
    a lwarx's read with its stwcx.'s write."""
    by_thread: dict[int, list[Event]] = {}
    for r in sorted(events, key=lambda r: (r.thread, r.index)):
        evs = by_thread.setdefault(r.thread, [])
        if r.index != len(evs):
            raise PpcError(f"thread {r.thread}'s events are not numbered 0, 1, 2 ...: {r.index} after {len(evs)}")
        fence = getattr(r, "fence", None)
        deps = [frozenset[int](getattr(r, d, ())) for d in ("addr", "data", "ctrl", "ctrlisync")]
        evs.append(Event(r.kind, r.thread, r.index, r.loc, r.value or 0, getattr(r, "size", 8) or 8,
                         SYNONYMS.get(fence, fence) if fence is not None else None, getattr(r, "exclusive", False),
                         getattr(r, "ci", False), addr=deps[0], data=deps[1], ctrl=deps[2], ctrlisync=deps[3]))
    pairs: dict[int, list[tuple[int, int]]] = {}
    for (t, i), (_, j) in rmw:
        pairs.setdefault(t, []).append((i, j))
    return [ThreadRun(t, evs, pairs.get(t, []), ()) for t, evs in sorted(by_thread.items())]
