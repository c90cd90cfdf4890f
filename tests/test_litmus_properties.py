"""Properties of the Power and SC memory models over random small litmus programs, and tools/herd_catalogue.py
against a catalogue laid out as herdtools7's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ppcinterp.litmus.parse import parse
from ppcinterp.litmus.run import run_test

LITMUS = Path(__file__).resolve().parent / "litmus"


# ---- properties over random small programs

_EDGES = ["", "sync", "lwsync", "eieio", "isync"]


@st.composite
def programs(draw, one_location: bool):
    """2 or 3 threads of 1 to 3 accesses (2 on one location), fences between them, x and y (or x only); reads
    into r1, r2, r3."""
    locs = ["x"] if one_location else ["x", "y"]
    threads, regs = [], []
    for k in range(draw(st.integers(2, 3))):
        lines, n = [], draw(st.integers(1, 2 if one_location else 3))
        for j in range(n):
            loc = draw(st.sampled_from(locs))
            base = "r20" if loc == "x" else "r21"
            if draw(st.booleans()):
                lines.append(f"lwz r{j + 1},0({base})")
                regs.append(f"{k}:r{j + 1}")
            else:
                lines += [f"li r{j + 5},{k * 3 + j + 1}", f"stw r{j + 5},0({base})"]
            fence = draw(st.sampled_from(_EDGES))
            if fence and j + 1 < n:
                lines.append(fence)
        threads.append(lines)
    rows = max(len(t) for t in threads)
    head = " | ".join(f"P{k}" for k in range(len(threads))) + " ;"
    body = "\n".join(" | ".join(t[i] if i < len(t) else "" for t in threads) + " ;" for i in range(rows))
    init = " ".join(f"{k}:r20=x; {k}:r21=y;" for k in range(len(threads)))
    locations = "; ".join(regs + locs)
    return f"PPC RANDOM\n{{ {init} }}\n{head}\n{body}\nlocations [{locations};]\n"


def _states(text: str, model: str) -> set[str]:
    return set(map(" ".join, run_test(parse("random.litmus", text), model).states))


@settings(max_examples=50, deadline=None)
@given(programs(one_location=False))
def test_every_sc_outcome_is_a_power_outcome(text):
    assert _states(text, "sc") <= _states(text, "power")


@settings(max_examples=50, deadline=None)
@given(programs(one_location=True))
def test_one_location_is_sequentially_consistent_under_power(text):
    # Coherence: on a single location Power allows exactly what SC allows (SC PER LOCATION).
    assert _states(text, "power") == _states(text, "sc")


def test_herd_catalogue_tool_compares_with_ppc_allowed(tmp_path):
    tests = tmp_path / "catalogue" / "herding-cats" / "ppc" / "tests"
    (tests / "illustrative").mkdir(parents=True)
    for name in ("MP", "SB+syncs", "LB+datas"):
        (tests / "illustrative" / f"{name}.litmus").write_text((LITMUS / f"{name}.litmus").read_text())
    table = "MP   | Ok   Ok\nSB+syncs   | No   No\nLB+datas   | Ok   No\n"       # LB+datas: a wrong entry
    (tests / "ppc.allowed").write_text(table)
    tool = Path(__file__).resolve().parent.parent / "tools" / "herd_catalogue.py"
    r = subprocess.run([sys.executable, str(tool), "--herdtools", str(tmp_path)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 1
    assert "2 of 3 listed tests match ppc.allowed (1 forbidden, 2 allowed); 1 mismatches" in r.stdout
    assert "LB+datas" in r.stdout and "mismatch" in r.stdout


def test_herd_catalogue_tool_reads_the_campaign_archive(tmp_path):
    import tarfile

    tests = tmp_path / "catalogue" / "herding-cats" / "ppc" / "tests"
    (tests / "campaign").mkdir(parents=True)
    (tests / "ppc.allowed").write_text("MP   | Ok   Ok\nIRIW+syncs   | No   No\n")
    with tarfile.open(tests / "campaign" / "power-tests.tgz", "w:gz") as tar:
        for name in ("MP", "IRIW+syncs", "CoRR"):
            tar.add(LITMUS / f"{name}.litmus", arcname=f"power-tests/{name}.litmus")
    tool = Path(__file__).resolve().parent.parent / "tools" / "herd_catalogue.py"
    r = subprocess.run([sys.executable, str(tool), "--herdtools", str(tmp_path), "--campaign", "--quiet"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip() == ("2 of 2 listed tests match ppc.allowed (1 forbidden, 1 allowed); 0 mismatches, "
                                "0 errors, 1 files not listed in ppc.allowed")
