"""ppcinterp's pytest plugin as a user meets it: a test suite of their own, run by pytest in a subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FRAGMENT, ROOT

HERE = Path(__file__).resolve().parent


def pytest_in(directory: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=directory, capture_output=True, text=True, env=env)


def write_test(directory: Path, body: str) -> Path:
    path = directory / "test_user.py"
    path.write_text(f"import pytest\nSOURCE = {str(FRAGMENT)!r}\n\n{body}")
    return path


def test_a_claim_the_runs_did_not_exercise_fails_the_test(tmp_path):
    write_test(tmp_path, '''
@pytest.mark.covers("upstream 675 taken", "ext_stash_for_host")
def test_hcall(ppc):
    s = ppc(SOURCE)
    s.set("r12", "BOOK3S_INTERRUPT_SYSCALL")
    assert s.run("hunk 3").exit == "hcall_try_real_mode"
''')
    r = pytest_in(tmp_path)
    assert r.returncode == 1, r.stdout
    assert "claims to cover ['ext_stash_for_host']" in r.stdout


def test_true_claims_pass(tmp_path):
    write_test(tmp_path, '''
@pytest.mark.covers("upstream 675 taken")
def test_hcall(ppc):
    s = ppc(SOURCE)
    s.set("r12", "BOOK3S_INTERRUPT_SYSCALL")
    assert s.run("hunk 3").exit == "hcall_try_real_mode"
''')
    r = pytest_in(tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 passed" in r.stdout


def test_coverage_report_of_a_suite_names_what_it_missed(tmp_path):
    write_test(tmp_path, '''
def test_hcall(ppc):
    s = ppc(SOURCE)
    s.set("r12", "BOOK3S_INTERRUPT_SYSCALL")
    s.run("hunk 3")

def test_stash(ppc):
    s = ppc(SOURCE)
    s.set("r12", "BOOK3S_INTERRUPT_EXTERNAL")
    s.set("icp.pending", [(0x1234, 5)])
    s.run("hunk 3")
''')
    r = pytest_in(tmp_path, "--ppc-coverage")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ppcinterp coverage" in r.stdout
    assert re.search(r"2 runs; branches covered both ways 1/13; labels reached 4/8", r.stdout), r.stdout
    assert re.search(r"ok\s+\S+:27 \(upstream 675\) beq hcall_try_real_mode\s+both", r.stdout)
    assert re.search(r"MISS \S+:87 \(upstream 735\) bne- 1f\s+never reached", r.stdout)
    assert re.search(r"MISS \S+:72 \(upstream 720\) bne ext_stash_for_host\s+taken only", r.stdout)
    assert "MISS label 1:751" in r.stdout and "MISS label 1:713" not in r.stdout


@pytest.mark.parametrize(("marker", "missing"), [
    ('@pytest.mark.covers("upstream 735 taken", "1:751")', "['upstream 735 taken']"),
    ('@pytest.mark.covers("upstream 701 taken", "1:713", "upstream 720 taken", "ext_stash_for_host")',
     "['1:713', 'ext_stash_for_host', 'upstream 701 taken', 'upstream 720 taken']"),
])
def test_the_meta_test_fails_when_a_label_or_direction_loses_its_test(tmp_path, marker, missing):
    """Remove one test from the per-label tests: the meta-test fails and names what lost its test."""
    text = (HERE / "test_fragment_labels.py").read_text()
    start = text.index(marker)
    end = text.index("@pytest.mark.covers", start + 1)
    (tmp_path / "test_fragment_labels.py").write_text(text[:start] + text[end:])
    r = pytest_in(tmp_path, "-k", "every_label")
    assert r.returncode == 1, r.stdout
    assert f"no test claims to cover: {missing}" in r.stdout


def test_the_meta_test_passes_on_the_whole_per_label_suite(tmp_path):
    (tmp_path / "test_fragment_labels.py").write_text((HERE / "test_fragment_labels.py").read_text())
    r = pytest_in(tmp_path)
    assert r.returncode == 0, r.stdout
    assert "passed" in r.stdout and "failed" not in r.stdout
