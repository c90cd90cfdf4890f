"""Encodings checked against GNU as for PowerPC (`powerpc64-linux-gnu-as -a64 -mpower7 -mregnames`)."""

from __future__ import annotations

from pathlib import Path

from conftest import FRAGMENT, ROOT, gas_assemble, gas_linked_sections, need_gas

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


def test_fragment_sections_equal_gnu_as_linked(tmp_path: Path):
    """The fragment's fixup records too (their offsets point across sections), GNU as's linked at our addresses."""
    need_gas()
    prog = load_program(str(FRAGMENT), BuildOptions(base=LINK_BASE))
    text = "\n".join(line.text for line in prog.preprocessed.lines)
    tail = "".join(f"\n\t.text\n{o.name}:\n\t.long 0" for o in sorted(prog.outside.values(), key=lambda o: o.addr))
    assert len(prog.sections["__ftr_fixup"].data) == 48
    assert compare_sections(prog, text + tail + "\n", tmp_path) == []


LINK_BASE = 0x10000000          # where both layouts start (ld keeps clear of address 0)


def compare_sections(prog, text: str, tmp: Path) -> list[str]:
    """Every section of ours (code, feature alternatives, the fixup table) against GNU as's, linked at our
    addresses: one line per differing word."""
    gas = gas_linked_sections(text, tmp, {n: s.base for n, s in prog.sections.items()})
    diffs = []
    for name, s in prog.sections.items():
        ours, theirs = bytes(s.data), gas.get(name, b"")
        for off in range(0, max(len(ours), len(theirs)), 4):
            if ours[off:off + 4] != theirs[off:off + 4]:
                ai = prog.insns.get(s.base + off)
                diffs.append(f"{name}+{off:#x}: ours {ours[off:off + 4].hex()} gas {theirs[off:off + 4].hex()}  "
                             f"{ai.stmt.text if ai else ''}")
    return diffs


def test_feature_alternative_section_equals_gnu_as(tmp_path: Path):
    """Body, alternative and fixup record of a feature section with an else part, as GNU as and ld lay them out:
    the alternative's branch back into the body's code crosses sections, so it is compared linked."""
    need_gas()
    src = tmp_path / "alt.S"
    src.write_text("\tnop\nBEGIN_FTR_SECTION\n\tli r3,1\n\tli r4,1\n\tli r6,1\nFTR_SECTION_ELSE\n\tb 1f\n\tbeq cr1,2f\n"
                   "\tli r5,2\nALT_FTR_SECTION_END_IFSET(CPU_FTR_ARCH_206)\n1:\tblr\n2:\tnop\n")
    prog = load_program(str(src), BuildOptions(base=LINK_BASE))
    alt = [s for n, s in prog.sections.items() if n.startswith("__ftr_alt")]
    assert len(alt) == 1 and len(alt[0].data) == 12 and len(prog.sections["__ftr_fixup"].data) == 48
    text = "\n".join(line.text for line in prog.preprocessed.lines) + "\n"
    assert compare_sections(prog, text, tmp_path) == []


def test_many_instructions_equal_gnu_as(tmp_path: Path):
    need_gas()
    path = ROOT / "tests" / "data" / "many_instructions.S"
    prog = load_program(str(path), BuildOptions(base=0, kernel_env=False))
    gas_text, _ = gas_assemble(path.read_text(), tmp_path)
    assert compare_text(prog, gas_text) == []
    assert len(prog.insns) > 180
