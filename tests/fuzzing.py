"""What every fuzz test shares: how many examples it runs, and what counts as a failure.

A CI run uses each test's own small count; `PPCINTERP_FUZZ_EXAMPLES=N` runs N examples of every fuzz test
(the long run the README reports). A failure is an exception other than the tool's own positioned error
escaping the public interface, a traceback or status 70 from the command line, or one input taking more than
LIMIT_S seconds of CPU.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, settings

EXAMPLES_ENV = "PPCINTERP_FUZZ_EXAMPLES"
LIMIT_S = 5.0


def examples(ci: int) -> int:
    """`ci` examples, or PPCINTERP_FUZZ_EXAMPLES when it is set."""
    v = os.environ.get(EXAMPLES_ENV, "").strip()
    return int(v) if v else ci


def fuzz_settings(ci: int) -> settings:
    """Hypothesis settings for a fuzz test: `examples(ci)` examples, no per-example deadline (LIMIT_S is checked
    by `bounded`, in CPU time, so a loaded machine does not fail a test), no database writes in CI."""
    return settings(max_examples=examples(ci), deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large, HealthCheck.filter_too_much])


@contextmanager
def bounded(what: str, limit: float = LIMIT_S) -> Iterator[None]:
    """Fail when the body takes more than `limit` CPU seconds (this process's), saying how much of it went to
    the garbage collector (a long run's heap, not the input, can be what is slow)."""
    in_gc = [0.0, 0.0]

    def clock(phase: str, _info: dict) -> None:
        if phase == "start":
            in_gc[1] = time.process_time()
        else:
            in_gc[0] += time.process_time() - in_gc[1]
    gc.callbacks.append(clock)
    t = time.process_time()
    try:
        yield
    finally:
        gc.callbacks.remove(clock)
    spent = time.process_time() - t
    assert spent <= limit, (f"{what} took {spent:.1f} s of CPU (limit {limit} s; {in_gc[0]:.1f} s of it in "
                            f"garbage collection, {len(gc.get_objects())} objects alive)")


def no_crash(status: int, stderr: str, what: str) -> None:
    """A command line's outcome: any status but 70 (an internal error), and no traceback."""
    assert status != 70, f"{what}: status 70 (internal error)\n{stderr[-2000:]}"
    assert "Traceback (most recent call last)" not in stderr, f"{what}: traceback\n{stderr[-2000:]}"
