"""Operand fields of the Power ISA instruction formats: where each lives in the 32-bit word and how a value maps to it.

Bit positions use the ISA's numbering (bit 0 is the most significant bit of the word).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TypedDict, Unpack


class Kind(Enum):
    GPR = "gpr"        # r0-r31
    GPR0 = "gpr0"      # RA where 0 means the value 0, not r0
    FPR = "fpr"
    VR = "vr"
    VSR = "vsr"        # vs0-vs63: 6-bit VSX register (TX<<5 | T), T in bits 6-10 and TX in bit 31 (XX1 form)
    CRF = "crf"        # condition register field cr0-cr7
    CRB = "crb"        # condition register bit 0-31
    SIMM = "simm"      # signed immediate
    SIMM_OPT = "simm_opt"  # signed, but 0..2^n-1 also accepted (GNU as "signopt": addis/lis)
    UIMM = "uimm"      # unsigned immediate
    REL = "rel"        # branch target: encoded relative to the instruction, or absolute with AA=1
    SPR = "spr"        # 10-bit SPR number, halves swapped in the word


REGISTER_KINDS = frozenset({Kind.GPR, Kind.GPR0, Kind.FPR, Kind.VR, Kind.VSR, Kind.CRF})


@dataclass(frozen=True, slots=True)
class Field:
    """One operand field. `pieces` are (ibm_start_bit, length) from the value's high bits to its low bits."""

    name: str
    kind: Kind
    bits: int                    # width of the operand value
    pieces: tuple[tuple[int, int], ...]
    scale: int = 0               # value is stored shifted right by this (BD, LI, DS)
    signed: bool = False
    accept: tuple[int, int] | None = None   # the values the assembler takes, where wider than the field's own
    one_field: bool = False      # mtcrf's FXM: a mask of one field selects the mtocrf form (bit 11)

    @property
    def lo(self) -> int:
        if self.accept:
            return self.accept[0]
        return -(1 << (self.bits + self.scale - 1)) if self.signed else 0

    @property
    def hi(self) -> int:
        if self.accept:
            return self.accept[1]
        return (1 << (self.bits + self.scale - (1 if self.signed else 0))) - (1 << self.scale)

    def insert(self, value: int) -> int:
        """Encode an (already range-checked) operand value into its word bits."""
        v = (value >> self.scale) & ((1 << self.bits) - 1)
        # GNU as (POWER4 and later) writes mtcrf of one field as the faster mtocrf, which does the same.
        word = 1 << 20 if self.one_field and v.bit_count() == 1 else 0
        v = _shuffle_in(self.name, v)
        remaining = self.bits
        for start, length in self.pieces:
            remaining -= length
            part = (v >> remaining) & ((1 << length) - 1)
            word |= part << (32 - start - length)
        return word

    def extract(self, word: int) -> int:
        """Decode the operand value from a word (sign-extended and scaled)."""
        v = 0
        for start, length in self.pieces:
            v = (v << length) | ((word >> (32 - start - length)) & ((1 << length) - 1))
        v = _shuffle_out(self.name, v)
        if self.signed and v & (1 << (self.bits - 1)):
            v -= 1 << self.bits
        return v << self.scale


# The split fields keep their value bits in an order the ISA shuffles: SPR/TBR swap 5-bit halves,
# and the 6-bit MB/ME of the MD forms store bit 5 of the value first.
def _shuffle_in(name: str, v: int) -> int:
    if name in ("SPR", "TBR"):
        return ((v & 0x1F) << 5) | (v >> 5)
    if name in ("MB6", "ME6"):
        return ((v & 0x1F) << 1) | (v >> 5)
    if name == "SH6":
        return ((v & 0x1F) << 1) | (v >> 5)
    return v


def _shuffle_out(name: str, v: int) -> int:
    if name in ("SPR", "TBR"):
        return ((v & 0x1F) << 5) | (v >> 5)
    if name in ("MB6", "ME6", "SH6"):
        return ((v & 1) << 5) | (v >> 1)
    return v


class _Options(TypedDict, total=False):
    scale: int
    signed: bool
    accept: tuple[int, int] | None
    one_field: bool


