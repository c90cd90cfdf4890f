"""Two-pass assembler: pass 1 lays out every statement at a section offset (expanding .rept, .if and
macros, numbering local labels, fixing `.set` values at their point of use); the linker then places the
sections of every object at addresses, and pass 2 evaluates every operand and encodes it from the
instruction table."""

from __future__ import annotations

import re

from ppcinterp.asm.blocks import BLOCK_OPEN, IF_DIRECTIVES, Blocks
from ppcinterp.asm.directives import Directives, _split_macro_args
from ppcinterp.asm.expr import CR_BITS, REGISTERS, Evaluator, LabelKey, Rel, Value
from ppcinterp.asm.externs import References
from ppcinterp.asm.limits import MAX_BYTES, LimitError, Limits
from ppcinterp.asm.pass2 import Pass2
from ppcinterp.asm.placement import Placement
from ppcinterp.asm.program import Hunk
from ppcinterp.asm.sections import DEFAULT_FLAGS, Item, _Section, _Sym
from ppcinterp.diagnostics import Pos, SourceError
from ppcinterp.isa import table
from ppcinterp.isa.table import InsnDef
from ppcinterp.source.errors import MAX_ERRORS, SourceErrors, collected
from ppcinterp.source.parser import MacroDef, ParsedSource, TextLine, parse_lines
from ppcinterp.source.preprocess import Preprocessed
from ppcinterp.source.statements import (
    Assign,
    Binary,
    Call,
    Directive,
    Dot,
    Expr,
    Instruction,
    LabelDef,
    LocalRef,
    Mem,
    Num,
    Operand,
    Pragma,
    Quoted,
    Reloc,
    Statement,
    Sym,
    Unary,
    left_spine,
)


