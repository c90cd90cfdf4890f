"""tools/bench.py's clock: the bare-dispatch baseline, and a subject measured against it in interleaved chunks.

The baseline is the floor of a closure-per-instruction interpreter in CPython: `pc = code[pc]()` over a ring
of closures that only return the next pc. Subject and baseline alternate in short chunks of CPU time
(`time.process_time`, so another process on the machine does not count), the order swapped every pair, and
the ratio of each pair is taken before the median: a slow minute on the machine slows both sides alike.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

# A chunk of the subject: run for about `seconds` of CPU, return (steps executed, CPU seconds they took).
Chunk = Callable[[float], tuple[int, float]]

RING = 16                          # closures in the baseline's ring (a loop body of typical size)


def _ring() -> dict[int, Callable[[], int]]:
    def make(nxt: int) -> Callable[[], int]:
        return lambda: nxt
    return {a: make((a + 4) % (4 * RING)) for a in range(0, 4 * RING, 4)}


_CODE = _ring()


def bare(steps: int) -> float:
    """CPU seconds of `steps` steps of the bare dispatch loop."""
    code, pc = _CODE, 0
    t = time.process_time()
    for _ in range(steps):
        pc = code[pc]()
    return time.process_time() - t


def bare_rate(steps: int, floor: float) -> float:
    """The baseline's steps per CPU second over `steps` steps, repeated until at least `floor` seconds."""
    done, spent = 0, 0.0
    while spent < floor or done == 0:
        spent += bare(steps)
        done += steps
    return done / spent


@dataclass
class Ratio:
    rate: float                    # the subject's steps per CPU second (median of its chunks)
    base: float                    # the baseline's (median of its chunks)
    ratio: float                   # median of the per-pair ratios subject / baseline
    pairs: int
    low: float = 0.0               # the lowest and highest pair ratios: the spread of the median
    high: float = 0.0


def interleaved(chunk: Chunk, seconds: float, pairs: int) -> Ratio:
    """The subject against the baseline: `pairs` pairs of chunks of about `seconds` CPU each, the baseline
    running the same number of steps as the subject's chunk (repeated to at least half a chunk)."""
    steps, _ = chunk(seconds / 4)                       # warm-up: first-run builds, caches, calibration
    rates: list[float] = []
    bases: list[float] = []
    for i in range(pairs):
        if i % 2:                                       # baseline first on odd pairs
            base = bare_rate(steps, seconds / 2)
            steps, spent = chunk(seconds)
        else:
            steps, spent = chunk(seconds)
            base = bare_rate(steps, seconds / 2)
        rates.append(steps / spent)
        bases.append(base)
    ratios = [r / b for r, b in zip(rates, bases, strict=True)]
    return Ratio(statistics.median(rates), statistics.median(bases), statistics.median(ratios), pairs,
                 min(ratios), max(ratios))


@dataclass
class Timed:
    seconds: float                 # median CPU seconds of one call
    rate: float                    # steps per CPU second inside it (median)
    base: float                    # the baseline's rate, measured beside each call (median)
    repeats: int
    first: float                   # CPU seconds of the first call in this process (untimed in the median)

    @property
    def ratio(self) -> float:
        return self.rate / self.base


def timed(call: Callable[[], int], repeats: int, floor: float) -> Timed:
    """A whole operation (returning the steps it executed) in CPU seconds, median of `repeats`, each
    preceded by a baseline chunk of the same steps (for the effective ratio), after a first call (its time
    kept apart: what one command in a fresh process pays more, less the imports)."""
    t = time.process_time()
    steps = call()
    first = time.process_time() - t
    times: list[float] = []
    rates: list[float] = []
    bases: list[float] = []
    for _ in range(repeats):
        bases.append(bare_rate(max(steps, 1), floor))
        t = time.process_time()
        steps = call()
        spent = time.process_time() - t
        times.append(spent)
        rates.append(steps / spent)
    return Timed(statistics.median(times), statistics.median(rates), statistics.median(bases), repeats, first)
