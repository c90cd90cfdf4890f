"""Helpers shared by the semantics in the family modules: 64-bit arithmetic, CR0, XER bits, masks.

A semantics factory is called once per instruction at pre-decode time with (ctx, f): ctx gives the
instruction's address `addr`, its fall-through successor `nxt`, the definition `insn`, and the thread's
containers (`g` GPRs, `cr` fields, `spr`, `mem`, the `thread` and the `machine`); f maps field names to
values. It returns a closure with no arguments that executes the instruction and returns the next pc.
"""

from __future__ import annotations

from collections.abc import Callable

from ppcinterp.isa.context import Ctx, ThreadState

M64 = (1 << 64) - 1
M32 = 0xFFFFFFFF
XER = 1
SO, OV, CA = 1 << 31, 1 << 30, 1 << 29
LT, GT, EQ = 8, 4, 2
# Base names of the instructions that may change the MSR (their families add them). MSR[SF] chooses 64-bit or
# 32-bit mode, so the engine runs each of them on its own, never inside a compiled block: every block runs in
# the one mode it was compiled for, and the mode is looked at again after each of them.
MSR_WRITERS: set[str] = set()


def addr_mask(t: ThreadState) -> int:
    """What a semantics factory masks an effective address with when it runs on thread `t`: in 32-bit mode
    (MSR[SF] = 0) the high 32 bits of an effective address are 0."""
    return M64 if t.msr >> 63 else M32


def s64(v: int) -> int:
    return v - (1 << 64) if v >> 63 else v


def s32(v: int) -> int:
    v &= M32
    return v - (1 << 32) if v >> 31 else v


def cr0_bits(r: int, spr: dict[int, int]) -> int:
    """CR0 for a 64-bit result (64-bit mode): LT/GT/EQ from the signed value, SO from XER."""
    so = 1 if spr.get(XER, 0) & SO else 0
    if r >> 63:
        return LT | so
    return (GT if r else EQ) | so


def mask64(mb: int, me: int) -> int:
    """ISA MASK(mb, me) with IBM bit numbering, wrapping when mb > me."""
    if mb <= me:
        return ((1 << (64 - mb)) - 1) & ~((1 << (63 - me)) - 1) & M64
    return mask64(mb, 63) | mask64(0, me)      # wrapped: bits mb..63 and 0..me (all of them when mb == me + 1)


def rotl64(v: int, n: int) -> int:
    n &= 63
    return ((v << n) | (v >> (64 - n))) & M64 if n else v


def rotl32(v: int, n: int) -> int:
    """ROTL32: the low word duplicated into both halves, rotated as 64 bits."""
    w = v & M32
    return rotl64((w << 32) | w, n)


def set_xer(spr: dict[int, int], ca: int | None = None, ov: int | None = None) -> None:
    x = spr.get(XER, 0)
    if ca is not None:
        x = (x | CA) if ca else (x & ~CA)
    if ov is not None:
        x = (x | OV | SO) if ov else (x & ~OV)
    spr[XER] = x


def crbit(cr: list[int], bi: int) -> int:
    return (cr[bi >> 2] >> (3 - (bi & 3))) & 1


def set_crbit(cr: list[int], bi: int, v: int) -> None:
    m = 8 >> (bi & 3)
    f = bi >> 2
    cr[f] = (cr[f] | m) if v else (cr[f] & ~m)


def ea_base(ctx: Ctx, ra: int) -> Callable[[], int]:
    """A getter for the base of an effective address: 0 when RA is the literal 0."""
    g = ctx.g
    return (lambda: 0) if ra == 0 else (lambda: g[ra])