class Assembler(Directives, Placement, Pass2, Blocks, Limits):
    def __init__(self, parsed: ParsedSource, pre: Preprocessed, path: str, externs: tuple[str, ...] = ()):
        self.parsed = parsed
        self.pre = pre
        self.path = path
        self.sections: dict[str, _Section] = {}
        self.cur = self._section(".text", None)
        self.prev = self.cur
        self.stack: list[tuple[_Section, _Section]] = []
        self.symbols: dict[str, _Sym] = {}
        self.local_defs: dict[int, list[tuple[Rel, Pos | None]]] = {}
        self.forward_refs: list[LabelKey] = []
        self.outside_decl: dict[str, tuple[str, Pos | None]] = {}
        self.extern_decl: dict[str, tuple[str, str, Pos | None]] = {n: ("--extern", "", None) for n in externs}
        self.refs = References()
        self.ctx = "value"                          # how the operands being frozen use their symbols
        self.got_syms: dict[str, Pos | None] = {}   # symbols addressed through the GOT (sym@got)
        self.warnings: list[tuple[str, Pos | None]] = []
        self.globals: set[str] = set()
        self.hunks: list[Hunk] = []
        self.labels: list[tuple[str, Rel, Pos, bool]] = []
        self.macro_count = 0
        self.depth = 0
        self.errors: list[SourceError] = list(parsed.errors)      # pass 1 goes on after each (source/errors.py)
        self._ends: dict[int, tuple[list[Statement], dict[int, tuple[int, list[int]]]]] = {}
        # a macro body after substitution, parsed
        self._parsed_text: dict[tuple[tuple[str, Pos], ...], list[Statement]] = {}
        self._init_limits()

    # ------------------------------------------------------------------ pass 1
    def _section(self, name: str, flags: str | None) -> _Section:
        s = self.sections.get(name)
        if s is None:
            s = self.sections[name] = _Section(name, flags if flags is not None else DEFAULT_FLAGS.get(name, ""))
        return s

    def _here(self) -> Rel:
        return Rel(self.cur.name, self.cur.size)

    def _eval1(self) -> Evaluator:
        return Evaluator(self._resolve1, self._label1)

    def _resolve1(self, name: str, pos: Pos | None) -> int | Rel:
        s = self.symbols.get(name)
        if s is not None:
            return s.value
        if name in REGISTERS:
            return REGISTERS[name]
        if name in CR_BITS:
            return CR_BITS[name]
        raise SourceError(f"symbol '{name}' is not defined yet (a constant is needed here)", pos)

    def _label1(self, k: LabelKey) -> Rel:
        defs = self.local_defs.get(k.num, [])
        if k.instance > len(defs):
            raise SourceError(f"local label '{k}' is not defined yet (a constant is needed here)", k.pos)
        return defs[k.instance - 1][0]

    def _freeze(self, e: Expr) -> Expr:
        """Fix what pass 1 knows at this point: `.set` values, `.`, and which local label `1f`/`1b` means."""
        if isinstance(e, Num):
            return e
        if isinstance(e, Mem):                  # inside an extended mnemonic's rewrite (rlwinm's mask form)
            raise SourceError("a memory operand D(rA) is not valid here", e.pos)
        if isinstance(e, Quoted):               # parsed for a macro's arguments; an instruction takes none
            raise SourceError("a quoted string is not valid here (only as a macro's argument)", e.pos)
        if isinstance(e, Sym):
            s = self.symbols.get(e.name)
            if s is not None and s.kind == "set":
                return Value(s.value, e.name, e.pos)
            if s is None and e.name not in REGISTERS and e.name not in CR_BITS:
                self.refs.add(e.name, self.ctx, e.pos)
            return e
        if isinstance(e, LocalRef):
            n = len(self.local_defs.get(e.num, ()))
            if not e.forward and n == 0:
                raise SourceError(f"local label '{e}' refers back to a label {e.num} that is not defined before it",
                                  e.pos)
            k = LabelKey(e.num, n + 1 if e.forward else n, e.forward, e.pos)
            if e.forward:
                self.forward_refs.append(k)
            return k
        if isinstance(e, Dot):
            return Value(self._here(), ".", e.pos)
        if isinstance(e, Binary):
            spine = left_spine(e)                # a flat chain in a loop, not by recursion
            self._spend_operators(len(spine), e.pos)
            acc = self._freeze(spine[0].left)
            for b in spine:
                acc = Binary(b.op, acc, self._freeze(b.right), b.pos)
            return acc
        if isinstance(e, Unary):
            return Unary(e.op, self._freeze(e.operand), e.pos)
        if isinstance(e, Reloc):
            if e.suffix == "tocbase":           # `.TOC.@tocbase`: the TOC base, whatever the symbol
                return e
            ctx, self.ctx = self.ctx, "toc" if e.suffix in ("got", "toc") else self.ctx
            try:
                operand = self._freeze(e.operand)
            finally:
                self.ctx = ctx
            if e.suffix == "got":
                if not isinstance(operand, Sym):
                    raise SourceError("@got needs a symbol", e.pos)
                self.got_syms.setdefault(operand.name, e.pos)
            return Reloc(operand, e.suffix, e.pos)
        if isinstance(e, Call):
            return Call(e.fn, self._freeze(e.operand), e.pos)
        return e

    def _freeze_data(self, e: Expr) -> Expr:
        self.ctx = "data"
        try:
            return self._freeze(e)
        finally:
            self.ctx = "value"

    def _emit(self, item: Item, size: int) -> None:
        if self.bytes_total + size > MAX_BYTES:
            stmt = item[-1]
            self._room(size, stmt.pos if stmt is not None else None, "this")
        self.cur.items.append(item)
        self.cur.size += size
        self.bytes_total += size

    def _define_label(self, name: str, pos: Pos) -> None:
        here = self._here()
        if name.isdigit():
            self.local_defs.setdefault(int(name), []).append((here, pos))
            self.labels.append((name, here, pos, True))
            return
        old = self.symbols.get(name)
        if old is not None:
            raise SourceError(f"symbol '{name}' is already defined", pos, [(old.pos, "previous definition is here")])
        self.symbols[name] = _Sym("label", here, pos)
        self.labels.append((name, here, pos, False))

    def _assign(self, name: str, value: Expr, pos: Pos) -> None:
        old = self.symbols.get(name)
        if old is not None and old.kind == "label":
            raise SourceError(f"symbol '{name}' is already defined as a label", pos,
                              [(old.pos, "previous definition is here")])
        self.symbols[name] = _Sym("set", self._eval1()(self._freeze(value)), pos)

    def run_pass1(self, stmts: list[Statement]) -> None:
        i, n = 0, len(stmts)
        while i < n:
            try:
                i = self._statement(stmts, i)
            except SourceError as e:
                i = self._failed(e, stmts, i)

    def _statement(self, stmts: list[Statement], i: int) -> int:
        """Assemble statement i; returns the index of the next one."""
        s = stmts[i]
        self._spend(s.pos)
        if isinstance(s, LabelDef):
            self._define_label(s.name, s.pos)
        elif isinstance(s, Instruction):
            macro = self.parsed.macros.get(s.mnemonic.lower())     # GNU as: any case
            if macro is not None:
                self._expand_macro(macro, s)
            else:
                self._instruction(s)
        elif isinstance(s, Directive):
            if s.name in BLOCK_OPEN:
                return self._rept(stmts, i)
            if s.name in IF_DIRECTIVES:
                return self._if(stmts, i)
            if s.name in (".endr", ".endif", ".else", ".elseif"):
                opener = ".rept" if s.name == ".endr" else ".if"
                raise SourceError(f"{s.name} without a matching {opener}", s.pos)
            self._directive(s)
        elif isinstance(s, Assign):
            self._assign(s.name, s.value, s.pos)
        elif isinstance(s, Pragma):
            self._pragma(s)
        return i + 1

    def _failed(self, e: SourceError, stmts: list[Statement], i: int) -> int:
        """Record the error of statement i and go on after it (after its block, for a .rept or .if), as GNU as
        does; returns where to go on. A bound passed, an unterminated block or the MAX_ERRORS-th error ends
        pass 1 with every error so far."""
        if isinstance(e, SourceErrors):                  # a macro's or block's statements ended pass 1
            raise e
        if isinstance(e, LimitError):
            raise collected([*self.errors, e]) from None
        s, after = stmts[i], i + 1
        if isinstance(s, Directive) and s.name in BLOCK_OPEN | IF_DIRECTIVES:
            opens, close = (BLOCK_OPEN, ".endr") if s.name in BLOCK_OPEN else (IF_DIRECTIVES, ".endif")
            try:
                after = self._block_end(stmts, i, opens, close)[0] + 1
            except SourceError:                          # unterminated: nothing after it is in order
                raise collected([*self.errors, e]) from None
        self.errors.append(e)
        if len(self.errors) >= MAX_ERRORS:
            raise collected(self.errors, stopped=True) from None
        return after

    def _const(self, arg: object, pos: Pos) -> int:
        if not isinstance(arg, Expr):
            raise SourceError("expected an expression", pos)
        return self._eval1().absolute(self._freeze(arg))

    def _expand_macro(self, m: MacroDef, s: Instruction) -> None:
        args = _split_macro_args(s.text[len(s.mnemonic):].strip())
        if len(args) > len(m.params):
            raise SourceError(f"macro '{m.name}' takes {len(m.params)} arguments, {len(args)} given", s.pos)
        values = {}
        for k, (pname, default) in enumerate(m.params):
            values[pname] = args[k] if k < len(args) and args[k] != "" else (default or "")
        self.macro_count += 1
        names = sorted(values, key=len, reverse=True)
        pattern = re.compile(r"\\(\(\)|@|" + "|".join(map(re.escape, names)) + ")" if names else r"\\(\(\)|@)")

        def sub(mo: re.Match[str]) -> str:
            key = mo.group(1)
            return "" if key == "()" else str(self.macro_count) if key == "@" else values[key]

        lines = tuple((pattern.sub(sub, line.text), line.pos_at(0)) for line in m.body)
        stmts = self._parsed_text.get(lines)
        made = sum(len(text) for text, _ in lines) + len(s.text)
        self._macro_text(made, made if stmts is None else 0, s.pos, m.name)
        if stmts is None:                       # statements are never changed: the same text, the same ones
            stmts = self._parsed_text[lines] = parse_lines([TextLine(text, pos) for text, pos in lines])
        self._nest(s.pos)
        self.run_pass1(stmts)
        self.depth -= 1

    def _instruction(self, s: Instruction) -> None:
        name, ops = s.mnemonic.lower(), s.operands           # mnemonics in any case (HRFID, h##rfid)
        try:
            rewritten = table.rewrite(name, ops)
        except LookupError as e:
            counts = " or ".join(map(str, e.args[0]))
            raise SourceError(f"'{name}' takes {counts} operands, {len(ops)} given", s.pos) from None
        except AttributeError:
            raise SourceError(f"wrong kind of operand for '{name}' (a memory operand D(rA) is only valid "
                              "where the instruction takes one)", s.pos) from None
        if rewritten is not None:
            name, ops = rewritten
        d = table.INSNS.get(name)
        if d is None:
            raise SourceError(f"unknown instruction '{s.mnemonic}'", s.pos)
        self.ctx = {"b": "branch", "bc": "cond"}.get(d.base_name, "value")
        try:
            exprs = self._operand_exprs(d, ops, s)
        finally:
            self.ctx = "value"
        if s.hint:
            if d.base_name not in ("bc", "bclr", "bcctr"):
                raise SourceError(f"a branch hint ('{s.hint}') is only valid on a conditional branch", s.pos)
            exprs[0] = Call("hint" + s.hint, exprs[0], exprs[0].pos)
        if self.cur.size % 4:
            raise SourceError("instruction is not on a 4-byte boundary (add .align 2 before it)", s.pos)
        self._emit(("insn", self.cur.size, d, exprs, s), 4)

    def _operand_exprs(self, d: InsnDef, ops: list[Operand], s: Instruction) -> list[Expr]:
        if not d.required <= len(ops) <= len(d.operands):
            want = str(d.required) if d.required == len(d.operands) else f"{d.required} to {len(d.operands)}"
            raise SourceError(f"'{s.mnemonic}' takes {want} operands ({d.syntax() or 'none'}), "
                              f"{len(ops)} given", s.pos)
        exprs: list[Expr] = []
        for k, slot in enumerate(d.operands):
            if k >= len(ops):
                exprs.append(Num(slot.default, s.pos))
                continue
            op = ops[k]
            if slot.base is not None:
                if not isinstance(op, Mem):
                    raise SourceError(f"operand {k + 1} of '{s.mnemonic}' must be a memory operand "
                                      f"{slot.field.name}({slot.base.name})", getattr(op, "pos", s.pos))
                exprs += [self._freeze(op.disp), self._freeze(op.base)]
            else:
                if isinstance(op, Mem):
                    raise SourceError(f"operand {k + 1} of '{s.mnemonic}' is {slot.field.name}, "
                                      "not a memory operand", op.pos)
                exprs.append(self._freeze(op))
        return exprs

def assemble_object(parsed: ParsedSource, pre: Preprocessed, path: str, externs: tuple[str, ...] = ()) -> Assembler:
    """Pass 1 of one file: an object for the linker (ppcinterp/link), which places it and runs its pass 2."""
    obj = Assembler(parsed, pre, path, externs)
    obj.finish_pass1()
    return obj
