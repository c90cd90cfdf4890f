"""The command line as a user runs it: subprocesses, exit statuses, what is printed."""

from __future__ import annotations

import pytest
from conftest import FRAGMENT, ppc


def test_check_fragment_with_no_flags():
    r = ppc("check", "asm/book3s_hv_rmhandlers.S")
    assert r.returncode == 0, r.stderr
    assert "hunks: 5" in r.stdout
    assert "instructions: 65" in r.stdout
    for exit_label in ("hcall_try_real_mode", "bounce_ext_interrupt", "fast_guest_return", "27f"):
        assert exit_label in r.stdout
    assert "IFCLR(CPU_FTR_ARCH_206)" in r.stdout and "body is nops on POWER7" in r.stdout


def test_check_with_other_config_changes_offsets():
    r = ppc("disasm", "asm/book3s_hv_rmhandlers.S", "--config", "ppc64_defconfig")
    assert r.returncode == 0, r.stderr
    assert "lbz r0, 725(r13)" in r.stdout          # HSTATE_HOST_IPI for ppc64_defconfig
    assert "lbz r0, 789(r13)" in ppc("disasm", "asm/book3s_hv_rmhandlers.S").stdout


def _ftr_line(out: str) -> str:
    return next(line for line in out.splitlines() if "CPU_FTR_ARCH_206" in line and "0x" in line)


def test_disasm_ppc970_keeps_the_arch206_branch():
    line = _ftr_line(ppc("disasm", "asm/book3s_hv_rmhandlers.S", "--cpu", "PPC970").stdout)
    assert "b ext_interrupt_to_host" in line and "active on PPC970" in line and ": 480000a8" in line


def test_disasm_power7_patches_it_to_nop():
    line = _ftr_line(ppc("disasm", "asm/book3s_hv_rmhandlers.S", "--cpu", "POWER7").stdout)
    assert "patched to nop" in line and ": 60000000" in line


def test_features_mask_overrides_the_cpu():
    r = ppc("check", "asm/book3s_hv_rmhandlers.S", "--cpu", "POWER7", "--features", "0")
    assert "active (body runs) on POWER7" in r.stdout


@pytest.mark.parametrize("old, new, col, message", [
    ("\tlwzcix\tr3, r5, r7\n", "\tlwzcix\tr3, r5\n", 2, "'lwzcix' takes 3 operands"),
    ("\tbne\text_stash_for_host\n", "\tbne\t99f\n", 6, "local label '99f' is not defined after this point"),
])
def test_errors_in_a_copy_of_the_fragment(tmp_path, old, new, col, message):
    text = FRAGMENT.read_text()
    assert old in text
    copy = tmp_path / "copy.S"
    copy.write_text(text.replace(old, new, 1))
    line = text[:text.index(old)].count("\n") + 1
    r = ppc("check", str(copy))
    assert r.returncode == 1
    first, src, caret = r.stderr.splitlines()[:3]
    assert first.startswith(f"{copy}:{line}:{col}: error: ") and message in first
    assert src == new.rstrip("\n").expandtabs(8)
    assert caret.index("^") == len(new[:col - 1].expandtabs(8))
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("args, message", [
    (["check", "nosuch.S"], "cannot read 'nosuch.S'"),
    (["check", "asm/book3s_hv_rmhandlers.S", "--cpu", "Z80"], "unknown CPU 'Z80'"),
    (["check", "asm/book3s_hv_rmhandlers.S", "--config", "tiny"], "unknown kernel config 'tiny'"),
    (["check", "asm/book3s_hv_rmhandlers.S", "--no-kernel-env"], "unknown instruction 'BEGIN_FTR_SECTION'"),
])
def test_bad_input_gives_a_message_not_a_traceback(args, message):
    r = ppc(*args)
    assert r.returncode == 1
    assert message in r.stderr and "Traceback" not in r.stderr


def test_include_and_define_options(tmp_path):
    inc = tmp_path / "inc"
    inc.mkdir()
    (inc / "mine.h").write_text("#define VALUE 7\n")
    src = tmp_path / "m.S"
    src.write_text('#include "mine.h"\n#include <mine.h>\n\tli r3, VALUE + EXTRA\n')
    r = ppc("disasm", str(src), "-I", str(inc), "-D", "EXTRA=2")
    assert r.returncode == 0, r.stderr
    assert "addi r3,0,9" in r.stdout


def test_missing_include_names_its_position(tmp_path):
    src = tmp_path / "m.S"
    src.write_text("\tnop\n#include <nope.h>\n")
    r = ppc("check", str(src))
    assert r.returncode == 1 and f"{src}:2:10: error: cannot find include file 'nope.h'" in r.stderr


def test_unterminated_conditional(tmp_path):
    src = tmp_path / "m.S"
    src.write_text("#ifdef X\n\tnop\n")
    r = ppc("check", str(src))
    assert r.returncode == 1 and f"{src}:1:1: error: unterminated #ifdef" in r.stderr


LEAF = "\t.text\nleaf:\n\tli\tr3, 7\n\tblr\n"


def test_trace_and_run_take_an_assembly_source_with_entry(tmp_path):
    src = tmp_path / "leaf.S"
    src.write_text(LEAF)
    r = ppc("trace", str(src), "--entry", "leaf", "--cpu", "POWER8")
    assert r.returncode == 0 and "li r3, 7" in r.stdout and "r3: 0x0 -> 0x7" in r.stdout, r.stderr
    assert r.stdout.rstrip().endswith("=> returned to its caller at 0x0 (from " + str(src) + ":4) after 2 steps")
    r = ppc("run", str(src), "--entry", "leaf")
    assert r.returncode == 0 and "exit:  return (return) after 2 steps" in r.stdout


@pytest.mark.parametrize("args, message", [
    (["trace", "{src}"], "leaf.S is assembly source, not a scenario: give where to start, as in 'ppcinterp trace"),
    (["run", "{src}", "--entry", "nowhere"], "--entry: unknown entry 'nowhere'"),
    (["run", "asm/scenarios/hcall.toml", "--entry", "leaf"], "--entry is for an assembly source"),
])
def test_an_assembly_source_without_a_good_entry_says_so(tmp_path, args, message):
    src = tmp_path / "leaf.S"
    src.write_text(LEAF)
    r = ppc(*[a.format(src=src) for a in args])
    assert r.returncode == 1 and message in r.stderr and "invalid TOML" not in r.stderr, r.stderr
