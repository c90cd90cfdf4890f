"""Fuzzing the front end: mutations of the seed fragment and synthetic kernel-style sources, through
`load_program`/`build_image` in-process and (a smaller share) through `ppcinterp check`/`disasm`. Each ends in
a Program, an Image or a positioned PpcError, within the CPU bound of tests/fuzzing.py.

PPCINTERP_FUZZ_EXAMPLES=N runs N examples of each test (see tests/fuzzing.py)."""

from __future__ import annotations

import contextlib
import io
import re

from conftest import FRAGMENT
from fuzzing import bounded, fuzz_settings, no_crash
from hypothesis import given
from hypothesis import strategies as st

from ppcinterp import build, cache, cli
from ppcinterp.asm.cpus import CPUS
from ppcinterp.build import BuildOptions, build_image
from ppcinterp.diagnostics import PpcError

LINES = FRAGMENT.read_bytes().split(b"\n")

# Words of kernel assembly: mnemonics, registers, directives, the environment's macros and constants.
POOL = ["li", "lbz", "stbcix", "lwzcix", "cmpwi", "bne", "beq-", "bne+", "b", "bl", "mfspr", "mtspr", "ori",
        "andi.", "sync", "mr", "ld", "std", "rlwinm", "r0", "r3", "r5", "r13", "cr1", "eq", "1f", "1b", "27f",
        "44f", "1:", "44:", ".", ",", "(", ")", "+", "-", "*", "<<", ">>", "@ha", "@l", "@h", "'", '"', ";",
        "#", "\\", ".long", ".llong", ".rept", ".endr", ".if", ".else", ".endif", ".org", ".space", ".align",
        ".section", ".previous", ".pushsection", ".popsection", ".macro", ".endm", ".set", ".globl",
        "BEGIN_FTR_SECTION", "END_FTR_SECTION_IFSET(CPU_FTR_ARCH_206)", "END_FTR_SECTION_IFCLR(CPU_FTR_HVMODE)",
        "FTR_SECTION_ELSE", "ALT_FTR_SECTION_END_IFCLR(CPU_FTR_ARCH_206)", "HSTATE_HOST_IPI", "XICS_MFRR",
        "IPI_PRIORITY", "SPRN_LPCR", "LPCR_MER", "MSR_EE", "BOOK3S_INTERRUPT_EXTERNAL", "ext_interrupt_to_host",
        "#define", "#if", "#ifdef", "#else", "#endif", "#include", "#pragma ppcinterp hunk 3 upstream 1-2",
        "_GLOBAL(x)", "LOAD_REG_ADDR(r3, x)", "/*", "*/", "//"]
NUMBERS = ["0", "1", "-1", "09", "0x", "0b2", "0xffffffffffffffff", "18446744073709551616", "1" * 120, "9" * 5000,
           "0x" + "f" * 300, "4294967296", "32768", "-32769", "1e5", "1.5"]
ODD = ["\0", "\x7f", "\u00b2", "\u0663", "\t", "\\", "'", '"', "\\x", "\\N", "#", "@", "$", "%", "?", "`", "{",
       "\r", "\f", "\n", " \\\n", "\u2028", "\ufeff"]
RAW = [b"\xff", b"\xc3", b"\x80\x80", b"\xed\xa0\x80", b"\xfe\xff"]

_TOKEN = re.compile(rb"[\w.]+|\S")


@st.composite
def mutations(draw) -> bytes:
    """The fragment with a few lines deleted, duplicated, swapped, or tokens replaced and things inserted."""
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "dup", "swap", "token", "insert", "raw"]))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "token":
            toks = list(_TOKEN.finditer(lines[i]))
            if toks:
                m = toks[draw(st.integers(0, len(toks) - 1))]
                word = draw(st.sampled_from(POOL + NUMBERS)).encode()
                lines[i] = lines[i][:m.start()] + word + lines[i][m.end():]
        else:
            at = draw(st.integers(0, len(lines[i])))
            what = draw(st.sampled_from(RAW)) if op == "raw" else draw(st.sampled_from(NUMBERS + ODD)).encode()
            lines[i] = lines[i][:at] + what + lines[i][at:]
    return b"\n".join(lines)


# ---- synthetic kernel-style sources

_IDS = ["A", "B", "F", "x", "lbl", "CPU_FTR_ARCH_206", "HSTATE_HOST_IPI", "r3"]
_exprs = st.recursive(
    st.sampled_from(["1", "0", "4", "0x10", "-1", "x", "A", ".", "1b", "lbl", "(1<<16)", "9" * 25, "F(2)"]),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "==", "<", "&&"]),
                  inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        inner.map(lambda e: f"({e})"), inner.map(lambda e: f"-{e}"), inner.map(lambda e: f"{e}@ha")),
    max_leaves=6)

