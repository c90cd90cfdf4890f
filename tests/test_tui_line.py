"""The debugger's command line without a terminal: the line prompt when stdin is not a terminal, and an internal
error in batch and line mode (the full-screen debugger: test_tui.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ROOT

RACE = "asm/scenarios/race_host_ipi.toml"


# ---------------------------------------------------------------- the command line, without a terminal
def debug_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "ppcinterp", "debug", *args], input=stdin, cwd=ROOT,
                          capture_output=True, text=True, env=env)


def test_without_a_terminal_the_line_prompt_is_used():
    r = debug_cli(RACE, stdin="print 1+1\nquit\n")
    assert r.returncode == 0 and "(ppc) $1 = 2" in r.stdout and "\x1b[" not in r.stdout + r.stderr
    r = debug_cli(RACE, "--no-tui", stdin="quit\n")
    assert r.returncode == 0 and r.stdout.startswith("ppcinterp debugger: ")


@pytest.mark.parametrize("mode", [["--batch"], []])
def test_internal_error_in_batch_and_line_mode(mode):
    r = debug_cli(RACE, *mode, "-ex", "print 1", "-ex", "maintenance internal-error boom", "-ex", "print 2",
                  stdin="print 3\n")
    assert r.returncode == 70
    assert r.stderr.splitlines()[0] == "ppcinterp: internal error in the debugger: boom (maintenance internal-error)"
    assert "Traceback" not in r.stderr and "$1 = 1" in r.stdout and "$2" not in r.stdout + r.stderr
    r = debug_cli(RACE, "--batch", "-ex", "maintenance frobnicate")
    assert r.returncode == 1 and r.stderr == 'Undefined maintenance command: "frobnicate".  Try "help maintenance".\n'
