"""Parse preprocessed lines into statements with the Lark grammar (LALR, contextual lexer).

Numbers of lines and columns in Lark tokens index the lines handed to `parse_lines`; every statement and
expression is given the position in the user's text that the preprocessor recorded for that column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ppcinterp.diagnostics import Pos, SourceError
from ppcinterp.source.errors import MAX_ERRORS, SourceErrors
from ppcinterp.source.literals import number_too_long, unescape
from ppcinterp.source.preprocess import Line
from ppcinterp.source.statements import (
    Assign,
    Binary,
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
)

_GRAMMAR = Path(__file__).with_name("grammar.lark")
MAX_EXPR_NESTING = 100


class SourceLine(Protocol):
    """A line to parse: a preprocessed Line, or a TextLine the assembler made (a macro body after substitution)."""

    @property
    def text(self) -> str: ...
    def pos_at(self, col: int) -> Pos: ...

if TYPE_CHECKING:
    class _Tok(Token):
        """A token as the lexer hands it to the transformer: always with its text, line and column."""

        value: str
        line: int
        column: int
else:
    _Tok = Token


@v_args(inline=True)
class _Build(Transformer[_Tok, list[Statement]]):
    """Runs inside the LALR parser (no parse tree is built): tokens straight to statements."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: Sequence[SourceLine] = ()

    def _pos(self, tok: _Tok) -> Pos:
        return self.lines[tok.line - 1].pos_at(tok.column - 1)

    def _text(self, tok: _Tok) -> str:
        text = self.lines[tok.line - 1].text
        return _statement_text(text, tok.column - 1)

    # ---- lines and statements ----
    def start(self, *lines: list[Statement]) -> list[Statement]:
        return [s for line in lines for s in line]

    def line(self, *items: _Tok | list[Statement] | None) -> list[Statement]:
        out: list[Statement] = []
        for it in items:
            if it is None:
                continue
            if isinstance(it, Token):          # PRAGMA
                words = _pragma_words(it.value)
                out.append(Pragma(self._pos(it), words, line=it.line - 1))
            else:
                out.extend(it)
        return out

    def item(self, *parts: _Tok | Statement) -> list[Statement]:
        out: list[Statement] = []
        for p in parts:
            if isinstance(p, Token):           # LABEL
                if p.value[0].isdigit() and (why := number_too_long(p.value[:-1])):
                    raise SourceError(why, self._pos(p))
                out.append(LabelDef(self._pos(p), p.value[:-1], line=p.line - 1))
            else:
                out.append(p)
        return out

    def insn(self, mnem: _Tok, *operands: Operand | None) -> Instruction:
        name, hint = mnem.value, ""
        if name[-1] in "+-":
            name, hint = name[:-1], name[-1]
        ops = [o for o in operands if o is not None]
        return Instruction(self._pos(mnem), name, hint, ops, self._text(mnem), line=mnem.line - 1)

    def operand(self, e: Operand) -> Operand:
        return e

    def mem(self, disp: Expr, base: Expr) -> Mem:
        return Mem(disp, base, disp.pos)

    def quoted(self, tok: _Tok) -> Quoted:
        return Quoted(tok.value, self._pos(tok))

    def assign(self, name: _Tok, value: Expr) -> Directive | Assign:
        if name.value == ".":                   # `. = expr` is GNU as's .org
            return Directive(self._pos(name), ".org", [value], self._text(name), line=name.line - 1)
        if name.value[-1] in "+-.":
            raise SourceError(f"invalid symbol name '{name.value}'", self._pos(name))
        return Assign(self._pos(name), name.value, value, line=name.line - 1)

    def directive(self, name: _Tok, *slots: Expr | Mem | str | None) -> Directive:
        args = [s for s in slots]
        if args == [None]:
            args = []
        # GNU as takes directives in any case (.LONG); the name is kept lower-case, the text as written
        return Directive(self._pos(name), name.value.lower(), args, self._text(name), line=name.line - 1)

    def darg_slot(self, arg: Expr | Mem | str | None = None) -> Expr | Mem | str | None:
        return arg

    def string(self, tok: _Tok) -> str:
        return tok.value

    def typeword(self, tok: _Tok) -> str:
        return tok.value

    def tc_name(self, name: _Tok, kind: _Tok) -> str:
        return f"{name.value}[{kind.value}]"

    # ---- expressions ----
    def binop(self, left: Expr, op: _Tok, right: Expr) -> Expr:
        return _bounded(Binary(op.value, left, right, left.pos), self._pos(op))

    def unop(self, op: _Tok, operand: Expr) -> Expr:
        if op.value == "+":
            return operand
        return _bounded(Unary(op.value, operand, self._pos(op)), self._pos(op))

    def reloc(self, operand: Expr, tok: _Tok) -> Expr:
        return _bounded(Reloc(operand, tok.value[1:].lower(), operand.pos), self._pos(tok))

    def num(self, tok: _Tok) -> Num:
        return Num(_number(tok.value, self._pos(tok)), self._pos(tok))

    def char(self, tok: _Tok) -> Num:
        body = tok.value[1:]                   # 'c, 'c' or an escape: '\n, '\''
        return Num(unescape(body[:2])[0] if body.startswith("\\") else ord(body[0]), self._pos(tok))

    def localref(self, tok: _Tok) -> LocalRef:
        if why := number_too_long(tok.value[:-1]):
            raise SourceError(why, self._pos(tok))
        return LocalRef(int(tok.value[:-1]), tok.value[-1] == "f", self._pos(tok))

    def sym(self, tok: _Tok) -> Dot | Sym:
        if tok.value in (".", "$"):              # GNU as for PowerPC takes `$` for the location counter too
            return Dot(self._pos(tok))
        return Sym(tok.value.lstrip("%"), self._pos(tok))


