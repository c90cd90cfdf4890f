"""VSX loads and stores of whole VSX registers (lxvd2x/stxvd2x): the kernel saves a guest's 64 VSRs with them
(as .long words, for assemblers without VSX). A VSR is two doublewords, stored big-endian in element order."""

from ppcinterp.isa.context import Ctx, Fields, Step
from ppcinterp.isa.table import define

F = "vsx"


def XX1(xo: int) -> tuple[int, int]:
    """XX1 form (opcode 31): 10-bit extended opcode in bits 21-30; bit 31 is TX/SX, part of the register."""
    return (31 << 26) | (xo << 1), 0xFC0007FE


define("lxvd2x", XX1(844), "XT,RA0,RB", F)
define("stxvd2x", XX1(972), "XS,RA0,RB", F)


# ---------------------------------------------------------------- semantics

from ppcinterp.isa.sem import M64, addr_mask  # noqa: E402
from ppcinterp.isa.table import semantics  # noqa: E402


@semantics("lxvd2x")
def _lxvd2x(ctx: Ctx, f: Fields) -> Step:
    g, t, mem, nxt, xt, ra, rb = ctx.g, ctx.thread, ctx.mem, ctx.nxt, f["XT"], f["RA0"], f["RB"]

    def run() -> int:
        mask = addr_mask(t)
        a = ((g[ra] if ra else 0) + g[rb]) & mask
        t.set_vsr(xt, (mem.read(a, 8) << 64) | mem.read((a + 8) & mask, 8))
        return nxt
    return run


@semantics("stxvd2x")
def _stxvd2x(ctx: Ctx, f: Fields) -> Step:
    g, t, mem, nxt, xs, ra, rb = ctx.g, ctx.thread, ctx.mem, ctx.nxt, f["XS"], f["RA0"], f["RB"]

    def run() -> int:
        mask = addr_mask(t)
        a = ((g[ra] if ra else 0) + g[rb]) & mask
        v = t.vsr(xs)
        mem.write(a, 8, v >> 64)
        mem.write((a + 8) & mask, 8, v & M64)
        return nxt
    return run
