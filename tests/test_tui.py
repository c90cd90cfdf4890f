"""The full-screen debugger: its panes as pure functions of the engine, the app driven headless with textual's
Pilot through the race story (typed commands and single-key bindings), Ctrl-C and internal errors (the real
terminal: test_tui_tmux.py)."""

from __future__ import annotations

import asyncio
import re

import pytest
from conftest import FRAGMENT, ROOT
from rich.text import Text

from ppcinterp.debug import panes_state
from ppcinterp.debug.engine import DebugEngine
from ppcinterp.debug.panes import disasm_pane, source_pane
from ppcinterp.debug.panes_state import (
    CHANGED,
    ON,
    icp_pane,
    keys_line,
    mmio_pane,
    paca_pane,
    path_pane,
    registers_pane,
    sprs_pane,
    status_line,
)
from ppcinterp.debug.tui import DebuggerApp
from ppcinterp.debug.tui_widgets import Deck, Pane

RACE = "asm/scenarios/race_host_ipi.toml"


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)            # source paths are shown relative to the working directory


def race(*commands: str) -> DebugEngine:
    d = DebugEngine.from_scenario(RACE)
    for line in commands:
        out = d.execute(line)
        assert d.last_ok, f"{line!r} failed: {out}"
    return d


def row(text: Text, contains: str) -> Text:
    rows = [r for r in text.split("\n") if contains in r.plain]
    assert len(rows) == 1, f"{len(rows)} rows contain {contains!r} in:\n{text.plain}"
    return rows[0]


def styled(r: Text, part: str, style: str) -> bool:
    """Whether the first occurrence of part in the row has style among its spans' styles."""
    at = r.plain.index(part)
    return any(s.start <= at < s.end and style in str(s.style) for s in r.spans)


# ---------------------------------------------------------------- panes as pure functions
def test_source_pane_marks_the_pc_line_and_the_breakpoints():
    d = race("break upstream 733", "break upstream 725", "disable 2")
    v = source_pane(d)
    here = v.text.split("\n")[v.focus]
    assert here.plain.startswith("  >") and "26 [674]" in here.plain and "cmpwi" in here.plain
    assert styled(here, "cmpwi", "reverse")
    enabled, disabled = row(v.text, " 85 [733] "), row(v.text, " 77 [725] ")
    assert enabled.plain.startswith("b+ ") and styled(enabled, "b+", "bold red")
    assert disabled.plain.startswith("b- ") and styled(disabled, "b-", "dim")
    assert row(v.text, "── hunk 3: upstream 674-764").plain.strip().startswith("── hunk 3")

    d.execute("run")                                   # hit once: B, and the pc there
    v = source_pane(d)
    assert v.text.split("\n")[v.focus].plain.startswith("B+>  85 [733]")


@pytest.mark.parametrize("cpu, patched", [("POWER7", True), ("PPC970", False)])
def test_code_a_feature_section_patches_out_is_dimmed(cpu, patched):
    d = DebugEngine.from_source(str(FRAGMENT), "hunk 3", cpu=cpu)
    branch = row(source_pane(d).text, " 31 [679] ")          # the ARCH_206 section's body: b ext_interrupt_to_host
    assert styled(branch, "ext_interrupt_to_host", "dim") == patched
    assert not styled(row(source_pane(d).text, "bne+    ext_interrupt_to_host"), "bne+", "dim")
    word = row(disasm_pane(d).text, "100024 ")
    if patched:
        assert "60000000 nop" in word.plain and "(patched)" in word.plain and styled(word, "nop", "dim")
    else:
        assert "b 0x1000cc <ext_interrupt_to_host>" in word.plain and "patched" not in word.plain


def test_disassembly_pane_follows_the_pc_with_labels_and_breakpoints():
    d = race("break upstream 733", "run")
    v = disasm_pane(d)
    here = v.text.split("\n")[v.focus].plain
    assert here.startswith("B+> 100090 880d0315 lbz r0, 0x315(r13)")
    assert "bne- 0x1000b8 <1:751>" in v.text.plain and "\n  1:713:\n" in v.text.plain
    assert "<hcall_try_real_mode>: outside this file" in v.text.plain


def test_paca_pane_shows_host_ipi_changed_by_the_host():
    d = race("break upstream 733", "run")
    v = paca_pane(d)
    ipi = row(v.text, " host_ipi ")
    assert re.fullmatch(r" host_ipi\s+0x1", ipi.plain) and styled(ipi, "0x1", CHANGED)
    assert re.search(r" xics_phys\s+0x3fffe00000000", v.text.plain)
    assert not styled(row(v.text, " napping "), "0x0", CHANGED)
    names = [r.split()[0] for r in v.text.plain.splitlines()[2:]]
    assert names.index("host_ipi") < names.index("lppaca_ptr")       # kvm_hstate first
    for name in ("saved_xirr", "in_guest", "napping", "kvm_vcpu", "hwthread_req"):
        assert name in names


