"""Conditions over machine state, written by users (invariants, breakpoint conditions): our own small
evaluator, never Python's eval.

  paca.kvm_hstate.host_ipi == 0 || icp.mfrr != 0xff
  $r3 & 0xffffff == 2 && !msr.ee

Operands are state names (see machine/names.py, a leading $ is allowed), numbers, and constants of the
kernel environment. Operators, loosest first: || && | ^ & (== !=) (< <= > >=) (<< >>) (+ -) (* / %),
unary ! ~ -, and parentheses. True is 1, false 0.

For the debugger: `$`, `$N`, `$$`, `$$N` (gdb's value history) are names that keep their `$`, and `&NAME`
(an address) is looked up as the name `&NAME`; what they mean is up to the caller's lookup.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_TOKEN = re.compile(r"""\s*(?:
    (?P<num>0[xX][0-9a-fA-F]+|0[bB][01]+|\d+)
  | (?P<hist>\$\$?\d*(?![\w$]))
  | (?P<name>\$?[A-Za-z_][\w.]*(?:\[(?:[^\[\]]|\[[^\[\]]*\])+\][\w.]*)*)
  | (?P<op>\|\||&&|==|!=|<=|>=|<<|>>|[-+*/%<>!~&|^()])
)""", re.X)

LEVELS = [("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", "<=", ">", ">="), ("<<", ">>"),
          ("+", "-"), ("*", "/", "%")]
OPS: dict[str, Callable[[int, int], int]] = {
    "||": lambda a, b: int(bool(a) or bool(b)), "&&": lambda a, b: int(bool(a) and bool(b)),
    "|": lambda a, b: a | b, "^": lambda a, b: a ^ b, "&": lambda a, b: a & b,
    "==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b), "<": lambda a, b: int(a < b),
    "<=": lambda a, b: int(a <= b), ">": lambda a, b: int(a > b), ">=": lambda a, b: int(a >= b),
    # shift counts are bounded: a typo must not build a gigabyte integer (or raise on a negative count)
    "<<": lambda a, b: a << b if 0 <= b < 128 else 0, ">>": lambda a, b: a >> b if b >= 0 else 0,
    "+": lambda a, b: a + b, "-": lambda a, b: a - b,
    "*": lambda a, b: a * b, "/": lambda a, b: a // b if b else 0, "%": lambda a, b: a % b if b else 0,
}


class PredicateError(ValueError):
    """A malformed condition; `column` is 1-based within the condition text."""

    def __init__(self, message: str, column: int):
        super().__init__(message)
        self.column = column


# ("num", value), ("name", NAME, column), ("unary", op, node), ("bin", op, left, right); debug/expr.py builds
# these shapes and a few of its own (a cast, a number's suffix), so their elements are not typed further.
Node = tuple[Any, ...]


def parse(text: str) -> Node:
    toks: list[tuple[str, str, int]] = []
    i = 0
    while i < len(text):
        if text[i:].strip() == "":
            break
        m = _TOKEN.match(text, i)
        if not m:
            raise PredicateError(f"unexpected '{text[i:].strip()[:12]}'", i + 1)
        kind = m.lastgroup
        assert kind is not None             # every alternative of _TOKEN is a named group
        toks.append((kind, m.group(kind), m.start(kind) + 1))
        i = m.end()
    pos = 0

    def peek() -> tuple[str, str, int]:
        return toks[pos] if pos < len(toks) else ("end", "", len(text) + 1)

    def take() -> tuple[str, str, int]:
        nonlocal pos
        t = peek()
        pos += 1
        return t

    def unary() -> Node:
        kind, val, col = take()
        if kind == "num":
            return ("num", int(val, 0))
        if kind == "name":
            return ("name", val.lstrip("$"), col)
        if kind == "hist":
            return ("name", val, col)
        if val == "&" and peek()[0] == "name":
            return ("name", "&" + take()[1].lstrip("$"), col)
        if val == "(":
            node = binary(0)
            if take()[1] != ")":
                raise PredicateError("missing ')'", col)
            return node
        if val in ("!", "~", "-"):
            return ("unary", val, unary())
        raise PredicateError("expected a value" if kind == "end" else f"unexpected '{val}'", col)

    def binary(level: int) -> Node:
        if level == len(LEVELS):
            return unary()
        left = binary(level + 1)
        while peek()[0] == "op" and peek()[1] in LEVELS[level]:
            op = take()[1]
            left = ("bin", op, left, binary(level + 1))
        return left

    if not toks:
        raise PredicateError("empty condition", 1)
    node = binary(0)
    if pos != len(toks):
        raise PredicateError(f"unexpected '{peek()[1]}'", peek()[2])
    return node


def evaluate(node: Node, lookup: Callable[[str, int], int]) -> int:
    """lookup(name, column) gives a name's value (a state name or a constant)."""
    kind = node[0]
    if kind == "num":
        value: int = node[1]
        return value
    if kind == "name":
        return lookup(node[1], node[2])
    if kind == "unary":
        v = evaluate(node[2], lookup)
        return int(not v) if node[1] == "!" else ~v if node[1] == "~" else -v
    a = evaluate(node[2], lookup)
    if node[1] == "&&" and not a:
        return 0
    if node[1] == "||" and a:
        return 1
    return OPS[node[1]](a, evaluate(node[3], lookup))


def names(node: Node) -> list[str]:
    if node[0] == "name":
        return [node[1]]
    if node[0] == "num":
        return []
    return [n for child in node[2:] if isinstance(child, tuple) for n in names(child)]