_cpp_exprs = st.recursive(
    st.sampled_from(["1", "0", "4", "0x10", "-1", "A", "B", "F(2)", "defined(A)", "defined B", "18446744073709551615u",
                     "'a'", "CPU_FTR_ARCH_206", "__LINE__"]),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "==", "<", "&&", "||",
                                          "?"]), inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}" + (" : 1" if t[1] == "?"
                                                                                                 else "")),
        inner.map(lambda e: f"({e})"), inner.map(lambda e: f"!{e}"), inner.map(lambda e: f"~{e}")),
    max_leaves=6)


def _block(body: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.tuples(st.sampled_from(["0", "1", "3", "100", "x", "70000", "-1"]), body).map(
            lambda t: f".rept {t[0]}\n{t[1]}\n.endr"),
        st.tuples(_exprs, body, body).map(lambda t: f".if {t[0]}\n{t[1]}\n.else\n{t[2]}\n.endif"),
        st.tuples(_cpp_exprs, body, body).map(lambda t: f"#if {t[0]}\n{t[1]}\n#else\n{t[2]}\n#endif"),
        st.tuples(st.sampled_from(_IDS), body).map(lambda t: f"#ifdef {t[0]}\n{t[1]}\n#endif"),
        st.tuples(body, st.sampled_from(["END_FTR_SECTION_IFSET(CPU_FTR_ARCH_206)",
                                         "END_FTR_SECTION_IFCLR(CPU_FTR_HVMODE)", "END_FTR_SECTION(1, 1)"])).map(
            lambda t: f"BEGIN_FTR_SECTION\n{t[0]}\n{t[1]}"),
        st.tuples(body, body, st.sampled_from(["ALT_FTR_SECTION_END_IFCLR(CPU_FTR_ARCH_206)",
                                               "ALT_FTR_SECTION_END_IFSET(CPU_FTR_HVMODE)"])).map(
            lambda t: f"BEGIN_FTR_SECTION\n{t[0]}\nFTR_SECTION_ELSE\n{t[1]}\n{t[2]}"),
        st.tuples(st.sampled_from(["m", "n"]), body).map(lambda t: f".macro {t[0]} a, b=1\n{t[1]}\n.endm"),
        st.tuples(st.sampled_from(["#pragma ppcinterp hunk 1 upstream 10-12", "#pragma ppcinterp hunk 2 upstream "
                                   "20-20", ".section .data", ".pushsection __ftr_fixup,\"a\""]), body).map(
            lambda t: f"{t[0]}\n{t[1]}" + ("\n.popsection" if "push" in t[0] else "")),
    )


_simple = st.one_of(
    _exprs.map(lambda e: f"\tli r3, {e}"), _exprs.map(lambda e: f"\t.long {e}"), _exprs.map(lambda e: f"\t.llong {e}"),
    _exprs.map(lambda e: f"\taddi r1, r1, {e}"), _exprs.map(lambda e: f"\tld r0, {e}(r1)"),
    _exprs.map(lambda e: f"\tx = {e}"), _exprs.map(lambda e: f"\t.set A, {e}"),
    _exprs.map(lambda e: f"\tbne {e}"), _exprs.map(lambda e: f"\t.org {e}"), _exprs.map(lambda e: f"\t.space {e}"),
    _exprs.map(lambda e: f"\t.align {e}"), _exprs.map(lambda e: f"\tm {e}, {e}"),
    st.tuples(st.sampled_from(_IDS), _exprs).map(lambda t: f"#define {t[0]} {t[1]}"),
    st.tuples(st.sampled_from(_IDS), _exprs).map(lambda t: f"#define {t[0]}(y) ({t[1]} + y)"),
    st.sampled_from(["1:", "lbl:", "\tnop", "\tb 1f", "\tb 1b", "\tbl lbl", "\tsync", "\tm", "\tn \\@", "\tm \\a",
                     "\tblr", "\tmfspr r3, SPRN_LPCR", "\tlbz r0, HSTATE_HOST_IPI(r13)", "\t.previous",
                     "#pragma ppcinterp outside lbl", "#define A A A", "#define B A A", "\t.globl lbl",
                     "\tli r3, A", "\t.long B", "#undef A", "\t.ascii \"a\\x\\n\"", "\t.byte 'a, '\\n", "\t.endm",
                     "\t.endr", "\t.endif", "#endif", "\t.popsection", "\t.error \"e\"", "\t.tc x[TC], lbl",
                     "\t.section .toc, \"aw\"", "\tld r3, lbl@got(r2)", "\tld r3, lbl@toc(r2)", "\t.quad .TOC.@tocbase",
                     "\t.balign 64, 0xff", "\t.p2align 3,,4", "\t.irp r, 1, 2", "\t.ifdef lbl", "\t.ifc a, b",
                     "\t.section \"a b\"", "\tbeq+ cr1, 1f", "\trlwinm r3, r3, 0, 0x00ff0000", "\t.zero 8",
                     "#include <asm/ppc_asm.h>", "#include \"s.S\"", "_GLOBAL(lbl)", "\tLOAD_REG_ADDR(r3, lbl)"]),
)
_sources = st.lists(st.recursive(_simple, lambda b: _block(st.lists(b, max_size=4).map("\n".join)), max_leaves=12),
                    min_size=1, max_size=12).map(lambda ls: "\n".join(ls) + "\n")


