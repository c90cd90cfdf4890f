"""Evaluating assembler expressions: GNU as semantics, 64-bit values, section-relative values in pass 1."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ppcinterp.diagnostics import Pos, SourceError
from ppcinterp.isa.fields import Kind
from ppcinterp.isa.table import OPERAND_FUNCTIONS
from ppcinterp.source.statements import Binary, Call, Dot, Expr, LocalRef, Num, Reloc, Sym, Unary, left_spine

M64 = (1 << 64) - 1


class Reg(int):
    """A register named in an operand (r5, cr1, f0, v2): its number, remembering which register file."""

    kind: Kind
    text: str

    def __new__(cls, n: int, kind: Kind, text: str) -> Reg:
        r = super().__new__(cls, n)
        r.kind, r.text = kind, text
        return r


class Half(int):
    """A 16-bit piece of an address (@l, @h, @ha, ...): fits any 16-bit field, signed or not."""


@dataclass(frozen=True, slots=True)
class Rel:
    """A value relative to the start of a section, while section addresses are not yet known."""

    section: str
    offset: int


@dataclass(slots=True, eq=False)
class LabelKey(Expr):
    """A reference resolved to one particular definition of a numeric local label (`1b` -> instance 3 of 1)."""

    num: int
    instance: int
    forward: bool
    pos: Pos | None = None

    def __str__(self) -> str:
        return f"{self.num}{'f' if self.forward else 'b'}"


@dataclass(slots=True, eq=False)
class Value(Expr):
    """A value fixed in pass 1 (a `.set` symbol's value at the point of use, or `.`)."""

    value: int | Rel
    text: str
    pos: Pos | None = None

    def __str__(self) -> str:
        return self.text


Resolver = Callable[[str, Pos | None], "int | Rel"]

REGISTERS: dict[str, int] = {}          # a Reg, or (vs0-vs63) a plain number
for _i in range(32):
    REGISTERS[f"r{_i}"] = Reg(_i, Kind.GPR, f"r{_i}")
    REGISTERS[f"f{_i}"] = Reg(_i, Kind.FPR, f"f{_i}")
    REGISTERS[f"v{_i}"] = Reg(_i, Kind.VR, f"v{_i}")
for _i in range(8):
    REGISTERS[f"cr{_i}"] = Reg(_i, Kind.CRF, f"cr{_i}")
REGISTERS["sp"] = Reg(1, Kind.GPR, "sp")
REGISTERS["rtoc"] = Reg(2, Kind.GPR, "rtoc")
# VSX registers vs0-vs63 (GNU as -mregnames) are plain numbers, not Reg: a VSX operand (Kind.VSR, 6 bits) is
# range-checked as a number 0-63, as the encoder does for any field whose register file it does not track.
for _i in range(64):
    REGISTERS[f"vs{_i}"] = _i
# Condition bits within a CR field, for expressions such as 4*cr1+eq.
CR_BITS = {"lt": 0, "gt": 1, "eq": 2, "so": 3, "un": 3}


def _signed64(v: int) -> int:
    v &= M64
    return v - (1 << 64) if v >> 63 else v


def _bool(v: bool) -> int:
    return -1 if v else 0            # GNU as: a true comparison is -1


_INT_OPS: dict[str, Callable[[int, int], int]] = {
    "*": lambda a, b: a * b,
    "<<": lambda a, b: a << (b & 63),
    ">>": lambda a, b: (a & M64) >> (b & 63) if a >= 0 else a >> (b & 63),
    "|": lambda a, b: a | b, "&": lambda a, b: a & b, "^": lambda a, b: a ^ b,
    "!": lambda a, b: a | ~b,
    "+": lambda a, b: a + b, "-": lambda a, b: a - b,
    "==": lambda a, b: _bool(a == b), "!=": lambda a, b: _bool(a != b), "<>": lambda a, b: _bool(a != b),
    "<": lambda a, b: _bool(a < b), ">": lambda a, b: _bool(a > b),
    "<=": lambda a, b: _bool(a <= b), ">=": lambda a, b: _bool(a >= b),
    "&&": lambda a, b: int(bool(a) and bool(b)), "||": lambda a, b: int(bool(a) or bool(b)),
}


def _run(m: int) -> tuple[int, int] | None:
    """First and last IBM bit numbers of a non-wrapping run of 1 bits in a 32-bit value, else None."""
    if m == 0:
        return None
    low = (m & -m).bit_length() - 1
    high = m.bit_length() - 1
    if m != (1 << (high + 1)) - (1 << low):
        return None
    return 31 - high, 31 - low


def _mask_bounds(mask: int, pos: Pos | None) -> tuple[int, int]:
    """MB and ME of a contiguous, possibly wrapping, 32-bit mask (rlwinm's 4-operand form)."""
    mask &= 0xFFFFFFFF
    run = _run(mask)
    if run:
        return run
    gap = _run(~mask & 0xFFFFFFFF) if mask else None       # no bits at all is no mask (GNU as: illegal bitmask)
    if gap:
        return (gap[1] + 1) % 32, (gap[0] - 1) % 32
    raise SourceError(f"mask 0x{mask:x} is not a contiguous run of 1 bits", pos)


def _hint(fn: str, bo: int, pos: Pos | None) -> int:
    # POWER4 and later encode the prediction in the "at" bits: BO=001at (CR only) or 1a00t (CTR only).
    taken = fn == "hint+"
    at = 0b11 if bo & 0b10100 == 0b00100 else 0b01001 if bo & 0b10100 == 0b10000 else 0
    if at:
        hinted = (bo & ~at) | (at if taken else at & 0b1010)
        if bo & at and bo != hinted:          # BO's own 'at' bits already give the other prediction
            raise SourceError(f"a branch hint ('{'+' if taken else '-'}') against the one BO={bo} gives", pos)
        return hinted
    raise SourceError(f"a branch hint ('{'+' if taken else '-'}') is not valid with BO={bo}", pos)


def _reloc(suffix: str, v: int, pos: Pos | None, toc_base: int | None) -> int:
    v &= M64
    if suffix == "l":
        return Half(v & 0xFFFF)
    if suffix in ("h", "high"):
        return Half((v >> 16) & 0xFFFF)
    if suffix in ("ha", "higha"):
        return Half(((v + 0x8000) >> 16) & 0xFFFF)
    if suffix == "higher":
        return Half((v >> 32) & 0xFFFF)
    if suffix == "highera":
        return Half(((v + 0x8000) >> 32) & 0xFFFF)
    if suffix == "highest":
        return Half((v >> 48) & 0xFFFF)
    if suffix == "highesta":
        return Half(((v + 0x8000) >> 48) & 0xFFFF)
    if suffix in ("toc", "tocbase"):
        if toc_base is None:
            raise SourceError(f"@{suffix} needs a TOC (a .toc section), and this file has none", pos)
        return v - toc_base if suffix == "toc" else toc_base
    raise SourceError(f"relocation '@{suffix}' is not supported", pos)


class Evaluator:
    """Evaluates frozen expressions. `resolve` maps a symbol to an int (pass 2) or int|Rel (pass 1)."""

    def __init__(self, resolve: Resolver, label: Callable[[LabelKey], int | Rel],
                 toc_base: int | None = None, place: Callable[[int | Rel], int | Rel] = lambda v: v,
                 got: Callable[[Expr], int] | None = None):
        self.resolve = resolve
        self.got = got              # pass 2: the address of a symbol's GOT entry
        self.label = label
        self.toc_base = toc_base
        self.place = place          # pass 2: section-relative values fixed in pass 1 become addresses

    def __call__(self, e: Expr) -> int | Rel:
        if isinstance(e, Num):
            return e.value
        if isinstance(e, Sym):
            return self.resolve(e.name, e.pos)
        if isinstance(e, Value):
            return self.place(e.value)
        if isinstance(e, LabelKey):
            return self.label(e)
        if isinstance(e, Binary):
            return self._binary(e)
        if isinstance(e, Unary):
            v = self.absolute(e.operand)
            if e.op == "-":
                return _signed64(-v)
            if e.op == "~":
                return _signed64(~v)
            return int(not v)
        if isinstance(e, Reloc):
            if e.suffix == "tocbase":
                return _reloc("tocbase", 0, e.pos, self.toc_base)
            if e.suffix == "got":
                if self.got is None or self.toc_base is None:
                    raise SourceError("@got is only known once the file is laid out (a constant is needed here)",
                                      e.pos)
                return _signed64(self.got(e.operand) - self.toc_base)
            return _reloc(e.suffix, self.absolute(e.operand), e.pos, self.toc_base)
        if isinstance(e, Call):
            v = self.absolute(e.operand)
            if e.fn in ("mask_begin", "mask_end"):
                return _mask_bounds(v, e.pos)[e.fn == "mask_end"]
            if e.fn in OPERAND_FUNCTIONS:                 # an extended mnemonic's own operand rule
                try:
                    return OPERAND_FUNCTIONS[e.fn](v)
                except ValueError as x:
                    raise SourceError(str(x), e.pos) from None
            return _hint(e.fn, v, e.pos)
        if isinstance(e, (Dot, LocalRef)):
            raise AssertionError("unfrozen expression reached evaluation")
        raise AssertionError(f"unknown expression node {e!r}")

    def absolute(self, e: Expr) -> int:
        v = self(e)
        if isinstance(v, Rel):
            raise SourceError(f"expression '{e}' is not a constant here", e.pos)
        return v

    def _binary(self, top: Binary) -> int | Rel:
        spine = left_spine(top)                  # a flat chain `1+1+...+1` in a loop, not by recursion
        acc = self(spine[0].left)
        for e in spine:
            acc = self._combine(e, acc, self(e.right))
        return acc

    def _combine(self, e: Binary, a: int | Rel, b: int | Rel) -> int | Rel:
        if isinstance(a, Rel) or isinstance(b, Rel):
            if e.op == "+" and isinstance(a, Rel) and not isinstance(b, Rel):
                return Rel(a.section, a.offset + b)
            if e.op == "+" and isinstance(b, Rel) and not isinstance(a, Rel):
                return Rel(b.section, b.offset + a)
            if e.op == "-" and isinstance(a, Rel) and not isinstance(b, Rel):
                return Rel(a.section, a.offset - b)
            if e.op == "-" and isinstance(a, Rel) and isinstance(b, Rel) and a.section == b.section:
                return a.offset - b.offset
            raise SourceError(f"expression '{e}' is not a constant here", e.pos)
        if e.op in ("/", "%"):
            if b == 0:
                raise SourceError("division by zero", e.right.pos or e.pos)
            q = abs(int(a)) // abs(int(b))
            q = q if (a >= 0) == (b >= 0) else -q
            return _signed64(q if e.op == "/" else a - q * b)
        return _signed64(_INT_OPS[e.op](int(a), int(b)))
