"""Exhaustive exploration of a race study's executions under sequential consistency, with partial-order
reduction: every interleaving of the threads' instructions is explored once up to equivalence.

Two transitions (study/threads.py: a thread's local instructions and its next access) are dependent when they
touch the same bytes and one writes (a device access counts as a write to the whole device: an ICP's load
accepts). Equivalent interleavings differ only in the order of independent transitions and end in the same
state. The search is a stateless depth-first search with sleep sets (Godefroid): after a thread's transition
from a state has been explored, its later siblings carry it asleep while they run only transitions independent
of it, so no two complete executions explored are equivalent; a path on which every live thread sleeps is cut
("blocked"). Register-only instructions never branch the search (they are folded into the next access), and a
transition that touches nothing (a thread's way to its exit) is the only one tried from its state.

Every state is reached by replaying its schedule from the scenario's state (the machine's restore is cheap).
--jobs N splits the tree at its top into subtrees (a schedule and its sleep set) that local processes explore;
their executions are merged in the order the single-process search meets them, so the results are the same.

`model`: the memory model the executions are judged under: here only `sc` (an execution is an interleaving, and
each read takes the last write before it); `power` is study/power.py's, over each thread's runs. Each execution
can keep its memory events (threads.MemEvent: thread, program-order index, read/write/fence and barrier,
location, value, the write an SC read took) for a model from ppcinterp/mm (mm.thread_runs reads them).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from ppcinterp.diagnostics import PpcError, ScenarioError
from ppcinterp.machine.predicate import names as predicate_names
from ppcinterp.machine.predicate import parse
from ppcinterp.study import scenario as sc_mod
from ppcinterp.study.inputs import pos_of
from ppcinterp.study.interleave import DEFAULT_INVARIANT
from ppcinterp.study.keys import MODELS
from ppcinterp.study.threads import Judged, MemEvent, Racers

DEFAULT_MAX_EXECUTIONS = 100_000
MAX_JOBS = 64
MAX_SPLIT_DEPTH = 12
KEEP_SCHEDULE = 1000               # transitions: a longer execution's schedule is dropped once it is checked
Footprint = tuple                  # ((lo, hi, is_write), ...): what a transition touched


class _Cut(Exception):
    """The bound on executions was passed."""


@dataclass
class Leaf:
    """One complete execution: the threads' transitions in order (indices into the study's [[race]] list),
    each thread's end, the values of the observed names, whether the invariant held; its events if kept."""
    schedule: tuple[int, ...] | None        # None: a long execution's, not kept
    ends: tuple[tuple[str, str], ...]
    observed: tuple[int, ...]
    holds: bool
    events: list[MemEvent] | None = None

    @property
    def outcome(self) -> tuple:
        return self.ends, self.observed


@dataclass
class Part:
    """What one subtree (or the top of the tree) yielded, in search order."""
    leaves: list[Leaf] = field(default_factory=list)
    blocked: int = 0
    before: list[int] = field(default_factory=list)      # blocked paths met before each leaf
    blocked_at: list[tuple] = field(default_factory=list)    # the blocked paths' schedules (the top's only)
    cut: bool = False


@dataclass
class ThreadStudy(Judged):
    """The result of a race study."""
    scenario: sc_mod.Scenario
    racers: Racers
    invariant: str
    observe: list[str]
    model: str
    reduced: bool
    limit: int
    leaves: list[Leaf]
    blocked: int
    cut: bool


    def replay(self, leaf: Leaf) -> list[MemEvent]:
        """Run one execution again; the machine is left after it (its threads' instructions in racers.runs)."""
        if leaf.schedule is None:
            raise PpcError("this execution's schedule was not kept (it was long and held the invariant)")
        r = self.racers
        r.reset()
        for k in leaf.schedule:
            r.transition(k, single=not self.reduced)
        return list(r.events)


@dataclass
class _Frame:
    """A state on the search's stack: its schedule and sleep set, the threads to try from it, those tried."""
    schedule: tuple[int, ...]
    sleep: tuple
    depth: int | None
    todo: list[int] = field(default_factory=list)
    next: int = 0
    done: list[tuple[int, Footprint]] = field(default_factory=list)