def _build(path, data: bytes, cpu: str, kernel_env: bool = True) -> None:
    path.write_bytes(data)
    with bounded(f"building {len(data)} bytes"):
        try:
            img = build_image(str(path), BuildOptions(kernel_env=kernel_env), cpu)
        except PpcError as e:
            e.render()                                   # the message itself must not fail
            return
    hunks = img.program.hunks                            # however the file was edited, hunks never overlap
    for a in hunks:
        for b in hunks:
            assert a is b or a.pragma.file != b.pragma.file or a.lines[1] < b.lines[0] or b.lines[1] < a.lines[0], \
                (a, b)


@contextlib.contextmanager
def _no_disk_cache():
    """Hundreds of one-off builds: nothing to reuse. The in-process memo is emptied too, so that hypothesis
    replaying a slow example builds it again (a cached replay would hide the slowness it found)."""
    was = cache.set_disabled(True)
    build._memo.clear()
    try:
        yield
    finally:
        cache.set_disabled(was)


@fuzz_settings(120)
@given(data=mutations(), cpu=st.sampled_from(sorted(CPUS)))
def test_mutated_fragments_build_or_fail_with_a_positioned_error(tmp_path, data, cpu):
    with _no_disk_cache():
        _build(tmp_path / "book3s_hv_rmhandlers.S", data, cpu)


@fuzz_settings(200)
@given(text=_sources, cpu=st.sampled_from(sorted(CPUS)), kernel_env=st.booleans())
def test_synthetic_sources_build_or_fail_with_a_positioned_error(tmp_path, text, cpu, kernel_env):
    with _no_disk_cache():
        _build(tmp_path / "s.S", text.encode(), cpu, kernel_env)


@fuzz_settings(20)
@given(data=st.one_of(mutations(), _sources.map(str.encode)), command=st.sampled_from(["check", "disasm"]))
def test_the_command_line_never_crashes_on_them(tmp_path, data, command):
    path = tmp_path / "c.S"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    with _no_disk_cache(), bounded(f"ppcinterp {command}"), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        status = cli.main([command, str(path)])
    no_crash(status, err.getvalue(), f"ppcinterp {command}")
    assert status in (0, 1), err.getvalue()
    assert status == 0 or re.search(r"(^|\n)(\S+:\d+:\d+|ppcinterp): error: ", err.getvalue()), err.getvalue()


_text = st.text(st.characters(codec="utf-8", exclude_characters="\0"), max_size=12) | st.sampled_from(
    ["", "A", "1x", "(", "\\", "\"", "x" * 300, "pseries_defconfig", "../config", "/", "-1", "A=B"])


@fuzz_settings(40)
@given(config=st.sampled_from(["pseries_defconfig", "ppc64_defconfig"]) | _text,
       defines=st.dictionaries(st.sampled_from(["CPU_FTR_ARCH_206", "XICS_MFRR", "CONFIG_KVM", "HSTATE_HOST_IPI",
                                                "BEGIN_FTR_SECTION", "__ASSEMBLY__", "r3", "li"]) | _text,
                               st.none() | _text, max_size=3),
       include_dirs=st.lists(_text, max_size=2), externs=st.lists(_text, max_size=3),
       base=st.integers(-(1 << 65), 1 << 65) | st.sampled_from([0, 3, 0xC000000000000000]),
       patch=st.none() | st.just("auto") | _text, kernel_env=st.booleans())
def test_build_options_are_checked_or_used(config, defines, include_dirs, externs, base, patch, kernel_env):
    opts = BuildOptions(include_dirs=include_dirs, defines=defines, config=config, kernel_env=kernel_env, base=base,
                        externs=externs, patch=patch)
    with _no_disk_cache(), bounded("a build with odd options"):
        try:
            build_image(str(FRAGMENT), opts, "POWER7")
        except PpcError as e:
            e.render()
