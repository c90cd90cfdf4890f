"""Our C preprocessor through its public API: directives, macros, and positions in the user's text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ppcinterp.diagnostics import SourceError
from ppcinterp.source.preprocess import preprocess


def pp(tmp_path, text: str, **kw):
    path = tmp_path / "m.S"
    path.write_text(text)
    return preprocess(str(path), **kw)


def texts(res) -> list[str]:
    return [line.text.strip() for line in res.lines]


def test_includes_quotes_angles_and_search_order(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "h.h").write_text("A_FIRST\n")
    (tmp_path / "b" / "h.h").write_text("B_SECOND\n")
    (tmp_path / "h.h").write_text("LOCAL\n")
    res = pp(tmp_path, '#include "h.h"\n#include <h.h>\n', include_dirs=[str(tmp_path / "a"), str(tmp_path / "b")])
    assert texts(res) == ["LOCAL", "A_FIRST"]
    assert res.files[0].endswith("m.S") and len(res.files) == 3


def test_missing_include_position(tmp_path):
    with pytest.raises(SourceError) as e:
        pp(tmp_path, "nop\n  #include <nope.h>\n")
    assert "cannot find include file 'nope.h'" in e.value.message
    assert (e.value.pos.line, e.value.pos.col) == (2, 12)


def test_object_and_function_macros_stringify_paste_undef(tmp_path):
    res = pp(tmp_path, "#define N 97\n#define F(x, y) x##y #x\n#define L(n) n##1: b n##1b\n"
                       "F(ab, cd)\nL(97)\n#undef N\nN\n")
    assert texts(res) == ['abcd "ab"', "971: b 971b", "N"]


def test_conditionals_with_defined_and_arithmetic(tmp_path):
    res = pp(tmp_path, "#define A 3\n#if defined(A) && A * 2 == 6\none\n#if defined B\nno\n#elif A > 2\ntwo\n"
                       "#else\nno\n#endif\n#else\nno\n#endif\n#ifndef B\nthree\n#endif\n"
                       "#ifdef __ASSEMBLY__\nfour\n#endif\n")
    assert texts(res) == ["one", "two", "three", "four"]


def test_command_line_defines(tmp_path):
    assert texts(pp(tmp_path, "X Y\n", defines={"X": "7", "Y": None})) == ["7 1"]


def test_positions_through_includes_and_macros(tmp_path):
    (tmp_path / "inc.h").write_text("#define REG r5\n\tli REG, 1\n")
    res = pp(tmp_path, '#include "inc.h"\n#define OP(a) addi a, a, 2\n\tOP(r3) /* c */\n')
    inc_line, use_line = res.lines
    assert inc_line.pos.file.endswith("inc.h") and inc_line.pos.line == 2
    col = inc_line.text.index("r5")
    assert inc_line.pos_at(col).line == 2 and inc_line.pos_at(col).col == 5       # REG's invocation
    assert use_line.pos_at(use_line.text.index("addi")).col == 2                  # OP's invocation
    assert use_line.pos.line == 3


def test_comment_on_a_pragma_line_swallows_following_lines(tmp_path):
    res = pp(tmp_path, '#pragma ppcinterp hunk 1 upstream 79-84 "@@ x @@" /* opened\n * text *\n ***/\n\tnop\n')
    assert texts(res) == ['#pragma ppcinterp hunk 1 upstream 79-84 "@@ x @@"', "nop"]
    assert res.lines[1].pos.line == 4


def test_continuations_and_multiline_invocations(tmp_path):
    res = pp(tmp_path, "#define S(a, b) a; b\nS(x,\n  y)\nz \\\n w\n")
    assert texts(res) == ["x; y", "z  w"]      # backslash-newline joins; the spaces stay


@pytest.mark.parametrize("text, message, line", [
    ("#if 1\nx\n", "unterminated #if", 1),
    ("#endif\n", "#endif without #if", 1),
    ("#if 1\n#else\n#elif 1\n#endif\n", "#elif after #else", 3),
    ("x /* never closed\n", "unterminated comment", 1),
    ("#define F(a, b) a\nF(1)\n", "macro 'F' requires 2 arguments, but 1 given", 2),
    ("#define F(a) a\nF(1\n", "unterminated argument list", 2),
    ("#if 1 +\n#endif\n", "invalid #if expression", 1),
    ('#error "stop here"\n', "#error", 1),
])
def test_errors_have_positions(tmp_path, text, message, line):
    with pytest.raises(SourceError) as e:
        pp(tmp_path, text)
    assert message in e.value.message and e.value.pos.line == line


def test_macro_value(tmp_path):
    res = pp(tmp_path, "#define V ((1 << 3) | 0x10UL)\n#define W V + 1\n#define F(x) x\n")
    assert res.macro_value("V") == 0x18 and res.macro_value("W") == 0x19
    assert res.macro_value("F") is None and res.macro_value("NOPE") is None


def test_self_referential_macro_stops(tmp_path):
    assert texts(pp(tmp_path, "#define X X + 1\nX\n")) == ["X + 1"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("#ifdefnlu()\"'/*\\ \n,AB01+")), max_size=60))
def test_any_text_gives_output_or_a_positioned_error(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fz") / "f.S"
    path.write_text(text)
    try:
        preprocess(str(path))
    except SourceError as e:
        assert e.pos is not None
