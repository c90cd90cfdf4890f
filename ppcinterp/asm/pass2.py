"""Pass 2: sections placed at addresses (the TOC area last, as the linker lays it out), every operand
evaluated and encoded from the instruction table, the GOT filled, and the Program made."""

from __future__ import annotations

from ppcinterp.asm.directives import close_hunks
from ppcinterp.asm.encode import check_operand, encode
from ppcinterp.asm.expr import CR_BITS, M64, REGISTERS, Evaluator, Reg, Rel
from ppcinterp.asm.externs import TOC_BIAS, undefined_message
from ppcinterp.asm.program import AsmInsn, DataItem, Label, Outside, Program, Section
from ppcinterp.diagnostics import Pos, SourceError
from ppcinterp.isa.fields import REGISTER_KINDS, Kind
from ppcinterp.isa.table import InsnDef, operand_error
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



class Pass2:
    """The Assembler's second pass."""

    def assemble(self) -> Program:
        self.run_pass1(self.parsed.statements)
        if self.stack:
            raise SourceError("unterminated .pushsection at end of file", None)
        text_end = self.sections[".text"].size
        code_lines: dict[str, set[int]] = {}
        for pos in [item[-1].pos for s in self.sections.values() for item in s.items if item[-1] is not None] + \
                [lb[2] for lb in self.labels]:
            code_lines.setdefault(pos.file, set()).add(pos.line)
        close_hunks(self.hunks, code_lines, lambda msg, pos: self.warnings.append((msg, pos)))
        for i, h in enumerate(self.hunks):
            h.end = self.hunks[i + 1].start if i + 1 < len(self.hunks) else text_end
        slots = self._place_outside()
        externs = self._place_externs()
        for k in self.forward_refs:
            if k.instance > len(self.local_defs.get(k.num, ())):
                raise SourceError(f"local label '{k}' is not defined after this point", k.pos)

        got = self._section(".got", "aw") if self.got_syms else None
        if got is not None:
            got.items.append(("bytes", 0, bytes(8 * len(self.got_syms)), None))
            got.size = 8 * len(self.got_syms)
        # The TOC area (.got, then .toc) comes last, as the linker lays it out; r2 points 32 KiB into it.
        order = sorted(self.sections.values(), key=lambda s: s.name in (".got", ".toc") and (s.name == ".toc") + 1)
        bases, addr, toc = {}, self.base, None
        for s in order:
            align = max(s.align, 8 if s.name != ".text" else 4)
            addr = (addr + align - 1) & -align
            if toc is None and s.name in (".got", ".toc"):
                toc = addr + TOC_BIAS
            bases[s.name] = addr
            addr += s.size
        if toc is None:                         # no TOC of its own: the base is where one would start
            toc = ((addr + 7) & -8) + TOC_BIAS
        if addr > M64:
            raise SourceError(f"the sections end at {addr:#x}, past the 64-bit address space (base {self.base:#x})",
                              None)
        for h in self.hunks:
            h.start += bases[".text"]
            h.end += bases[".text"]

        def absolute(v: int | Rel) -> int:
            return bases[v.section] + v.offset if isinstance(v, Rel) else v

        def resolve(name: str, pos: Pos | None) -> int:
            s = self.symbols.get(name)
            if s is not None:
                return absolute(s.value)
            if name in REGISTERS:
                return REGISTERS[name]
            if name in CR_BITS:
                return CR_BITS[name]
            strict = self.refs.strict_use(name)
            raise SourceError(undefined_message(name, strict[0]) if strict else f"undefined symbol '{name}'", pos)

        got_slot = {name: bases[".got"] + 8 * i for i, name in enumerate(self.got_syms)}

        def got_addr(e: Expr) -> int:
            return got_slot[e.name] if isinstance(e, Sym) else absolute(ev(e))

        ev = Evaluator(resolve, lambda k: absolute(self.local_defs[k.num][k.instance - 1][0]), toc, absolute,
                       got_addr)

        sections: dict[str, Section] = {}
        insns: dict[int, AsmInsn] = {}
        data_items: list[DataItem] = []
        for s in self.sections.values():
            base = bases[s.name]
            buf = bytearray(s.size)
            for item in s.items:
                kind, off = item[0], item[1]
                if kind == "insn":
                    _, _, d, exprs, stmt = item
                    word, values = self._encode(d, exprs, base + off, ev)
                    buf[off:off + 4] = word.to_bytes(4, "big")
                    insns[base + off] = AsmInsn(base + off, word, d, tuple(values), stmt, s.name)
                elif kind == "data":
                    _, _, size, e, stmt = item
                    v = ev(e)
                    v = absolute(v)
                    if size < 8 and not -(1 << (size * 8 - 1)) <= v < (1 << (size * 8)):
                        raise SourceError(f"value {v:#x} does not fit in {size} bytes", e.pos or stmt.pos)
                    buf[off:off + size] = (v & ((1 << (size * 8)) - 1) & M64).to_bytes(size, "big")
                    data_items.append(DataItem(base + off, size, stmt, s.name))
                else:
                    payload = item[2]
                    buf[off:off + len(payload)] = payload
            if s is got:                        # each entry holds its symbol's address
                for name, pos in self.got_syms.items():
                    off = got_slot[name] - base
                    buf[off:off + 8] = (resolve(name, pos) & M64).to_bytes(8, "big")
            sections[s.name] = Section(s.name, s.flags, base, buf, s.align)

        labels = [Label(n, absolute(r), r.section, p, loc) for n, r, p, loc in self.labels]
        outside = {}
        for name, r in slots.items():
            desc, pos = self.outside_decl[name]
            outside[absolute(r)] = Outside(name, absolute(r), desc, pos)
            labels.append(Label(name, absolute(r), ".text", pos or Pos(self.path, 1), name.isdigit()))
        for x in externs.values():
            x.addr = absolute(self.symbols[x.name].value)
            if x.code:
                outside[x.addr] = Outside(x.name, x.addr, x.what or "defined in another object", x.pos, x.how)
        symbols = {n: absolute(s.value) for n, s in self.symbols.items()
                   if s.kind == "label" or isinstance(s.value, (int, Rel))}
        return Program(self.path, self.base, sections, dict(sorted(insns.items())), data_items, labels,
                       symbols, self.hunks, outside, self.pre, self.globals, externs, toc, self.warnings)

    def _encode(self, d: InsnDef, exprs: list[Expr], pc: int, ev: Evaluator) -> tuple[int, list[int]]:
        values = []
        i = 0
        for o in d.operands:
            for f in (o.field, o.base) if o.base is not None else (o.field,):
                e = exprs[i]
                i += 1
                v = ev(e)
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
