"""The preprocessor's GNU forms, each checked against the text we expect and, where the host has it, against
GNU cpp itself (`cpp -undef -nostdinc -P -x assembler-with-cpp`): same tokens, line by line."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from conftest import have, need_cpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ppcinterp.diagnostics import SourceError
from ppcinterp.source.cpp_lines import tokenize
from ppcinterp.source.preprocess import preprocess

CPP = shutil.which("cpp")


def tokens(text: str) -> list[str]:
    return [t.text for t in tokenize(text) if t.kind != "ws"]


def ours(path: Path, include_dirs=(), **kw) -> list[list[str]]:
    res = preprocess(str(path), include_dirs=[str(d) for d in include_dirs], **kw)
    return [t for t in (tokens(line.text) for line in res.lines) if t]


def gnu(path: Path, include_dirs=(), defines=()) -> list[list[str]] | None:
    """GNU cpp's lines as tokens, or None if it refused the input (or is not installed)."""
    if CPP is None:
        return None
    args = [CPP, "-undef", "-nostdinc", "-P", "-x", "assembler-with-cpp", "-D__ASSEMBLY__"]
    args += [f"-I{d}" for d in include_dirs] + [f"-D{d}" for d in defines] + [str(path)]
    r = subprocess.run(args, capture_output=True, text=True, cwd=path.parent)
    if r.returncode != 0:
        return None
    return [t for t in (tokens(line) for line in r.stdout.splitlines()) if t]


def check(tmp_path: Path, text: str, expected: list[str], include_dirs=()) -> None:
    path = tmp_path / "m.S"
    path.write_text(text)
    got = ours(path, include_dirs)
    assert got == [tokens(e) for e in expected]
    if have("cpp", "cpp"):
        assert gnu(path, include_dirs) == got


STRINGIFY = "#define __stringify_1(x...)\t#x\n#define __stringify(x...)\t__stringify_1(x)\n"


@pytest.mark.parametrize("text, expected", [
    (STRINGIFY + "#define V 3\n__stringify(a, V ,  \"q\\n\") __stringify()\n",
     ['"a, 3 , \\"q\\\\n\\"" ""']),
    ("#define S(x) #x\nS( a\\b  'x' ) S(\"\\\"\")\n", ['"a\\b \'x\'" "\\"\\\\\\"\\""']),
    ("#define F(...) [a , ## __VA_ARGS__ b]\nF() F( ) F(1) F(,)\n", ["[a b] [a b] [a ,1 b] [a ,, b]"]),
    ("#define G(x, ...) [x, ## __VA_ARGS__]\nG(1) G(1,) G(1, ) G(1,2, 3)\n", ["[1] [1,] [1,] [1,2, 3]"]),
    ("#define N(x, y...) [x, ## y]\nN(1) N(1,) N(1,2,3)\n", ["[1] [1,] [1,2,3]"]),
    ("#define K(x, ...) [#__VA_ARGS__] [__VA_ARGS__]\nK(1) K(1,2, 3)\n", ['[""] [] ["2, 3"] [2, 3]']),
    ("#define f(x) x+1\n#define g f\n#define h() H\n#define i h\ng(2) i() i\n", ["2+1 H h"]),
    ("#define N(a) a\n#define O N(x)y\nO N(x)y N(-)- -N(-)\n", ["x y x y - - - -"]),
    ("#define f(x) x f\nf(1)(2)\n#define X X + 1\nX\n", ["1 f(2)", "X + 1"]),
    ("#define P(a, b) a ## b\nP(+,-) P(1,.) P(,x) P(x,) P(,)\n", ["+- 1. x x"]),
    ("#define C(a, b, c) a ## b ## c\nC(x, 1, y) C(, , z)\n", ["x1y z"]),
    ("#define AA(x) [x]\nAA (\n1)\nAA\n(3)\n", ["[1]", "[3]"]),
    ("#define foo X\n#define bar Y\n#foo bar\n# 12 bar\n#\n#\tfoo\n", ["#X Y", "# 12 Y", "# X"]),
    ("__LINE__\n#define L __LINE__\n\nL __INCLUDE_LEVEL__ __COUNTER__ __COUNTER__\n", ['1', '4 0 0 1']),
    ("#define E\n#define Q(x, ...) [x, ## __VA_ARGS__]\nQ(1,E) Q(E)\n", ["[1,] []"]),
])
def test_macro_forms(tmp_path, text, expected):
    check(tmp_path, text, expected)


