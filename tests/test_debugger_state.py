"""The debugger engine's state through its public API: print, set var, x, info, display, list, threads, the
run's end, errors, help and abbreviations, and the structured state a UI reads (test_debugger.py: breakpoints,
watchpoints, reverse execution)."""

from __future__ import annotations

import re

import pytest
from debugger_support import RACE, SIBLINGS, STASH, at_root, debug, fails, run  # noqa: F401 - at_root: autouse

from ppcinterp.debug.engine import DebugEngine
from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.registry import COMMANDS


# ---------------------------------------------------------------- state
def test_print_formats_and_value_history():
    d = debug()
    run(d, "break upstream 733", "run")
    assert run(d, "p $r3") == "$1 = 4278190082"                 # gdb's default: decimal (r3 is a long)
    assert run(d, "p/d $r3") == "$2 = 4278190082"
    assert run(d, "p/x -1") == "$3 = 0xffffffff"                # a constant is an int, as in C
    assert run(d, "p/d icp.mfrr") == "$4 = -1"                 # an 8-bit register, signed
    assert run(d, "p/u icp.mfrr") == "$5 = 255"
    assert run(d, "p/t 5") == "$6 = 101"
    assert run(d, "p/o 8") == "$7 = 010"
    assert run(d, "p/c 65") == "$8 = 65 'A'"
    assert run(d, "p/z 0x1f") == "$9 = 0x0000001f"
    assert run(d, "p $pc") == "$10 = (void (*)()) 0x100090 <1:713+28>"
    assert run(d, "p/a ext_stash_for_host") == "$11 = 0x1000c8 <ext_stash_for_host>"
    assert run(d, "p IPI_PRIORITY") == "$12 = 4"
    assert run(d, "p IPI_PRIORITY == icp.mfrr") == "$13 = 0"
    assert run(d, "p $1 + $$") == "$14 = 4278190086"          # $$: the one before the last ($12)
    assert run(d, "p $") == "$15 = 4278190086"
    assert run(d, "p $cr0") == "$16 = 2" and run(d, "p $msr.ee") == "$17 = 0"
    assert run(d, "p $lpcr") == "$18 = 0"
    assert run(d, "p (1 << 4) | 3") == "$19 = 19"
    assert run(d, "p/x &paca[0]") == "$20 = 0x2000000" and "does not exist" in fails(d, "p &paca[1]")
    assert run(d, "p mem8[&paca.kvm_hstate.host_ipi]") == "$21 = 1 '\\001'"
    assert run(d, "p/x thread[0].r5") == "$22 = 0x3fffe00000000"
    assert run(d, "p/x icp[0].xirr") == "$23 = 0xff000000"


def test_print_errors():
    d = debug()
    assert fails(d, "p nosuch") == 'No symbol "nosuch" in current context.'
    assert fails(d, "p $r3 +") == "A syntax error in expression, near `'."
    assert fails(d, "p $7") == "History has not yet reached $7."
    assert fails(d, "p/i $r3") == 'Format letter "i" is meaningless in "print" command.'
    assert "no field" in fails(d, "p paca.nosuch").lower()
    assert fails(d, "p") == "History is empty."


def test_set_var_forms_and_registers():
    d = debug()
    assert run(d, "set var $r11 = 0x8000") == ""
    run(d, "set $r4 = IPI_PRIORITY + 1", "set var cr0 = 2", "set lpcr.mer = 1", "set var icp.mfrr = 5")
    assert [d.session.get(n) for n in ("r11", "r4", "cr0", "lpcr.mer", "icp.mfrr")] == [0x8000, 5, 2, 1, 5]
    assert d.session.get("lpcr") == 1 << 11
    run(d, "set var mem32[&paca.kvm_hstate.saved_xirr] = 0x1234")
    assert d.session.get("paca.kvm_hstate.saved_xirr") == 0x1234
    assert "Argument required" in fails(d, "set var")
    assert fails(d, "set frobnicate on") == 'Undefined set command: "frobnicate".  Try "help set".'
    assert fails(d, "set var $r99 = 1") == "Invalid register `r99'"   # not a new convenience variable
    run(d, "set confirm off", "set pagination off")


