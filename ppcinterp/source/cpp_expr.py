"""`#if` expressions: C integer constant expressions in intmax_t/uintmax_t (64 bits), as GCC evaluates them.

The tokens arrive macro-expanded, with `defined` and `__has_include` already replaced by 0 or 1; an
identifier left over is 0. Values carry their signedness: an unsigned operand makes the usual arithmetic
conversions unsigned (so `-1 < 0u` is false), and the operand of `&&`, `||` and `?:` that is not evaluated
cannot fail (`0 && 1/0` is fine).
"""

from __future__ import annotations

import re

from ppcinterp.source.cpp_lines import Tok
from ppcinterp.source.literals import number_too_long

MAX_NESTING = 100
_MASK = (1 << 64) - 1

Value = tuple[int, bool]          # (value, unsigned)


class ExprError(Exception):
    def __init__(self, message: str, tok: Tok | None = None):
        super().__init__(message)
        self.tok = tok


def _norm(v: int, unsigned: bool) -> Value:
    v &= _MASK
    return (v, True) if unsigned else (v - (1 << 64) if v >> 63 else v, False)


_INT = re.compile(r"(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)([uU](?:ll|LL|l|L)?|(?:ll|LL|l|L)[uU]?)?")
_ESC = {"n": 10, "t": 9, "r": 13, "a": 7, "b": 8, "f": 12, "v": 11, "e": 27, "\\": 92, "'": 39, '"': 34, "?": 63}


def _number(t: Tok) -> Value:
    if why := number_too_long(t.text):
        raise ExprError(why, t)
    m = _INT.fullmatch(t.text)
    if not m:
        if re.search(r"[.eEpP]", t.text) and not t.text.startswith(("0x", "0X")) or "." in t.text:
            raise ExprError(f"floating constant '{t.text}' in preprocessor expression", t)
        raise ExprError(f"invalid integer constant '{t.text}' in preprocessor expression", t)
    digits, suffix = m.group(1), (m.group(2) or "")
    base = 16 if digits[:2] in ("0x", "0X") else 2 if digits[:2] in ("0b", "0B") else 8 if digits[0] == "0" else 10
    if base == 8 and re.search(r"[89]", digits):
        raise ExprError(f"invalid digit in octal constant '{t.text}'", t)
    v = int(digits[2:] if base in (2, 16) else digits, base)
    if v > _MASK:
        raise ExprError(f"integer constant '{t.text}' is too large for its type", t)
    return v, "u" in suffix.lower() or v >> 63 == 1       # too big for intmax_t: it is unsigned


def _char(t: Tok) -> Value:
    body, v, i = t.text[1:-1], 0, 0
    count = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            e = body[i + 1]
            if e in "xX":
                m = re.match(r"[0-9a-fA-F]+", body[i + 2:])
                c_val, i = (int(m.group(), 16) if m else 0), i + 2 + (len(m.group()) if m else 0)
            elif e in "01234567":
                m = re.match(r"[0-7]{1,3}", body[i + 1:])
                assert m is not None                # e is an octal digit
                c_val, i = int(m.group(), 8), i + 1 + len(m.group())
            else:
                c_val, i = _ESC.get(e, ord(e)), i + 2
        else:
            c_val, i = ord(c), i + 1
        v = (v << 8) | (c_val & 0xFF)             # the target's char is unsigned (powerpc)
        count += 1
    return _norm(v & 0xFFFFFFFF if count > 1 else v, False)


def _shift(a: Value, n: int, left: bool) -> Value:
    v, u = a
    if n < 0:
        n, left = -n, not left
    if left:
        return _norm(0 if n >= 64 else v << n, u)
    if u:
        return (0 if n >= 64 else v >> n), True
    return v >> min(n, 63), False


