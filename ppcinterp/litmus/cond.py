"""A litmus test's final part: `locations [...]`, `filter PROP`, and the condition `exists PROP`, `~exists PROP`,
`forall PROP` (none at all: `forall (true)`), as herd7 reads them.

PROP: atoms `0:r1=1` (a register of a thread), `x=2` or `[x]=2` (a location's final value), `!=` for the
negation, `true`, `false`; `~` (or `not`), `/\\`, `\\/`, `=>`, parentheses. Precedence from loosest: `\\/`, `/\\`,
`=>` (right), `~`, as herd's grammar has it. Printed back as herd prints it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ppcinterp.diagnostics import Pos
from ppcinterp.litmus.parse import IDENT, NUMBER, LitmusError, Text, Value, number, reg_number

MAX_TOKENS = 10_000
MAX_DEPTH = 200
TOKEN = re.compile(r"\s*(?:(?P<op>/\\|\\/|=>|==|!=|[~()\[\];=*:])|(?P<reg>P?\d+:%?\w+)"
                   r"|(?P<num>-?(?:0x[0-9a-fA-F]+|\d+))|(?P<word>[A-Za-z_%][\w.]*))")
KINDS = {"exists": "Allowed", "~exists": "Forbidden", "forall": "Required"}


@dataclass(frozen=True, slots=True)
class Loc:
    """A register of a thread (`thread` >= 0, `reg`) or a memory location (`name`)."""

    thread: int
    reg: int
    name: str

    @staticmethod
    def register(thread: int, reg: int) -> Loc:
        return Loc(thread, reg, "")

    @staticmethod
    def memory(name: str) -> Loc:
        return Loc(-1, -1, name)

    def key(self) -> tuple[int, int, int, str]:
        """herd's order of a state's locations: registers by thread and number, then memory by name."""
        return (0, self.thread, self.reg, "") if self.thread >= 0 else (1, 0, 0, self.name)

    def __str__(self) -> str:
        return f"{self.thread}:r{self.reg}" if self.thread >= 0 else f"[{self.name}]"


@dataclass(slots=True)
class Prop:
    op: str                                  # atom, not, and, or, implies, true, false
    args: list[Prop] = field(default_factory=list)
    loc: Loc | None = None
    value: Value | None = None

    def holds(self, final: Callable[[Loc, Value], bool]) -> bool:
        """`final(loc, value)`: whether the location ends with that value."""
        if self.op == "atom":
            assert self.loc is not None and self.value is not None
            return final(self.loc, self.value)
        if self.op == "not":
            return not self.args[0].holds(final)
        if self.op == "and":
            return all(a.holds(final) for a in self.args)
        if self.op == "or":
            return any(a.holds(final) for a in self.args)
        if self.op == "implies":
            return not self.args[0].holds(final) or self.args[1].holds(final)
        return self.op == "true"

    def locs(self) -> list[Loc]:
        if self.op == "atom":
            return [self.loc]                # type: ignore[list-item]
        return [loc for a in self.args for loc in a.locs()]

    def names(self) -> list[str]:
        """The locations named as values (`0:r2=x`: the address of x)."""
        if self.op == "atom":
            return [self.value.name] if self.value is not None and self.value.name is not None else []
        return [n for a in self.args for n in a.names()]

    def show(self, above: str = "top") -> str:
        """herd's printing: parentheses where the operator above binds tighter; `not (...)` always."""
        if self.op == "atom":
            return f"{self.loc}={self.value}"
        if self.op == "not":
            return f"not ({self.args[0].show()})"
        if self.op in ("true", "false") or not self.args:
            return "true" if self.op in ("true", "and") else "false"
        if self.op == "implies":
            s = f"{self.args[0].show('implies')} => {self.args[1].show('implies')}"
            return f"({s})" if above in ("and", "or") else s
        s = (" /\\ " if self.op == "and" else " \\/ ").join(a.show(self.op) for a in self.args)
        paren = (above == "and" and self.op == "or") or (above == "implies")
        return f"({s})" if paren else s


@dataclass(slots=True)
class Condition:
    quantifier: str                         # exists, ~exists, forall
    prop: Prop
    locations: list[Loc] = field(default_factory=list)
    filter: Prop | None = None

    @property
    def kind(self) -> str:
        return KINDS[self.quantifier]

    def show(self) -> str:
        return f"{self.quantifier} ({self.prop.show()})"


