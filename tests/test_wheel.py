"""The sdist and the wheel (issue 16): built from this checkout, the wheel installed alone in a fresh venv, and
the README's tour run there from an empty folder with the examples the wheel carries.

Offline: `python -m build --no-isolation` uses this environment's hatchling, the venv is made without pip (this
environment's pip installs into it with --python) and sees this environment's dependencies through a .pth
file written after the install, behind its own site-packages, so that `import ppcinterp` is the wheel's."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if not os.environ.get("CI"):            # CI installs the test extras, build and hatchling among them
    pytest.importorskip("build")
    pytest.importorskip("hatchling")
VERSION = next(line.split('"')[1] for line in (ROOT / "ppcinterp" / "__init__.py").read_text().splitlines()
               if line.startswith("__version__"))


def _run(args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
         ok: bool = True) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    if ok:
        assert res.returncode == 0, f"{args}: {res.stdout}\n{res.stderr}"
    return res


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)])
    return out


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    v = tmp_path_factory.mktemp("venv") / "v"
    _run([sys.executable, "-m", "venv", "--without-pip", str(v)])
    py = v / "bin" / "python"
    wheel = next(dist.glob("ppcinterp-*.whl"))
    _run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index", str(wheel)])
    purelib = _run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    (Path(purelib) / "_outer_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return v


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PPCINTERP", "VIRTUAL_ENV"))}
    e["PPCINTERP_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    e["COLUMNS"] = "120"
    return e


@pytest.fixture(scope="module")
def tour(venv: Path, env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty folder, then `ppcinterp examples` in it: the folder the tour runs in."""
    empty = tmp_path_factory.mktemp("empty")
    res = _run([str(venv / "bin" / "ppcinterp"), "examples"], cwd=empty, env=env)
    assert "copied to ppcinterp-examples" in res.stdout
    return empty / "ppcinterp-examples"