def test_icp_pane_before_and_after_the_mfrr_clear():
    d = race("break upstream 733", "run", "reverse-stepi 3")
    v = icp_pane(d)
    assert v.text.plain.splitlines()[:4] == ["* icp[0] @ 0x3fffe00000000", "  CPPR 0x04  MFRR 0x04  ",
                                             "  pending sources: none", "  presenting: nothing"]
    assert styled(row(v.text, "MFRR"), "0x04", CHANGED)         # 0xff at the breakpoint, 0x04 back here
    d.execute("stepi")
    assert "MFRR 0xff" in icp_pane(d).text.plain


def test_registers_pane_is_the_kernels_register_dump_and_uses_the_width():
    d = race("break upstream 733", "run")
    v = registers_pane(d, 79)                                   # an 80-column pane: 10 rows, 4 GPRs a row
    assert v.text.plain.splitlines()[:4] == [
        "LR: 0000000000000000  CTR: 0000000000000000  XER: 00000000  CR: 20000000",
        "MSR: 9000000000001000 <SF,HV,ME>  LPCR: 0000000000000000 <>",
        "GPR00: 00000000000000ff 0000000000000000 0000000000000000 00000000ff000002",
        "GPR04: 0000000000000000 0003fffe00000000 000000000000000c 0000000000000004"]
    assert len(v.text.plain.splitlines()) == 10 and v.text.plain.splitlines()[-1].startswith("GPR28: ")
    assert styled(row(v.text, "GPR04:"), "0003fffe00000000", CHANGED)
    assert not styled(row(v.text, "GPR12:"), "0000000000000500", CHANGED)
    assert styled(row(v.text, "GPR12:"), "500", "") and styled(row(v.text, "GPR12:"), "0000000000000", "dim")
    two = registers_pane(d, 40).text.plain.splitlines()           # 2 a row from 40 columns, 1 below
    assert "GPR12: 0000000000000500 0000000002000000" in two and max(map(len, two)) <= 40
    assert "GPR13: 0000000002000000" in registers_pane(d, 39).text.plain.splitlines()


def test_sprs_pane_names_msr_and_lpcr_bits():
    d = DebugEngine.from_scenario("asm/scenarios/kvm_ipi_ee_bounce.toml")
    for line in ("set var msr.ee = 1", "advance upstream 740", "stepi"):      # mtspr LPCR: MER on
        d.execute(line)
    v = sprs_pane(d)
    bits = v.text.split("\n")
    # the reset MSR is SF | HV | ME (64-bit hypervisor real mode); the scenario set EE
    assert styled(bits[1], "EE", ON) and styled(bits[1], "HV", ON) and not styled(bits[1], " PR ", ON)
    assert styled(bits[3], "MER", ON) and not styled(bits[3], "PECE0", ON)
    assert styled(row(v.text, "lpcr "), "0x800", CHANGED)
    assert "0x9000000000009000" in row(v.text, "msr ").plain
    assert not styled(row(v.text, "msr "), "0x9000000000009000", CHANGED)


def test_path_and_mmio_panes():
    d = race("break upstream 733", "run")
    path = path_pane(d).text.plain
    assert path.startswith("Path: 1:713\nBranches:\n 27[675] not taken  beq hcall_try_real_mode")
    assert " 53[701] taken -> 1:713  bne 1f" in path
    mmio = mmio_pane(d).text.plain.splitlines()
    assert mmio[2:4] == ["#20 icp[0].MFRR <- 0x4  event: host: MFRR = IPI_PRIORITY",
                         "   MFRR <- 0x04 (IPI not presented, CPPR 0x04)"]
    assert mmio[5] == "   MFRR <- 0xff (IPI withdrawn)"


def test_status_line():
    d = race()
    assert status_line(d, "CMD").plain == " thread 0 │ 0x10001c hunk 3 │ 26[674] │ live │ at the entry  CMD "
    wide = status_line(d, "CMD", width=80).plain
    assert len(wide) == 80 and re.search(r" at the entry {10,} CMD $", wide)
    d.execute("break upstream 733")
    d.execute("run")
    d.execute("reverse-stepi")
    assert "│ 79[727] │ past 22/23 │ reverse step  KEYS " in status_line(d, "KEYS").plain
    d.execute("delete")
    d.execute("continue")
    assert "│ exited: ext_interrupt_to_host " in status_line(d, "CMD").plain
    assert "running: continue (Ctrl-C stops it)" in status_line(d, "CMD", "continue").plain
    for mode in ("CMD", "KEYS", "SEARCH", "ASK"):
        assert len(keys_line(mode).plain) <= 80
    assert "F1 help" in keys_line("CMD").plain and "q quit" in keys_line("KEYS").plain