def _f(name: str, kind: Kind, start: int, length: int, **kw: Unpack[_Options]) -> Field:
    return Field(name, kind, length, ((start, length),), **kw)


FIELDS: dict[str, Field] = {f.name: f for f in (
    _f("RT", Kind.GPR, 6, 5), _f("RS", Kind.GPR, 6, 5), _f("RA", Kind.GPR, 11, 5),
    _f("RA0", Kind.GPR0, 11, 5), _f("RB", Kind.GPR, 16, 5),
    _f("FRT", Kind.FPR, 6, 5), _f("FRS", Kind.FPR, 6, 5), _f("FRA", Kind.FPR, 11, 5), _f("FRB", Kind.FPR, 16, 5),
    _f("FRC", Kind.FPR, 21, 5),
    _f("VRT", Kind.VR, 6, 5), _f("VRS", Kind.VR, 6, 5), _f("VRA", Kind.VR, 11, 5), _f("VRB", Kind.VR, 16, 5),
    _f("VRC", Kind.VR, 21, 5), _f("SHB", Kind.UIMM, 22, 4), _f("SIM", Kind.SIMM, 11, 5, signed=True),
    _f("UIM4", Kind.UIMM, 12, 4), _f("UIM3", Kind.UIMM, 13, 3), _f("UIM2", Kind.UIMM, 14, 2),   # vsplt[bhw]
    Field("XT", Kind.VSR, 6, ((31, 1), (6, 5))), Field("XS", Kind.VSR, 6, ((31, 1), (6, 5))),
    _f("BF", Kind.CRF, 6, 3), _f("BFA", Kind.CRF, 11, 3),
    _f("BT", Kind.CRB, 6, 5), _f("BA", Kind.CRB, 11, 5), _f("BB", Kind.CRB, 16, 5),
    _f("BI", Kind.CRB, 11, 5), _f("BO", Kind.UIMM, 6, 5), _f("BH", Kind.UIMM, 19, 2),
    _f("BD", Kind.REL, 16, 14, scale=2, signed=True), _f("LI", Kind.REL, 6, 24, scale=2, signed=True),
    _f("SI", Kind.SIMM, 16, 16, signed=True), _f("SIS", Kind.SIMM_OPT, 16, 16, signed=True),
    _f("UI", Kind.UIMM, 16, 16), _f("D", Kind.SIMM, 16, 16, signed=True),
    _f("DS", Kind.SIMM, 16, 14, scale=2, signed=True),
    _f("SH", Kind.UIMM, 16, 5), _f("MB", Kind.UIMM, 21, 5), _f("ME", Kind.UIMM, 26, 5),
    Field("SH6", Kind.UIMM, 6, ((16, 5), (30, 1))),
    _f("MB6", Kind.UIMM, 21, 6), _f("ME6", Kind.UIMM, 21, 6),
    _f("SPR", Kind.SPR, 11, 10), _f("TBR", Kind.SPR, 11, 10),
    _f("FXM", Kind.UIMM, 12, 8), _f("L", Kind.UIMM, 10, 1), _f("L15", Kind.UIMM, 15, 1),
    _f("LS", Kind.UIMM, 9, 2), _f("TO", Kind.UIMM, 6, 5), _f("NB", Kind.UIMM, 16, 5),
    _f("FLM", Kind.UIMM, 7, 8), _f("L6", Kind.UIMM, 6, 1), _f("W", Kind.UIMM, 15, 1),
    _f("LEV", Kind.UIMM, 20, 7), _f("TH", Kind.UIMM, 6, 5), _f("EH", Kind.UIMM, 31, 1),
    _f("IH", Kind.UIMM, 8, 3),
)}
# Syntax names for fields that encode like another but take other values (the field keeps its ISA name):
# cmpli's UI also takes a negative 16-bit value (GNU as's "signopt"), mtcrf's FXM picks the mtocrf form.
FIELDS["UIS"] = _f("UI", Kind.UIMM, 16, 16, accept=(-0x8000, 0xFFFF))
FIELDS["FXMA"] = _f("FXM", Kind.UIMM, 12, 8, one_field=True)