def _bounded(e: Binary | Unary | Reloc, pos: Pos) -> Expr:
    """`e`, unless it nests deeper than every walk of an expression may recurse (a flat chain `1+1+...+1`
    does not nest: it is walked in a loop)."""
    if e.depth > MAX_EXPR_NESTING:
        raise SourceError(f"expression nests too deeply (more than {MAX_EXPR_NESTING} levels of parentheses "
                          "and unary operators)", pos)
    return e


def _number(text: str, pos: Pos) -> int:
    if why := number_too_long(text):
        raise SourceError(why, pos)
    t = text.lower()
    if t.startswith("0x"):
        return int(t, 16)
    if t.startswith("0b"):
        return int(t[2:], 2)
    if len(t) > 1 and t.startswith("0"):
        if not t.isdigit() or "8" in t or "9" in t:
            raise SourceError(f"invalid digit in octal number '{text}'", pos)
        return int(t, 8)
    return int(t)


def _statement_text(text: str, col: int) -> str:
    """The statement starting at `col`: up to the next ';' outside a string."""
    in_str = False
    for i in range(col, len(text)):
        c = text[i]
        if c == '"':
            in_str = not in_str
        elif c == ";" and not in_str:
            return text[col:i].strip()
    return text[col:].strip()


_PRAGMA_WORD = re.compile(r'"(?:\\.|[^"\\])*"|\S+')


def _pragma_words(text: str) -> list[str]:
    return _PRAGMA_WORD.findall(text)[2:]          # drop '#pragma' 'ppcinterp'


_builder = _Build()
_parser: Lark | None = None


def _get_parser() -> Lark:
    global _parser
    if _parser is None:
        _parser = Lark(_GRAMMAR.read_text(), parser="lalr", lexer="contextual", transformer=_builder,
                       propagate_positions=False, maybe_placeholders=True, cache=True)
    return _parser