# ---------------------------------------------------------------- the app, headless
def drive(story, size: tuple[int, int] = (80, 24), engine: DebugEngine | None = None,
          app: DebuggerApp | None = None) -> DebuggerApp:
    """Run the app headless at size through story(app, pilot); returns the app once it has ended."""
    app = app or DebuggerApp(engine or race())

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await story(app, pilot)
    asyncio.run(main())
    return app


async def settle(pilot) -> None:
    """Until the command the keys started has finished and the panes show its result."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def typed(pilot, line: str) -> None:
    await pilot.press(*line, "enter")
    await settle(pilot)


async def keys(pilot, *names: str) -> None:
    await pilot.press(*names)
    await settle(pilot)


def shown(app: DebuggerApp, pane_id: str) -> str:
    """A pane's text, checked to be on screen."""
    pane = app.query_one(f"#{pane_id}", Pane)
    assert pane.display and pane.parent.parent.display, f"{pane_id} is not shown"
    r, (w, h) = pane.region, app.size
    assert r.width >= 20 and r.height >= 5 and r.right <= w and r.bottom <= h, f"{pane_id} at {r}"
    return pane.view.text.plain


def status(app: DebuggerApp) -> str:
    return str(app.query_one("#status").render())


def test_the_race_story_in_the_tui():
    """break at the host_ipi re-check, run, host_ipi = 1; back to the MFRR clear (MFRR 0x04 as it was); on to
    the re-raise (MFRR 0x04 again after it); with typed commands and single-key bindings, at 80x24."""
    async def story(app: DebuggerApp, pilot) -> None:
        dbg = app.dbg
        await typed(pilot, "break upstream 733")
        assert re.search(r"^b\+  +85 \[733\]", shown(app, "source"), re.M)
        await typed(pilot, "run")
        assert dbg.location().upstream == 733 and "breakpoint 1" in status(app)
        assert "Breakpoint 1, 0x0000000000100090 in 1:713 ()" in "\n".join(app.transcript)
        src = app.query_one("#source", Pane)
        assert src.view.text.plain.splitlines()[src.view.focus].startswith("B+>  85 [733]")
        await keys(pilot, "f5")
        assert re.search(r"^ host_ipi +0x1$", shown(app, "paca"), re.M)

        await keys(pilot, "escape")                         # single-key mode
        assert app.mode == "KEYS" and "KEYS" in status(app)
        await keys(pilot, "S", "S", "S")                    # reverse-stepi three times
        assert dbg.location().upstream == 725 and "past 20/23" in status(app)
        await keys(pilot, "6")
        assert "  CPPR 0x04  MFRR 0x04" in shown(app, "icp")
        await keys(pilot, "i")                              # the clear, replayed
        assert "MFRR 0xff" in shown(app, "icp")

        await typed(pilot, "disable 1")                     # a letter types one command, then back to keys
        assert app.mode == "KEYS" and re.search(r"^B-  +85 \[733\]", shown(app, "source"), re.M)
        await typed(pilot, "advance upstream 752")
        assert dbg.location().upstream == 752 and "MFRR 0xff" in shown(app, "icp")
        await keys(pilot, "s")                              # stepi over the re-raise
        assert dbg.location().upstream == 753
        assert "  CPPR 0xff  MFRR 0x04" in shown(app, "icp") and "presenting: IPI at 0x04" in shown(app, "icp")
        await keys(pilot, "7")
        assert "Path: 1:713 -> 1:751" in shown(app, "path")
        await keys(pilot, "c")
        assert "exited: ext_interrupt_to_host" in status(app)
        await keys(pilot, "N")                              # reverse-nexti from the end
        assert "past 29/30" in status(app)
        await keys(pilot, "F")
        assert "reverse-finish is not supported" in app.transcript[-1]
        await keys(pilot, "C")                              # no enabled breakpoint: back to the start
        assert "start of history" in status(app) and dbg.pc == dbg.entry_pc
        await keys(pilot, "q")                              # a recorded history: gdb asks first
        assert app.mode == "ASK" and app.is_running
        await keys(pilot, "y")

    app = drive(story)
    assert app.return_code == 0 and app.failure is None


def test_command_line_history_and_enter_repeats():
    async def story(app: DebuggerApp, pilot) -> None:
        await typed(pilot, "stepi")
        await keys(pilot, "enter")                          # an empty line repeats stepi
        assert app.dbg.history_range()[1] == 2
        assert app.transcript.count("(ppc) stepi") == 2
        await typed(pilot, "print $pc")
        await keys(pilot, "up")
        assert app.query_one("#cmd").value == "print $pc"
        await keys(pilot, "up", "up")
        assert app.query_one("#cmd").value == "stepi"
        await keys(pilot, "down", "down")
        assert app.query_one("#cmd").value == ""
        await typed(pilot, "frobnicate")
        assert app.transcript[-1] == 'Undefined command: "frobnicate".  Try "help".'
        await typed(pilot, "quit")
        assert "A debugging session is active." in app.transcript and app.is_running
        await keys(pilot, "y")

    assert drive(story).return_code == 0


