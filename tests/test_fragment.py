"""The fragment as the assembler reads it: five hunks, upstream line mapping, config-dependent offsets."""

from __future__ import annotations

import re

from conftest import FRAGMENT, gas_assemble, need_gas

from ppcinterp.build import BuildOptions, load_program

PRAGMA = re.compile(r'^#pragma ppcinterp hunk (\d+) upstream (\d+)-(\d+) "(@@[^"]*@@)"')


def test_hunks_and_their_upstream_ranges():
    lines = FRAGMENT.read_text().splitlines()
    hunks = [(i, PRAGMA.match(t)) for i, t in enumerate(lines) if PRAGMA.match(t)]
    assert [(int(m[2]), int(m[3])) for _, m in hunks] == [(79, 84), (118, 124), (674, 764), (901, 907),
                                                         (1700, 1706)]
    i3 = hunks[2][0]
    assert lines[i3 + 1] == "\tcmpwi\tr12,BOOK3S_INTERRUPT_SYSCALL"
    assert lines[hunks[3][0] - 1] == "\t/* Save DEC */"            # hunk 3 is exactly 91 lines
    assert "XICS_QIRR" not in FRAGMENT.read_text()                  # removed lines are gone
    assert lines[-1] == "37:\tsync"


def test_positions_map_to_upstream_lines():
    prog = load_program(str(FRAGMENT))
    stash = next(lb for lb in prog.labels if lb.name == "ext_stash_for_host")
    assert prog.upstream_line(stash.pos) == 756                     # FACTS.md §5
    assert prog.upstream_line(next(lb for lb in prog.labels if lb.name == "guest_exit_cont").pos) == 763
    assert [h.number for h in prog.hunks] == [1, 2, 3, 4, 5]


def test_asm_offsets_depend_on_the_config(tmp_path):
    src = tmp_path / "o.S"
    src.write_text("\t.long HSTATE_HOST_IPI, PACA_SIZE, IPI_PRIORITY, HSTATE_XICS_PHYS, HSTATE_SAVED_XIRR\n")
    for config, values in (("pseries_defconfig", [789, 1024, 4, 808, 816]),
                           ("ppc64_defconfig", [725, 896, 4, 744, 752])):
        data = load_program(str(src), BuildOptions(config=config)).text.data
        assert [int.from_bytes(data[i:i + 4], "big") for i in range(0, 20, 4)] == values


def test_feature_records_and_alternatives_match_gnu_as(tmp_path):
    need_gas()
    src = tmp_path / "f.S"
    src.write_text("BEGIN_FTR_SECTION\n\tnop\nEND_FTR_SECTION_IFSET(CPU_FTR_ARCH_206)\n"
                   "BEGIN_FTR_SECTION\n\tli r3,1\n\tli r4,2\nFTR_SECTION_ELSE\n\tli r5,3\n"
                   "ALT_FTR_SECTION_END_IFCLR(CPU_FTR_VSX)\n\tGET_SCRATCH0(r9)\n")
    prog = load_program(str(src), BuildOptions(base=0))
    gas_text, _ = gas_assemble("\n".join(line.text for line in prog.preprocessed.lines) + "\n", tmp_path)
    assert bytes(prog.text.data) == gas_text
    assert len(prog.sections["__ftr_fixup"].data) == 3 * 48