def parse_lines(lines: Sequence[SourceLine], errors: list[SourceError] | None = None) -> list[Statement]:
    """Parse preprocessed lines (in order) into a flat list of statements. With `errors`, a line that does not
    parse is recorded there and parsing goes on after it (up to MAX_ERRORS), as GNU as does; without, the first
    error is raised."""
    out: list[Statement] = []
    rest = list(lines)
    while rest:
        try:
            return out + _parse(rest)
        except UnexpectedInput as e:
            if errors is None:
                raise _syntax_error(e, rest) from None
            errors.append(_syntax_error(e, rest))
            bad = min(max(e.line, 1), len(rest))
            if len(errors) >= MAX_ERRORS:
                raise SourceErrors(errors, stopped=True) from None
            out += parse_lines(rest[:bad - 1], errors)        # the lines before it parse (LALR read them)
            rest = rest[bad:]
    return out


def _parse(lines: Sequence[SourceLine]) -> list[Statement]:
    if not lines:
        return []
    _builder.lines = lines
    # The transformer runs inside the parser, so parse() returns its statements, not the Tree lark declares.
    return cast("list[Statement]", _get_parser().parse("\n".join(line.text for line in lines)))


def _syntax_error(e: UnexpectedInput, lines: Sequence[SourceLine]) -> SourceError:
    line = lines[min(max(e.line, 1), len(lines)) - 1]
    pos = line.pos_at(max(e.column, 1) - 1)
    if isinstance(e, UnexpectedCharacters):
        ch = line.text[e.column - 1] if 0 < e.column <= len(line.text) else "?"
        return SourceError(f"unexpected character '{ch}'", pos)
    if isinstance(e, UnexpectedToken):
        tok = e.token
        if tok.type == "$END" or tok.type == "_NL":
            return SourceError("unexpected end of line", pos)
        return SourceError(f"syntax error at '{tok.value}'", pos)
    return SourceError("syntax error", pos)


@dataclass
class MacroDef:
    """A GNU as `.macro`: parameters with defaults, and body lines kept as text for substitution."""

    name: str
    params: list[tuple[str, str | None]]
    body: list[Line]
    pos: Pos


@dataclass
class ParsedSource:
    statements: list[Statement]
    macros: dict[str, MacroDef] = field(default_factory=dict)
    errors: list[SourceError] = field(default_factory=list)    # lines that did not parse (the assembler goes on)


_MACRO = re.compile(r"^\s*\.macro\s+([A-Za-z_.$][\w.$]*)\s*,?\s*(.*?)\s*$", re.I)
_ENDM = re.compile(r"^\s*\.endm\b", re.I)


def parse_source(lines: Sequence[Line]) -> ParsedSource:
    """Parse a whole preprocessed file. `.macro` bodies are set aside as text before parsing, because
    GNU as macros substitute `\\arg` into the text and re-read it at each invocation."""
    plain: list[Line] = []
    macros: dict[str, MacroDef] = {}
    current: MacroDef | None = None
    for line in lines:
        if current is None:
            m = _MACRO.match(line.text)
            if m:
                current = MacroDef(m.group(1), _macro_params(m.group(2), line), [], line.pos)
                continue
            plain.append(line)
        elif _ENDM.match(line.text):
            macros[current.name.lower()] = current        # invoked in any case, as GNU as does
            current = None
        else:
            current.body.append(line)
    if current is not None:
        raise SourceError(f"unterminated .macro '{current.name}' (no .endm)", current.pos)
    errors: list[SourceError] = []
    return ParsedSource(parse_lines(plain, errors), macros, errors)


def _macro_params(text: str, line: Line) -> list[tuple[str, str | None]]:
    params = []
    for part in filter(None, (p.strip() for p in (text.split(",") if "," in text else text.split()))):
        name, _, default = part.partition("=")
        if not re.fullmatch(r"[A-Za-z_][\w]*(:req)?", name):
            raise SourceError(f"invalid macro parameter '{part}'", line.pos)
        params.append((name.removesuffix(":req"), default or None))
    return params


@dataclass(slots=True)
class TextLine:
    """A line of text made by the assembler (a macro body after substitution), placed at `pos`."""

    text: str
    pos: Pos

    def pos_at(self, col: int) -> Pos:
        return Pos(self.pos.file, self.pos.line, self.pos.col + col)
