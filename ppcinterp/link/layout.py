"""Symbols resolved across objects and every section placed: what each object's pass 2 needs (a Linkage)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ppcinterp.asm.assembler import Assembler
from ppcinterp.asm.expr import M64, Rel
from ppcinterp.asm.externs import DATA_SLOT, TOC_BIAS, Extern
from ppcinterp.asm.limits import MAX_BYTES
from ppcinterp.asm.pass2 import Linkage
from ppcinterp.asm.program import Program
from ppcinterp.diagnostics import PpcError, SourceError
from ppcinterp.link.merge import merge

EXTERN_DATA = "extern data"     # the linker's section of zeroed memory for data no object defines
TOC_AREA = (".got", ".toc")
TOC_ALIGN = 256                 # GNU ld aligns the TOC base (not the section) down to this


def input_align(name: str, align: int) -> int:
    """Where an input section may start: its own alignment, at least 8 bytes (4 for .text)."""
    return max(align, 4 if name == ".text" else 8)


@dataclass
class Layout:
    """The link's decisions: global symbols, symbols left to other objects, GOT entries and addresses."""

    objects: Sequence[Assembler]
    base: int
    exported: dict[str, int] = field(default_factory=dict)            # global symbol -> defining object
    externs: dict[str, Extern] = field(default_factory=dict)           # defined by no object: a slot each
    got: dict[tuple[int | None, str], int] = field(default_factory=dict)  # (object or None: global, name) -> addr
    order: list[str] = field(default_factory=list)                     # output sections, in address order
    bases: list[dict[str, int]] = field(default_factory=list)          # per object: input section -> address
    own: dict[str, tuple[int, int]] = field(default_factory=dict)      # the linker's part of a section: addr, size
    toc: int = 0
    end: int = 0

    def __post_init__(self) -> None:
        self._globals()
        self._externs()
        self._got()
        self._place()

    # ---- symbols
    def _globals(self) -> None:
        for i, obj in enumerate(self.objects):
            for name, sym in obj.symbols.items():          # in the order defined: the first duplicate is named
                if name not in obj.globals:
                    continue
                j = self.exported.setdefault(name, i)
                if j != i:
                    raise SourceError(f"global symbol '{name}' is defined in two objects", sym.pos,
                                      [(self.objects[j].symbols[name].pos, "first defined here")])

    def _externs(self) -> None:
        """Each object's symbols no object defines (the first object to reference one decides code or data);
        a name another object defines without .globl is an error, as it is to GNU ld."""
        for i, obj in enumerate(self.objects):
            elsewhere = {n for n, j in self.exported.items() if j != i}
            for x in obj.extern_symbols(elsewhere, len(self.objects) > 1):
                local = next((o for o in self.objects if o is not obj and x.name in o.symbols), None)
                if local is not None:
                    pos = local.symbols[x.name].pos
                    raise SourceError(f"'{x.name}' is defined in {pos.file}:{pos.line}, but not as a global symbol "
                                      f"(.globl {x.name}), so other objects cannot refer to it",
                                      obj.refs.first.get(x.name) or x.pos, [(pos, "defined here")])
                old = self.externs.setdefault(x.name, x)
                old.code |= x.code

    def _got(self) -> None:
        """One GOT entry per symbol: a local symbol of an object is its own, any other is shared."""
        for i, obj in enumerate(self.objects):
            for name in obj.got_syms:
                self.got.setdefault(self.got_key(i, name), 0)

    def got_key(self, i: int, name: str) -> tuple[int | None, str]:
        obj = self.objects[i]
        return (i, name) if name in obj.symbols and name not in obj.globals else (None, name)

    # ---- addresses
    def _place(self) -> None:
        objs = self.objects
        size = sum(s.size for o in objs for s in o.sections.values())
        if size > MAX_BYTES:
            raise PpcError(f"the objects' sections are {size >> 20} MiB together; ppcinterp links at most "
                           f"{MAX_BYTES >> 20} MiB")
        names = [n for o in objs for n in o.sections if n not in TOC_AREA]
        self.order = list(dict.fromkeys(names + [EXTERN_DATA] * any(not x.code for x in self.externs.values())))
        self.order += [n for n in TOC_AREA if any(n in o.sections for o in objs) or (n == ".got" and self.got)]
        self.bases = [{} for _ in objs]
        addr, toc, writable = self.base, None, None
        for name in self.order:
            start = None
            for i, obj in enumerate(objs):
                s = obj.sections.get(name)
                if s is not None:
                    addr = -(-addr // input_align(name, s.align)) * input_align(name, s.align)
                    if start is None:
                        start = addr
                        writable = addr if writable is None and "w" in s.flags else writable
                    self.bases[i][name] = addr
                    addr += s.size
            addr, start = self._own_part(name, addr, start)
            if toc is None and name in TOC_AREA:
                toc = start + TOC_BIAS
        if toc is None:         # no TOC area: GNU ld starts it at the first writable section; one file, at the end
            toc = (writable if len(objs) > 1 and writable is not None else (addr + 7) & -8) + TOC_BIAS
        if len(objs) > 1:       # GNU ld's TOC base: the area's start aligned down to 256 bytes
            toc -= (toc - TOC_BIAS) % TOC_ALIGN
        if addr > M64:
            raise SourceError(f"the sections end at {addr:#x}, past the 64-bit address space (base {self.base:#x})",
                              None)
        self.toc, self.end = toc, addr

    def _own_part(self, name: str, addr: int, start: int | None) -> tuple[int, int]:
        """The linker's own part of an output section, after the objects' parts: exit slots in .text, data slots
        in extern data, the GOT entries in .got. Returns the address after it and the section's start."""
        if name == ".text":
            slots = [x for x in self.externs.values() if x.code]
            addr = -(-addr // 4) * 4
            size, step = 4 * len(slots), 4
        elif name == EXTERN_DATA:
            slots = [x for x in self.externs.values() if not x.code]
            addr = -(-addr // 8) * 8
            size, step = DATA_SLOT * len(slots), DATA_SLOT
        elif name == ".got" and self.got:
            addr = -(-addr // 8) * 8
            for k, key in enumerate(self.got):
                self.got[key] = addr + 8 * k
            slots, size, step = [], 8 * len(self.got), 8
        else:
            return addr, addr if start is None else start
        for k, x in enumerate(slots):
            x.addr = addr + step * k
        self.own[name] = (addr, size)
        return addr + size, addr if start is None else start

    # ---- what pass 2 needs, and what it made
    def address(self, i: int, name: str) -> int:
        """A symbol of object i at its address."""
        v = self.objects[i].symbols[name].value
        return self.bases[i][v.section] + v.offset if isinstance(v, Rel) else v

    def linkage(self, i: int) -> Linkage:
        obj = self.objects[i]
        imported = {}
        for name in obj.refs.first:
            if name in obj.symbols:
                continue
            if name in self.exported:
                imported[name] = self.address(self.exported[name], name)
            elif name in self.externs:
                imported[name] = self.externs[name].addr
        got = {name: self.got[self.got_key(i, name)] for name in obj.got_syms}
        return Linkage(self.bases[i], self.toc, imported, got)

    def got_values(self, progs: Sequence[Program]) -> bytes:
        """The GOT's entries: each holds its symbol's address."""
        out = bytearray()
        for i, name in self.got:
            if i is not None:
                v = progs[i].symbols[name]
            elif name in self.exported:
                v = self.address(self.exported[name], name)
            else:
                v = self.externs[name].addr
            out += (v & M64).to_bytes(8, "big")
        return bytes(out)


def link(objects: Sequence[Assembler], base: int) -> Program:
    """One Program from the objects (in link order) with .text at `base`."""
    layout = Layout(objects, base)
    progs = [obj.pass2(layout.linkage(i)) for i, obj in enumerate(objects)]
    return merge(layout, progs)
