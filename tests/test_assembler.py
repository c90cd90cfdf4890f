"""The assembler through its public API: encodings, extended mnemonics, expressions, blocks, errors."""

from __future__ import annotations

import pytest

from ppcinterp.asm.cpus import cpu_model
from ppcinterp.diagnostics import SourceError


def words(prog) -> list[int]:
    return [i.word for i in prog.insns.values()]


@pytest.mark.parametrize("line, word", [
    ("li r5,0xff", 0x38A000FF),
    ("li r3,-4", 0x3860FFFC),
    ("lis r3,0x8000", 0x3C608000),
    ("mr r4,r9", 0x7D244B78),
    ("nop", 0x60000000),
    ("rlwinm. r0,r3,0,0xffffff", 0x5460023F),
    ("srdi. r3,r3,1", 0x7863F843),
    ("cmpwi r12,0xc00", 0x2C0C0C00),
    ("cmpdi cr7,r5,0", 0x2FA50000),
    ("lbz r0,789(r13)", 0x880D0315),
    ("ld r5,808(r13)", 0xE8AD0328),
    ("stw r3,816(r13)", 0x906D0330),
    ("lwzcix r3,r5,r7", 0x7C653E2A),
    ("stbcix r0,r5,r6", 0x7C0537AA),
    ("stwcix r3,r5,r7", 0x7C653F2A),
    ("mfspr r5,318", 0x7CBE4AA6),
    ("mtspr 318,r8", 0x7D1E4BA6),
    ("ori r8,r8,0x800", 0x61080800),
    ("andi. r0,r11,0x8000", 0x71608000),
    ("sync", 0x7C0004AC),
    ("lwsync", 0x7C2004AC),
    ("mftb r3", 0x7C6C42A6),
    ("mtcr r3", 0x7C6FF120),
    ("addi r6,r6,1024", 0x38C60400),
    ("blr", 0x4E800020),
    ("bctrl", 0x4E800421),
    ("mtlr r0", 0x7C0803A6),
])
def test_encodings(asm, line, word):
    assert words(asm(f"\t{line}\n", kernel_env=False)) == [word]


def test_branch_hints_and_cr_fields(asm):
    prog = asm("1:\tbne+ 1b\n\tbeq- 1b\n\tbdnz+ 1b\n\tbne cr1,1b\n\tbeqa 0x500\n", kernel_env=False)
    assert words(prog) == [0x40E20000, 0x41C2FFFC, 0x4320FFF8, 0x4086FFF4, 0x41820502]


def test_gnu_as_operator_precedence(asm):
    # GNU as: | binds tighter than +, so 1 + 2 | 4 == 1 + (2|4) == 7; << binds tighter than |.
    prog = asm("\tli r3, 1 + 2 | 4\n\tli r4, 1 | 1 << 3\n\tli r5, -8 >> 1\n", kernel_env=False)
    assert [w & 0xFFFF for w in words(prog)] == [7, 9, 0xFFFC]


def test_local_labels_redefined_inside_rept(asm):
    prog = asm("\t.rept 3\n1:\tb 1f\n1:\tnop\n\t.endr\n", kernel_env=False)
    # every `b 1f` goes to the nop right after it, not to a later repetition
    assert [w for w in words(prog)] == [0x48000004, 0x60000000] * 3


def test_set_symbols_take_their_value_at_the_point_of_use(asm):
    prog = asm("reg = 14\n\t.rept 3\n\tstd reg, 8*reg(r4)\nreg = reg + 1\n\t.endr\n", kernel_env=False)
    assert [(w >> 21 & 31, w & 0xFFFC) for w in words(prog)] == [(14, 112), (15, 120), (16, 128)]


def test_macro_with_arguments(asm):
    prog = asm("\t.macro ADDK dst, k=1\n\taddi \\dst, \\dst, \\k\n\t.endm\n\tADDK r3, 5\n\tADDK r4\n",
               kernel_env=False)
    assert words(prog) == [0x38630005, 0x38840001]


def test_if_else_and_ifdef(asm):
    prog = asm("x = 2\n\t.if x > 1\n\tli r3,1\n\t.else\n\tli r3,2\n\t.endif\n"
               "\t.ifdef nosuch\n\tli r4,1\n\t.endif\n", kernel_env=False)
    assert words(prog) == [0x38600001]


def test_outside_label_is_laid_out_after_the_code(asm):
    prog = asm('#pragma ppcinterp outside away "somewhere else"\n\tb away\n\tnop\n', kernel_env=False)
    (addr, out), = prog.outside.items()
    assert out.name == "away" and out.description == "somewhere else"
    assert addr == prog.text.base + 8 and words(prog)[0] == 0x48000008