KCONFIG = """#define __ARG_PLACEHOLDER_1 0,
#define config_enabled(cfg) _config_enabled(cfg)
#define _config_enabled(value) __config_enabled(__ARG_PLACEHOLDER_##value)
#define __config_enabled(arg1_or_junk) ___config_enabled(arg1_or_junk 1, 0)
#define ___config_enabled(__ignored, val, ...) val
#define IS_ENABLED(option) (config_enabled(option) || config_enabled(option##_MODULE))
#define CONFIG_ON 1
#define CONFIG_MOD_MODULE 1
"""


def test_is_enabled_in_if_and_in_text(tmp_path):
    check(tmp_path, KCONFIG + "#if IS_ENABLED(CONFIG_ON) && IS_ENABLED(CONFIG_MOD) && !IS_ENABLED(CONFIG_OFF)\n"
          "yes\n#endif\nIS_ENABLED(CONFIG_ON) IS_ENABLED(CONFIG_OFF)\n", ["yes", "(1 || 0) (0 || 0)"])


def test_defined_in_every_form(tmp_path):
    check(tmp_path, "#define A\n#define DA defined(A)\n#define DB defined B\n"
          "#if defined A && defined(A) && defined ( A ) && !defined B && DA && !DB\none\n#endif\n"
          "#if defined __LINE__ && defined(__has_include)\ntwo\n#endif\n"
          "#ifdef __FILE__\nthree\n#endif\n", ["one", "two", "three"])


def test_if_arithmetic_is_gnu_s(tmp_path):
    check(tmp_path, "#if -1 < 0u\nno\n#else\nunsigned\n#endif\n"
          "#if (-1)/2 == 0 && -7 % 3 == -1 && (0u - 1) >> 63 == 1 && -1 >> 63 == -1 && 0x10 == 020 && 'A' == 65\n"
          "c\n#endif\n#if 1 ? 2 : (1/0)\nternary\n#endif\n#if 0 && (1/0) || 1 || 1/0\nshort\n#endif\n"
          "#if (1, 0)\nno\n#elif 0xffffffffffffffff == -1 && 18446744073709551615 > 0 && 1 << 63 < 0\nwide\n#endif\n",
          ["unsigned", "c", "ternary", "short", "wide"])


def test_unknown_directives_in_false_branches_and_ident_warning(tmp_path):
    check(tmp_path, "#if 0\n#bogus x\n#include <nowhere.h>\n#error never\n#if garbage (\n#endif\n#else\nok\n"
          "#endif\n#ident \"v1\"\n#warning careful\n#sccs \"x\"\nend\n", ["ok", "end"])


def test_has_include_and_include_next(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    (a / "sub").mkdir(parents=True)
    (b / "sub").mkdir(parents=True)
    (a / "sub" / "h.h").write_text("first\n#include_next <sub/h.h>\n")
    (b / "sub" / "h.h").write_text("second __INCLUDE_LEVEL__\n")
    (tmp_path / "q.h").write_text('#include_next "sub/h.h"\n')
    check(tmp_path, "#if __has_include(<sub/h.h>) && __has_include(\"q.h\") && !__has_include(<nope.h>)\n"
          "#include <sub/h.h>\n#endif\n#include \"q.h\"\n", ["first", "second 2", "first", "second 3"],
          include_dirs=[a, b])


def test_force_include_and_file_as_written(tmp_path):
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "f.h").write_text("#define FORCED 1\n")
    (tmp_path / "inc" / "w.h").write_text("__FILE__ __BASE_FILE__\n")
    path = tmp_path / "m.S"
    path.write_text("#include <w.h>\nFORCED\n")
    res = preprocess(str(path), include_dirs=[str(tmp_path / "inc") + "/"], force_includes=["f.h"])
    assert [ln.text for ln in res.lines] == [f'"{tmp_path}/inc/w.h" "{path}"', "1"]    # GCC's spelling


