"""Element-wise VMX semantics: a VR (a 128-bit integer, element 0 most significant) as 16 bytes, 8 halfwords,
4 words or 2 doublewords, unsigned or signed, and the semantics factories the VMX families build from one
operation on elements.

Element formats are struct's: "B", "H", "I", "Q" unsigned, "b", "h", "i" signed. A saturating operation clamps
to its output format's range and sets VSCR[SAT] (sticky) when it had to.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from ppcinterp.isa.context import Ctx, Fields, Step
from ppcinterp.machine.state import VSCR_SAT

if TYPE_CHECKING:                  # the table imports this module (through the families)
    from ppcinterp.isa.table import Semantics

SIZE = {"B": 1, "b": 1, "H": 2, "h": 2, "I": 4, "i": 4, "Q": 8, "q": 8}
_ST = {c: struct.Struct(f">{16 // n}{c}") for c, n in SIZE.items()}
# CR6 of a compare's record form: 0b1000 every element true, 0b0010 none.
ALL_TRUE, NONE_TRUE = 8, 2


def lanes(v: int, fmt: str) -> tuple[int, ...]:
    return _ST[fmt].unpack(v.to_bytes(16, "big"))


def join(xs: Iterable[int], fmt: str) -> int:
    return int.from_bytes(_ST[fmt].pack(*xs), "big")


def limits(fmt: str) -> tuple[int, int]:
    bits = 8 * SIZE[fmt]
    return (-(1 << bits - 1), (1 << bits - 1) - 1) if fmt.islower() else (0, (1 << bits) - 1)


def unsigned(fmt: str) -> str:
    return fmt.upper()


Op = Callable[[int, int], int]


def binary(fmt: str, op: Op, sat: str | None = None) -> Semantics:
    """VRT = op(VRA element, VRB element) for every element (read in `fmt`); the result's elements are taken
    modulo the element size, or, with `sat` (the output format), clamped to that format and VSCR[SAT] set."""
    out = unsigned(fmt)
    mask = (1 << 8 * SIZE[fmt]) - 1
    lo, hi = limits(sat) if sat else (0, 0)
    sa, so = _ST[fmt], _ST[sat or out]

    def factory(ctx: Ctx, f: Fields) -> Step:
        t, vr, nxt, vt, va, vb = ctx.thread, ctx.thread.vr, ctx.nxt, f["VRT"], f["VRA"], f["VRB"]
        if sat is None:
            def run() -> int:
                xs, ys = sa.unpack(vr[va].to_bytes(16, "big")), sa.unpack(vr[vb].to_bytes(16, "big"))
                vr[vt] = int.from_bytes(so.pack(*[r & mask for r in map(op, xs, ys)]), "big")
                return nxt
        else:
            def run() -> int:
                xs, ys = sa.unpack(vr[va].to_bytes(16, "big")), sa.unpack(vr[vb].to_bytes(16, "big"))
                rs = list(map(op, xs, ys))
                cs = [lo if r < lo else hi if r > hi else r for r in rs]
                if cs != rs and not t.vscr & VSCR_SAT:
                    t.vscr |= VSCR_SAT
                vr[vt] = int.from_bytes(so.pack(*cs), "big")
                return nxt
        return run
    return factory


def compare(fmt: str, test: Callable[[int, int], bool]) -> Semantics:
    """VRT element = all ones where test(VRA element, VRB element), else 0; the record form sets CR6."""
    ones = (1 << 8 * SIZE[fmt]) - 1
    sa, so = _ST[fmt], _ST[unsigned(fmt)]
    n = 16 // SIZE[fmt]

    def factory(ctx: Ctx, f: Fields) -> Step:
        vr, cr, nxt, vt, va, vb, rc = ctx.thread.vr, ctx.cr, ctx.nxt, f["VRT"], f["VRA"], f["VRB"], ctx.insn.rc

        def run() -> int:
            xs, ys = sa.unpack(vr[va].to_bytes(16, "big")), sa.unpack(vr[vb].to_bytes(16, "big"))
            rs = [ones if r else 0 for r in map(test, xs, ys)]
            vr[vt] = int.from_bytes(so.pack(*rs), "big")
            if rc:
                hits = sum(1 for r in rs if r)
                cr[6] = ALL_TRUE if hits == n else NONE_TRUE if hits == 0 else 0
            return nxt
        return run
    return factory


def narrow(fmt: str, out: str, sat: bool) -> Semantics:
    """The packs: VRA's then VRB's elements (format `fmt`) into elements of half the size (format `out`):
    the low half of each (modulo), or clamped to `out` with VSCR[SAT] (saturating)."""
    lo, hi = limits(out)
    mask = (1 << 8 * SIZE[out]) - 1
    sa, so = _ST[fmt], _ST[out if sat else unsigned(out)]

    def factory(ctx: Ctx, f: Fields) -> Step:
        t, vr, nxt, vt, va, vb = ctx.thread, ctx.thread.vr, ctx.nxt, f["VRT"], f["VRA"], f["VRB"]

        def run() -> int:
            xs = sa.unpack(vr[va].to_bytes(16, "big")) + sa.unpack(vr[vb].to_bytes(16, "big"))
            if sat:
                cs = [lo if x < lo else hi if x > hi else x for x in xs]
                if cs != list(xs) and not t.vscr & VSCR_SAT:
                    t.vscr |= VSCR_SAT
            else:
                cs = [x & mask for x in xs]
            vr[vt] = int.from_bytes(so.pack(*cs), "big")
            return nxt
        return run
    return factory


def widen(fmt: str, out: str, high: bool) -> Semantics:
    """The unpacks: the high (elements 0..n/2-1) or low half of VRB's signed elements, sign-extended to twice the
    size."""
    half = 16 // SIZE[fmt] // 2
    sa, so = _ST[fmt], _ST[out]
    part = slice(0, half) if high else slice(half, None)

    def factory(ctx: Ctx, f: Fields) -> Step:
        vr, nxt, vt, vb = ctx.thread.vr, ctx.nxt, f["VRT"], f["VRB"]

        def run() -> int:
            vr[vt] = int.from_bytes(so.pack(*sa.unpack(vr[vb].to_bytes(16, "big"))[part]), "big")
            return nxt
        return run
    return factory
