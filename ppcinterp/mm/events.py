"""Candidate executions: events and the relations the memory models read ("Herding cats", TOPLAS 2014, §4).

An execution is built in two layers. A Skeleton is what the threads did: each thread's events in program order
(reads, writes, fences) with their dependencies, plus an initial write per location; it fixes po, po-loc, the
addr/data/ctrl/ctrlisync dependencies, the fence relations and rmw. An Execution adds the communication choices:
rf (which write each read takes its value from) and co (the order of the writes to each location), and from them
fr = rf^-1; co and the internal/external splits. Models (model_sc.py, model_power.py) read only these.

Nothing here knows where the events came from: a litmus test's threads (threads.py) or, later, kernel code run
on several hardware threads; a device access is an event like any other, flagged `ci`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ppcinterp.mm.relation import Rel

FENCES = ("sync", "lwsync", "eieio", "isync")


@dataclass(eq=False, slots=True)
class Event:
    kind: str                                # "R", "W" or "F"
    thread: int                              # -1: an initial write
    index: int                               # place in its thread's program order (fences counted)
    loc: str | None = None                   # the location a read or write accesses
    value: int = 0                           # the value read or written
    size: int = 8                            # bytes accessed
    fence: str | None = None                 # F: one of FENCES
    exclusive: bool = False                  # lwarx/ldarx or stwcx./stdcx. (cat's EX)
    ci: bool = False                         # cache-inhibited (a device access)
    addr: frozenset[int] = frozenset()       # indices of this thread's reads its address depends on
    data: frozenset[int] = frozenset()       # ... its stored value depends on
    ctrl: frozenset[int] = frozenset()       # ... a branch po-before it depends on
    ctrlisync: frozenset[int] = frozenset()  # ... a branch followed by an isync, both po-before it, depends on
    where: str = ""                          # the instruction it came from, for explanations

    def describe(self) -> str:
        """`W x=1`, `R y=0`, `sync`, with a leading `*` for an exclusive access."""
        if self.kind == "F":
            return self.fence or "fence"
        return f"{'*' if self.exclusive else ''}{self.kind} {self.loc}={self.value}"


@dataclass(slots=True)
class ThreadRun:
    """One way a thread can run, given the values its reads returned: its events in program order."""

    thread: int
    events: list[Event]
    rmw: list[tuple[int, int]]      # (read, write) event indices of a lwarx and the stwcx. it reserved for
    regs: tuple[int, ...]           # final GPRs


class Skeleton:
    """The events of one combination of thread runs (initial writes first) and every relation that does not
    depend on rf or co."""

    def __init__(self, runs: list[ThreadRun], init: dict[str, tuple[int, int]]):
        self.runs = runs
        self.events: list[Event] = [Event("W", -1, 0, loc, v, size, where="initial")
                                    for loc, (v, size) in sorted(init.items())]
        base: dict[int, int] = {}
        for run in runs:
            base[run.thread] = len(self.events)
            self.events.extend(run.events)
        self.base = base
        self.n = len(self.events)
        self.writes: dict[str, list[int]] = {}
        self.reads: dict[str, list[int]] = {}
        for i, e in enumerate(self.events):
            if e.kind in "RW" and e.loc is not None:
                (self.writes if e.kind == "W" else self.reads).setdefault(e.loc, []).append(i)

    def __getattr__(self, name: str) -> Any:
        # The relations are made when first asked for: most combinations of runs are incoherent at some location
        # and never need them.
        if name.startswith("__") or "_related" in self.__dict__:
            raise AttributeError(name)
        self._relate()
        return getattr(self, name)

    def _relate(self) -> None:
        self._related = True
        ev, n, base = self.events, self.n, self.base
        self.R = sum(1 << i for i, e in enumerate(ev) if e.kind == "R")
        self.W = sum(1 << i for i, e in enumerate(ev) if e.kind == "W")
        self.M = self.R | self.W
        self.IW = sum(1 << i for i, e in enumerate(ev) if e.thread < 0)
        self.EX = sum(1 << i for i, e in enumerate(ev) if e.exclusive)
        same_thread = [sum(1 << j for j, f in enumerate(ev) if f.thread == e.thread and e.thread >= 0) for e in ev]
        self.int = Rel(same_thread)
        self.ext = Rel([~m & ((1 << n) - 1) for m in same_thread])
        self.po = Rel([sum(1 << j for j in range(i + 1, n) if ev[j].thread == e.thread) if e.thread >= 0 else 0
                       for i, e in enumerate(ev)])
        self.loc = Rel([sum(1 << j for j, f in enumerate(ev) if f.loc == e.loc) if e.loc else 0 for e in ev])
        self.po_loc = self.po & self.loc

        def deps(attr: str) -> Rel:
            pairs = [(base[e.thread] + r, i) for i, e in enumerate(ev) if e.thread >= 0 for r in getattr(e, attr)]
            return Rel.of(n, pairs)

        self.addr, self.data, self.ctrl, self.ctrlisync = (deps(a) for a in ("addr", "data", "ctrl", "ctrlisync"))
        self.fences = {kind: self._fencerel(kind) for kind in FENCES}
        self.rmw = Rel.of(n, [(base[run.thread] + r, base[run.thread] + w) for run in self.runs for r, w in run.rmw])

    def _fencerel(self, kind: str) -> Rel:
        """cat's fencerel(K) = (po & (_ * K)); po, between memory events: a before a fence of kind K, b after it."""
        rows = [0] * self.n
        for f, e in enumerate(self.events):
            if e.kind == "F" and e.fence == kind:
                after = self.po.rows[f] & self.M
                for a in range(self.n):
                    if self.po.rows[a] >> f & 1 and self.M >> a & 1:
                        rows[a] |= after
        return Rel(rows)

    def name(self, i: int) -> str:
        """An event's short name in explanations: a, b, c ... in the order of the threads' events; an initial
        write is `init(x)`."""
        e = self.events[i]
        if e.thread < 0:
            return f"init({e.loc})"
        k = i - sum(1 for f in self.events if f.thread < 0)
        return _letters(k)


def _letters(k: int) -> str:
    out = ""
    while True:
        out = chr(ord("a") + k % 26) + out
        k = k // 26 - 1
        if k < 0:
            return out


class Execution:
    """A candidate execution: a Skeleton with rf (read -> the write it reads from) and co (per location, its
    writes in coherence order, the initial write first)."""

    def __init__(self, skel: Skeleton, rf: dict[int, int], co: dict[str, list[int]]):
        self.skel = skel
        self.rf_map, self.co_order = rf, co
        n = skel.n
        self.rf = Rel.of(n, [(w, r) for r, w in rf.items()])
        self.co = Rel.of(n, [(ws[i], ws[j]) for ws in co.values() for i in range(len(ws))
                             for j in range(i + 1, len(ws))])
        self.fr = self.rf.inverse().seq(self.co)
        self.rfe, self.rfi = self.rf & skel.ext, self.rf & skel.int
        self.coe, self.fre = self.co & skel.ext, self.fr & skel.ext

    def final(self, loc: str) -> int:
        """The value of the co-last write to `loc`."""
        return self.skel.events[self.co_order[loc][-1]].value