def test_skipped_by_config_counts_main_file_lines(tmp_path):
    (tmp_path / "h.h").write_text("#ifdef CONFIG_H\nh\n#endif\n")
    path = tmp_path / "m.S"
    path.write_text('#include "h.h"\n#define CONFIG_A 1\n#ifdef CONFIG_A\na\n#else\nx\ny\n#endif\n'
                    "#define IS(x) 0\n#if defined(CONFIG_B) || IS(CONFIG_C)\n1\n2\n#ifdef CONFIG_D\n3\n#endif\n"
                    "#elif 0\n4\n#endif\n")
    res = preprocess(str(path))
    # the #elif group counts too: its chain tests CONFIG_B and CONFIG_C; CONFIG_D lies inside skipped lines
    assert res.skipped_by_config == {"CONFIG_A": 2, "CONFIG_B": 6, "CONFIG_C": 6}


@pytest.mark.parametrize("text, message, line, col", [
    ("#define F(x...,y) x\n", "expected ')' after '...'", 1, 15),
    ("#define F(x,x) x\n", "duplicate macro parameter 'x'", 1, 13),
    ("#define F(x\n", "missing ')'", 1, 11),
    ("#define 3 x\n", "macro names must be identifiers", 1, 9),
    ("#define defined 1\n", "cannot be used as a macro name", 1, 9),
    ("#define A ## b\n", "'##' cannot appear at either end", 1, 11),
    ("#define F(x) x\n  F(1,2)\n", "macro 'F' passed 2 arguments, but takes just 1", 2, 3),
    ("#if defined(\n#endif\n", "operator 'defined' requires an identifier", 1, 12),
    ("#if defined(X\n#endif\n", "missing ')' after 'defined'", 1, 13),
    ("#if 1 2\n#endif\n", "missing binary operator before '2'", 1, 7),
    ("#if 1.0\n#endif\n", "floating constant", 1, 5),
    ("#if (1\n#endif\n", "missing ')'", 1, 5),
    ("#if 1 / 0\n#endif\n", "division by zero", 1, 7),
    ("#if __has_include(nope)\n#endif\n", "requires a header name", 1, 19),
    ("#if \"s\"\n#endif\n", "string", 1, 5),
    ("#include_next\n", "#include expects", 1, 14),
])
def test_bad_input_is_a_positioned_error(tmp_path, text, message, line, col):
    path = tmp_path / "m.S"
    path.write_text(text)
    with pytest.raises(SourceError) as e:
        preprocess(str(path))
    assert message in e.value.message
    assert (e.value.pos.line, e.value.pos.col) == (line, col), e.value.render()


def test_a_doubling_chain_stops_quickly(tmp_path):
    defs = "#define A0 x x\n" + "".join(f"#define A{i} A{i - 1} A{i - 1}\n" for i in range(1, 40))
    path = tmp_path / "m.S"
    path.write_text(defs + "A39\n")
    t0 = time.monotonic()
    with pytest.raises(SourceError) as e:
        preprocess(str(path))
    assert time.monotonic() - t0 < 20
    assert "exceeds 100000 tokens" in e.value.message and e.value.pos.line == 41


def test_deep_nesting_is_an_error_not_a_crash(tmp_path):
    path = tmp_path / "m.S"
    path.write_text("#define F(x) x\n" + "F(" * 5000 + ")" * 5000 + "\n#if " + "(" * 5000 + "1" + ")" * 5000 +
                    "\n#endif\n")
    with pytest.raises(SourceError) as e:
        preprocess(str(path))
    assert "nest too deeply" in e.value.message and e.value.pos.line == 2


# ---- random macro programs against GNU cpp

_NAMES = ["A", "B", "F", "G"]


