"""What the debugger's tests share: the scenarios, the working directory they show paths from, and executing
command lines that must succeed or must fail (named like fuzzing.py so that pytest does not collect it)."""

from __future__ import annotations

import pytest
from conftest import ROOT

from ppcinterp.debug.engine import DebugEngine

RACE = "asm/scenarios/race_host_ipi.toml"
STASH = "asm/scenarios/device_interrupt_stash.toml"
SIBLINGS = "asm/scenarios/hunk4_wake_siblings.toml"


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)            # source paths are shown relative to the working directory


def debug(path: str = RACE) -> DebugEngine:
    return DebugEngine.from_scenario(path)


def run(d: DebugEngine, *lines: str) -> str:
    """Execute lines; every one must succeed. Returns the output of the last."""
    out = ""
    for line in lines:
        out = d.execute(line)
        assert d.last_ok, f"{line!r} failed: {out}"
    return out


def fails(d: DebugEngine, line: str) -> str:
    """Execute a line that must fail with one line of error, no traceback."""
    out = d.execute(line)
    assert not d.last_ok, f"{line!r} should have failed: {out}"
    assert "Traceback" not in out and "\n" not in out.strip()
    return out
