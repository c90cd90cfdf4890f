"""What GNU as accepts beyond the seed's file, as kernel sources use it: mnemonics, directives and macro names
in any case (`HRFID`, `h##rfid` -> `Hrfid`, `.LONG`), and the FP register moves and FP loads/stores with update
or of a word (fmr, fneg, fabs, fnabs, fcpsgn, lfdu, stfdux, lfiwax, stfiwx ...); words compared with GNU as."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import gas_assemble, need_gas

from ppcinterp.api import Session
from ppcinterp.build import BuildOptions, load_program
from ppcinterp.diagnostics import SourceError

CASES = """\
\t.macro save_it reg
\tstd \\reg, 8(r1)
\t.endm
\t.MACRO Twice
\tnop
\tnop
\t.ENDM
\tHRFID
\tHrfid
\tRfId
\tSAVE_IT r3
\ttwice
\tADDI r3, r3, 1
\tFMR f1, f2
\t.LONG 5
\t.Rept 2
\tnop
\t.EndR
"""

FP = """\
\tfmr f1,f2
\tfmr. f3,f4
\tfneg f1,f2
\tfneg. f1,f2
\tfabs f31,f0
\tfnabs. f1,f2
\tfcpsgn f1,f2,f3
\tfcpsgn. f1,f2,f3
\tlfdu f1,8(r3)
\tstfdu f1,-8(r3)
\tlfdux f1,r3,r4
\tstfdux f1,r3,r4
\tlfiwax f1,r3,r4
\tlfiwzx f1,0,r4
\tstfiwx f1,r3,r4
"""


def _words(tmp_path, text: str) -> bytes:
    path = tmp_path / "t.S"
    path.write_text(text)
    return bytes(load_program(str(path), BuildOptions(kernel_env=False)).sections[".text"].data)


def test_mnemonics_directives_and_macros_in_any_case_assemble_as_gnu_as_does(tmp_path):
    ours = _words(tmp_path, CASES)
    assert ours[:4] == bytes.fromhex("4c000224")              # hrfid
    need_gas()
    gnu, _ = gas_assemble(CASES.replace("r1", "1").replace("r3", "3"), tmp_path)
    assert ours == gnu


def test_fp_moves_and_fp_update_and_word_forms_assemble_as_gnu_as_does(tmp_path):
    ours = _words(tmp_path, FP)
    assert ours[:4] == bytes.fromhex("fc201090")              # fmr f1,f2: opcode 63, XO 72
    need_gas()
    gnu, _ = gas_assemble(FP, tmp_path)
    assert ours == gnu


def test_fp_moves_change_only_the_sign_and_update_forms_write_back_ra(tmp_path):
    (tmp_path / "m.S").write_text("f:\n\tfneg f1,f2\n\tfabs f3,f2\n\tfnabs f4,f5\n\tfcpsgn f6,f2,f5\n"
                                  "\tlfdu f7,8(r3)\n\tstfiwx f2,0,r4\n\tlfiwax f8,0,r4\n\tb out\n\t.extern out\n")
    s = Session(str(tmp_path / "m.S"), kernel_env=False)
    s.set("f2", 0xC000_0000_0000_0001)                    # negative
    s.set("f5", 0x3FF0_0000_0000_0000)                    # 1.0
    s.set("r3", 0x100_2000)
    s.set("mem64[0x1002008]", 0x1122_3344_5566_7788)
    s.set("r4", 0x100_3000)
    assert s.run("f").kind == "exit"
    assert s.get("f1") == 0x4000_0000_0000_0001           # the sign flipped
    assert s.get("f3") == 0x4000_0000_0000_0001           # the sign cleared
    assert s.get("f4") == 0xBFF0_0000_0000_0000           # the sign set
    assert s.get("f6") == 0xBFF0_0000_0000_0000           # f2's sign, f5's magnitude
    assert (s.get("f7"), s.get("r3")) == (0x1122_3344_5566_7788, 0x100_2008)
    assert s.get("mem32[0x1003000]") == 0x0000_0001          # the low word of f2
    assert s.get("f8") == 0x0000_0000_0000_0001           # and back, sign-extended from a positive word


LAYOUTS = [
    "start:\n\tnop\n\t. = start + 0x10\n\tnop\n",                        # label-relative location assignment
    "\tnop\n\t. = 0x100\n\tnop\n\t. = 0x180\n\tli 3,1\n",               # exceptions-64s.S lays out vectors so
    "\tnop\n5001:\tnop\n\t.org 5001b+8\n\tnop\n",                        # asm/bug.h's .org 5001b+SIZE
    "\tnop\n\t.org 8, 0x60\n\tnop\n\t.org . + 4\n\tnop\n",
    "\tbcl 20,31,$+4\n\tb $\n\tb $-4\n",                                 # `$`: the location counter
]


def test_location_counter_assignments_org_and_dollar_lay_out_as_gnu_as_does(tmp_path):
    need_gas()
    for text in LAYOUTS:
        gnu, _ = gas_assemble(text, tmp_path)
        assert _words(tmp_path, text) == gnu, text


def test_org_into_another_section_or_backwards_is_an_error(tmp_path):
    path = tmp_path / "t.S"
    for text, why in (("\t.data\nd:\t.long 1\n\t.text\n\tnop\n\t. = d + 8\n", ".org to an address in section .data"),
                      ("\tnop\n\tnop\n\t. = 4\n", "backwards")):
        path.write_text(text)
        try:
            load_program(str(path), BuildOptions(kernel_env=False))
        except SourceError as e:
            assert why in str(e) and e.pos.line == text.count("\n"), (text, str(e))
        else:
            raise AssertionError(f"no error for {text!r}")


@pytest.mark.parametrize("text, first, named", [
    ("#include <linux/errno.h>\n\tnop\n", ":1:10: error: cannot find include file 'linux/errno.h'", "'linux/errno.h'"),
    ("\tnop\n\tSAVE_NVGPRS(r1)\n\tREST_NVGPRS(r1)\n", ":2:2: error: unknown instruction 'SAVE_NVGPRS'",
     "'SAVE_NVGPRS' looks like a kernel macro"),
])
def test_a_kernel_file_in_our_environment_is_told_it_needs_a_tree(tmp_path, text, first, named):
    # The first kernel header or macro our environment lacks says so and names --kernel-tree, once.
    src = tmp_path / "k.S"
    src.write_text(text)
    r = subprocess.run([sys.executable, "-m", "ppcinterp", "check", str(src)], capture_output=True, text=True)
    assert r.returncode == 1 and f"{src}{first}" in r.stderr, r.stderr
    assert r.stderr.count("--kernel-tree DIR") == 1 and named in r.stderr and "Traceback" not in r.stderr
