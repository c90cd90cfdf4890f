"""The full screen as it adapts: the layout at 80x24 (every register), resizing both ways, F9, the log that
opens long output at its start, the memory pane, searching the source and following `list`, F1, Tab
completion, Ctrl-S and --screenshot (SVG a renderer renders). The same at 80x24 in a real terminal (tmux):
test_tui_tmux.test_at_80x24_in_a_real_terminal."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from conftest import ROOT
from test_tui import RACE, drive, keys, race, settle, styled, typed
from test_tui_line import debug_cli
from textual import events

from ppcinterp.cli import parser
from ppcinterp.debug.panes_state import CHANGED
from ppcinterp.debug.tui import DebuggerApp
from ppcinterp.debug.tui_help import HelpScreen
from ppcinterp.debug.tui_widgets import Deck, Log, Pane


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def fully_shown(app: DebuggerApp, pane_id: str) -> list[str]:
    """A pane's rows, checked to be on screen whole: every row and column of its view, unscrolled."""
    pane = app.query_one(f"#{pane_id}", Pane)
    assert pane.display and pane.parent.parent.display, f"{pane_id} is not shown"
    rows = pane.view.text.plain.splitlines()
    room = pane.scrollable_content_region
    assert pane.scroll_y == 0 and len(rows) <= room.height and max(map(len, rows)) <= room.width, \
        f"{pane_id}: {len(rows)} rows of up to {max(map(len, rows))} in {room}"
    assert pane.region.right <= app.size.width and pane.region.bottom <= app.size.height
    return rows


async def pasted(pilot, line: str) -> None:
    """A command line pasted (as a terminal pastes it), then Enter: quicker than typing it key by key."""
    pilot.app.query_one("#cmd").post_message(events.Paste(line))
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


def in_sight(pane: Pane, row: int) -> bool:
    return pane.scroll_y <= row < pane.scroll_y + pane.scrollable_content_region.height


