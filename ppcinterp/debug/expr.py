"""gdb's expressions over C types: our own parser and evaluator (never Python's eval).

Nodes keep the shapes of machine/predicate.py (("num", v, suffix), ("name", NAME, col), ("unary", op, x),
("bin", op, a, b)) so that `predicate.names` finds the names in them, plus ("cast", CType, x) and
("sizeof", CType | node). `(unsigned char *)ADDR`, `*PTR`, `{u8}ADDR` (= `*(u8 *)ADDR`), `&EXPR`, 'c',
C's operators with C's conversions (a constant is an `int`, division truncates, `/ 0` is an error). What a name
means is the caller's: an Env gives names, addresses and memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from ppcinterp.debug import ctype
from ppcinterp.debug.ctype import CHAR, INT, LONG, ULONG, VOID, CType, common, fit, literal, pointer, promote
from ppcinterp.debug.errors import DebugError
from ppcinterp.machine.predicate import LEVELS

Node = tuple
MAX_DEPTH = 200                # nesting of parentheses and unary operators one expression may have
_TOKEN = re.compile(r"""\s*(?:
    (?P<num>0[xX][0-9a-fA-F]+[uUlL]*|0[bB][01]+[uUlL]*|\d+[uUlL]*)
  | (?P<char>'(?:\\(?:[0-7]{1,3}|x[0-9a-fA-F]+|.)|[^\\'])')
  | (?P<hist>\$\$?\d*(?![\w$]))
  | (?P<name>\$?[A-Za-z_][\w.]*(?:\[(?:[^\[\]]|\[[^\[\]]*\])+\][\w.]*)*)
  | (?P<op>\|\||&&|==|!=|<=|>=|<<|>>|[-+*/%<>!~&|^(){}])
)""", re.X)
ESCAPES = {"n": 10, "t": 9, "r": 13, "a": 7, "b": 8, "f": 12, "v": 11, "e": 27, "\\": 92, "'": 39, '"': 34, "0": 0}


@dataclass
class Val:
    """A typed value. `addr`: where it lives in memory (an lvalue); `agg`: a structure or array's members."""
    v: int
    t: CType
    addr: int | None = None
    agg: object = None


class Env(Protocol):
    def name(self, name: str) -> Val: ...
    def address(self, name: str) -> Val: ...
    def read(self, addr: int, t: CType) -> Val: ...


class ExprError(DebugError):
    """A syntax error; `column` is 1-based."""

    def __init__(self, message: str, column: int):
        super().__init__(message)
        self.column = column


def tokens(text: str) -> list[tuple[str, str, int]]:
    out = []
    i = 0
    while i < len(text) and text[i:].strip():
        m = _TOKEN.match(text, i)
        if not m:
            raise ExprError(f"unexpected '{text[i:].strip()[:12]}'", i + 1 + len(text[i:]) - len(text[i:].lstrip()))
        out.append((m.lastgroup, m.group(m.lastgroup), m.start(m.lastgroup) + 1))
        i = m.end()
    return out


def char_value(tok: str) -> int:
    body = tok[1:-1]
    if not body.startswith("\\"):
        return ord(body) & 0xFF
    e = body[1:]
    if re.fullmatch(r"[0-7]{1,3}", e):
        return int(e, 8) & 0xFF
    if e.startswith("x"):
        return int(e[1:], 16) & 0xFF
    return ESCAPES.get(e, ord(e) & 0xFF)


def parse(text: str) -> Node:
    toks = tokens(text)
    pos = 0
    depth = 0

    def peek(k: int = 0) -> tuple[str, str, int]:
        return toks[pos + k] if pos + k < len(toks) else ("end", "", len(text) + 1)

    def take() -> tuple[str, str, int]:
        nonlocal pos
        t = peek()
        pos += 1
        return t

    def type_ahead(close: str) -> tuple[CType, int] | None:
        """A type name at the next tokens, ended by `close`: (type, tokens it takes) or None."""
        words, k = [], 0
        while peek(k)[0] == "name" and (peek(k)[1] in ctype.TYPE_WORDS or words[-1:] == ["struct"]):
            words.append(peek(k)[1])
            k += 1
        stars = 0
        while peek(k)[1] == "*":
            stars, k = stars + 1, k + 1
        if not words or peek(k)[1] != close:
            return None
        t = ctype.type_named(words, stars)
        if t is None:
            raise ExprError(f"No symbol \"{' '.join(words)}\" in current context.", peek()[2])
        return t, k + 1

    def unary() -> Node:
        nonlocal pos, depth
        depth += 1
        if depth > MAX_DEPTH:
            raise DebugError("Expression nests too deeply.")
        kind, val, col = take()
        if kind == "num":
            if len(val) > 70:                   # int() refuses thousands of digits; gdb's words
                raise DebugError("Numeric constant too large.")
            try:
                value, suffix = ctype.suffix_split(val)
            except ValueError:
                raise ExprError("Invalid number \"" + val[:40] + "\".", col) from None
            if value >= 2**64:
                raise DebugError("Numeric constant too large.")
            return ("num", value, suffix)
        if kind == "char":
            return ("num", char_value(val), "char")
        if kind == "name" and val == "sizeof":
            if peek()[1] == "(" and (found := type_ahead_after_paren()):
                return ("sizeof", found)
            return ("sizeof", unary())
        if kind in ("name", "hist"):
            return ("name", val, col)
        if val == "&" and peek()[0] in ("name", "hist"):
            return ("name", "&" + take()[1].lstrip("$"), col)
        if val == "(":
            found = type_ahead(")")
            if found:
                pos += found[1]
                return ("cast", found[0], unary())
            node = binary(0)
            if take()[1] != ")":
                raise ExprError("missing ')'", col)
            return node
        if val == "{":
            found = type_ahead("}")
            if not found:
                raise ExprError("expected a type in {TYPE}", col)
            pos += found[1]
            return ("unary", "*", ("cast", pointer(found[0]), unary()))
        if val in ("!", "~", "-", "+", "*", "&"):
            return ("unary", val, unary())
        raise ExprError("expected a value" if kind == "end" else f"unexpected '{val}'", col)

    def type_ahead_after_paren() -> CType | None:
        nonlocal pos
        save = pos
        take()
        found = type_ahead(")")
        if found is None:
            pos = save
            return None
        pos += found[1]
        return found[0]

    def binary(level: int) -> Node:
        if level == len(LEVELS):
            return unary()
        left = binary(level + 1)
        while peek()[0] == "op" and peek()[1] in LEVELS[level]:
            op = take()[1]
            left = ("bin", op, left, binary(level + 1))
        return left

    if not toks:
        raise ExprError("empty expression", 1)
    node = binary(0)
    if pos != len(toks):
        raise ExprError(f"unexpected '{peek()[1]}'", peek()[2])
    return node


