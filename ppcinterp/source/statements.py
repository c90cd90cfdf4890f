"""The parsed form of assembly source: expressions and statements, each carrying the position the user wrote.

Expressions overload + - * so that extended-mnemonic rewrites can be written as plain arithmetic on operands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ppcinterp.diagnostics import Pos


class Expr:
    __slots__ = ()
    pos: Pos | None

    def _wrap(self, other: Expr | int) -> Expr:
        return other if isinstance(other, Expr) else Num(other, self.pos)

    def __add__(self, o: Expr | int) -> Expr:
        return Binary("+", self, self._wrap(o), self.pos)

    def __radd__(self, o: int) -> Expr:
        return Binary("+", self._wrap(o), self, self.pos)

    def __sub__(self, o: Expr | int) -> Expr:
        return Binary("-", self, self._wrap(o), self.pos)

    def __rsub__(self, o: int) -> Expr:
        return Binary("-", self._wrap(o), self, self.pos)

    def __mul__(self, o: Expr | int) -> Expr:
        return Binary("*", self, self._wrap(o), self.pos)

    def __rmul__(self, o: int) -> Expr:
        return Binary("*", self._wrap(o), self, self.pos)

    def __neg__(self) -> Expr:
        return Unary("-", self, self.pos)


@dataclass(slots=True, eq=False)
class Num(Expr):
    value: int
    pos: Pos | None = None

    def __str__(self) -> str:
        return str(self.value) if -10 < self.value < 10 else hex(self.value)


@dataclass(slots=True, eq=False)
class Sym(Expr):
    name: str
    pos: Pos | None = None

    def __str__(self) -> str:
        return self.name


@dataclass(slots=True, eq=False)
class LocalRef(Expr):
    """`1f` / `1b`: the next / previous definition of numeric local label 1."""

    num: int
    forward: bool
    pos: Pos | None = None

    def __str__(self) -> str:
        return f"{self.num}{'f' if self.forward else 'b'}"


@dataclass(slots=True, eq=False)
class Quoted(Expr):
    """A quoted string where an operand stands: valid only as a macro's argument (GNU as's `EMIT "file"`)."""

    text: str
    pos: Pos | None = None

    def __str__(self) -> str:
        return self.text


@dataclass(slots=True, eq=False)
class Dot(Expr):
    """`.`: the address of the current statement."""

    pos: Pos | None = None

    def __str__(self) -> str:
        return "."


@dataclass(slots=True, eq=False)
class Unary(Expr):
    op: str
    operand: Expr
    pos: Pos | None = None
    depth: int = field(init=False, default=0, repr=False)

    def __post_init__(self) -> None:
        self.depth = nesting(self.operand) + 1

    def __str__(self) -> str:
        return f"{self.op}{_paren(self.operand)}"


@dataclass(slots=True, eq=False)
class Binary(Expr):
    """`left op right`. A flat chain `1+2+...+400` is a left spine of Binary nodes: whatever walks one
    (evaluating, freezing, printing) goes down the left spine in a loop, so only `depth` needs recursion."""

    op: str
    left: Expr
    right: Expr
    pos: Pos | None = None
    depth: int = field(init=False, default=0, repr=False)

    def __post_init__(self) -> None:
        self.depth = max(nesting(self.left), nesting(self.right) + 1)

    def __str__(self) -> str:
        spine = left_spine(self)
        parts = ["(" * (len(spine) - 1), _paren(spine[0].left)]
        for k, b in enumerate(spine):
            parts += [b.op, _paren(b.right), ")" if k < len(spine) - 1 else ""]
        return "".join(parts)


@dataclass(slots=True, eq=False)
class Reloc(Expr):
    """`expr@suffix`: a piece of an address (@l @h @ha @high @higher @highest ...) or a TOC/GOT reference."""

    operand: Expr
    suffix: str
    pos: Pos | None = None
    depth: int = field(init=False, default=0, repr=False)

    def __post_init__(self) -> None:
        self.depth = nesting(self.operand) + 1

    def __str__(self) -> str:
        return f"{_paren(self.operand)}@{self.suffix}"


@dataclass(slots=True, eq=False)
class Call(Expr):
    """An assembler-internal function of an operand, used by extended-mnemonic rewrites:
    mask_begin/mask_end (rlwinm's 32-bit mask operand), hint+/hint- (branch prediction on BO)."""

    fn: str
    operand: Expr
    pos: Pos | None = None
    depth: int = field(init=False, default=0, repr=False)

    def __post_init__(self) -> None:
        self.depth = nesting(self.operand) + 1

    def __str__(self) -> str:
        return f"{self.fn}({self.operand})"


def nesting(e: object) -> int:
    """How deeply an expression nests, not counting a left spine of binary operators (`1+2+3` is 1 deep,
    `1-(2-(3))` 2): the recursion that walking it needs."""
    return getattr(e, "depth", 0)


def left_spine(e: Binary) -> list[Binary]:
    """The Binary nodes down `e`'s left operands, innermost first (`((a+b)-c)*d`: a+b, then -c, then *d)."""
    spine = [e]
    while isinstance(spine[-1].left, Binary):
        spine.append(spine[-1].left)
    spine.reverse()
    return spine


def _paren(e: Expr) -> str:
    return f"({e})" if isinstance(e, Binary) else str(e)


@dataclass(slots=True, eq=False)
class Mem:
    """`D(RA)` memory operand."""

    disp: Expr
    base: Expr
    pos: Pos | None = None

    def __str__(self) -> str:
        return f"{self.disp}({self.base})"


Operand = Expr | Mem


@dataclass(slots=True, eq=False)
class Statement:
    pos: Pos
    line: int = field(default=0, kw_only=True)   # index of the preprocessed line it came from


@dataclass(slots=True, eq=False)
class LabelDef(Statement):
    name: str                 # a symbol, or digits for a numeric local label


@dataclass(slots=True, eq=False)
class Instruction(Statement):
    mnemonic: str             # as written, without a branch hint: "rlwinm.", "bne"
    hint: str                 # "+", "-" or ""
    operands: list[Operand]
    text: str                 # the statement as it reached the assembler (after preprocessing)


@dataclass(slots=True, eq=False)
class Directive(Statement):
    name: str                 # ".long"
    args: list[Expr | Mem | str | None]   # strings are quoted strings or @type words; None = empty argument
    text: str


@dataclass(slots=True, eq=False)
class Assign(Statement):
    name: str
    value: Expr


@dataclass(slots=True, eq=False)
class Pragma(Statement):
    words: list[str]          # after '#pragma ppcinterp': e.g. ['hunk', '3', 'upstream', '674-764', '"@@ ..."']