def test_extern_declares_an_outside_label(asm):
    prog = asm("\t.extern far\n\tbl far\n", kernel_env=False)
    assert [o.name for o in prog.outside.values()] == ["far"]


def error_of(asm, text: str) -> SourceError:
    with pytest.raises(SourceError) as e:
        asm(text, kernel_env=False)
    return e.value


@pytest.mark.parametrize("text, message, line, col", [
    ("\tnop\n\tfrobnicate r3\n", "unknown instruction 'frobnicate'", 2, 2),
    ("\tlwzcix r3,r5\n", "'lwzcix' takes 3 operands", 1, 2),
    ("\tli r3, 0x10000\n", "operand out of range", 1, 9),
    ("\tb 1f\n", "local label '1f' is not defined after this point", 1, 4),
    ("\t.rept 2\n\tnop\n", "unterminated .rept", 1, 2),
    ("\t.if 1\n\tnop\n", "unterminated .if", 1, 2),
    ("\tadd r3, r4, cr1\n", "'cr1' is not a general-purpose register", 1, 14),
    ("\tli r33, 1\n", "undefined symbol 'r33'", 1, 5),
    ("a:\na:\n", "symbol 'a' is already defined", 2, 1),
    ("\tld r3, 6(r4)\n", "must be a multiple of 4", 1, 9),
    ("\tb .+2\n", "not a multiple of 4", 1, 4),
    ("\t.endif\n", ".endif without a matching .if", 1, 2),
    ("\t.bogus 1\n", "unknown directive '.bogus'", 1, 2),
    ("\tli r3, 1 +\n", "unexpected end of line", 1, 11),
])
def test_errors_name_the_position(asm, text, message, line, col):
    err = error_of(asm, text)
    assert message in err.message
    assert (err.pos.line, err.pos.col) == (line, col)
    rendered = err.render()
    assert rendered.startswith(f"{err.pos.file}:{line}:{col}: error: ")
    assert rendered.splitlines()[-1].rstrip().endswith("^")


def test_feature_sections_ifset_ifclr_on_own_file(image):
    src = ("BEGIN_FTR_SECTION\n\tli r3,1\nEND_FTR_SECTION_IFSET(CPU_FTR_ARCH_206)\n"
           "BEGIN_FTR_SECTION\n\tli r4,1\n\tli r5,1\nEND_FTR_SECTION_IFCLR(CPU_FTR_ARCH_206)\n\tblr\n")
    p7, g5 = image(src, "POWER7"), image(src, "PPC970")
    text = lambda img: [img.word(a) for a in sorted(img.program.insns) if img.program.insns[a].section == ".text"]
    assert text(p7) == [0x38600001, 0x60000000, 0x60000000, 0x4E800020]
    assert text(g5) == [0x60000000, 0x38800001, 0x38A00001, 0x4E800020]
    assert [s.how for s in p7.states] == ["kept", "nops"]


def test_feature_alternative_replaces_body_and_retargets_branches(image):
    src = ("BEGIN_FTR_SECTION\n\tli r3,1\n\tli r4,1\n\tli r5,1\nFTR_SECTION_ELSE\n\tb out\n"
           "ALT_FTR_SECTION_END_IFSET(CPU_FTR_ARCH_201)\n\tnop\nout:\tblr\n")
    img = image(src, "POWER7")          # ARCH_201 clear on POWER7: the alternative runs
    base = img.program.text.base
    assert [img.word(base + 4 * k) for k in range(3)] == [0x48000010, 0x60000000, 0x60000000]
    assert img.states[0].how == "alternative"
    assert image(src, "PPC970").word(base) == 0x38600001


def test_nested_feature_sections(image):
    src = ("BEGIN_FTR_SECTION_NESTED(80)\n\tli r3,1\n"
           "BEGIN_FTR_SECTION\n\tli r4,1\nEND_FTR_SECTION_IFSET(CPU_FTR_CFAR)\n"
           "END_FTR_SECTION_NESTED(CPU_FTR_ARCH_206, CPU_FTR_ARCH_206, 80)\n")
    g5 = image(src, "PPC970")           # outer needs ARCH_206: all nops, inner too
    assert {s.how for s in g5.states} == {"nops"}
    assert [s.how for s in image(src, "POWER7").states] == ["kept", "kept"]
    only_206 = image(src, cpu_model("POWER7", features=0x400000000))     # --features: ARCH_206 without CFAR
    assert sorted(s.how for s in only_206.states) == ["kept", "nops"]


def test_alternative_longer_than_body_is_an_error(image):
    src = "BEGIN_FTR_SECTION\n\tnop\nFTR_SECTION_ELSE\n\tnop\n\tnop\nALT_FTR_SECTION_END_IFSET(CPU_FTR_VSX)\n"
    with pytest.raises(SourceError, match="longer than its body"):
        image(src)