def test_x_on_the_icp_page_has_no_side_effect():
    d = debug(STASH)
    icp = d.machine.icps[0]
    before = (icp.cppr, icp.mfrr, icp.pending, len(d.history.steps))
    assert run(d, "x/4xw &icp[0]") == \
        "0x3fffe00000000 <icp[0].XIRR_POLL>:\t0xff001234\t0xff001234\t0x00000000\t0xff000000"
    run(d, "x/1xw &icp[0] + 4", "x/2xb &icp[0] + 4", "p mem32[&icp[0] + 4]", "p icp.xirr", "info icp",
        "display/x mem32[&icp.xirr]", "info registers r3 mem32[&icp[0]+4]", "p thread[0].mem32[&icp[0]+4]",
        "watch mem32[&icp[0]+4]", "delete")
    assert (icp.cppr, icp.mfrr, icp.pending, len(d.history.steps)) == before
    run(d, "continue")                                   # the handler still accepts it and stashes it
    assert d.session.get("paca.kvm_hstate.saved_xirr") == 0xFF001234


def test_x_formats_units_symbols_and_repeat():
    d = debug()
    run(d, "break upstream 733", "run")
    out = run(d, "x/8xb &paca.kvm_hstate.host_ipi")
    assert out == "0x2000315 <paca[0].kvm_hstate.host_ipi>:\t" + "\t".join(["0x01"] + ["0x00"] * 7)
    assert run(d, "x/2xg &paca[0]").startswith("0x2000000 <paca[0]")
    assert run(d, "x/2dh &icp.mfrr") == "0x3fffe0000000c <icp[0].MFRR>:\t-256\t0"        # MFRR 0xff
    assert run(d, "x/tb &icp.mfrr") == "0x3fffe0000000c <icp[0].MFRR>:\t11111111"
    assert run(d, "x/2i $pc") == "=> 0x100090 <1:713+28>:\tlbz r0, 789(r13)\n   0x100094 <1:713+32>:\tcmpwi r0, 0"
    assert run(d, "") == "   0x100098 <1:713+36>:\tbne- 1f\n   0x10009c <1:713+40>:\tmfspr r8,318"
    assert "patched by a feature section" in run(d, "x/i 0x100024")
    assert fails(d, "x/4xw 0x10") == "Cannot access memory at address 0x10"
    assert fails(d, "x/4q $pc") == 'Undefined output format "q".'


def test_info_registers_and_friends():
    d = debug()
    run(d, "break upstream 733", "run", "stepi")
    rows = run(d, "info registers").splitlines()
    assert rows[0] == "r0             0x1                1  *"            # changed at the last stop
    assert rows[32].startswith("pc             0x100094") and "<1:713+32>" in rows[32]
    assert run(d, "i r r3 lpcr cr msr.ee") == ("r3             0xff000002         4278190082\n"
                                                "lpcr           0x0                [ ]\n"
                                                "cr             0x20000000         [ cr0:eq ]\n"
                                                "msr.ee         0x0                0")
    assert fails(d, "info registers nosuch") == "Invalid register `nosuch'"
    assert "kvm_hstate.host_ipi" in run(d, "info paca host_ipi")
    assert "(every other SPR of hw thread 0 is 0)" in run(d, "info sprs")
    assert "Path: 1:713" in run(d, "info path") and "taken -> 1:713" in run(d, "info path")
    assert "hunk 3: upstream lines 674-764" in run(d, "info frame")
    assert run(d, "info threads").splitlines()[1].startswith("* 0    hw thread 0    0x0000000000100094")
    assert run(d, "info symbol 0x100094") == "1:713 + 32 in section .text"          # gdb's sentences
    assert run(d, "info line upstream 725") == 'Line 77 of "asm/book3s_hv_rmhandlers.S" (upstream 725) starts at ' \
        "address 0x100084 <1:713+16> and ends at 0x100088 <1:713+20>."
    assert "Current instruction number is 24." in run(d, "info record")
    assert fails(d, "info nosuch") == 'Undefined info command: "nosuch".  Try "help info".'


