"""`ppcinterp gdbserver` with the real client: gdb-multiarch -batch -nx against the server over a pipe (--stdio)
and over a loopback port, asserting on gdb's own output. The race scenario is the issue's acceptance script:
a breakpoint on the host_ipi re-check, the PACA byte, reverse-stepi to the MFRR clear, a watchpoint that the
host's racing write trips, the core's threads, `monitor info icp`, and the end of the run."""

from __future__ import annotations

import subprocess
import sys

import pytest
from gdbserver_support import FRAGMENT, RACE, ROOT, SCENARIOS, Server, gdb, need_gdb, stdio_target

# what the fragment's line 85 and the MFRR clear look like in gdb
RECHECK = "85\t\tlbz\tr0, HSTATE_HOST_IPI(r13)"
MFRR_CLEAR = "77\t\tstbcix\tr0, r5, r6\t\t/* clear the IPI */"
HOST_IPI = "$r13+789"             # HSTATE_HOST_IPI's offset in the PACA (pseries_defconfig)


@pytest.fixture(scope="module")
def elf(tmp_path_factory) -> str:
    need_gdb()
    out = tmp_path_factory.mktemp("elf") / "frag.elf"
    subprocess.run([sys.executable, "-m", "ppcinterp", "elf", str(FRAGMENT), "-o", str(out)], check=True,
                   capture_output=True, timeout=120, cwd=ROOT)
    return str(out)


def acceptance(target: str, elf: str) -> str:
    return gdb(f"file {elf}", target, "break book3s_hv_rmhandlers.S:85", "continue", "p $lpcr",
               "monitor print lpcr", f"x/1xb {HOST_IPI}", "reverse-stepi 3", "info threads", "monitor info icp",
               "delete", "continue")


def check_acceptance(said: str) -> None:
    assert "Breakpoint 1 at 0x100090: file" in said and "book3s_hv_rmhandlers.S, line 85." in said
    assert "Breakpoint 1, L1_713 () at" in said, said
    at_break = said.split("Breakpoint 1, L1_713 () at", 1)[1]
    assert at_break.splitlines()[1] == RECHECK
    lines = said.splitlines()
    i = lines.index(next(line for line in lines if line.startswith("$1 = ")))
    assert lines[i] == lines[i + 1], "gdb's $lpcr is our lpcr (monitor print lpcr)"
    assert "0x2000315:\t0x01" in said                     # host_ipi, set by the host's racing event
    assert f"\n{MFRR_CLEAR}\n" in said                    # reverse-stepi 3 lands on the MFRR clear
    assert '* 1    Thread 1 "hw thread 0" (executing)' in said
    # our own ICP view, via monitor: before the MFRR clear, the host's IPI is there
    assert "* icp[0] at 0x3fffe00000000: CPPR 0x04  MFRR 0x04" in said
    assert "[Inferior 1 (Remote target) exited normally]" in said
    assert "Path: 1:713 -> 1:751 -> ext_interrupt_to_host" in said       # the end of the run, said on gdb's console


def watch_from_start(target: str) -> str:
    """The issue's watch (a software watchpoint: it depends on $r13, so gdb steps), then in a second session the
    same byte by address (Z2, Z3, Z4: hardware watchpoints, our stop replies), forward and backward."""
    return (gdb(target, f"watch *(unsigned char *)({HOST_IPI})", "continue", "x/i $pc") +
            gdb(target, "watch *(unsigned char *)0x2000315", "rwatch *(unsigned char *)0x2000315", "continue",
                "continue", "reverse-continue", "delete", "awatch *(unsigned int *)0x2000314", "continue", "delete",
                "continue"))


def check_watch(said: str) -> None:
    soft, hard = said.split("Hardware watchpoint 1", 1)
    assert "Watchpoint 1: *(unsigned char *)($r13+789)" in soft, said
    assert "Old value = 0 '\\000'\nNew value = 1 '\\001'" in soft
    # the host's write fires on arriving at the MFRR clear (the scenario's `at = "upstream 725"`)
    assert f"\n{MFRR_CLEAR}\n" in soft.split("New value = 1")[1]
    assert "=> 0x100084 <L1_713+16>:\tstbcix  r0,r5,r6" in soft
    # rwatch: the first host_ipi check reads it (gdb shows the stop after the load)
    assert "Hardware read watchpoint 2: *(unsigned char *)0x2000315\n\nValue = 0 '\\000'" in hard
    assert "42\t\tcmpwi\tr0, 0" in hard
    assert "Old value = 0 '\\000'\nNew value = 1 '\\001'\nL1_713 () at " in hard
    # backward: the value goes back to 0 before the host's write
    assert "Old value = 1 '\\001'\nNew value = 0 '\\000'" in hard
    assert "Hardware access (read/write) watchpoint 3: *(unsigned int *)0x2000314\n\nOld value = 0\nNew value = 65536" \
        in hard
    assert "[Inferior 1 (Remote target) exited normally]" in hard


