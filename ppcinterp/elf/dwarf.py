"""DWARF 4 debugging information for the image (DWARF 4 standard, sections 6.1.2, 6.2 and 7): one compile unit
per object, each with a line number program that puts every instruction at the file and line the user wrote
(its position: through #include; a C macro's expansion at the line of its use, a `.macro`'s at its body's
lines, as `ppcinterp disasm` shows), and address ranges that cover exactly its instructions. A run of
consecutive instructions is one sequence, so padding, data and exit slots between them have no line."""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field

from ppcinterp.asm.program import Program
from ppcinterp.elf.symbols import owner

VERSION = 4
INSN = 4                        # minimum_instruction_length: addresses advance in words
LINE_BASE, LINE_RANGE, OPCODE_BASE = -5, 14, 13
STANDARD_LENGTHS = (0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1)     # operands of opcodes 1..12
DW_LNS_advance_pc, DW_LNS_advance_line, DW_LNS_set_file = 2, 3, 4
DW_LNE_end_sequence, DW_LNE_set_address = 1, 2
DW_TAG_compile_unit = 0x11
DW_AT_name, DW_AT_comp_dir, DW_AT_producer, DW_AT_language = 0x03, 0x1B, 0x25, 0x13
DW_AT_stmt_list, DW_AT_low_pc, DW_AT_high_pc, DW_AT_ranges = 0x10, 0x11, 0x12, 0x55
DW_FORM_addr, DW_FORM_data2, DW_FORM_string, DW_FORM_sec_offset = 0x01, 0x05, 0x08, 0x17
DW_LANG_Mips_Assembler = 0x8001
ONE_RANGE, RANGES = 1, 2       # our abbreviation codes: low_pc/high_pc, or low_pc 0 and DW_AT_ranges


def line_table(program: Program) -> dict[int, tuple[str, int]]:
    """Every instruction's address -> (file, line) the user wrote: what the line programs say."""
    return {a: (ai.pos.file, ai.pos.line) for a, ai in program.insns.items()}


Row = tuple[int, str, int]           # (address, file, line)


@dataclass
class Unit:
    path: str                                                   # the object's source: DW_AT_name
    runs: list[list[Row]] = field(default_factory=list)         # consecutive instructions, address order

    @property
    def ranges(self) -> list[tuple[int, int]]:
        return [(run[0][0], run[-1][0] + 4) for run in self.runs]


def units(program: Program) -> list[Unit]:
    """A unit per object with instructions, in link order."""
    found = {p: Unit(p) for p in program.paths or [program.path]}
    for addr, ai in sorted(program.insns.items()):
        u = found.setdefault(path := owner(program, ai.section, addr), Unit(path))
        if not u.runs or u.runs[-1][-1][0] + 4 != addr:
            u.runs.append([])
        u.runs[-1].append((addr, ai.pos.file, ai.pos.line))
    return [u for u in found.values() if u.runs]


def uleb(v: int) -> bytes:
    out = bytearray()
    while True:
        b, v = v & 0x7F, v >> 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def sleb(v: int) -> bytes:
    out = bytearray()
    while True:
        b, v = v & 0x7F, v >> 7
        done = (v == 0 and not b & 0x40) or (v == -1 and b & 0x40)
        out.append(b | (0 if done else 0x80))
        if done:
            return bytes(out)


