"""The debugger engine through its public API: DebugEngine and execute(line) -> text, plus the structured
state a UI reads: starting, breakpoints, watchpoints, reverse execution (state, errors and the UI's view:
test_debugger_state.py). Scenarios from asm/scenarios/ and small sources of our own."""

from __future__ import annotations

import pytest
from debugger_support import STASH, at_root, debug, fails, run  # noqa: F401 - at_root: autouse

from ppcinterp.debug.engine import DebugEngine


# ---------------------------------------------------------------- starting, breakpoints
def test_starts_stopped_at_the_entry():
    d = debug()
    assert d.pc == 0x10001C and not d.in_past and d.exited is None
    loc = d.location()
    assert (loc.file, loc.line, loc.upstream, loc.function) == ("asm/book3s_hv_rmhandlers.S", 26, 674, "hunk 3")
    assert run(d, "frame") == ("#0  0x000000000010001c in hunk 3 () at asm/book3s_hv_rmhandlers.S:26 (upstream 674)\n"
                               "26 [674]\t\tcmpwi\tr12,BOOK3S_INTERRUPT_SYSCALL")


def test_break_at_an_upstream_line_and_run():
    d = debug()
    assert run(d, "break upstream 733") == \
        "Breakpoint 1 at 0x100090: file asm/book3s_hv_rmhandlers.S, line 85 (upstream 733)."
    out = run(d, "run")
    assert "\nBreakpoint 1, 0x0000000000100090 in 1:713 () at asm/book3s_hv_rmhandlers.S:85 (upstream 733)\n" \
           "85 [733]\t\tlbz\tr0, HSTATE_HOST_IPI(r13)" in out
    assert d.pc == 0x100090
    assert run(d, "print paca.kvm_hstate.host_ipi") == "$1 = 1 '\\001'"     # a u8, as gdb prints one


@pytest.mark.parametrize("spec, addr", [("ext_stash_for_host", 0x1000C8), ("1:713", 0x100074), ("*0x100090", 0x100090),
                                        ("asm/book3s_hv_rmhandlers.S:85", 0x100090), ("85", 0x100090),
                                        ("hunk 3", 0x10001C), ("upstream 725", 0x100084),
                                        ("*ext_stash_for_host + 4", 0x1000CC)])
def test_break_locations(spec, addr):
    d = debug()
    assert f" at {addr:#x}" in run(d, f"break {spec}")
    assert d.points.breakpoints()[0].address == addr


def test_break_on_labels_the_run_leaves_to_or_nowhere_is_an_error():
    d = debug()
    assert "run leaves the fragment there" in fails(d, "break ext_interrupt_to_host")
    assert "outside the fragment" in fails(d, "break bounce_ext_interrupt")
    assert fails(d, "break nosuch") == 'Function "nosuch" not defined.'
    assert "no instruction at 0x2000000" in fails(d, "break *0x2000000")
    assert not d.points.items


def test_conditional_breakpoint():
    d = debug()
    run(d, "break upstream 733 if paca.kvm_hstate.host_ipi == 0")
    assert "[Run ended after 30 instructions: reached ext_interrupt_to_host at the end of hunk 3]" in run(d, "run")
    assert d.points.breakpoints()[0].hits == 0
    run(d, "condition 1 paca.kvm_hstate.host_ipi != 0")
    assert "Breakpoint 1, 0x0000000000100090" in run(d, "run")
    table = run(d, "info breakpoints")
    assert "\tstop only if paca.kvm_hstate.host_ipi != 0" in table and "already hit 1 time" in table
    assert "No symbol \"nosuch\"" in fails(d, "break upstream 733 if nosuch == 1")


def test_conditional_breakpoint_on_a_label():
    d = debug(STASH)
    run(d, "break ext_stash_for_host if paca.kvm_hstate.host_ipi == 0")
    out = run(d, "continue")
    assert "Breakpoint 1, 0x00000000001000c8 in ext_stash_for_host () at asm/book3s_hv_rmhandlers.S:112 " \
           "(upstream 760)" in out


