"""The front end (preprocess, parse, assemble, fix up) never crashes and never runs away: every input that
used to end in a Python exception, a MemoryError or minutes of CPU ends in a positioned error (or a result)
in well under a second."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from conftest import FRAGMENT, ROOT, gas_assemble, need_gas
from fuzzing import bounded

from ppcinterp import cli
from ppcinterp.api import Session
from ppcinterp.build import BuildOptions, build_image, load_program
from ppcinterp.diagnostics import PpcError, SourceError

BARE = BuildOptions(kernel_env=False)
DIGITS = "1" * 5000


@contextmanager
def quick(what: str, limit: float = 1.0) -> Iterator[None]:
    """`bounded`, with the objects the test run made so far out of the garbage collector's way: in a full suite
    their collections, which our allocations trigger, would be counted as our CPU time."""
    gc.collect()
    gc.freeze()
    try:
        with bounded(what, limit):
            yield
    finally:
        gc.unfreeze()


def _load(tmp_path, text: str, name: str = "t.S", **opts):
    path = tmp_path / name
    path.write_text(text)
    return load_program(str(path), BuildOptions(**{"kernel_env": False, **opts}))


def _error(tmp_path, text: str, **opts) -> SourceError:
    with pytest.raises(SourceError) as e:
        _load(tmp_path, text, **opts)
    return e.value


def _check(tmp_path, capsys, text: str, *args: str) -> tuple[int, str, str]:
    path = tmp_path / "c.S"
    path.write_text(text)
    status = cli.main(["check", str(path), "--no-cache", *args])
    out = capsys.readouterr()
    return status, out.out, out.err


# ---- 1. numbers too long for Python's int(): a positioned error wherever a number is read

@pytest.mark.parametrize("text,line,col", [
    (f"\tli r3,{DIGITS}\n", 1, 8),                                   # an operand
    (f"\t.set x, 1+{DIGITS}\n", 1, 12),                              # an assembler expression
    (f"\t.long {DIGITS}\n", 1, 8),
    (f"#if {DIGITS}\n#endif\n", 1, 5),                                # the preprocessor's #if arithmetic
    (f"#if 1 + {DIGITS} > 0\nnop\n#endif\n", 1, 9),
    (f"{DIGITS}:\tnop\n", 1, 1),                                      # a numeric label
    (f"\tb {DIGITS}f\n", 1, 4),                                       # a local label reference
    (f"\t.macro m a\n\tli r3,\\a\n\t.endm\n\tm {DIGITS}\n", 4, 4),    # a macro argument
    (f"#pragma ppcinterp hunk 1 upstream 1-{DIGITS}\n", 1, 1),
    (f"#pragma ppcinterp outside {DIGITS}\n", 1, 1),
])
def test_a_number_too_long_is_a_positioned_error(tmp_path, text, line, col):
    e = _error(tmp_path, text)
    assert "number too long" in e.message and "5000 characters" in e.message
    assert (e.pos.line, e.pos.col) == (line, col), e.render()


def test_a_number_too_long_on_the_command_line_is_a_message_with_a_caret(tmp_path, capsys):
    status, _, err = _check(tmp_path, capsys, f"\tli r3,{DIGITS}\n", "--no-kernel-env")
    assert status == 1
    assert re.search(r"c\.S:1:8: error: number too long: '1111111111111111\.\.\.' has 5000 characters", err)
    assert "Traceback" not in err


@pytest.mark.parametrize("text,message", [
    ("\tli r3, 09\n", "invalid digit in octal number '09'"),
    ("\tli r3, 'a\n\t.byte '\\x\n", None),                          # an escape with no hex digits is 'x'
    ('\t.ascii "\\x"\n', None),
    ("\t.byte '\\N\n", None),
    ("#pragma ppcinterp hunk \u00b2 upstream 1-2\n", "expected: #pragma ppcinterp hunk N upstream FIRST-LAST"),
    ("#pragma ppcinterp outside \u00b2\n", "expected: #pragma ppcinterp outside LABEL"),
    ("\trlwinm r3, r3, 0, 8(r1)\n", "a memory operand D(rA) is not valid here"),   # inside the mask rewrite
])
def test_odd_literals_are_read_or_refused_not_crashed_on(tmp_path, text, message):
    if message is None:
        _load(tmp_path, text)
    else:
        assert message in _error(tmp_path, text).message


def test_escapes_in_strings_are_gnu_as_ones(tmp_path):
    # GNU as 2.x gives 6141410a5c22710a5c000023 for these lines
    p = _load(tmp_path, '\t.data\n\t.ascii "a\\x41\\101\\n\\\\\\"\\q"\n\t.byte \'\\n, \'\\\\, 0\n'
              '\t.ascii "\\x"\n\t.ascii "\\x123"\n')
    assert bytes(p.sections[".data"].data).hex() == "6141410a5c22710a5c000023"


def test_the_caret_shows_the_line_the_preprocessor_counted(tmp_path):
    # \f, \v and \u2028 end no line for the preprocessor; the rendered line must agree (splitlines() split them)
    e = _error(tmp_path, "/* a\fb\vc\u2028d */\n\tli r3, 0x10000\n")
    assert e.render().split("\n")[1:] == ["        li r3, 0x10000", " " * 15 + "^"]


def test_a_base_address_must_be_a_64_bit_address(tmp_path):
    path = tmp_path / "b.S"
    path.write_text("\tnop\n\t.data\n\t.p2align 12\n\t.long 1\n")
    for base in (-4, 1 << 64):
        with pytest.raises(PpcError, match="is not a 64-bit address"):
            load_program(str(path), BuildOptions(kernel_env=False, base=base))
    with pytest.raises(SourceError, match="past the 64-bit address space"):
        load_program(str(path), BuildOptions(kernel_env=False, base=(1 << 64) - 8))
    assert load_program(str(path), BuildOptions(kernel_env=False, base=0xC000000000000000)).text.base == \
        0xC000000000000000


@pytest.mark.parametrize("opts", [{}, {"config": "c" * 5000}, {"asm_offsets": "c" * 5000},
                                  {"kernel_tree": "c" * 5000}])
def test_a_path_the_system_refuses_is_an_error(opts):
    path = "x" * 5000 if not opts else str(FRAGMENT)
    with pytest.raises(PpcError, match="cannot use '.{77}[.][.][.]': File name too long"):
        load_program(path, BuildOptions(**opts))


# ---- 2. section sizes are bounded before any bytes are made

@pytest.mark.parametrize("text,line", [
    ("\t.org 0x7fffffffffff\n", 1),
    ("\t.byte 1\n\t.balign 0x40000000\n", 2),
    ("\t.byte 1\n\t.align 31\n", 2),
    ("\t.rept 5\n\t.space 0x1000000\n\t.endr\n", 2),
    ("\t.section .bss\n\t.skip 0x1000000\n\t.section .data\n\t.skip 0x1000000\n\t.rept 3\n\t.zero 0x1000000\n"
     "\t.endr\n", 6),
])
def test_a_section_may_not_grow_past_64_mib(tmp_path, text, line):
    with quick("a huge section"):
        e = _error(tmp_path, text)
    assert "64 MiB" in e.message and e.pos.line == line, e.render()


def test_org_takes_a_location_and_an_optional_fill_byte_as_gnu_as_does(tmp_path):
    """`.org` with nothing after it raised IndexError (found by the long fuzz run); `.org N, FILL` fills."""
    e = _error(tmp_path, "\tnop\n37:\t.org\n")
    assert ".org needs the new location" in str(e) and (e.pos.line, e.pos.col) == (2, 5)
    need_gas()
    text = "\tnop\n\t.org 8, 0x60\n\tnop\n"
    words, _ = gas_assemble(text, tmp_path)
    assert bytes(_load(tmp_path, text).sections[".text"].data) == words


# ---- 3. a fixup record whose body or alternative lies in no section

RECORD = "1:\tnop\n2:\tnop\n\t.section __ftr_fixup,\"a\"\n3:\t.llong 1, 1, {}\n\t.previous\n"


@pytest.mark.parametrize("offsets,message", [
    ("0x1000000, 0x1000008, 0, 0", "its body 0x1100008-0x1100010 lies in no section"),
    ("1b-3b, 2b-3b, 0x4000000, 0x4000004", "its alternative 0x4100008-0x410000c lies in no section"),
    ("1b-3b, 2b-3b+2, 0, 0", "its body 0x100000-0x100006 is not whole 4-byte instructions"),
    ("2b-3b, 1b-3b, 0, 0", "its body 0x100004-0x100000 ends before it starts"),
    ("1b-3b, 2b-3b+8, 0, 0", "runs past the end of section .text"),
])
def test_a_fixup_record_outside_the_code_is_a_positioned_error(tmp_path, offsets, message):
    path = tmp_path / "f.S"
    path.write_text(RECORD.format(offsets))
    with pytest.raises(SourceError) as e:
        build_image(str(path), BARE, "POWER7")
    assert "feature fixup record 1 of __ftr_fixup" in e.value.message and message in e.value.message
    assert e.value.pos.line == 4, e.value.render()


def test_a_fixup_table_of_a_partial_record_names_its_last_statement(tmp_path):
    path = tmp_path / "f.S"
    path.write_text("\tnop\n\t.section __ftr_fixup,\"a\"\n\t.llong 1, 1\n\t.previous\n")
    with pytest.raises(SourceError) as e:
        build_image(str(path), BARE, "POWER7")
    assert "not a whole number of 48-byte fixup records" in e.value.message and e.value.pos.line == 3


# ---- 4. time bombs end fast

def test_a_doubling_define_chain_ends_fast_in_a_positioned_error(tmp_path):
    text = "#define A0 1\n" + "".join(f"#define A{i} A{i - 1} A{i - 1}\n" for i in range(1, 17)) + ".long A16\n"
    with quick("a 16-deep doubling #define chain"):
        e = _error(tmp_path, text)
    assert "macro expansion of this line exceeds 100000 tokens" in e.message
    assert (e.pos.line, e.pos.col) == (18, 7), e.render()


def test_many_lines_of_large_expansions_end_in_the_files_budget(tmp_path):
    text = "#define A0 1,\n" + "".join(f"#define A{i} A{i - 1} A{i - 1}\n" for i in range(1, 14)) + \
        ".long A13 1\n" * 100
    with quick("100 lines of 8192-item expansions", 5.0):
        e = _error(tmp_path, text)
    assert "macro expansions exceed 500000 tokens in all" in e.message and e.pos.line < 100


def test_one_line_of_20000_items_is_linear(tmp_path):
    with quick("a .long of 20,000 items", 3.0):            # about 0.6 s; quadratic column lookup took 10-15 s
        p = _load(tmp_path, "\t.data\n\t.long " + ",".join(["7"] * 20000) + "\n")
    assert len(p.sections[".data"].data) == 80000 and p.data[-1].stmt.pos.line == 2


@pytest.mark.parametrize("text,line,message", [
    (".rept 100000\n.rept 100000\nnop\n.endr\n.endr\n", 1, ".rept 100000 of 3 statements would assemble"),
    (".rept 1000\n.rept 1000\nnop\n.endr\n.endr\n", 2, "inside .rept blocks that repeat it 1000 times"),
    (".rept 100000\n.rept 100000\n.endr\n.endr\n", 1, "would assemble 200000 statements"),
    (".rept 100\n.rept 100\n.rept 100\n.endr\n.endr\n.endr\n", 3, "repeat it 10000 times would assemble"),
])
def test_nested_rept_is_bounded_in_total(tmp_path, text, line, message):
    with quick("nested .rept"):
        e = _error(tmp_path, text)
    assert message in e.message and "the 100000 ppcinterp" in e.message and e.pos.line == line, e.render()


def test_a_large_rept_still_assembles(tmp_path):
    p = _load(tmp_path, "\t.data\n\t.rept 99000\n\t.long 1\n\t.endr\n")      # the bound: 100,000 statements
    assert len(p.sections[".data"].data) == 396000


def test_a_macro_that_doubles_itself_ends(tmp_path):
    text = ".macro m n\n.if \\n\nm \\n-1\nm \\n-1\n.endif\n.endm\nm 40\n"
    with quick("a doubling recursive macro", 5.0):
        e = _error(tmp_path, text)
    assert "more than 500000 operators" in e.message and e.pos.line == 2, e.render()


def test_a_macro_invoked_with_long_text_in_a_rept_ends(tmp_path):
    text = ".macro m a\nnop\n.endm\n.rept 50000\nm " + "x" * 20000 + "\n.endr\n"
    with quick("a long macro invocation repeated", 5.0):
        e = _error(tmp_path, text)
    assert "macro invocations make more than 10000000 characters" in e.message and e.pos.line == 5


def test_a_flat_sum_of_400_terms_is_evaluated_through_the_api(tmp_path):
    p = _load(tmp_path, "\tli r3, " + "+".join(["1"] * 400) + "\n")
    assert p.insns[0x100000].word == 0x38600190                          # li r3,400


def test_a_flat_chain_of_20000_terms_is_evaluated(tmp_path):
    with quick("a 20,000-term sum", 3.0):
        p = _load(tmp_path, "\t.data\n\t.long " + "-".join(["1"] * 20000) + "+x\n\tx = 30000\n")
    assert int.from_bytes(p.sections[".data"].data, "big") == 1 - 19999 + 30000


@pytest.mark.parametrize("expr", ["-(1" * 150 + ")" * 150, "-" * 300 + "1",
                                  "~" * 50 + "(" + "(1-(2-" * 40 + "3" + "))" * 40 + ")"])
def test_deep_nesting_is_a_positioned_error_through_the_api(tmp_path, expr):
    e = _error(tmp_path, f"\tli r3, {expr}\n")
    assert "expression nests too deeply" in e.message and e.pos.line == 1 and e.pos.col > 8, e.render()


def test_deep_nesting_on_the_command_line_has_a_caret(tmp_path, capsys):
    status, _, err = _check(tmp_path, capsys, "\tli r3, " + "-" * 300 + "1\n", "--no-kernel-env")
    assert status == 1 and "c.S:1:" in err and "expression nests too deeply" in err and "^" in err


# ---- 5. a self-contained file needs no kernel environment

def test_a_file_without_the_kernel_environment_checks(tmp_path, capsys):
    status, out, err = _check(tmp_path, capsys, "\tnop\n", "--no-kernel-env")
    assert status == 0, err
    assert "instructions: 1" in out and "feature sections: 0" in out


def test_a_file_without_the_kernel_environment_runs(tmp_path, capsys):
    """No asm-offsets read: the machine still has the kernel's PACAs (our environment's table)."""
    (tmp_path / "c.S").write_text("\t.extern out\nf:\n\tli r3, 5\n\tlbz r4, 0(r13)\n\tb out\n")
    s = Session(str(tmp_path / "c.S"), kernel_env=False)
    s.set("r13", "&paca[0]")
    res = s.run("f")
    assert (res.kind, res.exit, s.get("r3")) == ("exit", "out", 5)
    (tmp_path / "c.toml").write_text('source = "c.S"\nentry = "f"\nkernel_env = false\n[expect]\nexit = "out"\n'
                                     '[expect.state]\nr3 = 5\n')
    assert cli.main(["run", str(tmp_path / "c.toml")]) == 0, capsys.readouterr()


def test_without_the_kernel_environment_a_feature_section_says_what_is_missing(tmp_path, capsys):
    text = RECORD.format("1b-3b, 2b-3b, 0, 0")
    status, _, err = _check(tmp_path, capsys, text, "--no-kernel-env")
    assert status == 1
    assert "c.S:4:4: error: this CPU feature section is tested against CPU model POWER7's features, but " \
           "CPU_FTR_ARCH_206" in err
    status, out, err = _check(tmp_path, capsys, text, "--no-kernel-env", "--features", "0")
    assert status == 0, err
    assert "body is nops" in out


def test_the_kernel_environment_still_gives_the_feature_values():
    img = build_image(str(FRAGMENT), BuildOptions(), "PPC970")
    assert img.features["CPU"] != 0 and any(st.how == "kept" for st in img.states)


# ---- 6. an edited fragment keeps its hunks apart

def _edited(tmp_path, drop: tuple[int, int]) -> str:
    lines = FRAGMENT.read_text().split("\n")
    path = tmp_path / "m.S"
    path.write_text("\n".join(lines[:drop[0] - 1] + lines[drop[1]:]))
    return str(path)


def test_deleting_lines_of_a_hunk_keeps_it_apart_from_the_next(tmp_path, capsys):
    path = _edited(tmp_path, (85, 87))                   # the host_ipi re-check of hunk 3
    assert cli.main(["check", path, "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert "hunk 3: upstream lines 674-764, file lines 26-113," in out
    assert "hunk 4: upstream lines 901-907, file lines 115-121," in out
    assert "warning: " + path + ":25: hunk 3 is not the patch's text (3 lines deleted, 0 added); its lines are " \
        "matched to upstream lines by their text" in out
    p = load_program(path)
    h3, h4 = p.hunks[2], p.hunks[3]
    assert h3.lines[1] < h4.pragma.line and not h3.contains_line(path, 115) and h4.contains_line(path, 115)
    assert p.upstream_line(p.insns[h4.start].pos) == 901                  # beq 44f: hunk 4's first line
    assert [h3.upstream(n) for n in (84, 85, 113)] == [732, 736, 764]      # the deleted 733-735 have no line


def test_without_the_patch_an_edited_hunk_counts_its_lines_and_says_so(tmp_path):
    path = _edited(tmp_path, (85, 87))
    p = load_program(path, BuildOptions(patch=None))
    assert any("hunk 3 has 88 lines but its pragma says upstream lines 674-764 (91); lines were deleted" in m
               for m, _ in p.warnings)
    assert [p.hunks[2].upstream(n) for n in (84, 85, 113)] == [732, 733, 761]
    assert p.hunks[2].lines == (26, 113) and p.hunks[3].lines == (115, 121)


def test_paths_of_an_edited_hunk_cover_only_that_hunk(tmp_path, capsys):
    path = _edited(tmp_path, (85, 87))
    status = cli.main(["paths", path, "--entry", "hunk 3", "--domain", str(ROOT / "asm" / "domains" / "hunk3.toml"),
                       "--no-cache"])
    out = capsys.readouterr().out
    assert status == 0 and "branch coverage:" in out
    assert "44f" not in out and "upstream 763" not in out
    assert "m.S:95 (upstream 746)" in out and "MISS 1:751" in out     # the resend of the deleted re-check


def test_adding_code_at_the_end_of_a_hunk_keeps_it_in_the_hunk(tmp_path, capsys):
    lines = FRAGMENT.read_text().split("\n")
    path = tmp_path / "a.S"
    path.write_text("\n".join(lines[:116] + ["\tnop", "\tnop"] + lines[116:]))
    p = load_program(str(path))
    h3 = p.hunks[2]
    assert h3.lines == (26, 118) and h3.contains_line(str(path), 118) and p.hunks[3].lines[0] == 120
    assert any("hunk 3 is not the patch's text (0 lines deleted, 2 added)" in m for m, _ in p.warnings)
    assert p.upstream_line(p.insns[h3.end - 4].pos) is None               # no upstream line to name
    p = load_program(str(path), BuildOptions(patch=None))
    assert any("hunk 3 has code at line 118, past its upstream lines 674-764" in m for m, _ in p.warnings)
    assert p.hunks[2].lines == (26, 118) and p.upstream_line(p.insns[p.hunks[2].end - 4].pos) is None


def test_the_seed_fragment_has_no_hunk_warnings(capsys):
    p = load_program(str(FRAGMENT))
    assert [h.lines for h in p.hunks] == [(10, 15), (18, 24), (26, 116), (118, 124), (126, 132)]
    assert not [m for m, _ in p.warnings if "hunk" in m]


def test_a_hunk_marked_twice_is_an_error(tmp_path):
    e = _error(tmp_path, "#pragma ppcinterp hunk 1 upstream 1-2\n\tnop\n#pragma ppcinterp hunk 1 upstream 5-6\n")
    assert "hunk 1 is marked twice" in e.message and e.pos.line == 3


def test_a_sum_deeper_than_pythons_recursion_limit_assembles(tmp_path):
    p = _load(tmp_path, "\tli r3, " + "+".join(["1"] * 3000) + "\n")       # used to escape as RecursionError
    assert p.insns[0x100000].word == 0x38600BB8                          # li r3,3000
