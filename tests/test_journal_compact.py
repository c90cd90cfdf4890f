"""The journal is compact: a few bytes a step kept for a long journaled run (ppcinterp/run/journal.py), and the
measure itself sees a journal of Step objects."""

from __future__ import annotations

import sys
import tracemalloc

from conftest import ROOT
from test_block_agreement import RAM

from ppcinterp.api import Session
from ppcinterp.run.engine import Engine
from ppcinterp.run.journal import Journal

BENCH = ROOT / "tests" / "data" / "bench_alu_loop.S"


# ---------------------------------------------------------------- compact

STEPS = 200_000
BYTES_PER_STEP = 48


def test_journal_is_compact(monkeypatch):
    """A 200,000-step journaled run of the bench loop keeps fewer than 48 bytes a step: measured as what the
    run allocated at its peak (tracemalloc) and as the size of the journal's arrays and records."""
    monkeypatch.setattr(Engine, "use_blocks", True)
    s = Session(str(BENCH))
    s.set("r9", RAM)
    s.set("r10", STEPS)                              # iterations: more than the steps run
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        res = s.run("bench_alu_loop", max_steps=STEPS, journal=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    j = res.journal
    assert res.kind == "step-limit" and len(j) == STEPS and j.instructions() == STEPS
    kept = sys.getsizeof(j.flat) + sys.getsizeof(j.recs) + sys.getsizeof(j.extra) + sum(
        sys.getsizeof(v) for v in j.extra.values())
    assert kept / STEPS < BYTES_PER_STEP, f"{kept / STEPS:.1f} bytes a step kept"
    assert peak / STEPS < BYTES_PER_STEP, f"{peak / STEPS:.1f} bytes a step at the peak"
    loop = s.address_of("bench_alu_loop") + 12
    last = j[-1]                                     # still readable: the last step, 12 into an iteration
    assert last.index == STEPS - 1 and last.pc == loop + 4 * ((STEPS - 1 - 3) % 16)
    assert [x.pc for x in j[:19]] == j.pcs(19)


def test_journal_compactness_measure_sees_steps(monkeypatch):
    """The measure above counts what a journal keeps: a journal of Step objects (single-stepping's) is far over
    the bound for as many steps."""
    monkeypatch.setattr(Engine, "use_blocks", False)
    s = Session(str(BENCH))
    s.set("r9", RAM)
    s.set("r10", 1000)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        res = s.run("bench_alu_loop", max_steps=4000, journal=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(res.journal) == 4000 and peak / 4000 > BYTES_PER_STEP
    assert isinstance(res.journal, Journal)
