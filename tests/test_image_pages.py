"""The program image in the machine's memory: mapped by 4 KiB pages, as the kernel's image is, so that every
byte of every section reads back (three or more sections in a page, a section over several pages) and a load
that straddles two sections, or reads the padding after one, reads what the machine would instead of faulting."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ppcinterp.api import Session

LOOP = "\t.text\nsum:\tmtctr r6\n1:\tld r3,0(r4)\n\tadd r5,r5,r3\n\taddi r4,r4,8\n\tbdnz 1b\n\tblr\n"


def session(tmp_path, text: str) -> Session:
    path = tmp_path / "t.S"
    path.write_text(text)
    return Session(str(path), kernel_env=False)


def test_a_load_straddling_two_sections_reads_both(tmp_path):
    # .text is 16 bytes, so .data starts right after it: one doubleword holds the last word of .text's table and
    # the first of .data (a fault "outside every mapped region" when each section was a region of its own).
    s = session(tmp_path, "\t.text\nf:\tld r3,12(r4)\n\tblr\n\t.long 0\ntail:\t.long 0x11223344\n"
                          "\t.data\nhead:\t.long 0x55667788\n")
    assert s.program.sections[".data"].base == s.program.sections[".text"].end
    s.set("r4", s.program.symbols["f"])
    r = s.run("f", journal=False)
    assert s.get("r3") == 0x1122334455667788, r.message
    assert s.get(f"mem64[{s.program.symbols['tail']:#x}]") == 0x1122334455667788


def test_a_load_of_the_padding_after_a_section_reads_zero(tmp_path):
    # A 4-byte table read as the aligned doubleword that holds it (as memcpy reads a source's tail): the 4 bytes
    # after it are the padding before the next section, zero.
    s = session(tmp_path, "\t.text\nf:\tld r3,0(r4)\n\tblr\n\t.data\nt:\t.long 0x11223344\n"
                          "\t.section .rodata,\"a\"\n\t.quad -1\n")
    s.set("r4", s.program.symbols["t"])
    r = s.run("f")
    assert s.get("r3") == 0x1122334400000000, r.message


SECTION = st.tuples(st.sampled_from([".data", ".rodata", ".toc", ".opd", ".sdata", "__ex_table", ".text"]),
                    st.integers(1, 700), st.integers(0, 5))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(SECTION, min_size=1, max_size=6))
def test_every_doubleword_of_every_section_reads_back(tmp_path, sections):
    """Sections of any sizes and alignments (several in one page, one over several pages): each doubleword reads
    its value through the state names and through the compiled loop, journaled or not."""
    text, tables, value = [LOOP], [], 1
    for k, (name, count, align) in enumerate(sections):
        text.append(f"\t.section {name},\"a\"\n\t.align {align + 3}\nt{k}:\n")
        text.append("".join(f"\t.quad {value + i}\n" for i in range(count)))
        tables.append((f"t{k}", list(range(value, value + count))))
        value += count
    s = session(tmp_path, "".join(text))
    for label, values in tables:
        addr = s.program.symbols[label]
        assert [s.get(f"mem64[{addr + 8 * i:#x}]") for i in range(len(values))] == values
        for journal in (False, True):
            s.reset()
            s.set("r4", addr)
            s.set("r6", len(values))
            r = s.run("sum", journal=journal)
            assert s.get("r5") == sum(values), (label, r.message)
