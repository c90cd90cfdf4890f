"""What the census of v3.10 (pseries_defconfig) found ppcinterp refusing where GNU cpp and GNU as accept, each on a
file of our own: a conditional branch to another object's label (exceptions-64s.S), a quoted macro argument
(asm/bug.h's EMIT_BUG_ENTRY with __FILE__), `.name` made by a macro parameter (systbl.S), `.Lname = expr`
(vdso64's sigtramp.S), compares without L (idle_power7.S, opal-takeover.S), single-precision FP loads and stores
(fpu.S, ldstfp.S) and arithmetic (vector.S)."""

from __future__ import annotations

import subprocess

from conftest import GAS, gas_assemble, need_cpp, need_gas, ppc
from qemu_fp_oracle import VCase, mismatches, run_ours, run_qemu
from qemu_oracle import WINDOW, need_qemu

from ppcinterp.api import Session
from ppcinterp.build import BuildOptions, load_program
from ppcinterp.diagnostics import SourceError
from ppcinterp.isa.fp import double_to_single, single_to_double
from ppcinterp.kbuild import gas
from ppcinterp.source.preprocess import preprocess

NO_ENV = BuildOptions(kernel_env=False)


def _program(tmp_path, text: str, name: str = "t.S"):
    (tmp_path / name).write_text(text)
    return load_program(str(tmp_path / name), NO_ENV)


def _gnu_object(tmp_path, text: str) -> gas.ObjectFile:
    (tmp_path / "g.s").write_text(text)
    subprocess.run([GAS, "-a64", "-mpower7", str(tmp_path / "g.s"), "-o", str(tmp_path / "g.o")], check=True)
    return gas.read_object(str(tmp_path / "g.o"))


def test_a_conditional_branch_to_another_object_is_left_to_the_linker(tmp_path):
    text = "f:\n\tcmpdi 3,0\n\tbeq fast_return_elsewhere\n\tbnel- 1,other_object\n\tblr\n"
    (tmp_path / "t.S").write_text(text)
    r = ppc("check", str(tmp_path / "t.S"), "--no-kernel-env")
    assert r.returncode == 0, r.stderr
    assert "'fast_return_elsewhere' is not defined in this file; assuming another object defines it" in r.stdout
    prog = _program(tmp_path, text)
    assert prog.externs["fast_return_elsewhere"].code and prog.externs["other_object"].how == "assumed"
    need_gas()
    c = gas.compare(_gnu_object(tmp_path, text), prog)
    assert (c.words, c.masked, c.bad) == (4, 2, 0), c.lines        # BO/BI/hint bits equal, the target masked


MACRO = """\
\t.macro EMIT addr,file,line
\t.section __table,"a"
5001:\t.llong \\addr, 5002f
\t.short \\line
\t.previous
\t.section .rodata,"a"
5002:\t.asciz "\\file"
\t.previous
\t.endm
1:\tnop
\tEMIT 1b,"dir/some file.S",12
\tEMIT 1b,plain,13
"""


def test_a_quoted_macro_argument_is_passed_without_its_quotes(tmp_path):
    prog = _program(tmp_path, MACRO)
    assert bytes(prog.sections[".rodata"].data) == b"dir/some file.S\0plain\0"
    need_gas()
    c = gas.compare(_gnu_object(tmp_path, MACRO), prog)
    assert c.bad == 0 and c.words == 1 + 9 + 6, c.lines       # .text, __table (two entries), .rodata


def test_a_quoted_string_is_no_operand_of_an_instruction(tmp_path):
    try:
        _program(tmp_path, "\tnop\n\tli 3,\"x\"\n")
    except SourceError as e:
        assert "a quoted string is not valid here (only as a macro's argument)" in e.message
        assert (e.pos.line, e.pos.col) == (2, 7)
    else:
        raise AssertionError("accepted a string operand")


SYSTBL = "#define SYSX(f, f3264)\t.llong\t.f,.f3264\n#define KT(func)\tSYSX(sys_##func, compat_##func)\nKT(read)\n"


def test_a_dot_before_a_macro_parameter_stays_one_name(tmp_path):
    (tmp_path / "m.S").write_text(SYSTBL)
    ours = [line.text for line in preprocess(str(tmp_path / "m.S"), include_dirs=[], defines={}).lines]
    assert ours[-1] == ".llong\t.sys_read,.compat_read"
    need_cpp()
    gnu = subprocess.run(["cpp", "-undef", "-nostdinc", "-P", "-x", "assembler-with-cpp", str(tmp_path / "m.S")],
                         check=True, capture_output=True, text=True).stdout
    assert gnu.split() == ours[-1].split()                        # the same words, however spaced