class _Tokens:
    def __init__(self, t: Text, start: int):
        self.t, self.toks = t, []
        s, i = t.text, start
        trailer = s.find("<<", start)           # what follows '<<' is for other tools (herd stops there too)
        s = s if trailer < 0 else s[:trailer]
        while True:
            m = TOKEN.match(s, i)
            if m is None or m.lastgroup is None:
                rest = s[i:].lstrip()
                if rest:
                    at = len(s) - len(rest)
                    raise LitmusError(f"unexpected '{rest.split()[0][:20]}' in the condition", t.pos(at))
                break
            self.toks.append((m.lastgroup, m[m.lastgroup], m.start(m.lastgroup)))
            if len(self.toks) > MAX_TOKENS:
                raise LitmusError(f"the condition has more than {MAX_TOKENS} tokens", t.pos(m.start()))
            i = m.end()
        self.i = 0
        self.end = len(s)

    def peek(self) -> tuple[str, str, int] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def pos(self) -> Pos:
        tok = self.peek()
        return self.t.pos(tok[2] if tok else self.end)

    def take(self, text: str | None = None) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None or (text is not None and tok[1] != text):
            found = f"'{tok[1]}'" if tok else "the end of the file"
            raise LitmusError(f"expected {repr(text) if text else 'more'} in the condition, found {found}", self.pos())
        self.i += 1
        return tok

    def at(self, *texts: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[1] in texts


def parse_condition(t: Text, start: int) -> Condition:
    ts = _Tokens(t, start)
    locations: list[Loc] = []
    filt = None
    if ts.at("locations"):
        ts.take()
        ts.take("[")
        while not ts.at("]"):
            locations.append(_loc(ts))
            if ts.at("*"):                  # herd's 'shown as an address' mark: values are shown as names anyway
                ts.take()
            if not ts.at("]"):
                ts.take(";")
        ts.take("]")
    if ts.at("filter"):
        ts.take()
        filt = _prop(ts, 0)
    if ts.peek() is None:
        cond = Condition("forall", Prop("true"), locations, filt)
    else:
        quant = "exists"
        if ts.at("~") and ts.i + 1 < len(ts.toks) and ts.toks[ts.i + 1][1] == "exists":
            ts.take()
            ts.take()
            quant = "~exists"
        elif ts.at("exists", "forall", "final"):
            quant = {"final": "exists"}.get(ts.take()[1], ts.toks[ts.i - 1][1])
        elif not ts.at("("):
            raise LitmusError("expected the condition: exists, ~exists or forall", ts.pos())
        cond = Condition(quant, _prop(ts, 0), locations, filt)
        if ts.at(";"):
            ts.take()
        if ts.at("with"):                   # each tool's own kind (herd's `with NAME: exists; ...`): not ours
            ts.take()
            while ts.peek() is not None and ts.peek()[0] == "word":     # type: ignore[index]
                ts.take()
                ts.take(":")
                if ts.at("~"):
                    ts.take()
                if not ts.at("exists", "forall"):
                    raise LitmusError("expected exists, ~exists or forall after the tool's name", ts.pos())
                ts.take()
                if ts.at(";"):
                    ts.take()
    if ts.peek() is not None:
        raise LitmusError(f"unexpected '{ts.peek()[1]}' after the condition", ts.pos())    # type: ignore[index]
    return cond


def _loc(ts: _Tokens) -> Loc:
    kind, text, off = ts.take()
    pos = ts.t.pos(off)
    if kind == "reg":
        th, _, reg = text.lstrip("P").partition(":")
        return Loc.register(int(th), reg_number(reg, ts.t.pos(off + text.index(":") + 1)))
    if text == "[":
        kind, name, noff = ts.take()
        if kind != "word" or not IDENT.fullmatch(name):
            raise LitmusError(f"'{name}' is not a location", ts.t.pos(noff))
        ts.take("]")
        return Loc.memory(name)
    if kind == "word" and IDENT.fullmatch(text) and text not in ("true", "false", "not"):
        return Loc.memory(text)
    raise LitmusError(f"expected a location (0:r1, x or [x]), found '{text}'", pos)


_LEVELS = [("\\/", "or"), ("/\\", "and"), ("=>", "implies")]


def _prop(ts: _Tokens, level: int, depth: int = 0) -> Prop:
    if depth > MAX_DEPTH:
        raise LitmusError(f"the condition nests more than {MAX_DEPTH} deep", ts.pos())
    if level == len(_LEVELS):
        return _unary(ts, depth)
    tok, op = _LEVELS[level]
    left = _prop(ts, level + 1, depth + 1)
    if op == "implies":
        if ts.at(tok):
            ts.take()
            return Prop("implies", [left, _prop(ts, level, depth + 1)])
        return left
    args = [left]
    while ts.at(tok):
        ts.take()
        args.append(_prop(ts, level + 1, depth + 1))
    return args[0] if len(args) == 1 else Prop(op, args)


def _unary(ts: _Tokens, depth: int) -> Prop:
    if ts.at("~", "not"):
        ts.take()
        return Prop("not", [_unary(ts, depth + 1)])
    if ts.at("("):
        ts.take()
        p = _prop(ts, 0, depth + 1)
        ts.take(")")
        return p
    if ts.at("true", "false"):
        return Prop(ts.take()[1])
    loc = _loc(ts)
    negate = ts.at("!=")
    if not ts.at("=", "==", "!="):
        raise LitmusError(f"expected '=' after {loc}", ts.pos())
    ts.take()
    kind, text, off = ts.take()
    pos = ts.t.pos(off)
    if kind == "num" and NUMBER.fullmatch(text):
        value = Value(number(text), None, pos)
    elif kind == "word" and IDENT.fullmatch(text):
        value = Value(None, text, pos)
    else:
        raise LitmusError(f"'{text}' is not a value: a number or a location's name", pos)
    atom = Prop("atom", loc=loc, value=value)
    return Prop("not", [atom]) if negate else atom