def renders(svg) -> None:
    """The SVG is one a renderer renders (rsvg-convert; CI installs librsvg2-bin)."""
    if shutil.which("rsvg-convert") is None:
        if os.environ.get("CI"):
            pytest.fail("rsvg-convert is not installed; .ci/run must install librsvg2-bin")
        pytest.skip("rsvg-convert not installed")
    png = str(svg) + ".png"
    r = subprocess.run(["rsvg-convert", str(svg), "-o", png], capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    with open(png, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- layout
def test_every_register_at_80x24_resizing_both_ways_and_f9():
    async def story(app: DebuggerApp, pilot) -> None:
        async def at_80x24() -> None:
            regs = fully_shown(app, "regs")
            assert re.fullmatch(r"LR: \w{16}  CTR: \w{16}  XER: \w{8}  CR: \w{8}", regs[0])
            assert re.fullmatch(r"MSR: 9000000000001000 <SF,HV,ME>  LPCR: \w{16} <>", regs[1])
            assert [r[:6] for r in regs[2:]] == [f"GPR{i:02d}:" for i in range(0, 32, 4)]
            assert all(re.fullmatch(r"GPR\d\d: (\w{16} ){3}\w{16}", r) for r in regs[2:])
            src = app.query_one("#source", Pane)
            assert src.region.width == 80 and src.region.height == 6 and in_sight(src, src.view.focus)
            assert app.query_one("#log").region.height == 4

        await at_80x24()
        await pilot.resize_terminal(200, 50)
        await settle(pilot)
        code, state = app.query_one("#code", Deck), app.query_one("#state", Deck)
        assert code.region.width == 80 and state.region.x == 80 and state.region.height == code.region.height
        assert [p.id for p in state.shown()] == ["regs", "sprs", "paca", "icp"]
        assert [p.id for p in code.shown()] == ["source", "disasm"]
        assert "GPR12: 0000000000000500 0000000002000000" in fully_shown(app, "regs")
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        await at_80x24()

        main = app.query_one("#main").region
        for zoom, whole in (("state", "#state"), ("code", "#code"), ("log", "#log"), (None, None)):
            await keys(pilot, "f9")
            assert app.zoom == zoom
            if whole == "#log":
                assert app.query_one("#log").region.height == 22 and not app.query_one("#main").display
            elif whole:
                assert app.query_one(whole).region == main
                assert not app.query_one("#code" if whole == "#state" else "#state").display
        await at_80x24()

    drive(story, engine=race("break upstream 733", "run"))


def test_long_output_opens_at_its_start_and_the_log_wraps_again_at_a_new_width():
    async def story(app: DebuggerApp, pilot) -> None:
        log = app.query_one("#log", Log)
        await typed(pilot, "help")
        assert log.lines[int(log.scroll_y)].text.startswith("(ppc) help")       # not the end's last lines
        top = log.scroll_y
        await keys(pilot, "pagedown")
        assert log.scroll_y > top
        await pilot.resize_terminal(200, 50)
        await settle(pilot)
        wide = len(log.lines)
        assert log.lines[int(log.scroll_y)].text.startswith("(ppc) help")
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert len(log.lines) > wide and max(line.cell_length for line in log.lines) <= 80
        await typed(pilot, "print 1")                                          # short output: the end
        assert log.lines[-1].text.rstrip() == "$1 = 1" and log.scroll_y == log.max_scroll_y

    drive(story)


# ---------------------------------------------------------------- memory
def test_memory_pane_follows_an_expression_highlights_changes_and_reads_devices_without_side_effects():
    async def story(app: DebuggerApp, pilot) -> None:
        dbg = app.dbg
        await pasted(pilot, "memory/16 &paca[0].kvm_hstate.host_ipi")
        rows = fully_shown(app, "memory")                      # the command selected the pane
        assert rows[0] == "&paca[0].kvm_hstate.host_ipi = 0x2000315 <paca[0].kvm_hstate.host_ipi>, 16 bytes"
        assert rows[1].startswith("0x2000315:  00 00")
        await pasted(pilot, "break upstream 733")
        await typed(pilot, "run")                              # the host set host_ipi on the way
        row = app.query_one("#memory", Pane).view.text.split("\n")[1]
        assert row.plain.startswith("0x2000315:  01 00") and styled(row, "01", CHANGED)
        await typed(pilot, "stepi")                            # unchanged since that stop: plain again
        row = app.query_one("#memory", Pane).view.text.split("\n")[1]
        assert row.plain.startswith("0x2000315:  01 00") and not styled(row, "01", CHANGED)

        icp, steps = dbg.machine.icps[0].describe(), len(dbg.history.steps)
        await pasted(pilot, "memory/16 &icp[0]")                # the ICP's registers, as x shows them
        rows = fully_shown(app, "memory")
        assert rows[1].startswith("0x3fffe00000000:  ") and "??" not in rows[1]
        assert dbg.machine.icps[0].describe() == icp and len(dbg.history.steps) == steps
        await pasted(pilot, "memory/32 0x100ff0")               # the image's last bytes, then nothing mapped
        rows = fully_shown(app, "memory")
        assert "??" not in rows[1] and rows[2].count("??") == 16
        assert rows[3] == "  Cannot access memory at address 0x101000"
        await pasted(pilot, "memory nosuchname")
        assert app.transcript[-1].startswith("nosuchname: ") and "0x100ff0" in fully_shown(app, "memory")[0]

    drive(story)


def test_memory_command_without_the_full_screen():
    d = race()
    assert d.execute("memory") == "No memory is followed yet: memory EXPR (e.g. memory $r13)." and not d.last_ok
    out = d.execute("memory/20 $r13").splitlines()
    assert out[0] == "$r13 = 0x2000000 <paca[0].lppaca_ptr>, 20 bytes" and len(out) == 3
    assert out[2].startswith("0x2000010:  00 00 00 00 ") and out[2].index("....") == out[1].index("....")
    assert d.execute("memory").splitlines()[0] == out[0]                     # the one followed, again
    assert d.execute("memory/0 $r13") == "Length must be 1 to 4096 bytes." and not d.last_ok


# ---------------------------------------------------------------- the source: search, list
def test_search_the_source_and_follow_list():
    async def story(app: DebuggerApp, pilot) -> None:
        dbg = app.dbg
        src = app.query_one("#source", Pane)
        label = next(lb for lb in dbg.session.program.labels if lb.name == "ext_stash_for_host")
        await keys(pilot, "f2")                                # from the disassembly: back to the source
        await pilot.press("/")
        assert app.mode == "SEARCH"
        await pasted(pilot, "ext_stash_for_host")
        assert app.mode == "CMD" and src.display and src.view.focus == label.pos.line - 1
        assert in_sight(src, src.view.focus)
        assert styled(src.view.text.split("\n")[src.view.focus], "ext_stash_for_host", "underline")
        await keys(pilot, "/")
        await pasted(pilot, "HSTATE_HOST_IPI")                  # a regex, from there on (wrapping)
        found = src.view.focus + 1
        assert found != label.pos.line and "HSTATE_HOST_IPI" in src.view.text.split("\n")[found - 1].plain
        await keys(pilot, "/", "enter")                        # empty: again
        assert src.view.focus + 1 not in (found, label.pos.line)
        await keys(pilot, "/")
        await pasted(pilot, "no such text")
        assert app.transcript[-1] == "Expression not found"

        await pasted(pilot, "list 1:751")                       # the pane follows what list printed
        line = int(re.match(r" *(\d+) \[751\]", next(t for t in app.transcript if "[751]" in t)).group(1))
        assert src.view.focus == line - 1 and in_sight(src, line - 1)
        await typed(pilot, "stepi")                            # the next stop: back at the pc
        assert src.view.text.split("\n")[src.view.focus].plain.startswith("  >")

    drive(story)


# ---------------------------------------------------------------- F1, Tab, Ctrl-S, --screenshot
def test_f1_lists_keys_and_commands_tab_completes_and_ctrl_s_saves_an_svg(tmp_path, monkeypatch):
    async def story(app: DebuggerApp, pilot) -> None:
        await keys(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help").render())
        for expected in ("F9", "zoom", "Ctrl-C", "Single-key mode", "reverse-stepi", "memory", "x  Examine"):
            assert expected in text
        await keys(pilot, "escape")                            # closes the help, does not change the mode
        assert not isinstance(app.screen, HelpScreen) and app.mode == "CMD"

        cmd = app.query_one("#cmd")
        await keys(pilot, *"info regis", "tab")
        assert cmd.value == "info registers "
        await keys(pilot, "ctrl+u", *"rev", "tab")              # several: their common part, then the list
        assert cmd.value == "reverse-"
        await keys(pilot, "tab")
        assert "reverse-continue  reverse-next  reverse-nexti  reverse-step  reverse-stepi" in app.transcript
        await keys(pilot, "ctrl+u", "tab")                     # on an empty line Tab still steps the panes
        assert app.query_one("#state", Deck).selected == 1

        await keys(pilot, "ctrl+s")
        saved = list(tmp_path.glob("ppcinterp-*.svg"))
        assert len(saved) == 1 and app.transcript[-1] == f"Saved the screen to ./{saved[0].name}"
        renders(saved[0])

    engine = race()
    monkeypatch.chdir(tmp_path)
    drive(story, engine=engine)


def test_screenshot_option_runs_the_commands_in_the_full_screen(tmp_path, capsys):
    out = tmp_path / "race.svg"
    r = debug_cli(RACE, "--screenshot", str(out), "--size", "100x30", "-ex", "break upstream 733", "-ex", "run")
    assert r.returncode == 0 and r.stdout == f"Saved the screen (100x30) to {out}\n", r.stderr
    svg = out.read_text()
    assert "GPR28:" in svg and "Breakpoint&#160;1," in svg and 'viewBox="0 0 1238' in svg    # 100 columns
    renders(out)
    r = debug_cli(RACE, "--screenshot", str(out), "-ex", "frobnicate")
    assert r.returncode == 1                                      # a failing command, as --batch
    with pytest.raises(SystemExit) as e:
        parser().parse_args(["debug", RACE, "--screenshot", str(out), "--size", "80by24"])
    assert e.value.code == 2 and "'80by24' is not a screen size" in capsys.readouterr().err
    r = debug_cli(RACE, "--screenshot", str(tmp_path / "no" / "x.svg"))
    assert r.returncode == 1 and "no such directory" in r.stderr and "Traceback" not in r.stderr
