"""Operand checking and encoding: operand values to the 32-bit word, from the instruction's definition."""

from __future__ import annotations

from ppcinterp.asm.expr import Half, Reg
from ppcinterp.diagnostics import Pos, SourceError
from ppcinterp.isa.fields import Field, Kind
from ppcinterp.isa.table import InsnDef

_REG_LIMIT = {Kind.GPR: 32, Kind.GPR0: 32, Kind.FPR: 32, Kind.VR: 32, Kind.CRF: 8}
_REG_WORDS = {Kind.GPR: "a general-purpose register", Kind.GPR0: "a general-purpose register",
              Kind.FPR: "a floating-point register", Kind.VR: "a vector register",
              Kind.CRF: "a condition register field"}


def check_operand(f: Field, value: int, pos: Pos | None, pc: int, absolute: bool) -> int:
    """Validate one operand value for field `f`; returns the value to insert (branch displacement for REL)."""
    kind = f.kind
    if kind in _REG_LIMIT:
        if isinstance(value, Reg):
            ok = value.kind == kind or (kind is Kind.GPR0 and value.kind is Kind.GPR)
            if not ok:
                raise SourceError(f"'{value.text}' is not {_REG_WORDS[kind]}", pos)
        elif not 0 <= value < _REG_LIMIT[kind]:
            raise SourceError(f"register number {value} out of range (expected {_REG_WORDS[kind]},"
                              f" 0-{_REG_LIMIT[kind] - 1})", pos)
        return int(value)
    if isinstance(value, Reg):
        what = "a condition register bit" if kind is Kind.CRB else "an immediate value"
        raise SourceError(f"register '{value.text}' used where {what} is expected", pos)
    if kind is Kind.REL:
        target = value
        disp = target if absolute else target - pc
        if disp & 3:
            raise SourceError(f"branch target 0x{target & (2**64 - 1):x} is not a multiple of 4", pos)
        if not f.lo <= disp <= f.hi:
            raise SourceError(f"branch target 0x{target & (2**64 - 1):x} out of range "
                              f"({'address' if absolute else 'displacement'} {disp:#x} does not fit in "
                              f"{f.bits + 2} bits)", pos)
        return disp
    if isinstance(value, Half) and f.bits + f.scale == 16:
        v = int(value) & 0xFFFF
        return v - 0x10000 if f.signed and v & 0x8000 else v
    if kind is Kind.CRB and not 0 <= value < 32:
        raise SourceError(f"condition register bit {value} out of range (0-31)", pos)
    lo, hi = f.lo, f.hi
    if kind is Kind.SIMM_OPT:
        hi = (1 << (f.bits + f.scale)) - 1
    if not lo <= value <= hi:
        raise SourceError(f"operand out of range: {_show(value)} is not between {_show(lo)} and {_show(hi)}", pos)
    if f.scale and value & ((1 << f.scale) - 1):
        raise SourceError(f"operand {_show(value)} must be a multiple of {1 << f.scale}", pos)
    return int(value)


def _show(v: int) -> str:
    return str(v) if -1024 < v < 1024 else (f"-{-v:#x}" if v < 0 else f"{v:#x}")


def encode(d: InsnDef, values: list[int]) -> int:
    """The instruction word for checked operand values given in the definition's field order."""
    word = d.opcode
    i = 0
    for o in d.operands:
        word |= o.field.insert(values[i])
        i += 1
        if o.base is not None:
            word |= o.base.insert(values[i])
            i += 1
    return word
