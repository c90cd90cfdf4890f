"""Candidate executions of a program: one run per thread, then every rf and co consistent with the values read.

A thread's run is determined by the values its reads returned (threads.py explores them), so combining one run
per thread and then, for each read, a write of the same location that wrote the value it read, produces each
candidate exactly once. The choices of different locations are independent: each location's (rf, co) choices are
enumerated once, filtered by that location's coherence (SC PER LOCATION, an axiom of every model here), and the
candidates are their product.

Every candidate counts against a bound (`limit`); passing it ends in a PpcError that says so.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from ppcinterp.diagnostics import PpcError
from ppcinterp.mm.events import Event, Execution, Skeleton, ThreadRun

DEFAULT_LIMIT = 100_000
Orders = dict[tuple[tuple[int, ...], ...], list[list[int]]]     # writes (and their threads) -> their coherence orders
Choice = tuple[str, dict[int, int], list[int]]      # a location, rf of its reads, its writes in co order


class Budget:
    """How many candidates (whole executions, and per-location choices on the way) may still be examined."""

    def __init__(self, limit: int, what: str):
        self.limit, self.left, self.what = limit, limit, what

    def spend(self, n: int = 1) -> None:
        self.left -= n
        if self.left < 0:
            raise PpcError(f"{self.what}: more than {self.limit} candidate executions; stopped there (raise "
                           "--max-executions to go on, or make the test smaller)")


@dataclass(slots=True)
class Candidate:
    execution: Execution


def candidates(runs: list[list[ThreadRun]], init: dict[str, tuple[int, int]], budget: Budget) -> Iterator[Candidate]:
    """Every candidate execution of one run per thread (runs[i]: thread i's runs) that is coherent at each
    location (SC PER LOCATION holds by construction; the models check the rest)."""
    orders: Orders = {}          # the same writes in many combinations: their orders once
    for combo in itertools.product(*runs):
        skel = Skeleton(list(combo), init)
        per_loc = []
        for loc in sorted(skel.writes):
            choices = list(_location_choices(skel, loc, budget, orders))
            if not choices:
                break
            per_loc.append(choices)
        else:
            for pick in itertools.product(*per_loc):
                budget.spend()
                rf: dict[int, int] = {}
                co: dict[str, list[int]] = {}
                for loc, loc_rf, order in pick:
                    rf.update(loc_rf)
                    co[loc] = order
                yield Candidate(Execution(skel, rf, co))


def _location_choices(skel: Skeleton, loc: str, budget: Budget, orders: Orders) -> Iterator[Choice]:
    """(loc, rf of its reads, its co order) for each coherent choice at one location. Uniproc (acyclic po-loc |
    rf | fr | co) is the absence of the five patterns CoWW, CoRW1, CoRW2, CoWR, CoRR ("Herding cats" §4.3): co
    keeps each thread's writes in program order, and a read may read a write that is not after it in program
    order, not co-before what its thread wrote or read before it (its floor), and co-before any write its thread
    makes after it (its ceiling)."""
    ev = skel.events
    init = [w for w in skel.writes[loc] if ev[w].thread < 0]
    writes = [w for w in skel.writes[loc] if ev[w].thread >= 0]
    accesses: dict[int, list[int]] = {}              # thread -> its accesses to loc in program order
    for i in sorted(writes + skel.reads.get(loc, [])):
        accesses.setdefault(ev[i].thread, []).append(i)
    reads = [i for acc in accesses.values() for i in acc if ev[i].kind == "R"]
    if any(all(ev[w].value & _mask(ev[r].size) != ev[r].value for w in init + writes) for r in reads):
        return                                      # a value no write of this combination writes
    key = (tuple(init), tuple(writes), tuple(ev[w].thread for w in writes))
    if key not in orders:
        orders[key] = [init + order for order in _orders(writes, ev)]
    for order in orders[key]:
        at = {w: k for k, w in enumerate(order)}
        ceiling = {}
        for acc in accesses.values():
            low = len(order)
            for i in reversed(acc):
                if ev[i].kind == "W":
                    low = at[i]
                else:
                    ceiling[i] = low
        yield from _reads_from(loc, order, at, accesses, reads, ceiling, ev, budget)


def _orders(writes: list[int], ev: list[Event]) -> Iterator[list[int]]:
    """The orders of the writes that keep each thread's in program order (CoWW)."""
    if not writes:
        yield []
        return
    for k, w in enumerate(writes):
        if any(ev[v].thread == ev[w].thread and v < w for v in writes):
            continue
        for rest in _orders(writes[:k] + writes[k + 1:], ev):
            yield [w, *rest]


def _reads_from(loc: str, order: list[int], at: dict[int, int], accesses: dict[int, list[int]], reads: list[int],
                ceiling: dict[int, int], ev: list[Event], budget: Budget) -> Iterator[Choice]:
    rf: dict[int, int] = {}

    def floor(r: int) -> int:
        low = 0
        for i in accesses[ev[r].thread]:
            if i >= r:
                break
            low = max(low, at[i] if ev[i].kind == "W" else at[rf[i]])
        return low

    def pick(k: int) -> Iterator[Choice]:
        if k == len(reads):
            budget.spend()
            yield loc, dict(rf), order
            return
        r = reads[k]
        mask = _mask(ev[r].size)
        for pos in range(floor(r), ceiling[r]):
            w = order[pos]
            if ev[w].value & mask == ev[r].value:
                rf[r] = w
                yield from pick(k + 1)
        rf.pop(r, None)

    yield from pick(0)


def _mask(size: int) -> int:
    return (1 << 8 * size) - 1