def _binary(op: str, a: Value, b: Value, tok: Tok, evaluate: bool) -> Value:
    if op in ("<<", ">>"):
        return _shift(a, b[0], op == "<<")
    u = a[1] or b[1]
    x, y = (a[0] & _MASK, b[0] & _MASK) if u else (a[0], b[0])
    if op in ("/", "%"):
        if y == 0:
            if evaluate:
                raise ExprError("division by zero in #if", tok)
            return 0, u
        q = abs(x) // abs(y) * (1 if (x < 0) == (y < 0) else -1)
        return _norm(q if op == "/" else x - q * y, u)
    if op in ("<", ">", "<=", ">=", "==", "!="):
        c = {"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y, "==": x == y, "!=": x != y}[op]
        return int(c), False
    r = {"+": x + y, "-": x - y, "*": x * y, "&": x & y, "|": x | y, "^": x ^ y}[op]
    return _norm(r, u)


_PREC = {"||": 1, "&&": 2, "|": 3, "^": 4, "&": 5, "==": 6, "!=": 6, "<": 7, ">": 7, "<=": 7, ">=": 7,
         "<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10}


class _Parser:
    def __init__(self, toks: list[Tok]):
        self.toks = toks
        self.i = 0
        self.depth = 0

    def peek(self) -> Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> Tok | None:
        t = self.peek()
        self.i += 1
        return t

    def expect(self, text: str, what: Tok | None) -> None:
        t = self.take()
        if t is None or t.text != text:
            raise ExprError(f"missing '{text}' in expression", t or what)

    def comma(self, ev: bool) -> Value:
        v = self.cond(ev)
        while (t := self.peek()) is not None and t.text == ",":
            self.take()
            v = self.cond(ev)
        return v

    def cond(self, ev: bool) -> Value:
        c = self.binary(1, ev)
        t = self.peek()
        if t is None or t.text != "?":
            return c
        self.take()
        a = self.comma(ev and c[0] != 0)
        self.expect(":", t)
        b = self.cond(ev and c[0] == 0)
        return _norm(a[0] if c[0] else b[0], a[1] or b[1])

    def binary(self, min_prec: int, ev: bool) -> Value:
        """Precedence climbing; the right operand of a decided `&&`/`||` is parsed but not evaluated."""
        left = self.unary(ev)
        while (t := self.peek()) is not None and t.kind == "punct" and _PREC.get(t.text, 0) >= min_prec:
            self.take()
            prec = _PREC[t.text]
            if t.text in ("||", "&&"):
                decided = (left[0] != 0) == (t.text == "||")
                right = self.binary(prec + 1, ev and not decided)
                if t.text == "||":
                    left = int(decided or right[0] != 0), False
                else:
                    left = int(not decided and right[0] != 0), False
            else:
                right = self.binary(prec + 1, ev)
                left = _binary(t.text, left, right, t, ev)
        return left

    def unary(self, ev: bool) -> Value:
        t = self.take()
        if t is None:
            raise ExprError("expected a value at the end of the expression", self.toks[-1] if self.toks else None)
        if t.kind == "num":
            return _number(t)
        if t.kind == "chr":
            return _char(t)
        if t.kind == "id":
            return 0, False                     # an identifier that is not a macro
        if t.text == "(":
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise ExprError("expression nests too deeply", t)
            inner = self.comma(ev)
            self.expect(")", t)
            self.depth -= 1
            return inner
        if t.text in ("-", "+", "~", "!"):
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise ExprError("expression nests too deeply", t)
            v, u = self.unary(ev)
            self.depth -= 1
            return {"-": _norm(-v, u), "+": (v, u), "~": _norm(~v, u), "!": (int(v == 0), False)}[t.text]
        if t.kind == "str":
            raise ExprError(f"string {t.text} in preprocessor expression", t)
        raise ExprError(f"expected a value, not '{t.text}'", t)


def evaluate(toks: list[Tok]) -> int:
    """Value of a #if expression (non-space tokens). Raises ExprError naming the offending token."""
    if not toks:
        raise ExprError("#if with no expression")
    p = _Parser(toks)
    try:
        v = p.comma(True)
    except RecursionError:
        raise ExprError("expression nests too deeply", toks[0]) from None
    if p.i < len(toks):
        t = toks[p.i]
        raise ExprError(f"missing binary operator before '{t.text}'" if t.kind in ("num", "id", "chr")
                        else f"unexpected '{t.text}' in expression", t)
    return v[0]
