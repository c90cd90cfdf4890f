"""The memory models' Python API (ppcinterp.mm): events from anywhere, candidate executions, verdicts, the axiom
a forbidden execution breaks."""

from __future__ import annotations

from collections import namedtuple

import pytest

from ppcinterp.diagnostics import PpcError
from ppcinterp.mm import Execution, Skeleton, allowed, check, executions, thread_runs

Rec = namedtuple("Rec", "thread index kind loc value fence data", defaults=(None, ()))
INIT = {"x": (0, 8), "y": (0, 8)}


def _mp(fence: str | None, seen: tuple[int, int]) -> list:
    """MP with `fence` on both sides, the reader seeing `seen` (y, x): records in the race studies' shape."""
    writer = [Rec(0, 0, "W", "x", 1)] + ([Rec(0, 1, "F", None, 0, fence)] if fence else [])
    writer.append(Rec(0, len(writer), "W", "y", 1))
    reader = [Rec(1, 0, "R", "y", seen[0])] + ([Rec(1, 1, "F", None, 0, fence)] if fence else [])
    reader.append(Rec(1, len(reader), "R", "x", seen[1]))
    return thread_runs(reader + writer)


def _outcomes(fence: str | None, model: str = "power") -> set[tuple[int, int]]:
    out = set()
    for seen in ((0, 0), (0, 1), (1, 0), (1, 1)):
        runs = _mp(fence, seen)
        if any(True for _ in executions([[runs[0]], [runs[1]]], INIT, model)):
            out.add(seen)
    return out


def test_message_passing_needs_barriers_on_both_sides():
    assert _outcomes(None) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert _outcomes("sync") == _outcomes("lwsync") == _outcomes("ptesync") == {(0, 0), (0, 1), (1, 1)}
    assert _outcomes("eieio") == {(0, 0), (0, 1), (1, 0), (1, 1)}       # eieio orders writes, not the reads
    assert _outcomes(None, "sc") == {(0, 0), (0, 1), (1, 1)}


def test_the_axiom_a_forbidden_execution_breaks():
    runs = _mp("sync", (1, 0))
    skel = Skeleton(runs, INIT)
    # the only candidate: R y reads W y, R x reads the initial x
    ex = Execution(skel, {5: 4, 7: 0}, {"x": [0, 2], "y": [1, 4]})
    v = check(ex)
    assert v is not None and v.axiom == "PROPAGATION" and not allowed(ex)
    assert check(ex, "sc") is not None and check(ex, "sc").axiom == "SC"
    # coherence: the reader's second read of x sees the initial value after seeing 1
    corr = thread_runs([Rec(0, 0, "W", "x", 1), Rec(1, 0, "R", "x", 1), Rec(1, 1, "R", "x", 0)])
    skel = Skeleton(corr, INIT)
    ex = Execution(skel, {3: 2, 4: 0}, {"x": [0, 2], "y": [1]})
    assert check(ex).axiom == "SC PER LOCATION"
    assert "cycle through" in check(ex).summary(skel)


def test_thin_air_and_dependencies():
    # LB with data dependencies: each thread writes what it read
    lb = thread_runs([Rec(0, 0, "R", "x", 1), Rec(0, 1, "W", "y", 1, data=(0,)),
                      Rec(1, 0, "R", "y", 1), Rec(1, 1, "W", "x", 1, data=(0,))])
    skel = Skeleton(lb, INIT)
    ex = Execution(skel, {2: 5, 4: 3}, {"x": [0, 5], "y": [1, 3]})
    assert check(ex).axiom == "NO THIN AIR"
    plain = thread_runs([Rec(0, 0, "R", "x", 1), Rec(0, 1, "W", "y", 1), Rec(1, 0, "R", "y", 1),
                         Rec(1, 1, "W", "x", 1)])
    assert allowed(Execution(Skeleton(plain, INIT), {2: 5, 4: 3}, {"x": [0, 5], "y": [1, 3]}))


def test_bad_records_and_models():
    with pytest.raises(PpcError, match="not numbered"):
        thread_runs([Rec(0, 1, "W", "x", 1)])
    with pytest.raises(PpcError, match="unknown memory model 'tso'"):
        list(executions([], INIT, "tso"))
