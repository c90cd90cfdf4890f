#!/usr/bin/env python3
"""Benchmark: interpreter speed as ratios to a bare CPython closure-dispatch loop measured in the same run.

  baseline    pc = code[pc]() over closures that only return the next pc (the floor for this design)
  untraced    the engine's fast loop on a loop of typical handler instructions
  journaled   the same with every change recorded
  scenarios   all of asm/scenarios run (setup included), per second
  paths       `ppcinterp paths` over the shipped hunk 3 domain (every combination), runs per second
  interleave  the host-ipi race explorer on kvm_ipi_ee_bounce.toml, interleavings per second
  cold start  `ppcinterp check asm/book3s_hv_rmhandlers.S` in a fresh interpreter

Targets (DESIGN.md): untraced >= 0.5 of baseline, journaled >= 0.2, cold start < 0.5 s.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ppcinterp.api import Session  # noqa: E402
from ppcinterp.run import scenario  # noqa: E402
from ppcinterp.run.explore import explore, load_domain  # noqa: E402
from ppcinterp.run.interleave import ACTORS, explore_races  # noqa: E402

LOOP = """start:
\tli r3,0
\tlis r4,ITER@h
\tori r4,r4,ITER@l
\tmtctr r4
\tld r7,HSTATE_XICS_PHYS(r13)
1:\taddi r3,r3,1
\trlwinm r5,r3,2,0,29
\tlbz r6,HSTATE_HOST_IPI(r13)
\tcmpwi r6,0
\tbne 2f
\tori r8,r5,0x800
\tbdnz 1b
2:\tnop
"""
ITER = 40_000
STEPS_PER_ITER = 7


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def baseline(n: int) -> float:
    code = {}
    for a in range(0, 4 * STEPS_PER_ITER, 4):
        code[a] = (lambda nxt: lambda: nxt)((a + 4) % (4 * STEPS_PER_ITER))

    def go():
        c = code
        pc = 0
        for _ in range(n):
            pc = c[pc]()
    return n / best(go)


def main() -> int:
    src = ROOT / "build-bench.S"
    src.write_text(LOOP.replace("ITER", str(ITER)))
    try:
        s = Session(str(src))
        steps = ITER * STEPS_PER_ITER + 5
        base = baseline(steps)

        def untraced():
            s.reset()
            s.run("start", journal=False, max_steps=steps + 10).steps  # noqa: B018

        def journaled():
            s.reset()
            s.run("start", journal=True, max_steps=steps + 10)

        fast = steps / best(untraced)
        jr = steps / best(journaled, 1)
    finally:
        src.unlink()
    paths = sorted((ROOT / "asm" / "scenarios").glob("*.toml"))
    t = time.perf_counter()
    for p in paths:
        scenario.run(scenario.load(p))
    per_scn = (time.perf_counter() - t) / len(paths)
    t = time.perf_counter()
    ex = explore(str(ROOT / "asm" / "book3s_hv_rmhandlers.S"), load_domain(ROOT / "asm" / "domains" / "hunk3.toml"))
    explore_time = time.perf_counter() - t
    t = time.perf_counter()
    race = explore_races(scenario.load(ROOT / "asm" / "scenarios" / "kvm_ipi_ee_bounce.toml"), ACTORS["host-ipi"])
    race_time = time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ppcinterp", "check", "asm/book3s_hv_rmhandlers.S"], cwd=ROOT,
                   check=True, capture_output=True)
    cold = time.perf_counter() - t

    print(f"baseline closure dispatch : {base / 1e6:6.2f} M steps/s   ratio 1.00")
    print(f"engine, untraced          : {fast / 1e6:6.2f} M steps/s   ratio {fast / base:.2f}  (target >= 0.50)")
    print(f"engine, journaled         : {jr / 1e6:6.2f} M steps/s   ratio {jr / base:.2f}  (target >= 0.20)")
    print(f"scenario (load+run+check) : {per_scn * 1e3:6.1f} ms each over {len(paths)} scenarios")
    print(f"paths, hunk 3 domain      : {explore_time:6.3f} s for {ex.runs} runs ({ex.runs / explore_time:.0f} runs/s)")
    n = len(race.interleavings)
    print(f"interleave, host-ipi      : {race_time:6.3f} s for {n} interleavings ({n / race_time:.0f} per s)")
    print(f"cold start of check       : {cold:6.3f} s              (target < 0.5 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