def test_every_pane_is_reachable_at_80x24_and_bigger_terminals_show_more():
    async def small(app: DebuggerApp, pilot) -> None:
        for i, name in enumerate(("regs", "sprs", "paca", "icp", "path", "mmio")):
            await keys(pilot, f"f{i + 3}")
            assert shown(app, name)
            assert [p.id for p in app.query_one("#state", Deck).shown()] == [name]
        assert shown(app, "source")
        await keys(pilot, "f2")
        assert shown(app, "disasm") and not app.query_one("#source").display
        await keys(pilot, "f9")                              # zoom the state panes: registers in columns
        assert app.query_one("#state").region.width == 80 and not app.query_one("#code").display
        await keys(pilot, "f3")
        assert re.search(r"^GPR04: (\S{16} ){3}\S{16}$", shown(app, "regs"), re.M)

    async def big(app: DebuggerApp, pilot) -> None:
        assert shown(app, "source") and shown(app, "disasm")
        assert [p.id for p in app.query_one("#state", Deck).shown()] == ["regs", "sprs", "paca", "icp"]
        for name in ("regs", "sprs", "paca", "icp"):
            shown(app, name)

    drive(small)
    drive(big, size=(140, 45))


LOOP = """\
        .text
spin:   addi    r3, r3, 1
        b       spin
"""


def spinning(tmp_path) -> DebugEngine:
    """An endless loop, with a step limit no test waits for: only Ctrl-C ends its `continue`."""
    src = tmp_path / "spin.S"
    src.write_text(LOOP)
    d = DebugEngine.from_source(str(src), "spin")
    d.max_steps = 10**9
    return d


def test_ctrl_c_interrupts_a_running_command_clears_the_line_and_is_otherwise_harmless(tmp_path):
    async def story(app: DebuggerApp, pilot) -> None:
        await pilot.press(*"continue", "enter")
        assert app.busy == "continue" and "running: continue" in status(app)
        await keys(pilot, "ctrl+c")
        assert app.busy is None and "Program received signal SIGINT, Interrupt." in app.transcript
        assert "interrupted" in status(app) and app.dbg.history_range()[1] > 0
        await pilot.press(*"p 1")
        await keys(pilot, "ctrl+c")                          # idle with a half-typed line: clear it
        assert app.query_one("#cmd").value == "" and app.is_running
        await keys(pilot, "ctrl+c")                          # idle on an empty line: gdb's Quit, nothing more
        assert app.transcript[-1] == "Quit" and app.is_running and app.mode == "CMD"
        await keys(pilot, "ctrl+d")                          # EOF quits, asking first: the history would be lost
        assert app.mode == "ASK" and any(t.startswith("        Its recorded history (") for t in app.transcript)
        await keys(pilot, "ctrl+c")                          # no: the question is withdrawn
        assert app.mode == "CMD" and app.transcript[-1] == "Not confirmed." and app.dbg.commands.quit is False
        await keys(pilot, "ctrl+d")
        await keys(pilot, "y")

    app = drive(story, engine=spinning(tmp_path))
    assert app.return_code == 0 and app.failure is None


def test_quitting_stops_a_running_command(tmp_path):
    async def story(app: DebuggerApp, pilot) -> None:
        await pilot.press("c", "enter")
        assert app.busy == "c"
        await pilot.press("ctrl+q")                          # textual's own quit: asks, then stops the command
        await pilot.press("y")

    app = drive(story, engine=spinning(tmp_path))
    assert app.return_code == 0 and app.dbg.last_stop.reason == "interrupted"


def test_maintenance_internal_error_ends_the_app():
    async def story(app: DebuggerApp, pilot) -> None:
        await typed(pilot, "maintenance internal-error boom")

    app = drive(story)
    assert app.return_code == 70 and app.failure == "boom (maintenance internal-error)"


def test_a_bug_in_a_pane_ends_the_app_with_one_line(monkeypatch):
    def broken(dbg, width):
        raise ZeroDivisionError("a pane's bug")
    monkeypatch.setattr(panes_state, "icp_pane", broken)

    async def story(app: DebuggerApp, pilot) -> None:
        await keys(pilot, "f6")

    app = DebuggerApp(race())
    with pytest.raises(ZeroDivisionError):             # run_test hands the app's exception on to the test
        drive(story, app=app)
    assert app.failure == "ZeroDivisionError: a pane's bug" and app.return_code == 70
