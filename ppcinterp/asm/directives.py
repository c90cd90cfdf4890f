"""Pass 1's directives: data, sections, alignment, symbols, and ppcinterp's own pragmas (hunks, outside labels,
symbols other objects define)."""

from __future__ import annotations

import re
from collections.abc import Callable

from ppcinterp.asm.expr import Rel, Value
from ppcinterp.asm.program import Hunk
from ppcinterp.asm.state import AsmState
from ppcinterp.diagnostics import Pos, SourceError, line_count
from ppcinterp.source.literals import is_decimal, number_too_long, unescape
from ppcinterp.source.statements import (
    Directive,
    Dot,
    Expr,
    Pragma,
    Sym,
)

NOP = 0x60000000
GROUP_NOP = 0x60420000     # ori 2,2,0: GNU as ends code-alignment padding with it for POWER7 and POWER8
BRANCH = 0x48000000        # b .+N: GNU as jumps over padding of more than NOP_LIMIT words
NOP_LIMIT = 4
BRANCH_REACH = 1 << 25     # ... when the branch reaches past it
DATA_SIZES = {".byte": 1, ".short": 2, ".hword": 2, ".2byte": 2, ".long": 4, ".int": 4, ".4byte": 4,
              ".llong": 8, ".quad": 8, ".8byte": 8}
IGNORED = {".type", ".size", ".ident", ".file", ".machine", ".abiversion", ".gnu_attribute", ".local",
           ".hidden", ".protected", ".internal", ".loc", ".cfi_startproc", ".cfi_endproc", ".warning",
           ".nolist", ".list", ".psize", ".title", ".sbttl", ".eject"}



class Directives(AsmState):
    """The Assembler's directive half (it reads and writes the assembler's pass-1 state)."""

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
            self._room(count, d.pos, name)
            self._emit(("bytes", self.cur.size, bytes([fill]) * count, d), count)
        elif name in (".ascii", ".asciz", ".string"):
            for a in d.args:
                if not isinstance(a, str) or not a.startswith('"'):
                    raise SourceError(f"{name} needs quoted strings", d.pos)
                data = unescape(a[1:-1])
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
            if not 1 <= len(d.args) <= 2:
                raise SourceError(".org needs the new location in the section (and optionally a fill byte)", d.pos)
            target = self._org_target(d.args[0], d.pos)
            fill = self._const(d.args[1], d.pos) & 0xFF if len(d.args) == 2 else 0
            if target < self.cur.size:
                raise SourceError(".org would move the location backwards", d.pos)
            self._room(target - self.cur.size, d.pos, f".org {target:#x}")
            self._emit(("bytes", self.cur.size, bytes([fill]) * (target - self.cur.size), d), target - self.cur.size)
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
        limit = limit if limit is not None and limit > 0 else None      # GNU as: a maximum of 0 (or less) is none
        pad = -self.cur.size % size
        self.cur.align = max(self.cur.align, size)
        if pad == 0 or (limit is not None and pad > limit):
            return
        self._room(pad, d.pos, d.name)
        code = "x" in self.cur.flags or self.cur.name == ".text"
        data = code_padding(pad) if fill is None and code else bytes([(fill or 0) & 0xFF]) * pad
        self._emit(("bytes", self.cur.size, data, d), pad)

    def _org_target(self, arg: object, pos: Pos) -> int:
        """`.org` / `. = ` take an offset in the current section: a constant, or an expression relative to this
        section (`5001b + BUG_ENTRY_SIZE`, `start + 0x10`), as GNU as does; another section's is an error."""
        if not isinstance(arg, Expr):
            raise SourceError("expected an expression", pos)
        v = self._eval1()(self._freeze(arg))
        if isinstance(v, Rel):
            if v.section != self.cur.name:
                raise SourceError(f".org to an address in section {v.section} from section {self.cur.name}", pos)
            return v.offset
        return v

    def _pragma(self, p: Pragma) -> None:
        w = p.words
        if not w:
            raise SourceError("empty ppcinterp pragma", p.pos)
        if w[0] == "hunk":
            m = re.fullmatch(r"([0-9]+)-([0-9]+)", w[3]) if len(w) >= 4 and w[2] == "upstream" else None
            if not m or not is_decimal(w[1]):
                raise SourceError('expected: #pragma ppcinterp hunk N upstream FIRST-LAST ["@@ header @@"]', p.pos)
            if why := next(filter(None, map(number_too_long, (w[1], *m.groups()))), None):
                raise SourceError(why, p.pos)
            first, last = int(m.group(1)), int(m.group(2))
            if last < first:
                raise SourceError(f"hunk line range {first}-{last} is empty", p.pos)
            header = w[4].strip('"') if len(w) > 4 else ""
            if self.cur.name != ".text":
                raise SourceError("a hunk must start in .text", p.pos)
            twin = next((h for h in self.hunks if h.number == int(w[1])), None)
            if twin is not None:
                raise SourceError(f"hunk {w[1]} is marked twice", p.pos, [(twin.pragma, "first marked here")])
            self.hunks.append(Hunk(int(w[1]), first, last, header, p.pos, start=self.cur.size,
                                   last_line=p.pos.line + last - first + 1))
        elif w[0] == "extern":
            if len(w) < 2 or not re.fullmatch(r"[A-Za-z_.$][\w.$]*", w[1]):
                raise SourceError('expected: #pragma ppcinterp extern SYMBOL ["what it is"]', p.pos)
            self.extern_decl.setdefault(w[1], ("pragma", w[2].strip('"') if len(w) > 2 else "", p.pos))
        elif w[0] == "outside":
            if len(w) < 2 or not re.fullmatch(r"[A-Za-z_.$][\w.$]*|[0-9]+", w[1]):
                raise SourceError('expected: #pragma ppcinterp outside LABEL ["what it is"]', p.pos)
            if w[1][0].isdigit() and (why := number_too_long(w[1])):
                raise SourceError(why, p.pos)
            desc = w[2].strip('"') if len(w) > 2 else ""
            self.outside_decl[w[1]] = (desc, p.pos)
        else:
            raise SourceError(f"unknown ppcinterp pragma '{w[0]}'", p.pos)


