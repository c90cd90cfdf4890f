"""The ELF container (ELF-64 Object File Format; 64-bit PowerPC ELF ABI supplement, ELFv1): a big-endian
ET_EXEC for EM_PPC64 whose PT_LOAD segments hold the image's sections at their addresses, a section header for
each of the Program's sections, the symbol table and the DWARF sections."""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from ppcinterp import __version__
from ppcinterp.asm.fixup import Image
from ppcinterp.elf.dwarf import debug_sections
from ppcinterp.elf.symbols import Symbol, elf_symbols

EHDR, PHDR, SHDR, SYM = 64, 56, 64, 24
ET_EXEC, EM_PPC64, EF_PPC64_ABIV1 = 2, 21, 1
PT_LOAD, PF_X, PF_W, PF_R = 1, 1, 2, 4
SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB = 1, 2, 3
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 1, 2, 4
STB_LOCAL, STB_GLOBAL = 0, 1
STT = {"notype": 0, "object": 1, "func": 2, "file": 4}
SHN_ABS, SHN_LORESERVE = 0xFFF1, 0xFF00
PAGE = 0x10000                  # 64 KiB pages: a segment's file offset is its address modulo a page


@dataclass
class _Out:
    """One section of the output: its header fields and bytes."""

    name: str
    type: int
    flags: int
    addr: int
    data: bytes
    align: int
    link: int = 0
    info: int = 0
    entsize: int = 0
    offset: int = 0


class _Strings:
    def __init__(self) -> None:
        self.data = bytearray(b"\0")
        self.at: dict[str, int] = {"": 0}

    def add(self, s: str) -> int:
        if s not in self.at:
            self.at[s] = len(self.data)
            self.data += s.encode() + b"\0"
        return self.at[s]


def _place(loaded: list[_Out], start: int) -> int:
    """File offsets for the loaded sections, in address order: consecutive sections (gaps under a page) follow
    each other in the file as in memory; any other starts at the next offset congruent to its address."""
    end, prev = start, None
    for s in sorted(loaded, key=lambda s: s.addr):
        if prev is not None and prev.addr + len(prev.data) <= s.addr < prev.addr + len(prev.data) + PAGE:
            s.offset = prev.offset + (s.addr - prev.addr)
        else:
            s.offset = end + (s.addr - end) % PAGE
        end = max(end, s.offset + len(s.data))
        prev = s
    return end


def _symtab(symbols: list[Symbol], index: dict[str, int]) -> tuple[bytes, bytes, int]:
    strings = _Strings()
    out = bytearray(SYM)                            # entry 0: the undefined symbol
    for s in symbols:
        shndx = index[s.section] if s.section is not None else SHN_ABS
        bind = STB_LOCAL if s.local else STB_GLOBAL
        out += struct.pack(">IBBHQQ", strings.add(s.name), bind << 4 | STT[s.kind], 0, shndx, s.value, s.size)
    return bytes(out), bytes(strings.data), 1 + sum(s.local for s in symbols)


def elf_bytes(image: Image, entry: int | None = None) -> bytes:
    """The ELF executable of the image (its fixed-up words), with symbols and DWARF line info; entry: e_entry."""
    p = image.program
    loaded = []
    for sec in p.sections.values():
        flags = SHF_ALLOC | (SHF_WRITE if "w" in sec.flags else 0) | (SHF_EXECINSTR if sec.is_code else 0)
        loaded.append(_Out(sec.name, SHT_PROGBITS, flags, sec.base, bytes(image.data[sec.name]), max(sec.align, 1)))
    index = {s.name: k + 1 for k, s in enumerate(loaded)}
    debug = [_Out(n, SHT_PROGBITS, 0, 0, d, 1) for n, d in debug_sections(p, os.getcwd(), f"ppcinterp {__version__}")
             .items()]
    symtab, strtab, first_global = _symtab(elf_symbols(p), index)
    k = 1 + len(loaded) + len(debug)
    tables = [_Out(".symtab", SHT_SYMTAB, 0, 0, symtab, 8, link=k + 1, info=first_global, entsize=SYM),
              _Out(".strtab", SHT_STRTAB, 0, 0, strtab, 1)]
    shstr = _Strings()
    outs = loaded + debug + tables
    shstrtab = _Out(".shstrtab", SHT_STRTAB, 0, 0, b"", 1)
    for s in [*outs, shstrtab]:
        shstr.add(s.name)
    shstrtab.data = bytes(shstr.data)
    outs.append(shstrtab)
    if len(outs) + 1 >= SHN_LORESERVE:
        from ppcinterp.diagnostics import PpcError

        raise PpcError(f"the program has {len(loaded)} sections: more than an ELF section index holds")

    segments = [s for s in loaded if s.data]
    end = _place(loaded, EHDR + PHDR * len(segments))
    for s in outs[len(loaded):]:
        end = s.offset = -(-end // s.align) * s.align
        end += len(s.data)
    shoff = -(-end // 8) * 8
    file = bytearray(shoff + SHDR * (len(outs) + 1))
    file[:EHDR] = (b"\x7fELF" + bytes([2, 2, 1, 0]) + bytes(8)          # ELFCLASS64, big-endian, EV_CURRENT, SysV
                   + struct.pack(">HHIQQQIHHHHHH", ET_EXEC, EM_PPC64, 1, p.base if entry is None else entry,
                                 EHDR if segments else 0, shoff, EF_PPC64_ABIV1, EHDR, PHDR, len(segments), SHDR,
                                 len(outs) + 1, len(outs)))
    for k, s in enumerate(segments):
        flags = PF_R | (PF_W if s.flags & SHF_WRITE else 0) | (PF_X if s.flags & SHF_EXECINSTR else 0)
        file[EHDR + PHDR * k:EHDR + PHDR * (k + 1)] = struct.pack(
            ">IIQQQQQQ", PT_LOAD, flags, s.offset, s.addr, s.addr, len(s.data), len(s.data), PAGE)
    for k, s in enumerate(outs, 1):
        file[s.offset:s.offset + len(s.data)] = s.data
        file[shoff + SHDR * k:shoff + SHDR * (k + 1)] = struct.pack(
            ">IIQQQQIIQQ", shstr.at[s.name], s.type, s.flags, s.addr, s.offset, len(s.data), s.link, s.info,
            s.align, s.entsize)
    return bytes(file)