def test_acceptance_over_stdio(elf):
    check_acceptance(acceptance(stdio_target(str(RACE)), elf))
    check_watch(watch_from_start(stdio_target(str(RACE))))


def test_acceptance_over_tcp_and_the_next_client(elf):
    """The same over `target remote :PORT`; each client that leaves makes way for the next, from the start."""
    with Server(str(RACE)) as server:
        check_acceptance(acceptance(f"target remote :{server.port}", elf))
        check_watch(watch_from_start(f"target remote 127.0.0.1:{server.port}"))
        said = gdb(f"target remote :{server.port}", "stepi", "detach")
        assert "27\t\tbeq\thcall_try_real_mode" in said and "[Inferior 1 (Remote target) detached]" in said
        said = gdb(f"target remote :{server.port}", "info registers pc")
        assert "pc             0x10001c" in said          # the next client starts at the entry again
        assert server.proc.poll() is None and server.said("client left", 5)
    assert "internal error" not in server.stderr


def test_once_exits_after_the_first_client():
    with Server(str(RACE), "--once") as server:
        gdb(f"target remote :{server.port}", "stepi")
        assert server.proc.wait(60) == 0


def test_exec_file_without_file_and_gdb_registers():
    """No `file`: gdb reads the ELF the server names (qXfer:exec-file) through vFile; the target description's
    registers."""
    said = gdb(stdio_target(str(RACE)), "info registers lpcr hsrr0 pir", "p $hsrr0", "p/x $msr", "p $f1",
               "p $vr0.v4_int32", "p $vs0.uint128", "info registers fpscr", "p $sprg0", "set var $hsrr0 = 0x1234",
               "p/x $hsrr0", "monitor print/x hsrr0", "set var $r3 = 0xdead", "monitor print/x r3",
               "monitor set var lpcr = 0x4000800", "monitor set var sprg2 = 77", "maintenance flush register-cache",
               "p/x $lpcr", "p $sprg2")
    assert "Reading symbols from target:/" in said and "book3s_hv_rmhandlers.elf..." in said
    assert "L25_119 () at" in said and "book3s_hv_rmhandlers.S:26" in said
    assert "lpcr           0x0" in said and "hsrr0          0x0" in said and "pir            0x0" in said
    assert "$1 = 0\n" in said and "$3 = 0\n" in said and "$4 = {0, 0, 0, 0}" in said and "$5 = 0\n" in said
    assert "$2 = 0x9000000000000000" in said or "$2 = 0x" in said
    assert "fpscr          0x0" in said
    assert "$7 = 0x1234\n$1 = 0x1234" in said           # gdb's write went into our state (our own $1)
    assert "$2 = 0xdead" in said
    assert "(gdb has not seen this change" in said                     # monitor says gdb's cache is stale
    assert "$8 = 0x4000800\n$9 = 77" in said                            # our SPRs, read again by gdb


def test_device_reads_have_no_side_effects():
    """x/8xb on the ICP through gdb shows what our own `x` shows; reading XIRR through gdb does not accept the
    IPI (it is still presented afterwards, and the MFRR still holds it)."""
    said = gdb(stdio_target(str(SCENARIOS / "kvm_ipi_no_ee.toml")), "x/8xb 0x3fffe00000000",
               "monitor x/8xb 0x3fffe00000000", "x/1xw 0x3fffe00000004", "monitor info icp")
    lines = said.splitlines()
    ours = next(line for line in lines if line.startswith("0x3fffe00000000 <icp[0].XIRR_POLL>:"))
    theirs = next(line for line in lines if line.startswith("0x3fffe00000000:"))
    assert theirs.split(":", 1)[1] == ours.split(":", 1)[1] == "\t0xff\t0x00\t0x00\t0x02" * 2
    assert "0x3fffe00000004:\t0xff000002" in said
    assert "CPPR 0xff  MFRR 0x04  pending sources: none  presenting: IPI at 0x04  XIRR (poll) 0xff000002" in said