def test_display_and_undisplay():
    d = debug()
    assert run(d, "display/x $r0") == "1: /x $r0 = 0x0"
    assert run(d, "display/i $pc") == "2: x/i $pc\n=> 0x10001c <hunk 3>:\tcmpwi r12,0xc00"
    out = run(d, "stepi")
    assert out.endswith("1: /x $r0 = 0x0\n2: x/i $pc\n=> 0x100020 <hunk 3+4>:\tbeq hcall_try_real_mode")
    run(d, "undisplay 2")
    assert run(d, "info display").endswith("1:   y  /x $r0")
    assert fails(d, "undisplay 7") == "No display number 7."
    assert "No symbol" in fails(d, "display nosuch")


def test_list_marks_the_current_line():
    d = debug()
    run(d, "break upstream 733", "run")
    rows = run(d, "list").splitlines()
    assert len(rows) == 10 and rows[5] == "=> 85 [733]\t\tlbz\tr0, HSTATE_HOST_IPI(r13)"
    assert run(d, "").splitlines()[0].startswith("   90 [738]")                # Enter: the next ten
    assert run(d, "list upstream 725").splitlines()[5].startswith("   77 [725]")
    assert run(d, "list 20,21").splitlines() == ["   20 [120]\t\tli\tr0,0xff", "   21 [121]\t\tli\tr6,XICS_MFRR"]


def test_enter_repeats_the_last_command():
    d = debug()
    run(d, "stepi")
    assert d.pc == 0x100020
    run(d, "")
    assert d.pc == 0x100024
    run(d, "p 1")
    assert run(d, "") == "$2 = 1"
    run(d, "break upstream 733")
    run(d, "")                                          # break is not repeated
    assert len(d.points.items) == 1


def test_thread_switch_is_history():
    d = debug(SIBLINGS)
    assert run(d, "thread") == "[Current thread is 0 (hw thread 0)]"
    run(d, "stepi")
    out = run(d, "thread 1")
    assert out.startswith("[Switching to thread 1 (hw thread 1)]\n#0  0x00000000001000d0")
    assert d.thread == 1 and run(d, "p/x $r13") == "$1 = 0x2000400"
    run(d, "reverse-stepi")                               # undoes the instruction and the switch after it
    assert d.thread == 0 and run(d, "p/x $r13") == "$2 = 0x2000000"
    run(d, "stepi")
    assert d.thread == 1
    assert "Invalid thread ID: 9" in fails(d, "thread 9")


def test_the_run_end_is_reported_and_forward_refused_until_run():
    d = debug()
    out = run(d, "continue")
    assert out == ("Continuing.\n[Run ended after 30 instructions: reached ext_interrupt_to_host at the end of "
                   "hunk 3]\nPath: 1:713 -> 1:751 -> ext_interrupt_to_host")
    for cmd in ("stepi", "nexti", "continue", "finish", "until", "advance upstream 752"):
        assert fails(d, cmd).startswith("The run has ended (reached ext_interrupt_to_host at the end of hunk 3). "
                                        'Use "run" to start again')
    run(d, "run")
    assert d.exited is not None and d.path() == ["1:713", "1:751", "ext_interrupt_to_host"]
    run(d, "starti")
    assert d.pc == 0x10001C and d.exited is None


def test_a_fault_ends_the_run_and_stays_reversible(tmp_path):
    src = tmp_path / "fault.S"
    src.write_text("start:\n\tli\tr4, 1\n\tlwz\tr3, 0(0)\n\tnop\n")
    d = DebugEngine.from_source(str(src), "start")
    out = run(d, "continue")
    assert "[Run ended (fault) after 2 instructions: " in out
    assert "fault.S:3: lwz r3, 0(0): load of 4 bytes at 0x0 is outside every mapped region]" in out
    run(d, "reverse-stepi")
    assert d.pc == 0x100004 and d.in_past
    assert "(fault)" in run(d, "stepi")


def test_errors_are_one_line_and_the_session_goes_on():
    d = debug()
    assert fails(d, "frobnicate") == 'Undefined command: "frobnicate".  Try "help".'
    assert fails(d, "re").startswith('Ambiguous command "re": reverse-continue, reverse-next')
    assert fails(d, "stepi x") == 'Invalid number "x".'
    assert fails(d, "next 0") == "Argument must be at least 1."
    assert fails(d, "delete 3-1") == "inverted range: '3-1'."
    assert fails(d, "disable 1") == "No breakpoint number 1."
    assert fails(d, "x") == "Argument required (starting display address)."
    assert run(d, "# a comment") == ""
    assert "0x0000000000100020" in run(d, "si")


