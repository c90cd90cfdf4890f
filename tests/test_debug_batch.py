"""`ppcinterp debug` from the command line: batch sessions (-x scripts, -ex commands), their exit status and
messages, and the line-mode prompt fed from stdin."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT, ppc

RACE = "asm/scenarios/race_host_ipi.toml"
SCRIPT = ROOT / "asm" / "debug" / "race.gdb"


def in_order(text: str, *facts: str) -> None:
    at = 0
    for fact in facts:
        found = text.find(fact, at)
        assert found >= 0, f"{fact!r} not found after position {at} in:\n{text}"
        at = found + len(fact)


def test_the_race_story_in_batch_mode():
    before = SCRIPT.read_bytes()
    r = ppc("debug", RACE, "--batch", "-x", "asm/debug/race.gdb")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    in_order(r.stdout,
             "Breakpoint 1 at 0x100090: file asm/book3s_hv_rmhandlers.S, line 85 (upstream 733).",
             "Breakpoint 1, 0x0000000000100090 in 1:713 () at asm/book3s_hv_rmhandlers.S:85 (upstream 733)",
             "$1 = 1 '\\001'",                                     # the host's host_ipi (a u8), seen at the re-check
             "0x0000000000100084\t77 [725]\t\tstbcix\tr0, r5, r6",  # back at the MFRR clear
             "* icp[0] at 0x3fffe00000000: CPPR 0x04  MFRR 0x04",  # MFRR before the clear: the host's IPI
             "$2 = 0x4",
             "[icp[0]: MFRR <- 0xff (IPI withdrawn)]",             # the clear, replayed
             "104 [752]\t\tstbcix\tr0, r5, r6",                   # at the re-raise
             "[icp[0]: MFRR <- 0x04 (IPI presented, CPPR 0xff)]",  # MFRR <- 0x04 again
             "MFRR 0x04  pending sources: none  presenting: IPI at 0x04",
             "[Run ended after 30 instructions: reached ext_interrupt_to_host at the end of hunk 3]",
             "Path: 1:713 -> 1:751 -> ext_interrupt_to_host")
    assert SCRIPT.read_bytes() == before                         # a script is only read


def test_ex_commands_run_after_the_script_in_order(tmp_path):
    script = tmp_path / "s.gdb"
    script.write_text("# comment\n\nbreak upstream 733   \n  # indented comment\nrun\n")
    r = ppc("debug", RACE, "--batch", "-x", str(script), "-ex", "print/x $r0", "-ex", "stepi", "-ex", "print $r0")
    assert r.returncode == 0, r.stderr
    in_order(r.stdout, "Breakpoint 1, 0x0000000000100090", "$1 = 0xff", "r0: 0xff -> 0x1", "$2 = 1")


def test_a_bad_command_in_a_script_says_where_and_fails(tmp_path):
    script = tmp_path / "bad.gdb"
    script.write_text("break upstream 733\nprint nosuch\nrun\n")
    r = ppc("debug", RACE, "--batch", "-x", str(script), "-ex", "print 2")
    assert r.returncode == 1
    assert r.stderr == f"{script}:2: Error in sourced command file:\nNo symbol \"nosuch\" in current context.\n"
    assert "Breakpoint 1," not in r.stdout             # the rest of the script is skipped (as gdb does)
    assert "$1 = 2" in r.stdout                      # -ex commands still run


def test_a_failing_ex_command_fails_the_session():
    r = ppc("debug", RACE, "--batch", "-ex", "frobnicate", "-ex", "print 1")
    assert r.returncode == 1
    assert r.stderr == 'Undefined command: "frobnicate".  Try "help".\n'
    assert r.stdout == "$1 = 1\n"
    assert "Traceback" not in r.stderr


def test_an_unreadable_script(tmp_path):
    missing = tmp_path / "missing.gdb"
    r = ppc("debug", RACE, "--batch", "-x", str(missing))
    assert r.returncode == 1
    assert r.stderr.startswith(f"{missing}: cannot read the command file: ")
    assert not missing.exists()


def test_a_source_file_with_an_entry():
    r = ppc("debug", "asm/book3s_hv_rmhandlers.S", "--entry", "hunk 5", "--batch", "-ex", "info frame",
            "-ex", "set var cr0 = 2", "-ex", "continue")
    assert r.returncode == 0, r.stderr
    in_order(r.stdout, " pc = 0x1000e8 in hunk 5 (asm/book3s_hv_rmhandlers.S:126 (upstream 1700))",
             "[Run ended after 2 instructions: fell off the end of hunk 5 after its last line",
             "Path: 37:1706 -> end of hunk 5")


def test_option_errors():
    r = ppc("debug", "asm/book3s_hv_rmhandlers.S", "--batch")
    assert r.returncode == 1 and "--entry is needed" in r.stderr
    r = ppc("debug", RACE, "--cpu", "PPC970", "--batch")
    assert r.returncode == 1 and "--cpu: these options are for a source file" in r.stderr
    r = ppc("debug", "asm/book3s_hv_rmhandlers.S", "--entry", "nosuch", "--batch")
    assert r.returncode == 1 and "unknown entry 'nosuch'" in r.stderr and "Traceback" not in r.stderr
    r = ppc("debug", "nosuch.toml", "--batch")
    assert r.returncode == 1 and "cannot read scenario" in r.stderr


def test_the_prompt_reads_commands_until_eof():
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    r = subprocess.run([sys.executable, "-m", "ppcinterp", "debug", RACE], input="print 1+1\n\nfrobnicate\n",
                       cwd=ROOT, capture_output=True, text=True, env=env)
    assert r.returncode == 0
    assert r.stdout.startswith("ppcinterp debugger: asm/scenarios/race_host_ipi.toml (CPU POWER7, 1 hardware thread)")
    in_order(r.stdout, "(ppc) ", "$1 = 2", "(ppc) ", "$2 = 2", "(ppc) ", "(ppc) quit")
    assert 'Undefined command: "frobnicate".' in r.stderr


def test_quit_ends_the_prompt():
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    r = subprocess.run([sys.executable, "-m", "ppcinterp", "debug", RACE, "-ex", "break upstream 733"],
                       input="quit\nprint 5\n", cwd=ROOT, capture_output=True, text=True, env=env)
    assert r.returncode == 0 and "Breakpoint 1 at 0x100090" in r.stdout and "$1" not in r.stdout


def test_ram_size_for_a_source_and_a_scenario(tmp_path):
    # A load 1 MiB past RAM's start faults with the default 1M and reads 0 with --ram-size 2M.
    src = tmp_path / "r.S"
    src.write_text("\t.text\nf:\n\tlis r4, 0x110\n\tld r3, 0(r4)\n\tblr\n")
    base = ["debug", str(src), "--entry", "f", "--batch", "-ex", "si 2", "-ex", "p $r3"]
    assert "is outside every mapped region" in ppc(*base).stdout
    r = ppc(*base, "--ram-size", "2M")
    assert r.returncode == 0 and "outside" not in r.stdout and "$1 = 0" in r.stdout, r.stdout + r.stderr
    r = ppc("debug", RACE, "--ram-size", "2M", "--batch", "-ex", "p *(unsigned long *)0x1100000")
    assert r.returncode == 0 and "$1 = 0" in r.stdout, r.stdout + r.stderr
    r = ppc("debug", RACE, "--batch", "-ex", "p *(unsigned long *)0x1100000")
    assert "$1 = 0" not in r.stdout
    r = ppc("debug", RACE, "--ram-size", "3", "--batch")
    assert r.returncode == 2 and "--ram-size" in r.stderr


def test_a_race_study_is_not_debugged_as_one_thread():
    r = ppc("debug", "asm/studies/ipi_handler_vs_sender.toml", "--batch", "-ex", "info threads")
    assert r.returncode == 1 and "Traceback" not in r.stderr and "hw thread" not in r.stdout
    assert "ipi_handler_vs_sender.toml:23:3: error: a race study ([[race]] threads) is explored with " \
           "`ppcinterp interleave`" in r.stderr
