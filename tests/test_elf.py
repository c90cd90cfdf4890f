"""`ppcinterp elf`: the image as an ELF executable, read back by GNU binutils and gdb (the oracles).

readelf must accept the file and show our segments, sections and symbols; `objdump -d -l` must show the words
and source lines `ppcinterp disasm` shows; readelf's decoded line table must be ours, instruction for instruction;
gdb must answer `info line`, `break FILE:LINE`, `break LABEL` and `info symbol` with our lines and labels."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import FRAGMENT, ROOT, need, need_binutils, ppc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ppcinterp.build import BuildOptions, build_image
from ppcinterp.elf import write_elf
from ppcinterp.elf.dwarf import line_table
from ppcinterp.views.listing import listing

READELF, OBJDUMP, GDB = "powerpc64-linux-gnu-readelf", "powerpc64-linux-gnu-objdump", "gdb-multiarch"
DATA = ROOT / "tests" / "data"
MACROS = str(DATA / "elf" / "macros.S")           # an #include, a C macro, a .macro, a feature alternative
LINKED = [str(DATA / "link" / "caller.S"), str(DATA / "link" / "callee.S")]


def tool(*args: str) -> str:
    r = subprocess.run(args, capture_output=True, text=True, check=True)
    assert not r.stderr, r.stderr                   # no warnings about the file either
    return r.stdout


def elf_of(tmp_path: Path, sources, cpu: str = "POWER7", **opts) -> tuple[object, str]:
    img = build_image(sources, BuildOptions(**opts), cpu)
    out = str(tmp_path / "out.elf")
    write_elf(img, out)
    return img, out


def objdump_lines(path: str) -> tuple[dict[int, tuple[str, int]], dict[int, int]]:
    """`objdump -d -l`: address -> (file, line) it prints above the address, and address -> word."""
    lines, words, where = {}, {}, None
    for text in tool(OBJDUMP, "-d", "-l", "-z", path).splitlines():         # -z: zero words too
        m = re.match(r"^(/\S+):(\d+)", text)
        if m:
            where = (m[1], int(m[2]))
        m = re.match(r"^\s+([0-9a-f]+):\t((?:[0-9a-f]{2} ){4})", text)
        if m:
            addr = int(m[1], 16)
            words[addr] = int(m[2].replace(" ", ""), 16)
            if where is not None:
                lines[addr] = where
        elif text.startswith("Disassembly of section"):
            where = None
    return lines, words


def readelf_lines(path: str) -> tuple[dict[int, tuple[str, int]], list[int]]:
    """`readelf --debug-dump=decodedline`: every row as address -> (file name, line), and the sequence ends."""
    rows, ends = {}, []
    for text in tool(READELF, "--debug-dump=decodedline", path).splitlines():
        parts = text.split()
        if len(parts) >= 3 and parts[2].startswith("0x"):
            if parts[1] == "-":
                ends.append(int(parts[2], 16))
            else:
                assert int(parts[2], 16) not in rows, text
                rows[int(parts[2], 16)] = (parts[0], int(parts[1]))
    return rows, ends


def disasm_lines(text: str) -> tuple[dict[int, int], dict[int, int]]:
    """`ppcinterp disasm`: each instruction's address -> the source line shown above it, and address -> word
    (words of no instruction too: padding, exit slots)."""
    lines, words, line = {}, {}, None
    for row in text.splitlines():
        m = re.match(r"^\s*(\d+) (?:\[\s*\d+\]|\s{6}) \| ", row)
        if m:
            line = int(m[1])
        m = re.match(r"^\s+0x([0-9a-f]+): ([0-9a-f]{8})   (.*)$", row)
        if m:
            words[int(m[1], 16)] = int(m[2], 16)
            if " | " in m[3]:                       # an instruction; a word of none shows `.long` alone
                lines[int(m[1], 16)] = line
    return lines, words


def ours(img) -> dict[int, tuple[str, int]]:
    return {a: (os.path.abspath(f), n) for a, (f, n) in line_table(img.program).items()}


def check_against_binutils(img, path: str, listing_text: str) -> None:
    table = ours(img)
    assert table, "no instructions"
    obj_lines, obj_words = objdump_lines(path)
    assert {a: obj_lines.get(a) for a in table} == table
    rows, ends = readelf_lines(path)
    assert rows == {a: (os.path.basename(f), n) for a, (f, n) in table.items()}
    assert all(e - 4 in table for e in ends)       # a sequence ends after its last instruction
    d_lines, d_words = disasm_lines(listing_text)
    assert d_lines == {a: n for a, (_, n) in table.items()}
    assert {a: obj_words[a] for a in d_words} == d_words == {a: img.word(a) for a in d_words}


def test_fragment_agrees_with_disasm_line_for_line(tmp_path):
    # The acceptance: `ppcinterp elf` of the seed fragment, read by objdump and readelf, against `ppcinterp disasm`.
    need_binutils(READELF, OBJDUMP)
    out = tmp_path / "x.elf"
    made = ppc("elf", "asm/book3s_hv_rmhandlers.S", "-o", str(out))
    assert made.returncode == 0 and not made.stderr and not made.stdout, made.stderr
    shown = ppc("disasm", "asm/book3s_hv_rmhandlers.S")
    assert shown.returncode == 0
    img = build_image(str(FRAGMENT))        # its files absolute: objdump's, the CLI's relative to its directory
    check_against_binutils(img, str(out), shown.stdout)
    assert 0x100090 in ours(img) and ours(img)[0x100090][1] == 85      # upstream 733: lbz r0, HSTATE_HOST_IPI


@pytest.mark.parametrize("cpu", ["POWER7", "PPC970"])
def test_macros_includes_and_feature_sections(tmp_path, cpu):
    # Each CPU its own words (the alternative patched in on POWER7), the lines as written.
    need_binutils(READELF, OBJDUMP)
    img, out = elf_of(tmp_path, MACROS, cpu)
    check_against_binutils(img, out, listing(img))
    table = ours(img)
    files = {os.path.basename(f) for f, _ in table.values()}
    assert files == {"macros.S", "inc.S"}                # helper's code is inc.S's
    start = img.program.symbols["start"]
    assert table[start] == table[start + 4] == (MACROS, 17)    # TWICE(r3): two instructions of one line
    alt = img.program.sections["__ftr_alt_97"].base
    assert table[alt] == (MACROS, 26)
    assert img.word(start + 28) == (0x38A00003 if cpu == "POWER7" else 0x38A00001)     # li r5,3 | li r5,1


def test_linked_program_has_a_unit_per_object(tmp_path):
    need_binutils(READELF, OBJDUMP)
    img, out = elf_of(tmp_path, [MACROS, *LINKED])
    check_against_binutils(img, out, listing(img))
    info = tool(READELF, "--debug-dump=info", out)
    assert re.findall(r"DW_AT_name\s*: (\S+)", info) == [MACROS, *LINKED]
    assert info.count("DW_LANG_Mips_Assembler") + info.count("MIPS assembler") == 3
    # macros.S's code is in two places (its .text, then its alternative after the other objects' .text).
    assert "DW_AT_ranges" in info
    ranges = tool(READELF, "--debug-dump=Ranges", out)
    alt = img.program.sections["__ftr_alt_97"].base
    assert f"{alt:016x} {alt + 4:016x}" in ranges


def test_headers_segments_sections_and_symbols(tmp_path):
    need_binutils(READELF)
    img, out = elf_of(tmp_path, LINKED, kernel_env=False)
    p = img.program
    head = tool(READELF, "-h", out)
    for want in ("ELF64", "big endian", "EXEC (Executable file)", "PowerPC64", "0x1, abiv1",
                 f"Entry point address:               {p.base:#x}"):
        assert want in head
    segs = re.findall(r"LOAD\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x[0-9a-f]+\s+0x([0-9a-f]+) 0x[0-9a-f]+ ([RWE ]{3}) 0x",
                      tool(READELF, "-l", "-W", out))
    data = Path(out).read_bytes()
    assert len(segs) == len(p.sections)
    for (off, vaddr, size, flags), sec in zip(segs, p.sections.values(), strict=True):
        assert (int(vaddr, 16), int(size, 16)) == (sec.base, len(sec.data))
        assert data[int(off, 16):int(off, 16) + len(sec.data)] == img.data[sec.name]      # the image's bytes
        assert ("E" in flags, "W" in flags) == (sec.is_code, "w" in sec.flags)
    shown = re.findall(r"\]\s+(\S+)\s+PROGBITS\s+([0-9a-f]{16})", tool(READELF, "-S", "-W", out))
    assert [(n, int(a, 16)) for n, a in shown if int(a, 16)] == [(s.name, s.base) for s in p.sections.values()]
    syms = {}
    for row in tool(READELF, "-s", "-W", out).splitlines():
        f = row.split()
        if len(f) == 8 and f[0][:-1].isdigit():
            syms.setdefault(f[7], []).append((int(f[1], 16), int(f[2]), f[3], f[4]))
    assert syms["entry"] == [(p.symbols["entry"], 24, "FUNC", "GLOBAL")]        # an ELFv1 descriptor in .opd
    assert syms[".entry"] == [(p.symbols[".entry"], 0, "FUNC", "GLOBAL")]
    assert syms["seven"] == [(p.symbols["seven"], 0, "OBJECT", "GLOBAL")]
    assert sorted(syms["Lloop"]) == sorted((lb.addr, 0, "FUNC", "LOCAL") for lb in p.labels if lb.name == ".Lloop")
    assert {a for a, *_ in syms["L1_29"] + syms["L1_27"]} == {lb.addr for lb in p.labels if lb.name == "1"}
    assert syms[LINKED[0]] == syms[LINKED[1]] == [(0, 0, "FILE", "LOCAL")]      # each object's locals after its own


def test_fragment_symbols_are_our_labels(tmp_path):
    need_binutils(READELF)
    img, out = elf_of(tmp_path, str(FRAGMENT))
    names = {f[7]: int(f[1], 16) for f in (r.split() for r in tool(READELF, "-s", "-W", out).splitlines())
             if len(f) == 8 and f[0][:-1].isdigit() and f[3] != "FILE"}
    p = img.program
    # `1:` at upstream 713 and 751 (as paths and the debugger name them), the exits, no macro-made `97x:`.
    assert names["L1_713"] == 0x100074 and names["L1_751"] == 0x1000b8
    assert names["ext_interrupt_to_host"] == names["guest_exit_cont"] == p.symbols["guest_exit_cont"]
    assert names["hcall_try_real_mode"] == p.symbols["hcall_try_real_mode"] and "L27f" in names
    assert not [n for n in names if n.startswith("L97")]


def gdb(path: str, *commands: str) -> list[str]:
    need(GDB, "gdb-multiarch")
    args = [GDB, "-batch", "-nx", path]
    for c in commands:
        args += ["-ex", c]
    r = subprocess.run(args, capture_output=True, text=True, check=True)
    return r.stdout.splitlines()


def test_gdb_reads_our_lines_and_labels(tmp_path):
    img, out = elf_of(tmp_path, str(FRAGMENT))
    said = gdb(out, "info line *0x100090", "break book3s_hv_rmhandlers.S:85", "break L1_713",
               "info symbol 0x100090", "break ext_stash_for_host", "info line *0x100104", "show architecture")
    assert said[0] == ('Line 85 of "' + str(FRAGMENT) + '" starts at address 0x100090 <L1_713+28> and ends at '
                       "0x100094 <L1_713+32>.")
    assert said[1] == f"Breakpoint 1 at 0x100090: file {FRAGMENT}, line 85."
    assert said[2] == f"Breakpoint 2 at 0x100074: file {FRAGMENT}, line 71."
    assert said[3] == "L1_713 + 28 in section .text"
    assert said[4] == f"Breakpoint 3 at 0x1000c8: file {FRAGMENT}, line 112."
    assert said[5] == "No line number information available for address 0x100104 <hcall_try_real_mode>"
    assert "powerpc:common64" in said[6]


def test_gdb_follows_descriptors_and_objects(tmp_path):
    img, out = elf_of(tmp_path, LINKED, kernel_env=False)
    p = img.program
    said = gdb(out, "break add_seven", "break caller.S:29", "break callee.S:27", "info symbol 0x100060")
    assert said[0] == f"Breakpoint 1 at {p.symbols['.add_seven']:#x}: file {LINKED[1]}, line 16."
    assert said[1] == f"Breakpoint 2 at 0x10002c: file {LINKED[0]}, line 29."
    assert said[2] == f"Breakpoint 3 at 0x10005c: file {LINKED[1]}, line 27."
    assert said[3] == "Lloop + 4 in section .text"


def test_errors_are_messages(tmp_path):
    bad = tmp_path / "bad.S"
    bad.write_text("\tfrobnicate r3\n")
    r = ppc("elf", str(bad), "-o", str(tmp_path / "o.elf"))
    assert r.returncode == 1 and "unknown instruction 'frobnicate'" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "o.elf").exists()
    for target in (tmp_path / "no" / "such" / "dir.elf", tmp_path):
        r = ppc("elf", str(FRAGMENT), "-o", str(target))
        assert r.returncode == 1 and r.stderr.startswith(f"ppcinterp: error: cannot write '{target}'"), r.stderr
        assert "Traceback" not in r.stderr


LINE = st.one_of(
    st.sampled_from(["\tnop", "\taddi r3, r3, 1", "\tld r4, 8(r1)", "\tmflr r0", "\tblr", "", "/* a comment */",
                     "\tb 1f", "1:", "\tbne 1b", "\t.long 0x7c0004ac", "\t.align 4", "\tsync; isync"]),
    st.from_regex(r"\Ala[a-z]{1,6}:\Z"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(LINE, min_size=1, max_size=25))
def test_random_programs_line_tables_are_ours(tmp_path, lines):
    # readelf's decoded line table is ours for any small program: padding and data have no line, `a; b` two rows.
    need_binutils(READELF)
    text = "\n".join(["1:\tnop", *lines, "1:\tblr"])
    seen: set[str] = set()
    text = "\n".join(t for t in text.split("\n") if not t.endswith(":") or t not in seen and not seen.add(t))
    src = tmp_path / "r.S"
    src.write_text(text + "\n")
    img = build_image(str(src), BuildOptions(kernel_env=False))
    out = tmp_path / "r.elf"
    write_elf(img, str(out))
    rows, ends = readelf_lines(str(out))
    assert rows == {a: (os.path.basename(f), n) for a, (f, n) in line_table(img.program).items()}
    assert len(ends) == len({a for a in rows if a - 4 not in rows})    # one sequence per run of instructions
