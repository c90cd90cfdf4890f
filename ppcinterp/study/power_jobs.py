"""The executions of a Power race study combined in one process or several (`--jobs N`, study/power.py).

Every candidate execution has thread 0's run outermost (mm/enumerate.py's product): the candidates of each of
thread 0's runs are a part, and the parts in the order of thread 0's runs are the candidates one process meets.
Each process takes every Nth of thread 0's runs, in order, and notes for each of its executions how many
candidates its part had examined (the bound's unit) when it was met, and each part's total. The parts are
merged in thread 0's order, counting candidates as one process does, so the executions, the first violation and
where `max_executions` cuts are those of one process. A process stops when its own parts alone pass the bound:
the whole search has passed it by then.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from ppcinterp import mm
from ppcinterp.mm.enumerate import Budget

# what the caller makes of an allowed execution (picks, ends, observed values, whether the invariant holds)
Judge = Callable[[mm.Execution], tuple[Any, ...]]
Found = tuple[int, dict[int, int], dict[str, list[int]], tuple[Any, ...]]     # (candidates so far, rf, co, judged)
Part = tuple[list[Found], int, bool]                 # one of thread 0's runs: its executions, candidates, cut


class _Passed(Exception):
    """The bound is passed."""


class _Bound(Budget):
    def spend(self, n: int = 1) -> None:
        self.left -= n
        if self.left < 0:
            raise _Passed


class Combine:
    """One run per thread (`runs[k]`: thread k's runs as the model sees them), the model's executions judged."""

    def __init__(self, runs: list[list[mm.ThreadRun]], init: dict[str, tuple[int, int]], model: str, limit: int,
                 judge: Judge):
        self.runs, self.init, self.model, self.limit, self.judge = runs, init, model, limit, judge

    def parts(self, firsts: list[int]) -> list[Part]:
        """The parts of thread 0's runs `firsts` (in increasing order), up to the one where the bound is passed."""
        budget = _Bound(self.limit, "the executions")
        out: list[Part] = []
        for i in firsts:
            start = budget.limit - budget.left
            found: list[Found] = []
            try:
                for ex in mm.executions([[self.runs[0][i]], *self.runs[1:]], self.init, self.model, budget=budget):
                    found.append((budget.limit - budget.left - start, ex.rf_map, ex.co_order, self.judge(ex)))
            except _Passed:
                out.append((found, budget.limit - budget.left - start, True))
                break
            out.append((found, budget.limit - budget.left - start, False))
        return out

    def all(self, jobs: int) -> tuple[list[Found], int, bool]:
        """Every execution (its rf, co and judgement; thread 0's run is picks[0]) in one process's order, the
        candidates examined and whether the bound cut the search."""
        n = len(self.runs[0]) if self.runs else 0
        shares = [list(range(j, n, jobs)) for j in range(min(jobs, n))]
        if len(shares) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            parts = dict(zip(range(n), self.parts(list(range(n))), strict=False))
        else:
            parts = _in_processes(self, shares)
        found: list[Found] = []
        seen = 0
        for i in range(n):
            part, spent, cut = parts[i]         # a process's parts after one it cut are never reached
            found += [f for f in part if seen + f[0] <= self.limit]
            if cut or seen + spent > self.limit:
                return found, self.limit, True
            seen += spent
        return found, seen, False


_WORKER: Combine | None = None         # what a forked process inherits


def _work(firsts: list[int]) -> list[Part]:
    assert _WORKER is not None
    return _WORKER.parts(firsts)


def _in_processes(combine: Combine, shares: list[list[int]]) -> dict[int, Part]:
    global _WORKER
    _WORKER = combine
    try:
        with ProcessPoolExecutor(len(shares), mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(pool.map(_work, shares))
    finally:
        _WORKER = None
    return {i: p for share, parts in zip(shares, results, strict=True) for i, p in zip(share, parts, strict=False)}