def test_a_dot_name_assigned_with_equals_is_a_symbol(tmp_path):
    text = "\tnop\n\tnop\n.Lsig_start = . - 4\nkt_after = .Lsig_start + 8\n\t.long .Lsig_start, kt_after\n"
    prog = _program(tmp_path, text)
    base = prog.sections[".text"].base
    assert prog.word_at(base + 8) == base + 4 and prog.word_at(base + 12) == base + 12     # vdso64's sigtramp.S
    need_gas()
    c = gas.compare(_gnu_object(tmp_path, text), prog)
    assert (c.words, c.masked, c.bad) == (4, 2, 0), c.lines


COMPARES = "\tcmp 0,0,0\n\tcmp 7,5,6\n\tcmpl 1,3,4\n\tcmpi 2,4,-5\n\tcmpli 0,4,0\n"


def test_compares_without_l_are_word_compares_as_older_gnu_as_made_them(tmp_path):
    ours = bytes(_program(tmp_path, COMPARES).sections[".text"].data)
    need_gas()
    gnu, _ = gas_assemble("\tcmpw 0,0,0\n\tcmpw 7,5,6\n\tcmplw 1,3,4\n\tcmpwi 2,4,-5\n\tcmplwi 0,4,0\n", tmp_path)
    assert ours == gnu


def test_a_compare_without_l_looks_at_the_low_words(tmp_path):
    (tmp_path / "c.S").write_text("f:\n\tcmp 0,3,4\n\tcmpd 1,3,4\n\tb out\n\t.extern out\n")
    s = Session(str(tmp_path / "c.S"), kernel_env=False)
    s.set("r3", 0x1_0000_0005)
    s.set("r4", 5)
    s.run("f")
    assert s.get("cr0") == 0b0010 and s.get("cr1") == 0b0100       # equal as words, greater as doublewords


def test_single_precision_conversions_by_hand():
    assert single_to_double(0x3F800000) == 0x3FF0000000000000       # 1.0
    assert single_to_double(0x00000001) == 0x36A0000000000000       # the least denormal, 2**-149, normalised
    assert single_to_double(0xFF800001) == 0xFFF0000020000000       # a signalling NaN keeps its bits
    assert double_to_single(0x3FF0000000000000) == 0x3F800000
    assert double_to_single(0x36A0000000000000) == 0x00000001       # back to the denormal
    assert double_to_single(0x3FF0000010000000) == 0x3F800000       # truncated, not rounded
    assert double_to_single(0x8000000000000001) == 0x80000000       # too small even to denormalise: signed zero


def test_single_precision_loads_and_stores_against_qemu():
    need_qemu()
    cases = []
    for w in (0x00000001, 0x00400000, 0x007FFFFF, 0x80000003, 0x7F800000, 0xFF800001, 0x7FC00000, 0x00800000,
              0x3F800000, 0x80000000):
        cases.append(VCase("lfs f3,0(r5)", ((5, WINDOW),), ((3, 0),), (5,), (3,), mem=w.to_bytes(4, "big") + bytes(60)))
        cases.append(VCase("lfsux f4,r5,r6", ((5, WINDOW - 8), (6, 8)), ((4, 0),), (5, 6), (4,),
                           mem=w.to_bytes(4, "big") + bytes(60)))
    for exp in (0, 1, 873, 874, 880, 896, 897, 1023, 2046, 2047):
        for frac in (0, 1, 0x8000000000001, 0xFFFFFFFFFFFFF):
            d = exp << 52 | frac | (exp & 1) << 63
            cases.append(VCase("stfs f3,8(r5)", ((5, WINDOW),), ((3, d << 64),), (5,), (3,), mem=bytes(64)))
            cases.append(VCase("stfsu f3,16(r5)", ((5, WINDOW),), ((3, d << 64),), (5,), (3,), mem=bytes(64)))
    bad = [m for c, q, o in zip(cases, run_qemu(cases), run_ours(cases), strict=True) if (m := mismatches(c, o, q))]
    assert not bad, bad[:3]


ARITH = "\tfadds 1,2,3\n\tfsubs. 4,5,6\n\tfdivs 7,8,9\n\tfmuls 1,2,3\n\tfmadds 1,2,3,4\n\tfnmsubs. 5,6,7,8\n" \
        "\tfrsqrte 9,10\n"


def test_single_precision_arithmetic_assembles_and_a_run_stops_at_it(tmp_path):
    ours = bytes(_program(tmp_path, ARITH).sections[".text"].data)
    (tmp_path / "a.S").write_text("f:\n\tli 3,1\n" + ARITH)
    r = Session(str(tmp_path / "a.S"), kernel_env=False).run("f")
    assert r.kind == "unimplemented" and r.message.startswith("unimplemented instruction fadds at ")
    assert r.message.endswith("a.S:3")
    need_gas()
    gnu, _ = gas_assemble(ARITH, tmp_path)
    assert ours == gnu
