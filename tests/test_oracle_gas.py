"""Encodings checked against GNU as for PowerPC (`powerpc64-linux-gnu-as -a64 -mpower7 -mregnames`)."""

from __future__ import annotations

from pathlib import Path

from conftest import FRAGMENT, ROOT, gas_assemble, need_gas

from ppcinterp.build import BuildOptions, load_program


def compare_text(prog, gas_text: bytes) -> list[str]:
    ours = bytes(prog.text.data)
    diffs = []
    for off in range(0, max(len(ours), len(gas_text)), 4):
        a, b = ours[off:off + 4], gas_text[off:off + 4]
        if a != b:
            ai = prog.insns.get(prog.text.base + off)
            diffs.append(f"+{off:#x}: ours {a.hex()} gas {b.hex()}  {ai.stmt.text if ai else ''}")
    return diffs


def test_fragment_words_equal_gnu_as(tmp_path: Path):
    need_gas()
    prog = load_program(str(FRAGMENT), BuildOptions(base=0))
    # GNU as reads the same preprocessed text; the labels the fragment leaves to are defined for it at
    # the end of .text, where ppcinterp lays them out.
    text = "\n".join(line.text for line in prog.preprocessed.lines)
    tail = "".join(f"\n\t.text\n{o.name}:\n\t.long 0" for o in sorted(prog.outside.values(), key=lambda o: o.addr))
    gas_text, syms = gas_assemble(text + tail + "\n", tmp_path)
    assert compare_text(prog, gas_text) == []
    assert len(prog.insns) == 65                      # every instruction of the five hunks was compared
    for o in prog.outside.values():                   # exits sit at the same addresses on both sides
        if not o.name.isdigit():
            assert syms[o.name] == o.addr - prog.text.base, o.name
    for name in ("ext_stash_for_host", "ext_interrupt_to_host", "guest_exit_cont"):
        assert syms[name] == prog.symbols[name] - prog.text.base


def test_feature_alternative_section_equals_gnu_as(tmp_path: Path):
    need_gas()
    src = tmp_path / "alt.S"
    src.write_text("BEGIN_FTR_SECTION\n\tli r3,1\n\tli r4,1\nFTR_SECTION_ELSE\n\tb 1f\n"
                   "ALT_FTR_SECTION_END_IFSET(CPU_FTR_ARCH_206)\n1:\tblr\n")
    prog = load_program(str(src), BuildOptions(base=0))
    gas_text, _ = gas_assemble("\n".join(line.text for line in prog.preprocessed.lines) + "\n", tmp_path)
    assert compare_text(prog, gas_text) == []


def test_many_instructions_equal_gnu_as(tmp_path: Path):
    need_gas()
    path = ROOT / "tests" / "data" / "many_instructions.S"
    prog = load_program(str(path), BuildOptions(base=0, kernel_env=False))
    gas_text, _ = gas_assemble(path.read_text(), tmp_path)
    assert compare_text(prog, gas_text) == []
    assert len(prog.insns) > 180
