"""gdb's habits in the debugger's command language, each compared with what gdb 13 (gdb-multiarch) prints for the
same command on a C program of the same shapes: print's decimal default and formats, C types and casts, whole
structures, convenience variables and value history, labels and `info symbol`, scripting (echo, printf,
output, define, document, if, while, source), completion (the `complete` command and Tab at the line prompt),
breakpoints on lines between hunks, the runs of a scenario with [[then]], and `help`."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time

import pytest
from conftest import ROOT, ppc
from debugger_support import at_root, run  # noqa: F401 - at_root: autouse

from ppcinterp.debug.engine import DebugEngine
from ppcinterp.debug.registry import COMMANDS

RACE = "asm/scenarios/race_host_ipi.toml"
SIBLINGS = "asm/scenarios/hunk4_wake_siblings.toml"
GUEST = "tests/data/guest_exit_fault.toml"


def fails(d: DebugEngine, line: str) -> str:
    out = d.execute(line)
    assert not d.last_ok, f"{line!r} should have failed: {out}"
    return out


def test_the_acceptance_session_answers_as_gdb_would():
    r = ppc("debug", RACE, "--batch", "-ex", "set $a = paca.kvm_hstate.host_ipi", "-ex", "p $a",
            "-ex", "p/x *(unsigned char *)($r13 + 725)", "-ex", "p paca.kvm_hstate",
            "-ex", "info symbol ext_interrupt_to_host")
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout == (
        "$1 = 0 '\\000'\n"
        "$2 = 0x0\n"
        "$3 = {host_r1 = 0x0, host_r2 = 0x0, host_msr = 0, vmhandler = 0x0, scratch0 = 0, scratch1 = 0, "
        "in_guest = 0 '\\000', restore_hid5 = 0 '\\000', napping = 0 '\\000', hwthread_req = 0 '\\000', "
        "hwthread_state = 0 '\\000', host_ipi = 0 '\\000', kvm_vcpu = 0x0, kvm_vcore = 0x0, "
        "xics_phys = 0x3fffe00000000 <icp[0].XIRR_POLL>, saved_xirr = 0, dabr = 0, host_mmcr = {0, 0, 0}, "
        "host_pmc = {0, 0, 0, 0, 0, 0, 0, 0}, host_purr = 0, host_spurr = 0, host_dscr = 0, dec_expires = 0, "
        "cfar = 0}\n"
        "ext_interrupt_to_host in section .text\n")


def test_print_is_decimal_and_formats_are_gdbs():
    d = DebugEngine.from_scenario(RACE)
    run(d, "break upstream 733", "run")
    assert run(d, "p paca.kvm_hstate.host_ipi") == "$1 = 1 '\\001'"         # a u8 prints as unsigned char
    assert run(d, "p/x paca.kvm_hstate.host_ipi") == "$2 = 0x1"
    assert run(d, "p $r3") == "$3 = 4278190082"                              # long: decimal
    assert run(d, "p/x -1") == "$4 = 0xffffffff"                             # a constant is an int
    assert run(d, "p/u -5") == "$5 = 4294967291"
    assert run(d, "p/x -1L") == "$6 = 0xffffffffffffffff"
    assert run(d, "p/c 65") == "$7 = 65 'A'" and run(d, "p/c 200") == "$8 = -56 '\\310'"
    assert run(d, "p/t 10") == "$9 = 1010" and run(d, "p/o 8") == "$10 = 010" and run(d, "p/o 0") == "$11 = 0"
    assert run(d, "p/d (unsigned char)200") == "$12 = -56" and run(d, "p/u (char)-56") == "$13 = 200"
    assert run(d, "p/z 5") == "$14 = 0x00000005"
    assert run(d, "p -7 / 2") == "$15 = -3" and run(d, "p -7 % 2") == "$16 = -1"        # C truncates
    assert fails(d, "p 1/0") == "Division by zero"
    assert run(d, "p 1 == 1") == "$17 = 1" and run(d, "p ~0") == "$18 = -1"
    assert run(d, "p 'A'") == "$19 = 65 'A'"
    assert run(d, "p/a 0x1000c8") == "$20 = 0x1000c8 <ext_stash_for_host>"
    assert run(d, "output 5") == "5" and d.commands.raw == "5"               # no $N, no newline, no history
    assert run(d, "p $") == "$21 = 1048776"                                 # output kept nothing: $ is $20


def test_registers_by_gdbs_names_and_their_types():
    d = DebugEngine.from_scenario(RACE)
    run(d, "set var $r1 = 0x1000ff0", "set var $r2 = 0x108000", "set var $lr = 0x1000c8")
    assert run(d, "p $sp") == "$1 = (void *) 0x1000ff0"                      # gdb's $sp is r1
    assert run(d, "p $toc") == "$2 = (void *) 0x108000"                      # the ELFv1 TOC pointer, r2
    assert run(d, "p $pc") == "$3 = (void (*)()) 0x10001c <hunk 3>"
    assert run(d, "p $lr") == "$4 = (void (*)()) 0x1000c8 <ext_stash_for_host>"
    msr = d.session.get("msr")
    assert run(d, "p $ctr") == "$5 = 0" and run(d, "p $msr") == f"$6 = {msr - (1 << 64) if msr >> 63 else msr}"
    assert run(d, "p/x $msr") == f"$7 = {msr:#x}"
    assert run(d, "p $hsrr0") == "$8 = 0" and run(d, "p $lpcr") == "$9 = 0" and run(d, "p $xer") == "$10 = 0"
    assert run(d, "p $cr") == "$11 = 0" and run(d, "p $cr0") == "$12 = 0"
    run(d, "set $sp = $sp - 16")
    assert d.session.get("r1") == 0x1000FE0


def test_casts_and_memory_through_pointers():
    d = DebugEngine.from_scenario(RACE)
    run(d, "break upstream 733", "run", "set var mem64[0x1000000] = 0x0102030405060708")
    assert run(d, "p *(unsigned char *)($r13 + 0x315)") == "$1 = 1 '\\001'"
    assert run(d, "p *(u8 *)&paca.kvm_hstate.host_ipi") == "$2 = 1 '\\001'"
    assert run(d, "p {u8}($r13 + 0x315)") == "$3 = 1 '\\001'"
    assert run(d, "p {unsigned int}0x1000000") == "$4 = 16909060"
    assert run(d, "p/x *(unsigned long *)0x1000000") == "$5 = 0x102030405060708"
    assert run(d, "p *(short *)0x1000006") == "$6 = 1800"
    assert run(d, "p (char)$r3") == "$7 = 2 '\\002'"
    assert run(d, "p (s8)0xff") == "$8 = -1 '\\377'" and run(d, "p (u16)-1") == "$9 = 65535"
    assert run(d, "p *(long long *)0x1000000 >> 56") == "$10 = 1"
    assert run(d, "p (unsigned char *)0x1000000") == \
        '$11 = (unsigned char *) 0x1000000 "\\001\\002\\003\\004\\005\\006\\a\\b"'
    assert run(d, "p &paca.kvm_hstate.host_ipi") == \
        '$12 = (unsigned char *) 0x2000315 <paca[0].kvm_hstate.host_ipi> "\\001"'
    assert run(d, "p sizeof(unsigned long)") == "$13 = 8" and run(d, "p sizeof paca") == "$14 = 1024"
    assert run(d, "x/4xb $r13+0x315") == "0x2000315 <paca[0].kvm_hstate.host_ipi>:\t0x01\t0x00\t0x00\t0x00"
    icp = d.machine.icps[0]
    before = (icp.cppr, icp.mfrr, icp.pending)
    assert run(d, "p/x *(unsigned int *)&icp[0]") == f"$15 = {icp.xirr():#x}"    # as a poll reads it: no accept
    assert (icp.cppr, icp.mfrr, icp.pending) == before
    assert fails(d, "p *$r1") == "Attempt to take contents of a non-pointer value."
    assert fails(d, "p *(void *)$r1") == "Attempt to take contents of a non-pointer value."
    assert fails(d, "p (struct nosuch *)0 + paca") == "Argument to arithmetic operation not a number or boolean."
    assert fails(d, "p *(unsigned char *)0") == "Cannot access memory at address 0x0"
    assert fails(d, "p (frobnicate *)0") == "A syntax error in expression, near `)0'."


def test_whole_structures_in_gdbs_shape():
    d = DebugEngine.from_scenario(SIBLINGS)
    out = run(d, "p paca[1]")
    assert out.startswith("$1 = {lppaca_ptr = 0x0, lock_token = 0, paca_index = 0, ") and \
        ", context = {id = 0, low_slices_psize = 0, high_slices_psize = 0}, " in out and \
        ", kvm_hstate = {host_r1 = 0x0, " in out and out.endswith(", cfar = 0}}")
    hx = run(d, "p/x paca[1].kvm_hstate")
    assert "in_guest = 0x0, " in hx and "xics_phys = 0x3fffe00001000, " in hx and "host_pmc = {0x0, 0x0, " in hx
    assert run(d, "p icp[1]") == "$3 = {xirr = 4278190080, cppr = 255 '\\377', mfrr = 255 '\\377', pending = {}}"
    assert run(d, "p/x icp[1]") == "$4 = {xirr = 0xff000000, cppr = 0xff, mfrr = 0xff, pending = {}}"
    assert run(d, "p paca[1].kvm_hstate.host_pmc") == "$5 = {0, 0, 0, 0, 0, 0, 0, 0}"
    assert fails(d, "p paca[7]") == "paca[7] does not exist (the core has 5 threads)"
    assert fails(d, "p paca + 1") == "Argument to arithmetic operation not a number or boolean."
    g = DebugEngine.from_scenario(GUEST)
    arch = run(g, "p vcpu.arch")
    assert "slb = {{orige = 0, origv = 0} <repeats 64 times>}, slb_max = 5, " in arch   # gdb's repeats
    assert "vr = {{uint128 = 0x00000000000000000000000000000000, v4_int32 = {0x0, 0x0, 0x0, 0x0}} <repeats 32 " \
        "times>}" in arch


def test_convenience_variables_and_value_history():
    d = DebugEngine.from_scenario(RACE)
    assert run(d, "p $nosuch") == "$1 = void"                                # never set: void, as in gdb
    run(d, "set $n = 3")
    assert run(d, "p $n") == "$2 = 3" and run(d, "p $n * 2") == "$3 = 6"
    run(d, "set var $m = $n + 1")
    assert run(d, "p $m") == "$4 = 4"
    assert run(d, "p $") == "$5 = 4" and run(d, "p $$") == "$6 = 4" and run(d, "p $$3") == "$7 = 6"
    assert run(d, "p $1") == "$8 = void" and run(d, "p $$0") == "$9 = void"
    assert fails(d, "p $99") == "History has not yet reached $99."
    run(d, "set $c = paca.kvm_hstate.host_ipi")                              # the value and its type: a u8
    assert run(d, "p $c") == "$10 = 0 '\\000'"
    run(d, "x/2xw &paca.kvm_hstate.saved_xirr")
    assert run(d, "p $_") == "$11 = (int32_t *) 0x2000334 <paca[0]+0x334>"     # the last word examined
    assert run(d, "p $__") == "$12 = 0"
    run(d, "break hunk 4", "tbreak upstream 733")
    assert run(d, "p $bpnum") == "$13 = 2"
    run(d, "set var $r11 = 0x8000")                                          # registers are still registers
    assert d.session.get("r11") == 0x8000 and "r11" not in d.values.convenience
    assert fails(d, "set var $r99 = 1") == "Invalid register `r99'"


def test_labels_and_symbols_as_gdb_shows_them():
    d = DebugEngine.from_scenario(RACE)
    assert run(d, "p ext_interrupt_to_host") == "$1 = {<text variable, no debug info>} 0x1000cc <ext_interrupt_to_host>"
    assert run(d, "p ext_stash_for_host + 4") == \
        "$2 = (<text variable, no debug info> *) 0x1000cc <ext_interrupt_to_host>"
    assert run(d, "p &ext_stash_for_host") == "$3 = (<text variable, no debug info> *) 0x1000c8 <ext_stash_for_host>"
    assert run(d, "info symbol ext_interrupt_to_host") == "ext_interrupt_to_host in section .text"
    assert run(d, "info symbol 0x1000d0") == "hunk 4 + 4 in section .text"
    assert run(d, "info symbol &paca.kvm_hstate.host_ipi") == "paca[0].kvm_hstate.host_ipi in section paca"
    assert run(d, "info symbol 0") == "No symbol matches 0."
    assert run(d, "info address ext_stash_for_host") == \
        'Symbol "ext_stash_for_host" is at 0x1000c8 in a file compiled without debugging.'
    assert run(d, "info address paca.kvm_hstate.host_ipi") == \
        'Symbol "paca[0].kvm_hstate.host_ipi" is static storage at address 0x2000315.'
    assert run(d, "info address r3") == 'Symbol "r3" is a variable in $r3.'
    assert run(d, "info line upstream 733") == 'Line 85 of "asm/book3s_hv_rmhandlers.S" (upstream 733) starts at ' \
        "address 0x100090 <1:713+28> and ends at 0x100094 <1:713+32>."


def test_a_line_between_hunks_is_an_error_naming_them():
    d = DebugEngine.from_scenario(RACE)
    assert fails(d, "break 113") == (
        "Line 113 has no code after it in hunk 3 (lines 26-116, upstream 674-764). The next code, line 118 "
        "[upstream 901], is hunk 4's (lines 118-124, upstream 901-907), another place in the upstream file: "
        "`break 118` stops there.")
    assert fails(d, "break upstream 764").startswith("Upstream line 764 has no code after it in hunk 3")
    assert not d.points.items
    assert run(d, "break 111") == "Breakpoint 1 at 0x1000c8: file asm/book3s_hv_rmhandlers.S, line 112 (upstream 760)."
    assert run(d, "break 118").startswith("Breakpoint 2 at 0x1000cc: file asm/book3s_hv_rmhandlers.S, line 118")


def test_every_run_of_a_scenario_is_played_in_turn():
    d = DebugEngine.from_scenario(SIBLINGS)
    assert (d.run_index, d.run_count) == (1, 3)
    out = run(d, "continue")
    assert "[Run 1 of 3 ended after 7 instructions: " in out and "(`continue` starts run 2 of 3" in out
    out = run(d, "continue")
    assert out.startswith("Continuing.\nStarting run 2 of 3: thread 2 is not napping (entry hunk 4 at 0x1000cc; "
                          "cr0 = 2)\n[Run 2 of 3 ended after 3 instructions")
    assert d.run_index == 2
    run(d, "continue")                                    # starts run 3 and plays it to its end
    assert d.run_index == 3 and d.session.get("icp[3].mfrr") == 4 and d.session.get("r6") == 0x2001000
    assert fails(d, "continue").startswith("The run has ended")
    assert run(d, "info runs").splitlines()[3].startswith("* 3    hunk 4           cr0 = 4  (thread 3 naps)")
    run(d, "reverse-stepi 8")                             # back over run 3's 7 instructions, into run 2
    assert d.run_index == 2
    out = run(d, "continue")                              # replaying forward stops where run 3 starts
    assert "[Run 2 of 3 ended after 3 instructions" in out and "Starting run 3 of 3: thread 3 naps" in out
    assert d.run_index == 3 and d.pc == 0x1000CC
    out = run(d, "run 2")
    assert out.startswith("Starting run 2 of 3") and d.run_index == 2 and d.pc == 0x1000CC
    assert fails(d, "run 4") == "There is no run 4: the scenario has 3 runs."
    run(d, "run")
    assert d.run_index == 1


def test_scripts_define_document_if_while_printf_echo(tmp_path):
    script = tmp_path / "s.gdb"
    inner = tmp_path / "inner.gdb"
    inner.write_text('printf "inner %s %d\\n", "sourced", 7\n')
    script.write_text(f"""