@st.composite
def programs(draw) -> str:
    lines = []
    for name in _NAMES:
        params = draw(st.sampled_from([None, [], ["x"], ["x", "y"], ["x", "..."], ["x..."]]))
        pnames = [p.rstrip(".") or "__VA_ARGS__" for p in params or []]
        pnames = ["__VA_ARGS__" if p == "" else p for p in pnames]
        atoms = st.sampled_from(["1", "+", "(", ")", ",", "z", *_NAMES, *pnames,
                                 *[f"#{p}" for p in pnames], *[f"{p} ## 2" for p in pnames],
                                 *[f", ## {p}" for p in pnames if params and p in (pnames[-1],)]])
        body = " ".join(draw(st.lists(atoms, max_size=6)))
        head = name if params is None else f"{name}({', '.join(params)})"
        lines.append(f"#define {head} {body}")
    args = st.lists(st.sampled_from(["", "1", "A", "F(2)", "G", "(a, b)", "B()"]), max_size=3)
    for _ in range(draw(st.integers(1, 3))):
        calls = [f"{n}({', '.join(draw(args))})" if draw(st.booleans()) else n for n in draw(
            st.lists(st.sampled_from(_NAMES), min_size=1, max_size=3))]
        lines.append(" ".join(calls))
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(programs())
def test_random_macro_programs_agree_with_gnu_cpp(tmp_path, text):
    need_cpp()
    path = tmp_path / "m.S"
    path.write_text(text)
    want = gnu(path)
    try:
        got = ours(path)
    except SourceError as e:
        assert want is None, f"{e.render()}\n{text}"
        return
    if want is not None:
        assert [" ".join(x) for x in got] == [" ".join(x) for x in want], text


@st.composite
def expressions(draw, depth: int = 0) -> str:
    if depth > 3 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(["0", "1", "2", "-1", "7", "0u", "1u", "63", "64", "0x7fffffffffffffff",
                                     "0xffffffffffffffff", "18446744073709551615", "'a'", "X", "defined X",
                                     "defined(Y)", "010", "0b101"]))
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return f"{draw(st.sampled_from(['-', '~', '!', '+']))}({draw(expressions(depth + 1))})"
    if kind == 1:
        op = draw(st.sampled_from(["+", "-", "*", "/", "%", "<<", ">>", "<", ">", "<=", ">=", "==", "!=", "&", "^",
                                   "|", "&&", "||", ","]))
        return f"({draw(expressions(depth + 1))} {op} {draw(expressions(depth + 1))})"
    return f"({draw(expressions(depth + 1))} ? {draw(expressions(depth + 1))} : {draw(expressions(depth + 1))})"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expressions())
def test_if_expressions_agree_with_gnu_cpp(tmp_path, expr):
    need_cpp()
    path = tmp_path / "m.S"
    path.write_text(f"#define X 5\n#if {expr}\nyes\n#else\nno\n#endif\n")
    want = gnu(path)
    try:
        got = ours(path)
    except SourceError as e:
        assert want is None, f"{e.render()}\n{expr}"
        return
    assert want is not None and got == want, expr


_PIECES = ["#define F(x...) ", "#define G(a, ...) ", "#define H ", "#x", "#a", " ## ", "__VA_ARGS__", "a", "x",
           ", ## __VA_ARGS__", "defined", "defined(", "__has_include(", "__has_include_next(", "<h.h>", '"h.h"',
           "#if ", "#elif ", "#else", "#endif", "#include_next ", "#include ", "#undef ", "F(", "G(", "H", "(",
           ")", ",", "1", "0x1u", "'c'", '"s"', "/*", "*/", "//", "\\\n", "\n", " ", "__LINE__", "__FILE__", "...",
           "#ident ", "#warning w", "#bogus", "#", "IS(", "__COUNTER__"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_any_directive_soup_gives_output_or_a_positioned_error(tmp_path, pieces):
    (tmp_path / "h.h").write_text("#define FROM_H 1\n")
    path = tmp_path / "m.S"
    path.write_text("".join(pieces))
    try:
        preprocess(str(path), include_dirs=[str(tmp_path)])
    except SourceError as e:
        assert e.pos is not None and e.pos.line >= 1 and e.pos.col >= 1