def test_tbreak_delete_disable_enable():
    d = debug()
    assert run(d, "tbreak upstream 720").startswith("Temporary breakpoint 1 at 0x100078")
    assert "Temporary breakpoint 1, 0x0000000000100078" in run(d, "continue")
    assert not d.points.items
    run(d, "break upstream 725", "break upstream 733", "disable 2")
    assert "Breakpoint 3, 0x0000000000100090" in run(d, "run")       # 2 is disabled
    run(d, "enable", "delete 3")
    assert "Breakpoint 2, 0x0000000000100084" in run(d, "run")
    assert fails(d, "delete 9") == "No breakpoint number 9."
    run(d, "delete")
    assert run(d, "info breakpoints") == "No breakpoints or watchpoints."


# ---------------------------------------------------------------- watchpoints
def test_watch_a_paca_field_written_by_an_event():
    d = debug()
    assert run(d, "watch paca.kvm_hstate.host_ipi") == "Hardware watchpoint 1: paca.kvm_hstate.host_ipi"
    out = run(d, "continue")
    assert "Hardware watchpoint 1: paca.kvm_hstate.host_ipi\n\nOld value = 0 '\\000'\nNew value = 1 '\\001'\n" \
           "(by event: host: host_ipi = 1)" in out
    assert d.pc == 0x100084                   # the events fire on arriving at upstream 725, before the clear


def test_watch_a_paca_field_written_by_a_store():
    d = debug(STASH)
    run(d, "watch paca.kvm_hstate.saved_xirr")
    out = run(d, "continue")
    assert "Old value = 0\nNew value = 4278194740" in out          # as gdb shows a u32 (decimal)
    last = d.history.steps[d.history.pos - 1]
    assert d.session.engine.insn_at[last.pc].name == "stw"


def test_rwatch_fires_on_the_lbz_of_a_paca_field():
    d = debug()
    run(d, "rwatch paca.kvm_hstate.host_ipi")
    first = run(d, "continue")
    assert "Hardware read watchpoint 1: paca.kvm_hstate.host_ipi\n\nValue = 0 '\\000'" in first
    assert "42 [690]" in first                # stopped after the first lbz (upstream 689)
    second = run(d, "continue")
    assert "Value = 1 '\\001'" in second and "86 [734]" in second
    assert "reached ext_interrupt_to_host" in run(d, "continue")


def test_awatch_on_an_icp_register_sees_device_stores():
    d = debug()
    run(d, "awatch icp.mfrr")
    assert "Value = 4 '\\004'\n(by event: host: MFRR = IPI_PRIORITY)" in run(d, "continue")    # the host's store
    assert "Old value = 4 '\\004'\nNew value = 255 '\\377'" in run(d, "continue")               # the clear (725)
    assert "Old value = 255 '\\377'\nNew value = 4 '\\004'" in run(d, "continue")               # the re-raise (752)


def test_watch_any_expression_and_errors():
    d = debug()
    run(d, "watch $r0 + 1 if $r0 == 0xff")
    assert "New value = 256" in run(d, "continue")
    assert "register" in fails(d, "rwatch $r3")
    assert fails(d, "watch 5") == "Cannot watch constant value `5'."
    assert "No symbol" in fails(d, "watch nosuch")


# ---------------------------------------------------------------- reverse execution
def test_reverse_continue_stops_at_a_breakpoint_behind_and_at_the_start():
    d = debug()
    run(d, "break upstream 733")
    run(d, "run", "continue")
    assert d.exited is not None
    assert "The run has ended" in fails(d, "stepi")
    out = run(d, "reverse-continue")
    assert "Breakpoint 1, 0x0000000000100090" in out and d.in_past
    out = run(d, "reverse-continue")
    assert "No more reverse-execution history." in out and d.pc == 0x10001C
    assert "No more reverse-execution history." in run(d, "reverse-stepi")


def test_reverse_then_forward_replays_the_same_history_with_its_events():
    d = debug()
    run(d, "continue")
    end_state, end_steps = d.session.snapshot(), len(d.history.steps)
    path = d.path()
    run(d, "reverse-continue")
    assert d.session.get("paca.kvm_hstate.host_ipi") == 0 and d.session.get("r3") == 0
    out = run(d, "continue")
    assert "reached ext_interrupt_to_host" in out
    assert d.session.snapshot() == end_state and len(d.history.steps) == end_steps   # replayed, not re-run
    assert d.path() == path == ["1:713", "1:751", "ext_interrupt_to_host"]