define hello
  echo hi $arg0\\n
  if $argc > 1
    printf "%d args, %#x %5d|%-4u|%c%c %lx %p %%\\n", $argc, $arg1, 42, 7, 72, 105, -1, 0
  else
    echo one arg\\n
  end
end
document hello
Say hello to ARG0.
It prints its arguments.
end
hello you 255
hello me
set $i = 0
while $i < 5
  set $i = $i + 1
  if $i == 2
    loop_continue
  end
  if $i == 4
    loop_break
  end
  output $i
  echo ,
end
echo \\n\\101\\t\\"q\\"\\n
source {inner}
help hello
""")
    r = ppc("debug", RACE, "--batch", "-x", str(script), "-ex", "help", "-ex", "echo no newline")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(
        "hi you\n2 args, 0xff    42|7   |Hi ffffffffffffffff (nil) %\n"
        "hi me\none arg\n"
        "1,3,\n"
        "A\t\"q\"\n"
        "inner sourced 7\n"
        "Say hello to ARG0.\nIt prints its arguments.\n")
    assert "\nUser-defined commands:\n\nhello -- Say hello to ARG0.\n" in r.stdout
    assert r.stdout.endswith("\nno newline")


@pytest.mark.parametrize("lines, message", [
    (["printf \"%d\\n\""], "Wrong number of arguments for specified format-string"),
    (["printf \"%d\\n\", 1, 2"], "Wrong number of arguments for specified format-string"),
    (["printf \"abc"], "Bad format string, non-terminated '\"'."),
    (["printf abc"], "Bad format string, missing '\"'."),
    (["printf \"%y\", 1"], "Unrecognized format specifier 'y' in printf"),
    (["printf \"%99999d\", 1"], "printf: a width or precision above 4096 ('%99999d')."),
    (["define print"], '"print" is a built-in command; choose another name.'),
    (["define r", "r", "end", "r"], "Max user call depth exceeded -- command aborted."),
    (["while 1", "end"], "while 1: more than 10,000 passes; stopped."),
    (["loop_break"], "loop_break and loop_continue are for the inside of a while loop."),
    (["document nosuch"], 'Undefined command: "nosuch".  Try "help".'),
])
def test_script_commands_are_bounded_and_say_why(lines, message):
    d = DebugEngine.from_scenario(RACE)
    for line in lines[:-1]:
        run(d, line)
    assert fails(d, lines[-1]).endswith(message)


def test_source_of_a_file_sourcing_itself_ends_with_a_message(tmp_path):
    loop = tmp_path / "loop.gdb"
    loop.write_text(f"source {loop}\n")
    d = DebugEngine.from_scenario(RACE)
    assert fails(d, f"source {loop}").endswith("sourced files nest more than 64 deep (does it source itself?).")
    assert fails(d, "source /nonexistent/x.gdb") == "/nonexistent/x.gdb: No such file or directory."


def test_complete_lists_what_tab_offers():
    d = DebugEngine.from_scenario(RACE)
    assert run(d, "complete info re") == "info record\ninfo regions\ninfo registers"
    assert run(d, "complete b ext_") == "b ext_interrupt_to_host\nb ext_stash_for_host"
    assert run(d, "complete p $sp").splitlines()[0] == "p $sp"
    assert run(d, "complete p paca.kvm_hstate.host_i") == "p paca.kvm_hstate.host_ipi"
    assert run(d, "complete p/x IPI_PR") == "p/x IPI_PRIORITY"
    assert run(d, "complete help stepi") == "help stepi"
    assert run(d, "complete break hunk") == "break hunk 2\nbreak hunk 3\nbreak hunk 4\nbreak hunk 5"
    assert "info runs" in run(d, "complete info ").splitlines()
    run(d, "set $mine = 1")
    assert run(d, "complete p $mi") == "p $mine"
    assert run(d, "complete x/4xw $r1") .splitlines()[:2] == ["x/4xw $r1", "x/4xw $r10"]


def _pty_session(keys: list[bytes], timeout: float = 30) -> str:
    """The line prompt on a pseudo-terminal (as a user at a terminal has it), fed keys; what it printed."""
    pid, fd = pty.fork()
    if pid == 0:                                            # the child: the debugger in line mode
        os.chdir(ROOT)
        os.environ["TERM"] = "dumb"
        os.execv(sys.executable, [sys.executable, "-m", "ppcinterp", "debug", RACE, "--no-tui"])
    out = b""
    deadline = time.monotonic() + timeout

    def settle() -> None:
        """Read until the debugger has said nothing for a moment (or the deadline)."""
        nonlocal out
        while time.monotonic() < deadline:
            if not select.select([fd], [], [], 0.5)[0]:
                if out.rstrip().endswith((b"(ppc)", b"\x07")) or b"\n" in out[-200:] and b"(ppc)" in out[-200:]:
                    return
                continue
            try:
                out += os.read(fd, 4096)
            except OSError:
                return
    try:
        settle()
        for k in [*keys, b"quit\r"]:
            os.write(fd, k)
            settle()
    finally:
        os.waitpid(pid, 0)
        os.close(fd)
    return out.decode("utf-8", "replace").replace("\r\n", "\n")


def test_tab_completes_at_the_line_prompt():
    out = _pty_session([b"p paca.kvm_hstate.host_i\t\r", b"inf\t re\t\t", b"\x15info symbol ext_i\t\r"])
    assert "$1 = 0 '\\000'" in out                                   # the field name was completed
    assert re.search(r"record\s+regions\s+registers", out)                  # Tab Tab lists them
    assert "ext_interrupt_to_host in section .text" in out


def test_define_at_the_prompt_reads_its_body():
    p = subprocess.run([sys.executable, "-m", "ppcinterp", "debug", RACE, "--no-tui"], cwd=ROOT, text=True,
                       input="define twice\nprint $arg0 * 2\nend\ntwice 21\n", capture_output=True, timeout=60)
    assert 'Type commands for definition of "twice".\nEnd with a line saying just "end".' in p.stdout
    assert 'just "end".\n>>(ppc) $1 = 42' in p.stdout                   # `>`: the body's prompt


def test_every_help_line_is_a_whole_sentence():
    d = DebugEngine.from_scenario(RACE)
    rows = run(d, "help").splitlines()[2:-3]
    assert len(rows) == len(COMMANDS)
    for row in rows:
        assert row.endswith(".") and len(row) <= 120, row
    for name, cmd in COMMANDS.items():
        full = run(d, f"help {name}")
        assert full.startswith(cmd.usage) and cmd.doc in full
