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
LD = "powerpc64-linux-gnu-ld"


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


BINUTILS = "binutils-powerpc64-linux-gnu"
SHARED_FACTS = ROOT.parent / "shared" / "kernel-facts"


def need(tool: str, package: str) -> None:
    """An oracle tool (GNU as, ld, objcopy, cpp, qemu, tmux). CI installs every one (.ci/run), so under CI=1 its
    absence fails the test instead of skipping it; elsewhere the test is skipped, saying what to install."""
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is not installed ({package}); .ci/run must install it")
        pytest.skip(f"{tool} not installed (Debian: {package})")


def have(tool: str, package: str) -> bool:
    """Whether an oracle tool is here to compare with, for a test that checks more than the comparison; under CI=1
    it must be (the test fails otherwise)."""
    if shutil.which(tool) is None and os.environ.get("CI"):
        pytest.fail(f"{tool} is not installed ({package}); .ci/run must install it")
    return shutil.which(tool) is not None


def need_gas() -> None:
    """GNU as for PowerPC is the encoding oracle."""
    need(GAS, BINUTILS)


def need_binutils(*tools: str) -> None:
    for tool in (GAS, *tools):
        need(tool, BINUTILS)


def need_cpp() -> None:
    """The host's GNU cpp: a second preprocessor to compare ours with."""
    need("cpp", "cpp")


# Not a tool: the kernel facts this checkout's headers were written from sit beside a developer's checkout
# (../shared). CI runs on a clean clone, whose parent has none, so the test that compares them is skipped there.
needs_shared_facts = pytest.mark.skipif(
    not SHARED_FACTS.is_dir(), reason=f"{SHARED_FACTS} is absent: the shared kernel facts are not shipped with the "
    "repository (a CI clone has none); the copies in asm/include are checked against them where they exist")


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


def gas_linked_sections(text: str, tmp: Path, starts: dict[str, int]) -> dict[str, bytes]:
    """Assemble with GNU as and link with each section at the address given (ours), so that what refers from one
    section to another (a feature section's alternative branching back into .text, the fixup table's offsets) is
    resolved as in our layout; returns each section's bytes."""
    src, obj, elf = tmp / "gas.s", tmp / "gas.o", tmp / "gas.elf"
    src.write_text(text)
    subprocess.run([GAS, "-a64", "-mpower7", "-mregnames", str(src), "-o", str(obj)], check=True,
                   capture_output=True, text=True)
    subprocess.run([LD, "-e", "0", *(f"--section-start={n}={a:#x}" for n, a in starts.items()), str(obj), "-o",
                    str(elf)], check=True, capture_output=True, text=True)
    out = {}
    for name in starts:
        bin_ = tmp / "section.bin"
        subprocess.run([OBJCOPY, "-O", "binary", f"--only-section={name}", str(elf), str(bin_)], check=True)
        out[name] = bin_.read_bytes()
    return out