def _with_length(body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + body


def _files(unit: Unit) -> tuple[list[str], dict[str, tuple[int, str]]]:
    """Include directories and each file's (directory index, name); the unit's own source is file 1."""
    dirs: list[str] = []
    files: dict[str, tuple[int, str]] = {}
    for f in [unit.path] + [r[1] for run in unit.runs for r in run]:
        if f not in files:
            d, name = os.path.split(f)
            if d and d not in dirs:
                dirs.append(d)
            files[f] = (dirs.index(d) + 1 if d else 0, name)
    return dirs, files


def line_program(unit: Unit) -> bytes:
    """The unit's line number program with its header (6.2.4), one sequence per run."""
    dirs, files = _files(unit)
    index = {f: k + 1 for k, f in enumerate(files)}
    head = struct.pack(">BBBbBB", INSN, 1, 1, LINE_BASE, LINE_RANGE, OPCODE_BASE) + bytes(STANDARD_LENGTHS)
    head += b"".join(_cstr(d) for d in dirs) + b"\0"
    head += b"".join(_cstr(name) + uleb(d) + b"\0\0" for d, name in files.values()) + b"\0"     # no time, size
    ops = bytearray()
    for run in unit.runs:
        ops += b"\0" + uleb(9) + bytes([DW_LNE_set_address]) + struct.pack(">Q", run[0][0])
        addr, file, line = run[0][0], 1, 1          # each sequence starts from the initial state
        for at, f, n in run:
            if index[f] != file:
                file = index[f]
                ops += bytes([DW_LNS_set_file]) + uleb(file)
            ops += _row(n - line, (at - addr) // INSN)
            addr, line = at, n
        ops += bytes([DW_LNS_advance_pc]) + uleb(1)     # the sequence ends after its last instruction
        ops += b"\0" + uleb(1) + bytes([DW_LNE_end_sequence])
    return _with_length(struct.pack(">HI", VERSION, len(head)) + head + bytes(ops))


def _row(dline: int, dops: int) -> bytes:
    """Advance the line and address and append a row: a special opcode when one fits (6.2.5.1)."""
    out = b""
    if not LINE_BASE <= dline < LINE_BASE + LINE_RANGE:
        out, dline = bytes([DW_LNS_advance_line]) + sleb(dline), 0
    op = dline - LINE_BASE + LINE_RANGE * dops + OPCODE_BASE
    if op > 255:
        out += bytes([DW_LNS_advance_pc]) + uleb(dops)
        op = dline - LINE_BASE + OPCODE_BASE
    return out + bytes([op])


def _abbrevs() -> bytes:
    common = [(DW_AT_name, DW_FORM_string), (DW_AT_comp_dir, DW_FORM_string), (DW_AT_producer, DW_FORM_string),
              (DW_AT_language, DW_FORM_data2), (DW_AT_stmt_list, DW_FORM_sec_offset), (DW_AT_low_pc, DW_FORM_addr)]
    out = b""
    for code, last in ((ONE_RANGE, (DW_AT_high_pc, DW_FORM_addr)), (RANGES, (DW_AT_ranges, DW_FORM_sec_offset))):
        out += uleb(code) + uleb(DW_TAG_compile_unit) + b"\0"          # DW_CHILDREN_no
        out += b"".join(uleb(a) + uleb(f) for a, f in [*common, last]) + b"\0\0"
    return out + b"\0"


def _cstr(text: str) -> bytes:
    return text.encode() + b"\0"


def debug_sections(program: Program, comp_dir: str, producer: str) -> dict[str, bytes]:
    """.debug_abbrev, .debug_info, .debug_line, .debug_aranges and, for a unit of several runs, .debug_ranges;
    nothing when the program has no instructions."""
    found = units(program)
    if not found:
        return {}
    info, line, aranges, ranges = bytearray(), bytearray(), bytearray(), bytearray()
    for u in found:
        rs = u.ranges
        die = _cstr(u.path) + _cstr(comp_dir) + _cstr(producer) + struct.pack(">HI", DW_LANG_Mips_Assembler, len(line))
        if len(rs) == 1:
            die = uleb(ONE_RANGE) + die + struct.pack(">QQ", *rs[0])
        else:
            die = uleb(RANGES) + die + struct.pack(">QI", 0, len(ranges))
            ranges += b"".join(struct.pack(">QQ", lo, hi) for lo, hi in rs) + bytes(16)
        # version, offset of the unit in .debug_info, address and segment size; the tuples aligned to 16 (6.1.2).
        aranges += _with_length(struct.pack(">HIBB", 2, len(info), 8, 0) + bytes(4)
                                + b"".join(struct.pack(">QQ", lo, hi - lo) for lo, hi in rs) + bytes(16))
        info += _with_length(struct.pack(">HIB", VERSION, 0, 8) + die)
        line += line_program(u)
    out = {".debug_abbrev": _abbrevs(), ".debug_info": bytes(info), ".debug_line": bytes(line),
           ".debug_aranges": bytes(aranges)}
    if ranges:
        out[".debug_ranges"] = bytes(ranges)
    return out
