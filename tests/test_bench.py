"""tools/bench.py --quick runs and prints every measurement with its target's verdict (no timing asserted:
speed is measured by the benchmark, never by a timed test)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETED = ["untraced, ALU loop", "journaled, ALU loop", "untraced, hunk-3 mix", "journaled, hunk-3 mix",
            "paths hunk 3", "interleave kvm_ipi_ee_bounce", "journal bytes per step", "cold check, fragment",
            "cold check, 2,000 lines"]
INFO = ["baseline pc = code[pc]()", "path-only, ALU loop", "path-only, hunk-3 mix", "journal peak, 1M steps"]


def run_bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "tools" / "bench.py"), "--quick", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_quick_prints_every_measurement_with_met_or_miss():
    done = run_bench()
    assert done.returncode == 0, done.stderr
    lines = {line[:30].strip(): line for line in done.stdout.splitlines()[1:]}
    for name in TARGETED:
        assert name in lines, f"no line for {name}:\n{done.stdout}"
        assert " MET " in lines[name] or " MISS " in lines[name], lines[name]
    for name in INFO:
        assert name in lines, f"no line for {name}:\n{done.stdout}"


def test_json_rows_carry_target_and_status():
    done = run_bench("--json", "--journal-steps", "5000")
    assert done.returncode == 0, done.stderr
    rows = {r["name"]: r for r in json.loads(done.stdout)}
    for name in TARGETED:
        assert rows[name]["status"] in ("MET", "MISS") and rows[name]["target"], rows[name]
    assert rows["journal peak, 1M steps"]["status"] == "info"      # too few steps to judge the target
