"""Two-pass assembler: pass 1 lays out every statement at a section offset (expanding .rept, .if and
macros, numbering local labels, fixing `.set` values at their point of use); pass 2 places sections at
addresses, evaluates every operand and encodes it from the instruction table."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ppcinterp.asm.encode import check_operand, encode
from ppcinterp.asm.expr import CR_BITS, M64, REGISTERS, Evaluator, LabelKey, Reg, Rel, Value
from ppcinterp.asm.externs import DATA_SLOT, TOC_BIAS, Extern, References, undefined_message
from ppcinterp.asm.program import AsmInsn, DataItem, Hunk, Label, Outside, Program, Section
from ppcinterp.diagnostics import Pos, SourceError
from ppcinterp.isa import table
from ppcinterp.isa.fields import REGISTER_KINDS, Kind
from ppcinterp.isa.table import InsnDef
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
    Pragma,
    Reloc,
    Statement,
    Sym,
    Unary,
)

NOP = 0x60000000
GROUP_NOP = 0x60420000     # ori 2,2,0: GNU as ends code-alignment padding with it for POWER6 and later
DATA_SIZES = {".byte": 1, ".short": 2, ".hword": 2, ".2byte": 2, ".long": 4, ".int": 4, ".4byte": 4,
              ".llong": 8, ".quad": 8, ".8byte": 8}
DEFAULT_FLAGS = {".text": "ax", ".data": "aw", ".bss": "aw", ".toc": "aw", ".opd": "aw"}
IGNORED = {".type", ".size", ".ident", ".file", ".machine", ".abiversion", ".gnu_attribute", ".local",
           ".hidden", ".protected", ".internal", ".loc", ".cfi_startproc", ".cfi_endproc", ".warning",
           ".nolist", ".list", ".psize", ".title", ".sbttl", ".eject"}
BLOCK_OPEN = {".rept", ".irp", ".irpc"}
IF_DIRECTIVES = {".if", ".ifeq", ".ifne", ".ifgt", ".ifge", ".iflt", ".ifle", ".ifdef", ".ifndef",
                 ".ifnotdef", ".ifc", ".ifnc", ".ifb", ".ifnb"}
MAX_DEPTH = 100
REGISTER_OR_CR_KINDS = REGISTER_KINDS | {Kind.CRB}


@dataclass(slots=True)
class _Sym:
    kind: str                       # "label" | "set"
    value: int | Rel
    pos: Pos


@dataclass
class _Section:
    name: str
    flags: str
    size: int = 0
    align: int = 1
    items: list = field(default_factory=list)     # ("insn", off, def, exprs, stmt) | ("data", ...) | ("bytes", ...)


class Assembler:
    def __init__(self, parsed: ParsedSource, pre: Preprocessed, path: str, base: int = 0x100000,
                 externs: tuple[str, ...] = ()):
        self.parsed = parsed
        self.pre = pre
        self.path = path
        self.base = base
        self.sections: dict[str, _Section] = {}
        self.cur = self._section(".text", None)
        self.prev = self.cur
        self.stack: list[tuple[_Section, _Section]] = []
        self.symbols: dict[str, _Sym] = {}
        self.local_defs: dict[int, list[tuple[Rel, Pos]]] = {}
        self.forward_refs: list[LabelKey] = []
        self.referenced: dict[str, Pos | None] = {}
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
        if isinstance(e, Sym):
            s = self.symbols.get(e.name)
            if s is not None and s.kind == "set":
                return Value(s.value, e.name, e.pos)
            if s is None and e.name not in REGISTERS and e.name not in CR_BITS:
                self.referenced.setdefault(e.name, e.pos)
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
            return Binary(e.op, self._freeze(e.left), self._freeze(e.right), e.pos)
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

    def _emit(self, item: tuple, size: int) -> None:
        self.cur.items.append(item)
        self.cur.size += size

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
            s = stmts[i]
            if isinstance(s, LabelDef):
                self._define_label(s.name, s.pos)
            elif isinstance(s, Instruction):
                macro = self.parsed.macros.get(s.mnemonic)
                if macro is not None:
                    self._expand_macro(macro, s)
                else:
                    self._instruction(s)
            elif isinstance(s, Directive):
                if s.name in BLOCK_OPEN:
                    i = self._rept(stmts, i)
                    continue
                if s.name in IF_DIRECTIVES:
                    i = self._if(stmts, i)
                    continue
                if s.name in (".endr", ".endif", ".else", ".elseif"):
                    opener = ".rept" if s.name == ".endr" else ".if"
                    raise SourceError(f"{s.name} without a matching {opener}", s.pos)
                self._directive(s)
            elif isinstance(s, Assign):
                self._assign(s.name, s.value, s.pos)
            elif isinstance(s, Pragma):
                self._pragma(s)
            i += 1

    def _block_end(self, stmts: list[Statement], i: int, opens: set[str], close: str) -> tuple[int, list[int]]:
        """Index of the statement closing the block opened at i, and the indices of .else/.elseif at depth 0."""
        depth, splits = 0, []
        for j in range(i + 1, len(stmts)):
            s = stmts[j]
            if not isinstance(s, Directive):
                continue
            if s.name in opens:
                depth += 1
            elif s.name == close:
                if depth == 0:
                    return j, splits
                depth -= 1
            elif depth == 0 and s.name in (".else", ".elseif") and close == ".endif":
                splits.append(j)
        opener = stmts[i]
        raise SourceError(f"unterminated {opener.name} (no matching {close})", opener.pos)

    def _rept(self, stmts: list[Statement], i: int) -> int:
        d = stmts[i]
        end, _ = self._block_end(stmts, i, BLOCK_OPEN, ".endr")
        if d.name != ".rept":
            raise SourceError(f"directive {d.name} is not supported", d.pos)
        if len(d.args) != 1 or d.args[0] is None:
            raise SourceError(".rept needs one count", d.pos)
        count = self._const(d.args[0], d.pos)
        if not 0 <= count <= 100000:
            raise SourceError(f".rept count {count} out of range", d.pos)
        body = stmts[i + 1:end]
        self._nest(d.pos)
        for _ in range(count):
            self.run_pass1(body)
        self.depth -= 1
        return end + 1

    def _if(self, stmts: list[Statement], i: int) -> int:
        end, splits = self._block_end(stmts, i, IF_DIRECTIVES, ".endif")
        bounds = [i, *splits, end]
        for a, b in zip(bounds, bounds[1:], strict=False):
            head = stmts[a]
            if head.name == ".else" or self._condition(head):
                self._nest(head.pos)
                self.run_pass1(stmts[a + 1:b])
                self.depth -= 1
                break
        return end + 1

    def _nest(self, pos: Pos) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise SourceError("nesting of .rept/.if/macros is too deep", pos)

    def _condition(self, d: Directive) -> bool:
        name = d.name if d.name != ".elseif" else ".if"
        if name in (".ifdef", ".ifndef", ".ifnotdef"):
            if len(d.args) != 1 or not isinstance(d.args[0], Sym):
                raise SourceError(f"{name} needs one symbol name", d.pos)
            defined = d.args[0].name in self.symbols
            return defined if name == ".ifdef" else not defined
        if name in (".ifc", ".ifnc", ".ifb", ".ifnb"):
            raise SourceError(f"directive {name} is not supported", d.pos)
        if len(d.args) != 1 or d.args[0] is None:
            raise SourceError(f"{name} needs one expression", d.pos)
        v = self._const(d.args[0], d.pos)
        return {".if": v != 0, ".ifne": v != 0, ".ifeq": v == 0, ".ifgt": v > 0, ".ifge": v >= 0,
                ".iflt": v < 0, ".ifle": v <= 0}[name]

    def _const(self, arg, pos: Pos) -> int:
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

        def sub(mo: re.Match) -> str:
            key = mo.group(1)
            return "" if key == "()" else str(self.macro_count) if key == "@" else values[key]

        lines = [TextLine(pattern.sub(sub, line.text), line.pos_at(0)) for line in m.body]
        self._nest(s.pos)
        self.run_pass1(parse_lines(lines))
        self.depth -= 1

    def _instruction(self, s: Instruction) -> None:
        name, ops = s.mnemonic, s.operands
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

    def _operand_exprs(self, d: InsnDef, ops: list, s: Instruction) -> list[Expr]:
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

    def _directive(self, d: Directive) -> None:
        name = d.name
        if name in DATA_SIZES:
            size = DATA_SIZES[name]
            for a in d.args:
                if not isinstance(a, Expr):
                    raise SourceError(f"{name} needs expressions", d.pos)
                self._emit(("data", self.cur.size, size, self._freeze_data(a), d), size)
        elif name == ".tc":
            if len(d.args) != 2 or not isinstance(d.args[1], Expr):
                raise SourceError(".tc needs a name and a value", d.pos)
            self._emit(("data", self.cur.size, 8, self._freeze_data(d.args[1]), d), 8)
        elif name in (".align", ".p2align", ".balign"):
            self._align(d)
        elif name in (".space", ".skip", ".zero"):
            count = self._const(d.args[0], d.pos) if d.args and d.args[0] is not None else -1
            fill = self._const(d.args[1], d.pos) & 0xFF if len(d.args) > 1 and d.args[1] is not None else 0
            if not 0 <= count <= 1 << 24:
                raise SourceError(f"{name} needs a size between 0 and {1 << 24}", d.pos)
            self._emit(("bytes", self.cur.size, bytes([fill]) * count, d), count)
        elif name in (".ascii", ".asciz", ".string"):
            for a in d.args:
                if not isinstance(a, str) or not a.startswith('"'):
                    raise SourceError(f"{name} needs quoted strings", d.pos)
                data = bytes(a[1:-1], "utf-8").decode("unicode_escape").encode("latin-1")
                data += b"\0" if name != ".ascii" else b""
                self._emit(("bytes", self.cur.size, data, d), len(data))
        elif name in (".section", ".pushsection"):
            if not d.args or d.args[0] is None:
                raise SourceError(f"{name} needs a section name", d.pos)
            sname = _section_name(d.args[0], d.pos)
            flags = d.args[1].strip('"') if len(d.args) > 1 and isinstance(d.args[1], str) else None
            if name == ".pushsection":
                self.stack.append((self.cur, self.prev))
            self.prev, self.cur = self.cur, self._section(sname, flags)
        elif name in (".text", ".data", ".bss"):
            self.prev, self.cur = self.cur, self._section(name, None)
        elif name == ".previous":
            self.cur, self.prev = self.prev, self.cur
        elif name == ".popsection":
            if not self.stack:
                raise SourceError(".popsection without .pushsection", d.pos)
            self.cur, self.prev = self.stack.pop()
        elif name in (".globl", ".global", ".weak"):
            self.globals.update(a.name for a in d.args if isinstance(a, Sym))
        elif name == ".extern":
            for a in d.args:
                if isinstance(a, Sym):
                    self.extern_decl.setdefault(a.name, (".extern", "", a.pos))
        elif name in (".set", ".equ", ".equiv"):
            if len(d.args) != 2 or not isinstance(d.args[0], Sym) or not isinstance(d.args[1], Expr):
                raise SourceError(f"{name} needs a symbol and an expression", d.pos)
            if name == ".equiv" and d.args[0].name in self.symbols:
                raise SourceError(f"symbol '{d.args[0].name}' is already defined", d.pos)
            self._assign(d.args[0].name, d.args[1], d.pos)
        elif name == ".error":
            msg = d.args[0].strip('"') if d.args and isinstance(d.args[0], str) else ".error directive"
            raise SourceError(msg, d.pos)
        elif name == ".org":
            target = self._const(d.args[0], d.pos)
            if target < self.cur.size:
                raise SourceError(".org would move the location backwards", d.pos)
            self._emit(("bytes", self.cur.size, bytes(target - self.cur.size), d), target - self.cur.size)
        elif name not in IGNORED:
            raise SourceError(f"unknown directive '{name}'", d.pos)

    def _align(self, d: Directive) -> None:
        args = d.args + [None, None, None]
        if args[0] is None:
            raise SourceError(f"{d.name} needs an alignment", d.pos)
        n = self._const(args[0], d.pos)
        # On PowerPC ELF, .align takes a power of two like .p2align; .balign takes bytes.
        size = n if d.name == ".balign" else 1 << n if 0 <= n < 32 else -1
        if size <= 0 or size & (size - 1):
            raise SourceError(f"alignment {n} is not valid", d.pos)
        fill = self._const(args[1], d.pos) if args[1] is not None else None
        limit = self._const(args[2], d.pos) if args[2] is not None else None
        pad = -self.cur.size % size
        self.cur.align = max(self.cur.align, size)
        if pad == 0 or (limit is not None and pad > limit):
            return
        code = "x" in self.cur.flags or self.cur.name == ".text"
        if fill is None and code:
            words = [NOP] * (pad // 4)
            if words:
                words[-1] = GROUP_NOP
            data = bytes(pad % 4) + b"".join(w.to_bytes(4, "big") for w in words)
        else:
            data = bytes([(fill or 0) & 0xFF]) * pad
        self._emit(("bytes", self.cur.size, data, d), pad)

    def _pragma(self, p: Pragma) -> None:
        w = p.words
        if not w:
            raise SourceError("empty ppcinterp pragma", p.pos)
        if w[0] == "hunk":
            m = re.fullmatch(r"(\d+)-(\d+)", w[3]) if len(w) >= 4 and w[2] == "upstream" else None
            if not m or not w[1].isdigit():
                raise SourceError('expected: #pragma ppcinterp hunk N upstream FIRST-LAST ["@@ header @@"]', p.pos)
            first, last = int(m.group(1)), int(m.group(2))
            if last < first:
                raise SourceError(f"hunk line range {first}-{last} is empty", p.pos)
            header = w[4].strip('"') if len(w) > 4 else ""
            if self.cur.name != ".text":
                raise SourceError("a hunk must start in .text", p.pos)
            self.hunks.append(Hunk(int(w[1]), first, last, header, p.pos, start=self.cur.size,
                                   last_line=p.pos.line + last - first + 1))
        elif w[0] == "extern":
            if len(w) < 2 or not re.fullmatch(r"[A-Za-z_.$][\w.$]*", w[1]):
                raise SourceError('expected: #pragma ppcinterp extern SYMBOL ["what it is"]', p.pos)
            self.extern_decl.setdefault(w[1], ("pragma", w[2].strip('"') if len(w) > 2 else "", p.pos))
        elif w[0] == "outside":
            if len(w) < 2 or not re.fullmatch(r"[A-Za-z_.$][\w.$]*|\d+", w[1]):
                raise SourceError('expected: #pragma ppcinterp outside LABEL ["what it is"]', p.pos)
            desc = w[2].strip('"') if len(w) > 2 else ""
            self.outside_decl[w[1]] = (desc, p.pos)
        else:
            raise SourceError(f"unknown ppcinterp pragma '{w[0]}'", p.pos)

    def _place_outside(self) -> dict[str, Rel]:
        """Give every label the file leaves to a 4-byte slot after the code, so branches to it encode as
        they would if the label sat right after the file's last instruction."""
        text = self.sections[".text"]
        if text.size % 4:
            text.size += -text.size % 4
        slots: dict[str, Rel] = {}
        unresolved = {k.num for k in self.forward_refs if k.instance > len(self.local_defs.get(k.num, ()))}
        for name, (_desc, pos) in self.outside_decl.items():
            wanted = int(name) in unresolved if name.isdigit() else (
                name in self.referenced and name not in self.symbols)
            if not wanted:
                continue
            here = Rel(".text", text.size)
            text.items.append(("bytes", text.size, bytes(4), None))
            text.size += 4
            slots[name] = here
            if name.isdigit():
                self.local_defs.setdefault(int(name), []).append((here, pos))
            else:
                self.symbols[name] = _Sym("label", here, pos)
        return slots

    def _place_externs(self) -> dict[str, Extern]:
        """Give every symbol left to another object a place: code an exit slot after .text (beside the
        outside labels), data zeroed memory of its own. Undeclared ones are allowed only where GNU as and
        the linker would resolve them (see externs.py), with a warning."""
        declared = dict(self.extern_decl)
        for g in sorted(self.globals):
            declared.setdefault(g, (".globl", "", None))
        text = self.sections[".text"]
        out: dict[str, Extern] = {}
        for name, first in self.refs.first.items():
            if name in self.symbols:
                continue
            what = ""
            if name in declared:
                how, what, pos = declared[name][0], declared[name][1], declared[name][2] or first
            elif self.refs.strict_use(name) is None:
                how, pos = "assumed", first
                self.warnings.append((f"'{name}' is not defined in this file; assuming another object "
                                      f"defines it (declare it with .extern {name} or --extern {name})", first))
            else:
                continue                    # pass 2 reports it as undefined
            code = self.refs.is_code(name)
            if code:
                here = Rel(".text", text.size)
                text.items.append(("bytes", text.size, bytes(4), None))
                text.size += 4
            else:
                data = self._section("extern data", "aw")
                data.align = max(data.align, 8)
                here = Rel(data.name, data.size)
                data.items.append(("bytes", data.size, bytes(DATA_SLOT), None))
                data.size += DATA_SLOT
            self.symbols[name] = _Sym("label", here, pos)
            out[name] = Extern(name, 0, code, how, what, pos)
        return out

    # ------------------------------------------------------------------ pass 2
    def assemble(self) -> Program:
        self.run_pass1(self.parsed.statements)
        if self.stack:
            raise SourceError("unterminated .pushsection at end of file", None)
        text_end = self.sections[".text"].size
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
        return encode(d, values), values


    def _register_in(self, e: Expr) -> str | None:
        """A register or CR-bit name inside an expression (GNU as rejects `4*cr1+eq` as an immediate)."""
        if isinstance(e, Sym):
            return e.name if e.name not in self.symbols and (e.name in REGISTERS or e.name in CR_BITS) else None
        if isinstance(e, Binary):
            return self._register_in(e.left) or self._register_in(e.right)
        if isinstance(e, (Unary, Reloc, Call)):
            return self._register_in(e.operand)
        return None


def _section_name(arg, pos: Pos) -> str:
    if isinstance(arg, Sym):
        return arg.name
    if isinstance(arg, str) and arg.startswith('"'):
        return arg.strip('"')
    if isinstance(arg, Value | Dot):
        return "."
    raise SourceError("expected a section name", pos)


def _split_macro_args(text: str) -> list[str]:
    if not text:
        return []
    depth, cur, out, in_str = 0, [], [], False
    sep_commas = "," in text
    for ch in text:
        if ch == '"':
            in_str = not in_str
        if not in_str:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif depth == 0 and (ch == "," if sep_commas else ch.isspace()):
                out.append("".join(cur).strip())
                cur = []
                continue
        cur.append(ch)
    out.append("".join(cur).strip())
    return out if sep_commas else [a for a in out if a]


def assemble(parsed: ParsedSource, pre: Preprocessed, path: str, base: int = 0x100000,
             externs: tuple[str, ...] = ()) -> Program:
    return Assembler(parsed, pre, path, base, externs).assemble()
