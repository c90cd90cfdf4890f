"""The objects' parts after pass 2 (each a Program at its final addresses) merged into the linked Program:
output sections of their input sections and the linker's own parts, symbols by name (a global once; a local
name several objects define differently is ambiguous, kept out of `symbols`), and the link map."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ppcinterp.asm.externs import Extern
from ppcinterp.asm.program import AsmInsn, Outside, Placed, Program, Section
from ppcinterp.diagnostics import Pos, SourceError
from ppcinterp.source.preprocess import Preprocessed

if TYPE_CHECKING:
    from ppcinterp.link.layout import Layout

NOP = 0x60000000
LINKER = "(linker)"        # the path the map gives the linker's own parts


def merge(layout: Layout, progs: Sequence[Program]) -> Program:
    first = progs[0]
    sections, placed = _sections(layout, progs)
    insns = dict(sorted((a, ai) for p in progs for a, ai in p.insns.items()))
    symbols, ambiguous = _symbols(layout, progs)
    outside = {a: o for p in progs for a, o in p.outside.items()}
    externs: dict[str, Extern] = {}
    for x in layout.externs.values():
        symbols[x.name] = x.addr
        externs[x.name] = x
        if x.code:
            outside[x.addr] = Outside(x.name, x.addr, x.what or "defined in another object", x.pos, x.how)
    pre = first.preprocessed if len(progs) == 1 else _preprocessed([p.preprocessed for p in progs])
    _branches_to_descriptors(sections, insns)
    return Program(first.path, layout.base, sections, insns, [d for p in progs for d in p.data],
                   [lb for p in progs for lb in p.labels], symbols, [h for p in progs for h in p.hunks], outside, pre,
                   set().union(*(p.globals for p in progs)), externs, layout.toc,
                   [w for p in progs for w in p.warnings], [p.path for p in progs], placed, ambiguous)


def _sections(layout: Layout, progs: Sequence[Program]) -> tuple[dict[str, Section], list[Placed]]:
    out: dict[str, Section] = {}
    placed: list[Placed] = []
    got = layout.got_values(progs) if layout.got else b""
    for name in layout.order:
        parts = [(p.path, p.sections[name]) for p in progs if name in p.sections]
        own = layout.own.get(name)
        lo = min([s.base for _, s in parts] + ([own[0]] if own else []))
        hi = max([s.end for _, s in parts] + ([own[0] + own[1]] if own else []))
        data = bytearray(hi - lo)
        end = lo
        for path, s in parts:
            if "x" in s.flags and s.base > end:     # between objects' code, GNU ld's fill: nops
                gap = (s.base - end) // 4
                data[s.base - lo - 4 * gap:s.base - lo] = NOP.to_bytes(4, "big") * gap
            data[s.base - lo:s.end - lo] = s.data
            end = s.end
            placed.append(Placed(path, name, s.base, len(s.data)))
        if own and own[1]:
            if name == ".got":
                data[own[0] - lo:own[0] - lo + len(got)] = got
            placed.append(Placed(LINKER, name, own[0], own[1]))
        flags = parts[0][1].flags if parts else "aw"
        align = max([s.align for _, s in parts] + [8] * (own is not None and name != ".text"))
        out[name] = Section(name, flags, lo, data, align)
    return out, placed


def _branches_to_descriptors(sections: dict[str, Section], insns: dict[int, AsmInsn]) -> None:
    """A relative branch to an ELFv1 function descriptor (`b memcpy_power7`, a symbol in .opd) goes to the
    function's code entry, as GNU ld makes it: the descriptor is data."""
    opd = sections.get(".opd")
    if opd is None:
        return
    for addr, ai in insns.items():
        d = ai.insn
        if d.aa or d.base_name not in ("b", "bc"):
            continue
        f = d.fields["LI" if d.base_name == "b" else "BD"]
        off = addr + f.extract(ai.word) - opd.base
        if not 0 <= off <= len(opd.data) - 8:
            continue
        entry = int.from_bytes(opd.data[off:off + 8], "big")
        code = next((s for s in sections.values() if s.is_code and s.base <= entry < s.end), None)
        if code is None:
            continue
        disp = entry - addr
        if not f.lo <= disp <= f.hi:
            raise SourceError(f"the branch to a function descriptor goes to its code entry {entry:#x}, out of "
                              "the branch's reach", ai.pos)
        mask = f.insert(-1 & ((1 << (f.bits + f.scale)) - 1))
        ai.word = (ai.word & ~mask & 0xFFFFFFFF) | f.insert(disp)
        ai.operands = tuple(disp if o.field is f else v for o, v in zip(d.operands, ai.operands, strict=True))
        sec = next(s for s in sections.values() if s.base <= addr < s.end)
        sec.data[addr - sec.base:addr - sec.base + 4] = ai.word.to_bytes(4, "big")


def _symbols(layout: Layout, progs: Sequence[Program]) -> tuple[dict[str, int], dict[str, list[Pos]]]:
    """Every object's symbols by name: a global is its defining object's; a local one of several objects only
    if they agree on its value (a .set of a shared header), else ambiguous, with where each defines it."""
    where: dict[str, dict[int, Pos]] = {}
    for obj, p in zip(layout.objects, progs, strict=True):
        for name, addr in p.symbols.items():
            where.setdefault(name, {}).setdefault(addr, obj.symbols[name].pos)
    symbols: dict[str, int] = {}
    ambiguous: dict[str, list[Pos]] = {}
    for name, defs in where.items():
        if name in layout.exported:
            symbols[name] = layout.address(layout.exported[name], name)
        elif len(defs) == 1:
            symbols[name] = next(iter(defs))
        else:
            ambiguous[name] = list(defs.values())
    return symbols, ambiguous


def _preprocessed(pres: Sequence[Preprocessed]) -> Preprocessed:
    """What the objects' preprocessing knows together: a macro as the first object defining it has it."""
    macros: dict = {}
    for pre in reversed(pres):
        macros.update(pre.macros)
    skipped: dict[str, int] = {}
    for pre in pres:
        for name, n in pre.skipped_by_config.items():
            skipped[name] = skipped.get(name, 0) + n
    return Preprocessed([ln for pre in pres for ln in pre.lines], list(dict.fromkeys(f for pre in pres
                                                                                  for f in pre.files)),
                        macros, skipped, [w for pre in pres for w in pre.warnings])
