"""Pass 2: with the sections at the addresses the linker chose (ppcinterp/link), every operand evaluated and
encoded from the instruction table, and the object's part of the Program made."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ppcinterp.asm.directives import close_hunks
from ppcinterp.asm.encode import check_operand, encode
from ppcinterp.asm.expr import CR_BITS, M64, REGISTERS, Evaluator, Reg, Rel
from ppcinterp.asm.externs import undefined_message
from ppcinterp.asm.program import AsmInsn, DataItem, Label, Outside, Program, Section
from ppcinterp.asm.sections import Item
from ppcinterp.asm.state import AsmState
from ppcinterp.diagnostics import Pos, SourceError
from ppcinterp.isa.fields import REGISTER_KINDS, Kind
from ppcinterp.isa.table import InsnDef, operand_error
from ppcinterp.source.errors import MAX_ERRORS, collected
from ppcinterp.source.statements import (
    Binary,
    Call,
    Expr,
    Reloc,
    Sym,
    Unary,
    left_spine,
)

REGISTER_OR_CR_KINDS = REGISTER_KINDS | {Kind.CRB}



@dataclass
class Linkage:
    """What the linker decided for one object: where each of its sections goes, the TOC base, the symbols it
    references that another object (or a slot of the linker's) holds, and where its `@got` entries are."""

    bases: dict[str, int]
    toc: int
    imported: dict[str, int] = field(default_factory=dict)
    got: dict[str, int] = field(default_factory=dict)


class Pass2(AsmState):
    """The Assembler's second pass."""

    def finish_pass1(self) -> None:
        """Pass 1 over the whole file, then what it leaves for the linker to place: hunks closed, the labels the
        file leaves to given slots after its code, every forward local reference resolved."""
        self.run_pass1(self.parsed.statements)
        if self.stack:
            self.errors.append(SourceError("unterminated .pushsection at end of file", None))
        text_end = self.sections[".text"].size
        code_lines: dict[str, set[int]] = {}
        for pos in [item[-1].pos for s in self.sections.values() for item in s.items if item[-1] is not None] + \
                [lb[2] for lb in self.labels]:
            code_lines.setdefault(pos.file, set()).add(pos.line)
        close_hunks(self.hunks, code_lines, lambda msg, pos: self.warnings.append((msg, pos)))
        for i, h in enumerate(self.hunks):
            h.end = self.hunks[i + 1].start if i + 1 < len(self.hunks) else text_end
        self.outside_slots = self._place_outside()
        self.errors += [SourceError(f"local label '{k}' is not defined after this point", k.pos)
                        for k in self.forward_refs if k.instance > len(self.local_defs.get(k.num, ()))]
        if self.errors:                          # every error of pass 1 at once, as a compiler reports them
            raise collected(self.errors[:MAX_ERRORS], stopped=len(self.errors) > MAX_ERRORS)

    def pass2(self, link: Linkage) -> Program:
        """Every operand evaluated and encoded with the sections at the linker's addresses: the object's part
        of the program (sections, instructions, labels, symbols at their addresses)."""
        bases, imported = link.bases, link.imported
        for h in self.hunks:
            h.start += bases[".text"]
            h.end += bases[".text"]

        def absolute(v: int | Rel) -> int:
            return bases[v.section] + v.offset if isinstance(v, Rel) else v

        def resolve(name: str, pos: Pos | None) -> int:
            s = self.symbols.get(name)
            if s is not None:
                return absolute(s.value)
            if name in imported:
                return imported[name]
            if name in REGISTERS:
                return REGISTERS[name]
            if name in CR_BITS:
                return CR_BITS[name]
            strict = self.refs.strict_use(name)
            raise SourceError(undefined_message(name, strict[0]) if strict else f"undefined symbol '{name}'", pos)

        def got_addr(e: Expr) -> int:
            return link.got[e.name] if isinstance(e, Sym) else absolute(ev(e))

        ev = Evaluator(resolve, lambda k: absolute(self.local_defs[k.num][k.instance - 1][0]), link.toc, absolute,
                       got_addr)

        sections: dict[str, Section] = {}
        insns: dict[int, AsmInsn] = {}
        data_items: list[DataItem] = []
        errors: list[SourceError] = []             # each item's, and pass 2 goes on (source/errors.py)
        for s in self.sections.values():
            base = bases[s.name]
            buf = bytearray(s.size)
            for item in s.items:
                try:
                    self._place(item, base, buf, s.name, ev, absolute, insns, data_items)
                except SourceError as e:
                    errors.append(e)
                    if len(errors) >= MAX_ERRORS:
                        raise collected(errors, stopped=True) from None
            sections[s.name] = Section(s.name, s.flags, base, buf, s.align)
        if errors:
            raise collected(errors)

        labels = [Label(n, absolute(r), r.section, p, loc) for n, r, p, loc in self.labels]
        outside = {}
        for name, r in self.outside_slots.items():
            desc, pos = self.outside_decl[name]
            outside[absolute(r)] = Outside(name, absolute(r), desc, pos)
            labels.append(Label(name, absolute(r), ".text", pos or Pos(self.path, 1), name.isdigit()))
        symbols = {n: absolute(s.value) for n, s in self.symbols.items()
                   if s.kind == "label" or isinstance(s.value, (int, Rel))}
        return Program(self.path, bases[".text"], sections, insns, data_items, labels, symbols, self.hunks, outside,
                       self.pre, self.globals, {}, link.toc, self.warnings)

    def _place(self, item: Item, base: int, buf: bytearray, section: str, ev: Evaluator,
               absolute: Callable[[int | Rel], int], insns: dict[int, AsmInsn], data_items: list[DataItem]) -> None:
        """One item of a section encoded at its address into buf."""
        off = item[1]
        if item[0] == "insn":
            _, _, d, exprs, stmt = item
            word, values = self._encode(d, exprs, base + off, ev)
            buf[off:off + 4] = word.to_bytes(4, "big")
            insns[base + off] = AsmInsn(base + off, word, d, tuple(values), stmt, section)
        elif item[0] == "data":
            _, _, size, e, directive = item
            v = absolute(ev(e))
            if size < 8 and not -(1 << (size * 8 - 1)) <= v < (1 << (size * 8)):
                raise SourceError(f"value {v:#x} does not fit in {size} bytes", e.pos or directive.pos)
            buf[off:off + size] = (v & ((1 << (size * 8)) - 1) & M64).to_bytes(size, "big")
            data_items.append(DataItem(base + off, size, directive, section))
        else:
            payload = item[2]
            buf[off:off + len(payload)] = payload

    def _encode(self, d: InsnDef, exprs: list[Expr], pc: int, ev: Evaluator) -> tuple[int, list[int]]:
        values = []
        i = 0
        for o in d.operands:
            for f in (o.field, o.base) if o.base is not None else (o.field,):
                e = exprs[i]
                i += 1
                v = ev(e)
                assert not isinstance(v, Rel)       # pass 2 places every section-relative value
                if f.kind not in REGISTER_OR_CR_KINDS and not isinstance(v, Reg):
                    reg = self._register_in(e)
                    if reg:
                        raise SourceError(f"register name '{reg}' used where {f.name} (a value) is expected",
                                          e.pos)
                values.append(check_operand(f, v, e.pos, pc, d.aa))
        bad = operand_error(d, values)              # what the instruction refuses in its operands together
        if bad is not None:
            raise SourceError(bad[1], exprs[bad[0]].pos)
        return encode(d, values), values


    def _register_in(self, e: Expr) -> str | None:
        """A register or CR-bit name inside an expression (GNU as rejects `4*cr1+eq` as an immediate)."""
        if isinstance(e, Sym):
            return e.name if e.name not in self.symbols and (e.name in REGISTERS or e.name in CR_BITS) else None
        if isinstance(e, Binary):
            spine = left_spine(e)
            return self._register_in(spine[0].left) or next(filter(None, (self._register_in(b.right)
                                                                          for b in spine)), None)
        if isinstance(e, (Unary, Reloc, Call)):
            return self._register_in(e.operand)
        return None