def test_breakpoints_leave_the_code_alone():
    """A software breakpoint is the engine's, never a trap word: gdb's x, our x and x/i, and execution see the
    code as assembled."""
    said = gdb(stdio_target(str(RACE)), "break *0x100090", "set breakpoint always-inserted on", "x/1xw 0x100090",
               "monitor x/1xw 0x100090", "monitor x/1i 0x100090", "continue", "x/1xw 0x100090", "stepi",
               "info registers pc", "p $r0")
    assert said.count(":\t0x880d0315") == 3                     # lbz r0,789(r13), as assembled
    assert "0x100090 <1:713+28>:\tlbz r0, 789(r13)" in said
    assert "pc             0x100094" in said and "$1 = 1" in said   # the lbz executed: host_ipi is 1


def test_threads_of_the_core():
    said = gdb(stdio_target(str(SCENARIOS / "hunk4_wake_siblings.toml")), "info threads", "thread 3",
               "p/x $r13", "monitor print/x thread[2].r13", "stepi", "info threads", "monitor info threads")
    for n in range(1, 6):
        assert f'Thread {n} "hw thread {n - 1}"' in said
    assert "[Switching to thread 3 (Thread 3)]" in said
    assert "$1 = 0x2000800\n$1 = 0x2000800" in said          # Hg: thread 3's registers are hw thread 2's
    assert '* 3    Thread 3 "hw thread 2" (executing)' in said  # stepi on thread 3 made it the core's
    assert "* 2    hw thread 2" in said


def test_ctrl_c_stops_a_running_continue(tmp_path):
    """gdb's Ctrl-C (SIGINT to gdb, which sends the interrupt byte) stops a continue of an endless loop."""
    src = tmp_path / "spin.S"
    src.write_text("\t.text\n\t.globl spin\nspin:\n\taddi r3,r3,1\n\tb spin\n")
    said = gdb(stdio_target(str(src), "--entry", "spin"), "monitor set step-limit 2000000000",
               "python import threading, os, signal; "
               "threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()",
               "continue", "p $r3 > 0", "stepi", "reverse-stepi", "info registers pc")
    assert "Program received signal SIGINT, Interrupt." in said, said
    assert "$1 = 1" in said
    assert "pc             0x100000" in said


def test_a_fault_is_a_signal_then_the_end(tmp_path):
    """A fault stops as SIGSEGV at the faulting instruction, with our report: it can be looked at and reversed;
    going on from it ends the process."""
    src = tmp_path / "fault.S"
    src.write_text("\t.text\n\t.globl f\nf:\n\tli r4,8\n\tld r3,0(r4)\n\tblr\n")
    said = gdb(stdio_target(str(src), "--entry", "f"), "continue", "p $r4", "reverse-stepi", "p $pc", "continue",
               "continue")
    first, again = said.split("Program received signal SIGSEGV, Segmentation fault.", 2)[1:]
    assert "load of 8 bytes at 0x8 (r4 = 0x8) is outside every mapped region" in said
    assert first.splitlines()[2] == "5\t\tld r3,0(r4)" and "$1 = 8" in first
    assert "$2 = (void (*)()) 0x100004 <f+4>" in first
    assert "Program terminated with signal SIGSEGV, Segmentation fault." in again


def test_bad_command_lines_are_messages(tmp_path):
    for args in (["nosuch.toml", "--stdio"], [str(RACE), "--listen", "99999"], [str(RACE), "--listen", "x:y"],
                 [str(FRAGMENT), "--stdio"], [str(RACE)]):
        r = subprocess.run([sys.executable, "-m", "ppcinterp", "gdbserver", *args], capture_output=True,
                           text=True, timeout=120, cwd=ROOT, stdin=subprocess.DEVNULL)
        assert r.returncode != 0 and r.returncode != 70, (args, r.stderr)
        assert "Traceback" not in r.stderr and r.stderr.strip(), (args, r.stderr)


def test_another_address_warns():
    with Server(str(RACE), listen="0.0.0.0:0") as server:
        assert "no authentication" in server.stderr
    with Server(str(RACE)) as server:
        assert "warning" not in server.stderr