def test_metadata_says_both_licences_and_the_wheel_carries_them(dist: Path):
    wheel = next(dist.glob(f"ppcinterp-{VERSION}-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta = z.read(f"ppcinterp-{VERSION}.dist-info/METADATA").decode()
    assert f"Version: {VERSION}" in meta.splitlines()
    assert "License-Expression: MIT AND GPL-2.0-only" in meta.splitlines()
    for lic in ("LICENSE", "LICENSES/GPL-2.0-only.txt", "LICENSES/MIT.txt"):
        assert f"License-File: {lic}" in meta.splitlines()
        assert f"ppcinterp-{VERSION}.dist-info/licenses/{lic}" in names
    for path in ("ppcinterp/py.typed", "ppcinterp/_examples/asm/book3s_hv_rmhandlers.S",
                 "ppcinterp/_examples/asm/scenarios/race_host_ipi.toml", "ppcinterp/_examples/asm/domains/hunk3.toml",
                 "ppcinterp/_examples/asm/debug/race.gdb", "ppcinterp/seed/000_37210b5e83692a42.txt.license",
                 "ppcinterp/_kernel_env/ppcinterp/env.h"):
        assert path in names
    with tarfile.open(next(dist.glob(f"ppcinterp-{VERSION}.tar.gz"))) as t:
        members = {m.name.split("/", 1)[1] for m in t.getmembers() if "/" in m.name}
    assert {"LICENSE", "LICENSES/GPL-2.0-only.txt", "CHANGELOG.md", "REUSE.toml", "asm/book3s_hv_rmhandlers.S",
            "asm/seed/000_37210b5e83692a42.txt.license"} <= members


def test_the_installed_copy_is_the_wheels(venv: Path, env: dict[str, str], tour: Path):
    res = _run([str(venv / "bin" / "python"), "-c", "import ppcinterp; print(ppcinterp.__file__)"], cwd=tour, env=env)
    assert res.stdout.strip().startswith(str(venv))


def test_version_and_python_m_equal_the_script(venv: Path, env: dict[str, str], tour: Path):
    script = _run([str(venv / "bin" / "ppcinterp"), "--version"], cwd=tour, env=env).stdout
    module = _run([str(venv / "bin" / "python"), "-m", "ppcinterp", "--version"], cwd=tour, env=env).stdout
    assert script == module
    lines = script.splitlines()
    assert lines[0] == f"ppcinterp {VERSION}" and lines[1].startswith("Python 3.")
    assert [line.split()[0] for line in lines[2:]] == ["lark", "capstone", "rich", "textual"]
    assert "not installed" not in script
    args = ["check", "asm/book3s_hv_rmhandlers.S", "--cpu", "PPC970"]
    a = _run([str(venv / "bin" / "ppcinterp"), *args], cwd=tour, env=env)
    b = _run([str(venv / "bin" / "python"), "-m", "ppcinterp", *args], cwd=tour, env=env)
    assert (a.stdout, a.stderr) == (b.stdout, b.stderr) and "hunks: 5" in a.stdout
    bad = [str(venv / "bin" / "ppcinterp"), "check", "nothing.S"]
    c = _run(bad, cwd=tour, env=env, ok=False)
    d = _run([str(venv / "bin" / "python"), "-m", "ppcinterp", *bad[1:]], cwd=tour, env=env, ok=False)
    assert c.returncode == d.returncode == 1 and c.stderr == d.stderr and "Traceback" not in c.stderr


def test_the_readme_tour_runs_from_the_installed_copy(venv: Path, env: dict[str, str], tour: Path):
    def ppc(*args: str) -> str:
        return _run([str(venv / "bin" / "ppcinterp"), *args], cwd=tour, env=env).stdout

    frag = "asm/book3s_hv_rmhandlers.S"
    assert "hunks: 5" in ppc("check", frag) and "asm/book3s_hv_rmhandlers.S: ok" in ppc("check", frag)
    assert "active on PPC970" in ppc("disasm", frag, "--cpu", "PPC970")
    assert "patched to nop" in ppc("disasm", frag, "--cpu", "POWER7")
    assert "CPU_FTR_ARCH_206" in ppc("check", frag, "--cpu", "POWER8", "--features-list")
    scenarios = sorted(str(p.relative_to(tour)) for p in (tour / "asm" / "scenarios").glob("*.toml"))
    assert len(scenarios) >= 10
    report = ppc("run", *scenarios)
    assert report.count("PASS ") == len(scenarios) and "FAIL" not in report
    assert "IPI withdrawn" in ppc("trace", "asm/scenarios/race_host_ipi.toml")
    first = json.loads(ppc("trace", "asm/scenarios/race_host_ipi.toml", "--json").splitlines()[0])
    assert first["file"] == frag and first["upstream"] == 674
    assert "768 runs" in ppc("paths", frag, "--entry", "hunk 3")
    race = ppc("interleave", "asm/scenarios/kvm_ipi_ee_bounce.toml", "--actor", "host-ipi")
    assert "0 violated the invariant" in race
    out = ppc("debug", "asm/scenarios/race_host_ipi.toml", "--batch", "-x", "asm/debug/race.gdb", "-ex", "info path")
    assert "book3s_hv_rmhandlers.S:85 (upstream 733)" in out and "the run has ended" in out
    # A starter scenario's default source is the fragment the wheel carries.
    ppc("scenario", "new", "mine.toml", "--entry", "hunk 3")
    assert "PASS mine.toml" in ppc("run", "mine.toml")


def test_examples_never_overwrite_a_changed_file(venv: Path, env: dict[str, str], tour: Path):
    exe = str(venv / "bin" / "ppcinterp")
    again = _run([exe, "examples"], cwd=tour.parent, env=env)
    assert "0 file(s) copied" in again.stdout and "already there" in again.stdout
    mine = tour / "asm" / "debug" / "race.gdb"
    original = mine.read_text()
    mine.write_text("# my own notes\n")
    res = _run([exe, "examples"], cwd=tour.parent, env=env, ok=False)
    assert res.returncode == 1 and "asm/debug/race.gdb" in res.stderr and "--force" in res.stderr
    assert "Traceback" not in res.stderr and mine.read_text() == "# my own notes\n"
    _run([exe, "examples", "--force"], cwd=tour.parent, env=env)
    assert mine.read_text() == original
