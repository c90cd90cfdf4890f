"""The assembled program: sections at addresses with their bytes, instructions with encodings and source
positions, symbols, the seed's hunks and the labels the file leaves to. Everything after assembly reads this."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ppcinterp.asm.externs import Extern
from ppcinterp.diagnostics import Pos, PpcError, source_line
from ppcinterp.isa.table import InsnDef
from ppcinterp.source.preprocess import Preprocessed
from ppcinterp.source.statements import Directive, Instruction


@dataclass(slots=True)
class Section:
    name: str
    flags: str
    base: int
    data: bytearray
    align: int = 4

    @property
    def end(self) -> int:
        return self.base + len(self.data)

    @property
    def is_code(self) -> bool:
        return "x" in self.flags or self.name == ".text" or self.name.startswith("__ftr_alt_")


@dataclass(slots=True)
class AsmInsn:
    """One assembled instruction: its address, 32-bit word, base definition, operand values (in the
    definition's syntax order) and the statement as written."""

    addr: int
    word: int
    insn: InsnDef
    operands: tuple[int, ...]       # field values; a branch target is its displacement (or address if AA)
    stmt: Instruction
    section: str

    @property
    def pos(self) -> Pos:
        return self.stmt.pos

    def base_text(self) -> str:
        """The instruction in base form, e.g. `addi r0,0,255` for `li r0,0xff`."""
        parts = []
        ops = iter(self.operands)
        for o in self.insn.operands:
            v = next(ops)
            if o.base is not None:
                parts.append(f"{_fmt(o.field.kind.value, v)}({_fmt(o.base.kind.value, next(ops))})")
            else:
                parts.append(_fmt(o.field.kind.value, v, self.addr if o.field.kind.value == "rel" else None,
                                  self.insn.aa))
        return f"{self.insn.name} {','.join(parts)}".rstrip()


def _fmt(kind: str, v: int, pc: int | None = None, aa: bool = False) -> str:
    if kind == "gpr" or (kind == "gpr0" and v):
        return f"r{v}"
    if kind == "fpr":
        return f"f{v}"
    if kind == "vr":
        return f"v{v}"
    if kind == "vsr":
        return f"vs{v}"
    if kind == "crf":
        return f"cr{v}"
    if kind == "rel":
        assert pc is not None                   # a branch target is shown with its instruction's address
        return f"0x{(v if aa else v + pc) & (2**64 - 1):x}"
    return str(v) if -256 < v < 256 else hex(v)


@dataclass(slots=True)
class DataItem:
    addr: int
    size: int
    stmt: Directive
    section: str


@dataclass(slots=True)
class Label:
    name: str            # symbol name, or digits for a numeric local label
    addr: int
    section: str
    pos: Pos
    local: bool = False

    @property
    def written(self) -> bool:
        """A label the user wrote: its name stands at its position in the source, or a macro made it from a
        name the user wrote there (`_GLOBAL(kvmppc_save_fp)` makes `.kvmppc_save_fp`); not the numeric
        labels macros make for themselves (feature sections)."""
        text = (source_line(self.pos) or "")[self.pos.col - 1:]
        if text.startswith(self.name + ":"):
            return True
        return not self.local and re.search(rf"\(\s*{re.escape(self.name.lstrip('.'))}\s*[,)]", text) is not None


@dataclass(slots=True)
class Hunk:
    """A hunk of the seed patch, as marked in the fragment by `#pragma ppcinterp hunk`.

    A hunk's lines are those after its pragma, up to the next hunk's pragma (or the end of the file), and no
    more than its upstream range has unless code follows; the k-th of them is upstream line first + k - 1.
    A fragment edited by hand (lines deleted or added) keeps its hunks apart this way; when the patch is at hand
    its lines are matched to the patch's post-image by their text (`line_map`), else counted from the pragma
    (off after the edit, which the assembler warns about)."""

    number: int
    first: int           # upstream line of the hunk's first line
    last: int
    header: str          # "@@ -678,17 +674,91 @@"
    pragma: Pos          # the pragma line; the hunk's first line is the next physical line
    start: int = 0       # address range of its code in .text
    end: int = 0
    last_line: int = 0   # physical line of the hunk's last code line (for "fell off the end" messages)
    located: bool = False   # found in a whole file by the patch's text: bounds only runs entered as `hunk N`
    end_line: int = 0    # its last physical line (0: as many lines as its upstream range)
    line_map: dict[int, int] | None = None     # physical line -> upstream line, for a hunk edited by hand

    @property
    def lines(self) -> tuple[int, int]:
        """First and last physical line of the hunk."""
        return self.pragma.line + 1, self.end_line or self.pragma.line + self.last - self.first + 1

    def contains_line(self, file: str, line: int) -> bool:
        return file == self.pragma.file and self.lines[0] <= line <= self.lines[1]

    def upstream(self, line: int) -> int | None:
        if self.line_map is not None:
            return self.line_map.get(line)
        up = self.first + line - self.pragma.line - 1
        return up if self.first <= up <= self.last else None


@dataclass(slots=True)
class Outside:
    """A label the file leaves to without defining it: reaching it ends a run."""

    name: str
    addr: int
    description: str
    declared: Pos | None
    extern: str = ""            # left to another object: how it was known to be ("declared .extern", "assumed")


@dataclass(slots=True)
class Placed:
    """Where the linker put one object's input section (the link map)."""

    path: str            # the object's source
    section: str
    base: int
    size: int


@dataclass
class Program:
    path: str
    base: int
    sections: dict[str, Section]
    insns: dict[int, AsmInsn]                     # by address, in address order within each section
    data: list[DataItem]
    labels: list[Label]
    symbols: dict[str, int]                       # named symbols (labels and absolute .set values)
    hunks: list[Hunk]
    outside: dict[int, Outside]                   # by address
    preprocessed: Preprocessed
    globals: set[str] = field(default_factory=set)
    externs: dict[str, Extern] = field(default_factory=dict)   # symbols left to other objects
    toc_base: int | None = None                                 # r2 for this object (TOC area + 0x8000)
    warnings: list[tuple[str, Pos | None]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)              # the objects' sources, in link order
    placed: list[Placed] = field(default_factory=list)          # where each input section went
    ambiguous: dict[str, list[Pos]] = field(default_factory=dict)   # local to several objects: not in symbols

    @property
    def text(self) -> Section:
        return self.sections[".text"]

    def labels_at(self, addr: int) -> list[Label]:
        return [lb for lb in self.labels if lb.addr == addr]

    def hunk_of(self, pos: Pos) -> Hunk | None:
        for h in self.hunks:
            if h.contains_line(pos.file, pos.line):
                return h
        return None

    @property
    def is_fragment(self) -> bool:
        """Hunks marked by pragmas: the file is pieces of another, and falling off one ends a run."""
        return any(not h.located for h in self.hunks)

    def upstream_line(self, pos: Pos) -> int | None:
        """The line of the upstream file: in a fragment, through its hunks; in a whole file, the line itself."""
        h = self.hunk_of(pos)
        if h is not None:
            return h.upstream(pos.line)
        return pos.line if pos.file == self.path and not self.is_fragment else None

    def where(self, pos: Pos) -> str:
        """`file:line` plus the upstream line when the position is inside a seed hunk of a fragment."""
        up = self.upstream_line(pos)
        return f"{pos.file}:{pos.line}" + (f" (upstream {up})" if up and up != pos.line else "")

    def section_of(self, addr: int) -> Section | None:
        for s in self.sections.values():
            if s.base <= addr < s.end:
                return s
        return None

    def descriptor(self, name: str) -> tuple[int, int, int] | None:
        """An ELFv1 function descriptor (a symbol in `.opd`): its code entry, TOC base and environment
        doublewords; None if `name` is not a descriptor."""
        addr = self.symbols.get(name)
        opd = self.sections.get(".opd")
        if addr is None or opd is None or not opd.base <= addr <= opd.end - 24:
            return None
        off = addr - opd.base
        d = opd.data
        return (int.from_bytes(d[off:off + 8], "big"), int.from_bytes(d[off + 8:off + 16], "big"),
                int.from_bytes(d[off + 16:off + 24], "big"))

    def code_entry(self, name: str) -> int:
        """Where calling `name` starts executing: a descriptor's code entry (`memcpy` -> `.memcpy`, as a call
        through the descriptor does), any other symbol's own address. PpcError if `name` is no symbol or its
        descriptor points at no code."""
        if name in self.ambiguous:
            where = " and ".join(f"{p.file}:{p.line}" for p in self.ambiguous[name])
            raise PpcError(f"'{name}' is a local symbol of several objects ({where}): name a global symbol, a "
                           "FILE:LINE or an address")
        d = self.descriptor(name)
        if d is None:
            if name not in self.symbols:
                raise PpcError(f"'{name}' is not a symbol of the program")
            return self.symbols[name]
        sec = self.section_of(d[0])
        if sec is None or not sec.is_code:
            raise PpcError(f"'{name}' is a function descriptor (in .opd) whose code entry {d[0]:#x} is not in "
                           "the code")
        return d[0]

    def word_at(self, addr: int) -> int:
        s = self.section_of(addr)
        if s is None:
            raise KeyError(addr)
        off = addr - s.base
        return int.from_bytes(s.data[off:off + 4], "big")