def number(x: Val) -> int:
    if x.agg is not None or x.t.kind in ("void", "struct"):
        raise DebugError("Argument to arithmetic operation not a number or boolean.")
    return x.v


def evaluate(node: Node, env: Env) -> Val:
    kind = node[0]
    if kind == "num":
        return Val(node[1], CHAR if node[2] == "char" else literal(node[1], node[2]))
    if kind == "name":
        name = node[1]
        return env.address(name[1:]) if name.startswith("&") else env.name(name)
    if kind == "sizeof":
        what = node[1]
        if isinstance(what, CType):
            return Val(what.size, ULONG)
        x = evaluate(what, env)
        return Val(getattr(x.agg, "size", x.t.size), ULONG)
    if kind == "cast":
        return cast(evaluate(node[2], env), node[1])
    if kind == "unary":
        return _unary(node[1], evaluate(node[2], env), env)
    op = node[1]
    a = evaluate(node[2], env)
    if op in ("&&", "||"):
        first = bool(number(a))
        if first == (op == "||"):
            return Val(int(first), INT)
        return Val(int(bool(number(evaluate(node[3], env)))), INT)
    return arith(op, a, evaluate(node[3], env))


def cast(x: Val, t: CType) -> Val:
    if x.agg is not None or t.kind == "struct":
        raise DebugError("Invalid cast.")
    if t.kind == "void":
        return Val(0, VOID)
    return Val(fit(number(x), t), t)


def _unary(op: str, x: Val, env: Env) -> Val:
    if op == "*":
        if x.t.kind != "ptr" or x.t.target is None or x.t.target.kind in ("void", "struct"):
            raise DebugError("Attempt to take contents of a non-pointer value.")
        return env.read(x.v, x.t.target)
    if op == "&":
        if x.addr is None:
            raise DebugError("Attempt to take address of value not located in memory.")
        return Val(x.addr, pointer(x.t))
    v = number(x)
    if op == "!":
        return Val(int(not v), INT)
    t = promote(x.t)
    return Val(fit(-v if op == "-" else ~v if op == "~" else v, t), t)


def arith(op: str, a: Val, b: Val) -> Val:
    x, y = number(a), number(b)
    pa, pb = a.t.kind in ("ptr", "func"), b.t.kind in ("ptr", "func")
    if op in ("==", "!=", "<", "<=", ">", ">="):
        t = common(a.t, b.t)
        x, y = fit(x, t), fit(y, t)
        return Val(int({"==": x == y, "!=": x != y, "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]), INT)
    if op in ("+", "-") and (pa or pb):
        if pa and pb and op == "-":
            size = a.t.target.size if a.t.kind == "ptr" and a.t.target and a.t.target.size else 1
            return Val(fit((x - y) // size, LONG), LONG)
        ptr, off = (a, y) if pa else (b, x)
        t = ptr.t if ptr.t.kind == "ptr" else pointer(ptr.t)         # label + 8: a pointer into its code
        step = t.target.size if t.target is not None and t.target.size else 1
        return Val(fit(ptr.v + (off if op == "+" or not pa else -off) * step, t), t)
    if op in ("<<", ">>"):
        t = promote(a.t)
        if y < 0 or y >= t.bits:
            return Val(0 if op == "<<" or x >= 0 else -1, t)
        return Val(fit(x << y if op == "<<" else x >> y, t), t)
    t = common(a.t, b.t)
    x, y = fit(x, t), fit(y, t)
    if op in ("/", "%"):
        if y == 0:
            raise DebugError("Division by zero")
        q = abs(x) // abs(y) * (1 if (x < 0) == (y < 0) else -1)     # C truncates toward zero
        return Val(fit(q if op == "/" else x - q * y, t), t)
    r = {"+": x + y, "-": x - y, "*": x * y, "&": x & y, "|": x | y, "^": x ^ y}[op]
    return Val(fit(r, t), t)