def code_padding(pad: int) -> bytes:
    """GNU as's alignment padding in code (-mpower7): whole words only (else zero bytes); more than four words
    start with a branch over the padding; the rest are nops, the last of them POWER7's group-ending nop."""
    if pad % 4:
        return bytes(pad)
    words = [BRANCH | pad] if pad > 4 * NOP_LIMIT and pad < BRANCH_REACH else []
    words += [NOP] * ((pad - 4 * len(words)) // 4 - 1) + [GROUP_NOP]
    return b"".join(w.to_bytes(4, "big") for w in words)


def close_hunks(hunks: list[Hunk], code_lines: dict[str, set[int]], warn: Callable[[str, Pos], None]) -> None:
    """Where each pragma hunk ends: after as many lines as its upstream range has, but never past the next
    hunk's pragma in its file; later when code follows in its lines (lines were added). An edited hunk (fewer
    lines than its range, or code past it) is warned about: its upstream line numbers are off after the edit."""
    by_file: dict[str, list[Hunk]] = {}
    for h in hunks:
        by_file.setdefault(h.pragma.file, []).append(h)
    for file, hs in by_file.items():
        hs.sort(key=lambda h: h.pragma.line)
        code = sorted(code_lines.get(file, ()))
        for k, h in enumerate(hs):
            count = h.last - h.first + 1
            natural = h.pragma.line + count
            limit = hs[k + 1].pragma.line - 1 if k + 1 < len(hs) else None
            last_code = max((n for n in code if n > h.pragma.line and (limit is None or n <= limit)), default=0)
            if limit is None and 0 < line_count(file) < natural:
                limit = max(line_count(file), h.pragma.line)     # the file ends before the range does
            end = max(natural if limit is None else min(natural, limit), last_code)
            h.end_line = h.last_line = end
            if limit is not None and natural > limit:
                warn(f"hunk {h.number} has {limit - h.pragma.line} lines but its pragma says upstream lines "
                     f"{h.first}-{h.last} ({count}); lines were deleted, and the upstream line numbers of its "
                     "lines after them are off by as many", h.pragma)
            elif last_code > natural:
                warn(f"hunk {h.number} has code at line {last_code}, past its upstream lines {h.first}-{h.last} "
                     f"(lines {h.pragma.line + 1}-{natural}); lines were added, and the upstream line numbers of "
                     "its lines after them are off by as many", h.pragma)


def _section_name(arg: object, pos: Pos) -> str:
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
    depth, in_str = 0, False
    cur: list[str] = []
    out: list[str] = []
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
    # GNU as passes a quoted argument without its quotes ("file" for `.asciz "\file"`)
    out = [a[1:-1] if len(a) > 1 and a[0] == a[-1] == '"' and '"' not in a[1:-1] else a for a in out]
    return out if sep_commas else [a for a in out if a]