class Search:
    """The depth-first search over one Racers machine."""

    def __init__(self, racers: Racers, check, getters: list, reduced: bool, limit: int, keep_events: bool):
        self.r, self.check, self.getters = racers, check, getters
        self.reduced, self.limit, self.keep_events = reduced, limit, keep_events

    def at(self, schedule: tuple[int, ...]) -> None:
        """Put the machine in the state after `schedule`."""
        self.r.reset()
        for k in schedule:
            self.r.transition(k, single=not self.reduced)

    def leaf(self, schedule: tuple[int, ...], first: bool) -> Leaf:
        """The execution that just ended; its schedule is kept (to replay it) when it is short, a violation or
        the first, so that 100,000 long executions do not fill the memory."""
        r = self.r
        holds = bool(self.check())
        keep = first or not holds or len(schedule) <= KEEP_SCHEDULE
        return Leaf(schedule if keep else None, tuple(x.end for x in r.runs), tuple(g() for g in self.getters),
                    holds, list(r.events) if self.keep_events else None)

    def expand(self, schedule: tuple, sleep: tuple, part: Part, depth: int | None, trees: list) -> None:
        """Explore from the state after `schedule` (the machine is there). depth: stop that many transitions down
        and append (schedule, sleep) to `trees` instead (the subtrees --jobs hands out). An explicit stack: an
        execution may be thousands of transitions long."""
        r = self.r
        stack: list[_Frame] = []
        frame: _Frame | None = _Frame(schedule, sleep, depth)
        while True:
            if frame is not None and self._enter(frame, part, trees):
                stack.append(frame)
            if not stack:
                return
            f = stack[-1]
            if f.next >= len(f.todo):
                stack.pop()
                frame = None
                continue
            k = f.todo[f.next]
            if f.next:
                self.at(f.schedule)
            f.next += 1
            fp = r.transition(k, single=not self.reduced)
            child = tuple((q, x) for q, x in (*f.sleep, *f.done) if _independent(x, fp)) if self.reduced else ()
            if self.reduced and not fp:      # touched nothing: independent of everything, no sibling needed
                f.next = len(f.todo)
            f.done.append((k, fp))
            frame = _Frame((*f.schedule, k), child, None if f.depth is None else f.depth - 1)

    def _enter(self, f: _Frame, part: Part, trees: list) -> bool:
        """Arrive at a state: record an execution, a blocked path or a subtree, or say which threads to try."""
        live = self.r.live()
        if not live:
            part.before.append(part.blocked)
            part.leaves.append(self.leaf(f.schedule, not part.leaves))
            if len(part.leaves) > self.limit:
                raise _Cut
            return False
        asleep = {k for k, _ in f.sleep}
        f.todo = [k for k in live if k not in asleep]
        if not f.todo:
            part.blocked += 1
            if f.depth is not None:
                part.blocked_at.append(f.schedule)
            return False
        if f.depth == 0:
            trees.append((f.schedule, f.sleep))
            return False
        return True

    def subtree(self, schedule: tuple, sleep: tuple) -> Part:
        part = Part()
        self.at(schedule)
        try:
            self.expand(schedule, sleep, part, None, [])
        except _Cut:
            part.cut = True
        return part


def _independent(a: Footprint, b: Footprint) -> bool:
    for lo, hi, w in a:
        for lo2, hi2, w2 in b:
            if (w or w2) and lo < hi2 and lo2 < hi:
                return False
    return True


def judging(racers: Racers, invariant: str | None, observe: list[str] | None
            ) -> tuple[str, Callable[[], object], list[str], list[Callable[[], int]]]:
    """A study's invariant (given, the scenario's, or the default): its text, its check on the racers' session,
    and the names whose final values make an outcome (`observe`, else the invariant's), with their getters; an
    error in the scenario's invariant is reported at its key."""
    sc = racers.sc
    inv_text = invariant or sc.data.get("invariant") or DEFAULT_INVARIANT
    try:
        check = racers.session.condition(inv_text)
        names = observe if observe is not None else [n for n in predicate_names(parse(inv_text))
                                                     if not n.startswith("&")]
        names = [n for n in names if racers.session.constant(n) is None]
        getters = [racers.session.ref(n).get for n in names]
    except PpcError as e:
        if invariant is None and "invariant" in sc.data:
            raise ScenarioError(e.message, pos_of(sc.text, sc.path, "invariant")) from None
        raise
    return inv_text, check, names, getters


