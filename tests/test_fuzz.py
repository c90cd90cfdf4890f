"""No input crashes the tool: random sources end in a program or a positioned SourceError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ppcinterp.build import BuildOptions, load_program
from ppcinterp.diagnostics import PpcError

WORDS = ["li", "r3", "r0", ",", "(", ")", "1f", "1b", "1:", "lbl:", "lbl", ".", "+", "-", "*", "<<", "@ha",
         ".rept", ".endr", ".if", ".else", ".endif", ".long", ".align", ".section", ".pushsection",
         ".popsection", ".macro", ".endm", "\\x", "x", "=", ";", "\n", "\t", " ", "0x10", "99999999999",
         "bne", "beq+", "cr1", "eq", "rlwinm.", "ld", "std", "8(r1)", "mtspr", "318", "\"s\"", "#define",
         "#if", "#endif", "BEGIN_FTR_SECTION", "END_FTR_SECTION_IFSET(1)", "#pragma ppcinterp hunk 1 upstream 1-2",
         "#pragma ppcinterp outside", "@", "'", "%", "b", ".", "mr"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(WORDS), max_size=40))
def test_random_sources(tmp_path, words):
    path = tmp_path / "f.S"
    path.write_text(" ".join(words))
    try:
        load_program(str(path), BuildOptions())
    except PpcError as e:
        assert e.pos is None or e.pos.line >= 1
