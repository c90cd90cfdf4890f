"""Candidate executions of a program: one run per thread, then every rf and co consistent with the values read.

A thread's run is determined by the values its reads returned (threads.py explores them), so combining one run
per thread and then, for each read, a write of the same location that wrote the value it read, produces each
candidate exactly once. The choices of different locations are independent: each location's (rf, co) choices are
enumerated once, filtered by that location's coherence (SC PER LOCATION, an axiom of every model here), and the
candidates are their product. Explaining a forbidden outcome keeps the incoherent choices instead, each with the
cycle that rules it out.

Every candidate counts against a bound (`limit`); passing it ends in a PpcError that says so.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from ppcinterp.diagnostics import PpcError
from ppcinterp.mm.axioms import Violation, acyclic
from ppcinterp.mm.events import Execution, Skeleton, ThreadRun
from ppcinterp.mm.relation import Rel

DEFAULT_LIMIT = 100_000


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
    violation: Violation | None = None      # set when kept although a location is incoherent (explaining)


def candidates(runs: list[list[ThreadRun]], init: dict[str, tuple[int, int]], budget: Budget,
               prune: bool = True) -> Iterator[Candidate]:
    """Every candidate execution of one run per thread (runs[i]: thread i's runs); `prune` drops the choices that
    break a location's coherence, otherwise they come with their Violation."""
    for combo in itertools.product(*runs):
        skel = Skeleton(list(combo), init)
        per_loc = []
        for loc in sorted(skel.writes):
            choices = list(_location_choices(skel, loc, budget, prune))
            if not choices:
                break
            per_loc.append(choices)
        else:
            for pick in itertools.product(*per_loc):
                budget.spend()
                rf: dict[int, int] = {}
                co: dict[str, list[int]] = {}
                violation = None
                for loc, loc_rf, order, v in pick:
                    rf.update(loc_rf)
                    co[loc] = order
                    violation = violation or v
                yield Candidate(Execution(skel, rf, co), violation)


def _location_choices(skel: Skeleton, loc: str, budget: Budget, prune: bool):
    """(loc, rf of its reads, its co order, Violation or None) for each choice at one location."""
    writes = skel.writes[loc]
    reads = skel.reads.get(loc, [])
    ev = skel.events
    options = [[w for w in writes if ev[w].value & _mask(ev[r].size) == ev[r].value] for r in reads]
    if not all(options):
        return
    mask = sum(1 << i for i in writes + reads)
    po_loc = skel.po_loc.restrict(mask, mask)
    for perm in itertools.permutations(writes[1:]):
        order = [writes[0], *perm]                  # the initial write is co-first
        co = Rel.of(skel.n, [(order[i], order[j]) for i in range(len(order)) for j in range(i + 1, len(order))])
        for choice in itertools.product(*options):
            budget.spend()
            rf = Rel.of(skel.n, [(w, r) for r, w in zip(reads, choice, strict=True)])
            v = acyclic("SC PER LOCATION", [("po-loc", po_loc), ("rf", rf), ("fr", rf.inverse().seq(co)), ("co", co)])
            if v is None or not prune:
                yield loc, dict(zip(reads, choice, strict=True)), order, v


def _mask(size: int) -> int:
    return (1 << 8 * size) - 1