def explore_threads(sc: sc_mod.Scenario, invariant: str | None = None, *, max_executions: int | None = None,
                    jobs: int = 1, model: str | None = None, reduced: bool = True, observe: list[str] | None = None,
                    keep_events: bool = False) -> ThreadStudy:
    """Explore every execution of the scenario's [[race]] threads (reduced: one per equivalence class; else every
    interleaving of single instructions), checking the invariant at the end of each. observe: state names
    whose final values make an execution's outcome (default: the invariant's names)."""
    model = model or sc.data.get("model", "sc")
    if model == "power":
        raise PpcError("model power is not explored by interleavings: study/power.py's explore_power does it")
    if model not in MODELS:
        raise PpcError(f"unknown model '{model}' (known: {', '.join(MODELS)})")
    if not sc.data.get("race"):
        raise ScenarioError("the scenario has no [[race]] threads (a race study runs each from its entry)",
                            pos_of(sc.text, sc.path, "race"))
    limit = max_executions or sc.data.get("max_executions", DEFAULT_MAX_EXECUTIONS)
    if not 1 <= jobs <= MAX_JOBS:
        raise PpcError(f"--jobs must be 1 to {MAX_JOBS}, not {jobs}")
    racers = Racers(sc, sc.data.get("max_steps", 10_000))
    inv_text, check, names, getters = judging(racers, invariant, observe)
    search = Search(racers, check, getters, reduced, limit, keep_events)
    top, trees, depth = Part(), [], _split_depth(search, jobs)
    try:
        search.at(())
        search.expand((), (), top, depth, trees)
    except _Cut:
        top.cut = True
    parts = _explore_trees(search, trees, jobs) if not top.cut else []
    leaves, blocked, cut = _merge(top, trees, parts, limit)
    return ThreadStudy(sc, racers, inv_text, names, model, reduced, limit, leaves, blocked, cut)


def _split_depth(search: Search, jobs: int) -> int | None:
    """How deep the top of the tree goes before subtrees are handed out: none for one job; else the least depth
    with a few subtrees per process (the search's results do not depend on it)."""
    if jobs == 1:
        return None
    for depth in range(1, MAX_SPLIT_DEPTH + 1):
        trees: list = []
        try:
            search.at(())
            search.expand((), (), Part(), depth, trees)
        except _Cut:
            return None             # the bound is met near the top: one process, as without --jobs
        if len(trees) >= 4 * jobs:
            return depth
    return MAX_SPLIT_DEPTH


_WORKER: Search | None = None      # the search a forked process inherits


def _work(tree: tuple) -> Part:
    assert _WORKER is not None
    return _WORKER.subtree(*tree)


def _explore_trees(search: Search, trees: list, jobs: int) -> list[Part]:
    global _WORKER
    if jobs == 1 or len(trees) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [search.subtree(*t) for t in trees]
    _WORKER = search
    try:
        with ProcessPoolExecutor(min(jobs, len(trees)), mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_work, trees))
    finally:
        _WORKER = None


def _merge(top: Part, trees: list, parts: list[Part], limit: int) -> tuple[list[Leaf], int, bool]:
    """The executions (and blocked paths) in the order one process meets them: siblings are tried in thread
    order, so that is the order of their schedules; cut to the bound as one process cuts it."""
    items = [(x.schedule, [x], [0], 0, False) for x in top.leaves]
    items += [(s, [], [], 1, False) for s in top.blocked_at]
    items += [(t[0], p.leaves, p.before, p.blocked, p.cut) for t, p in zip(trees, parts, strict=True)]
    if not trees:                        # one process: the top is the whole search
        items = [((), top.leaves, top.before, top.blocked, top.cut)]
    items.sort(key=lambda it: it[0])
    leaves: list[Leaf] = []
    blocked, cut = 0, False
    for _schedule, ls, before, b, c in items:
        if len(leaves) + len(ls) > limit:
            taken = limit - len(leaves)
            return leaves + ls[:taken], blocked + before[taken], True
        leaves += ls
        blocked += b
        cut = cut or c
    return leaves, blocked, cut
