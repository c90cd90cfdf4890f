"""The core stages type-check (issue 16): mypy in strict mode over source/, isa/, asm/, machine/ and run/, with
the configuration in pyproject.toml ([tool.mypy]). An unannotated function, an untyped container or a type error
there fails the suite. Cold (no .mypy_cache) it takes a few seconds; with the cache, under one."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from conftest import ROOT

CORE = ["ppcinterp/source", "ppcinterp/isa", "ppcinterp/asm", "ppcinterp/machine", "ppcinterp/run"]


def test_the_configuration_checks_the_core_strictly():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert config["strict"] is True
    assert config["python_version"] == "3.11"
    assert set(CORE) <= set(config["files"])


def test_mypy_finds_no_error_in_the_core():
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    out = done.stdout + done.stderr
    assert "No module named mypy" not in out, "mypy is not installed: pip install -e '.[test]'"
    assert done.returncode == 0, f"mypy found errors:\n{out[-5000:]}"
    assert "Success" in out, out
