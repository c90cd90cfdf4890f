"""`ppcinterp examples [DIR]` from a checkout: what it copies, and that it never loses a user's file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ppcinterp.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_copies_the_tour_files_with_the_checkouts_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    dest = tmp_path / "ex"
    assert main(["examples", str(dest)]) == 0
    assert "copied to" in capsys.readouterr().out
    for rel in ("asm/book3s_hv_rmhandlers.S", "asm/scenarios/race_host_ipi.toml", "asm/domains/hunk3.toml",
                "asm/debug/race.gdb", "LICENSES/GPL-2.0-only.txt"):
        assert (dest / rel).read_bytes() == (ROOT / rel).read_bytes()
    # A scenario's relative source still names the copied fragment.
    assert main(["run", str(dest / "asm" / "scenarios" / "race_host_ipi.toml")]) == 0
    assert "PASS" in capsys.readouterr().out


@pytest.mark.parametrize("setup, message", [
    (lambda d: d.write_text("mine"), "is not a folder"),
    (lambda d: (d / "asm" / "debug" / "race.gdb").mkdir(parents=True), "is in the way"),
    (lambda d: (d.mkdir(), (d / "asm").write_text("mine")), "is in the way"),
])
def test_refusals_are_errors_that_copy_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str], setup, message):
    dest = tmp_path / "ex"
    setup(dest)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    for force in ([], ["--force"]):
        assert main(["examples", str(dest), *force]) == 1
        err = capsys.readouterr().err
        assert message in err and err.startswith("ppcinterp: error:") and "Traceback" not in err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_a_changed_file_is_kept_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    dest = tmp_path / "ex"
    assert main(["examples", str(dest)]) == 0
    mine = dest / "asm" / "scenarios" / "hcall.toml"
    mine.write_text("# my edit\n")
    (dest / "asm" / "book3s_hv_rmhandlers.S").unlink()
    capsys.readouterr()
    assert main(["examples", str(dest)]) == 1
    assert "hcall.toml" in capsys.readouterr().err
    assert mine.read_text() == "# my edit\n" and not (dest / "asm" / "book3s_hv_rmhandlers.S").exists()
    assert main(["examples", str(dest), "--force"]) == 0
    assert "2 file(s) copied" in capsys.readouterr().out
    assert mine.read_bytes() == (ROOT / "asm" / "scenarios" / "hcall.toml").read_bytes()
