"""Shared fixtures: assembling small sources of our own, and the GNU as oracle."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ppcinterp.build import BuildOptions, build_image, load_program

ROOT = Path(__file__).resolve().parent.parent
FRAGMENT = ROOT / "asm" / "book3s_hv_rmhandlers.S"
GAS = "powerpc64-linux-gnu-as"
OBJCOPY = "powerpc64-linux-gnu-objcopy"
NM = "powerpc64-linux-gnu-nm"


@pytest.fixture(autouse=True, scope="session")
def _build_cache_dir(tmp_path_factory):
    """The build cache lives in a temporary directory for the whole run (subprocesses inherit it): the
    tests never write to the user's cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv("PPCINTERP_CACHE_DIR", str(tmp_path_factory.mktemp("build-cache")))
    yield
    mp.undo()


@pytest.fixture
def asm(tmp_path):
    """Assemble source text written to a temporary .S file; returns the Program."""
    def run(text: str, **opts):
        path = tmp_path / "t.S"
        path.write_text(text)
        return load_program(str(path), BuildOptions(**opts))
    return run


@pytest.fixture
def image(tmp_path):
    def run(text: str, cpu: str = "POWER7", **opts):
        path = tmp_path / "t.S"
        path.write_text(text)
        return build_image(str(path), BuildOptions(**opts), cpu)
    return run


def ppc(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the command line as a user would (the checkout's package first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "ppcinterp", *args], cwd=cwd, capture_output=True, text=True,
                          env=env)


def need_gas() -> None:
    """GNU as for PowerPC is the encoding oracle; CI installs it, so there it must not be skipped."""
    if shutil.which(GAS) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{GAS} is not installed (binutils-powerpc64-linux-gnu); .ci/run must install it")
        pytest.skip(f"{GAS} not installed (Debian: binutils-powerpc64-linux-gnu)")


def gas_assemble(text: str, tmp: Path) -> tuple[bytes, dict[str, int]]:
    """Assemble with GNU as as the issue prescribes; returns .text bytes and text symbol offsets."""
    src, obj, bin_ = tmp / "gas.s", tmp / "gas.o", tmp / "gas.bin"
    src.write_text(text)
    subprocess.run([GAS, "-a64", "-mpower7", "-mregnames", str(src), "-o", str(obj)], check=True,
                   capture_output=True, text=True)
    subprocess.run([OBJCOPY, "-O", "binary", "--only-section=.text", str(obj), str(bin_)], check=True)
    syms = {}
    out = subprocess.run([NM, str(obj)], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tT":
            syms[parts[2]] = int(parts[0], 16)
    return bin_.read_bytes(), syms