def test_reverse_stepi_across_the_events_and_back():
    d = debug()
    run(d, "advance upstream 726")                       # just after the MFRR clear
    assert d.session.get("icp.mfrr") == 0xFF
    run(d, "reverse-stepi")                              # before the clear: the host's writes are there
    assert d.pc == 0x100084 and d.session.get("icp.mfrr") == 4 and d.session.get("paca.kvm_hstate.host_ipi") == 1
    run(d, "reverse-stepi")                              # before upstream 724: the events are undone too
    assert d.pc == 0x100080 and d.session.get("paca.kvm_hstate.host_ipi") == 0
    out = run(d, "stepi")
    assert "-- event: host: host_ipi = 1" in out and "-- event: host: MFRR = IPI_PRIORITY" in out
    assert d.session.get("paca.kvm_hstate.host_ipi") == 1
    assert "[icp[0]: MFRR <- 0xff (IPI withdrawn)]" in run(d, "stepi")
    assert sum(s.event is not None for s in d.history.steps) == 2          # replayed: no second firing


def test_set_var_in_the_past_discards_the_future_and_goes_on_live():
    d = debug()
    run(d, "break upstream 733", "run", "reverse-stepi 3")
    assert d.in_past and d.pc == 0x100084
    out = run(d, "set var paca.kvm_hstate.host_ipi = 0")
    assert out.startswith("Discarded the recorded future (3 instructions after this point)")
    assert not d.in_past
    assert run(d, "info record").endswith("Highest recorded instruction number is 20.\n"
                                          "Current instruction number is 20.")
    run(d, "delete")
    out = run(d, "continue")
    assert "left the file to bounce_ext_interrupt" in out     # the re-check now sees 0: MER set, bounce
    assert d.session.get("lpcr.mer") == 1
    run(d, "reverse-stepi 30")                                # the change itself is history: undone
    assert d.session.get("paca.kvm_hstate.host_ipi") == 0      # (before the host's event at 725)


def test_events_fire_again_when_the_future_they_were_in_is_discarded():
    d = debug()
    run(d, "advance upstream 724", "set var $r6 = 0")        # no past here: live, nothing discarded
    run(d, "continue")
    run(d, "reverse-continue")
    assert "Discarded" in run(d, "set var $r7 = 4")            # at the start: the events' future is gone
    out = run(d, "continue")
    assert "ext_interrupt_to_host" in out and d.session.get("paca.kvm_hstate.host_ipi") == 1


def test_reverse_nexti_and_nexti_over_a_call(tmp_path):
    src = tmp_path / "call.S"
    src.write_text("start:\n\tli\tr3, 1\n\tbl\tsub\n\tli\tr5, 5\n\tb\tout\nsub:\n\taddi\tr3, r3, 1\n"
                   "\taddi\tr3, r3, 1\n\tblr\nout:\n\tnop\n")
    d = DebugEngine.from_source(str(src), "start")
    run(d, "stepi")
    run(d, "nexti")                                            # over the bl: stops at its return address
    assert d.pc == 0x100008 and d.session.get("r3") == 3
    run(d, "reverse-nexti")                                    # back over the whole call
    assert d.pc == 0x100004 and d.session.get("r3") == 1
    run(d, "stepi")
    assert run(d, "bt").startswith("#0  0x0000000000100010 in sub ()")
    out = run(d, "finish")
    assert out.startswith("Run till exit from #0  0x0000000000100010 in sub ()") and d.pc == 0x100008
    assert run(d, "continue").endswith("[Run ended (end-of-code) after 8 instructions: ran past the end of the code]"
                                       "\nPath: start -> sub -> out")


def test_finish_without_a_return_address_runs_to_the_end():
    d = debug()
    assert "reached ext_interrupt_to_host" in run(d, "finish")


def test_until_and_advance():
    d = debug()
    out = run(d, "advance upstream 752")
    assert "104 [752]" in out and d.pc == 0x1000BC
    assert "[icp[0]: MFRR <- 0x04 (IPI presented, CPPR 0xff)]" in run(d, "stepi")
    run(d, "until")
    assert d.pc == 0x1000C4
    assert "Argument required" in fails(d, "advance")


def test_step_and_next_by_source_line():
    d = debug()
    run(d, "step 2")
    assert d.pc == 0x100024 and d.location().line == 31
    run(d, "next")
    assert d.location().line == 35
    run(d, "reverse-step")
    assert d.location().line == 31