def test_help():
    d = debug()
    listing = run(d, "help")
    for name in ("break", "reverse-stepi", "reverse-continue", "watch", "rwatch", "x", "finish", "display"):
        assert f"\n{name} " in listing
    for name in COMMANDS:
        text = run(d, f"help {name}")
        assert text.splitlines()[0].startswith(name) and len(text.splitlines()) > 1, name
    assert "LR" in run(d, "help finish")
    assert run(d, "help si") == run(d, "help stepi")
    assert "icp [N...]" in run(d, "help info icp")
    assert fails(d, "help nosuch") == 'Undefined command: "nosuch".  Try "help".'


def test_abbreviations():
    d = debug()
    for short, long in (("b upstream 733", "break"), ("c", "continue"), ("i r r0", "info"), ("disp $r0", "display"),
                        ("p 1", "print"), ("tb 85", "tbreak"), ("si", "stepi"), ("ni", "nexti"), ("s", "step"),
                        ("n", "next"), ("rsi", "reverse-stepi"), ("rc", "reverse-continue"), ("fin", "finish"),
                        ("reverse-c", "reverse-continue"), ("wa $r3", "watch"), ("u", "until")):
        assert d.commands.split(short)[0].name == long
        d.execute(short)
        assert d.last_ok, short
    assert re.search(r"Temporary breakpoint \d+ at 0x100090", run(d, "tbreak 85"))


# ---------------------------------------------------------------- structured state for a UI
def test_structured_state():
    d = debug()
    run(d, "break upstream 733", "run")
    assert d.changed()["r0"] == (0, 0xFF) and d.changed()["paca[0].kvm_hstate.host_ipi"] == (0, 1)
    run(d, "stepi")
    assert d.changed() == {"r0": (0xFF, 1)}
    accesses = d.mmio(3)
    assert [a.meaning for a in accesses] == ["MFRR <- 0x04 (IPI not presented, CPPR 0x04)",
                                             "MFRR <- 0xff (IPI withdrawn)", "EOI 0xff000002 (IPI; CPPR -> 0xff)"]
    assert accesses[0].event == "host: MFRR = IPI_PRIORITY" and accesses[1].pc == 0x100084
    assert d.path() == ["1:713"] and (0x100058, True) in d.decisions()
    assert d.history_range() == (0, 24, 24) and not d.in_past and d.thread == 0
    assert "Breakpoint 1, 0x0000000000100090" in run(d, "reverse-stepi")      # back onto it: a hit
    assert d.changed() == {"r0": (1, 0xFF)} and d.in_past and d.history_range() == (0, 23, 24)
    bp = d.points.breakpoints()[0]
    assert (bp.number, bp.enabled, bp.hits, bp.address) == (1, True, 2, 0x100090)


def test_bad_construction():
    with pytest.raises(DebugError):
        DebugEngine(DebugEngine.from_scenario(RACE).session, "nosuch")


def test_continue_n_and_ignore_count_crossings(tmp_path):
    src = tmp_path / "loop.S"
    src.write_text("start:\n\tli\tr3, 0\n\tli\tr4, 10\nloop:\n\taddi\tr3, r3, 1\n\tcmpw\tr3, r4\n\tbne\tloop\n\tnop\n")
    d = DebugEngine.from_source(str(src), "start")
    run(d, "break loop", "continue")
    assert d.session.get("r3") == 0
    assert run(d, "continue 3").startswith("Will ignore next 2 crossings of breakpoint 1.  Continuing.")
    assert d.session.get("r3") == 3
    assert run(d, "ignore 1 4") == "Will ignore next 4 crossings of breakpoint 1."
    run(d, "continue")
    assert d.session.get("r3") == 8
    assert "\tbreakpoint already hit 9 times" in run(d, "info breakpoints")      # ignored ones count (gdb)
    run(d, "reverse-continue")                          # ignore counts are spent: the next crossing back stops
    assert d.session.get("r3") == 7


def test_run_again_fires_the_events_again():
    d = debug()
    first = run(d, "run")
    assert run(d, "run") == first and d.session.get("paca.kvm_hstate.host_ipi") == 1
    assert sum(s.event is not None for s in d.history.steps) == 2
