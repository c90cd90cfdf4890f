"""Floating-point loads, stores, moves and FPSCR moves: what kvmppc_save_fp/kvmppc_load_fp use to save and
restore a guest's FP state, and the register moves kernel code uses (fmr, fneg, fabs, fnabs, fcpsgn). All move
raw 64-bit patterns: no conversion, no rounding, no FPSCR exception (the moves change only the sign bit); an
FPR write clears the rest of the VSX register it is part of (Thread.set_fpr)."""

from collections.abc import Callable

from ppcinterp.isa.context import Ctx, Fields, Step
from ppcinterp.isa.table import A, D, Semantics, X, define

F = "fp"


def _fp_update(v: dict[str, int]) -> tuple[str, str] | None:
    return ("RA", "an FP load or store with update needs RA other than r0") if v["RA"] == 0 else None


define("lfd", D(50), "FRT,D(RA0)", F)
define("stfd", D(54), "FRS,D(RA0)", F)
define("lfdx", X(31, 599), "FRT,RA0,RB", F)
define("stfdx", X(31, 727), "FRS,RA0,RB", F)
define("lfdu", D(51), "FRT,D(RA)", F, check=_fp_update)
define("stfdu", D(55), "FRS,D(RA)", F, check=_fp_update)
define("lfdux", X(31, 631), "FRT,RA,RB", F, check=_fp_update)
define("stfdux", X(31, 759), "FRS,RA,RB", F, check=_fp_update)
# Single precision: a load widens the word to a double, a store narrows the double (ISA Book I 4.6.2-4.6.3).
define("lfs", D(48), "FRT,D(RA0)", F)
define("stfs", D(52), "FRS,D(RA0)", F)
define("lfsx", X(31, 535), "FRT,RA0,RB", F)
define("stfsx", X(31, 663), "FRS,RA0,RB", F)
define("lfsu", D(49), "FRT,D(RA)", F, check=_fp_update)
define("stfsu", D(53), "FRS,D(RA)", F, check=_fp_update)
define("lfsux", X(31, 567), "FRT,RA,RB", F, check=_fp_update)
define("stfsux", X(31, 695), "FRS,RA,RB", F, check=_fp_update)
define("lfiwax", X(31, 855), "FRT,RA0,RB", F)          # the word, sign-extended (ISA 2.05)
define("lfiwzx", X(31, 887), "FRT,RA0,RB", F)          # the word, zero-extended (ISA 2.06)
define("stfiwx", X(31, 983), "FRS,RA0,RB", F)          # the low word
define("fmr", X(63, 72), "FRT,FRB", F, rc=True)
define("fneg", X(63, 40), "FRT,FRB", F, rc=True)
define("fabs", X(63, 264), "FRT,FRB", F, rc=True)
define("fnabs", X(63, 136), "FRT,FRB", F, rc=True)
define("fcpsgn", X(63, 8), "FRT,FRA,FRB", F, rc=True)   # FRA's sign, FRB's other bits (ISA 2.05)
define("mffs", X(63, 583), "FRT", F, rc=True)
# Single-precision arithmetic, for vector.S's AltiVec emulation helpers: assembled, not executed (IEEE rounding
# and the FPSCR's exception bits are not modelled; a run that reaches one stops: unimplemented instruction).
define("fadds", A(59, 21, 0x7C0), "FRT,FRA,FRB", F, rc=True)
define("fsubs", A(59, 20, 0x7C0), "FRT,FRA,FRB", F, rc=True)
define("fdivs", A(59, 18, 0x7C0), "FRT,FRA,FRB", F, rc=True)
define("fmuls", A(59, 25, 0xF800), "FRT,FRA,FRC", F, rc=True)
define("fmadds", A(59, 29), "FRT,FRA,FRC,FRB", F, rc=True)
define("fnmsubs", A(59, 30), "FRT,FRA,FRC,FRB", F, rc=True)
define("frsqrte", A(63, 26, 0x1F07C0), "FRT,FRB", F, rc=True)
# ISA 2.05+: mtfsf FLM,FRB,L,W (L in bit 6, W in bit 15); the kernel's MTFSF_L is the L=1 form as a .long.
define("mtfsf", X(63, 711), "FLM,FRB,[L6],[W]", F, rc=True)


# ---------------------------------------------------------------- semantics

from ppcinterp.isa.sem import M64, addr_mask  # noqa: E402
from ppcinterp.isa.table import semantics  # noqa: E402
from ppcinterp.machine.state import FPSCR_WRITABLE  # noqa: E402

# FPSCR bits (LSB-0 numbering within the 64-bit register).
FX, FEX, VX = 1 << 31, 1 << 30, 1 << 29
VX_ALL = 0x01F80700                       # VXSNAN VXISI VXIDI VXZDZ VXIMZ VXVC | VXSOFT VXSQRT VXCVI
XX_SHIFT, XE_SHIFT = 25, 3                # exception bits VX OX UX ZX XX at 29..25, enables VE..XE at 7..3


def store_fpscr(old: int, value: int, mask: int) -> int:
    """The FPSCR after a move into the bits in `mask` (ISA 2.06 mtfsf): reserved bits stay 0, and the summary
    bits FEX and VX are never taken from the source; they are recomputed from the bits they summarise."""
    v = ((value & mask) | (old & ~mask)) & FPSCR_WRITABLE & ~(FEX | VX)
    if v & VX_ALL:
        v |= VX
    if (v >> XX_SHIFT) & (v >> XE_SHIFT) & 0x1F:
        v |= FEX
    return v


def cr1_of(fpscr: int) -> int:
    """CR1 of a record-form FP instruction: FX, FEX, VX, OX (FPSCR bits 32:35)."""
    return (fpscr >> 28) & 0xF


def single_to_double(w: int) -> int:
    """lfs's conversion of a single-precision word to a double (exact; a NaN keeps its bits, not quieted)."""
    sign, exp, frac = w >> 31, w >> 23 & 0xFF, w & 0x7FFFFF
    if exp == 0 and frac:                           # denormal: normalise into the double's wider exponent
        shift = 24 - frac.bit_length()              # until the leading 1 is the implicit bit
        return sign << 63 | (897 - shift) << 52 | (frac << shift & 0x7FFFFF) << 29
    wide = 0x7FF if exp == 0xFF else exp + 896 if exp else 0
    return sign << 63 | wide << 52 | frac << 29


def double_to_single(d: int) -> int:
    """stfs's conversion of a double to a single-precision word: no rounding (the fraction is truncated); a value
    too small for a single's normal range is denormalised, one too small for that (undefined in the ISA) stores a
    signed zero, as QEMU does."""
    sign, exp = d >> 63, d >> 52 & 0x7FF
    if exp > 896 or not d & ~SIGN:
        return (d >> 32 & 0xC0000000) | (d >> 29 & 0x3FFFFFFF)
    if exp >= 874:                                  # denormal single: the implicit 1 shifted in
        return sign << 31 | ((1 << 52 | d & (1 << 52) - 1) >> (926 - exp))
    return sign << 31


def _fp_access(store: bool, indexed: bool, size: int = 8, signed: bool = False, single: bool = False) -> Semantics:
    """An FP load or store of `size` bytes (8: the doubleword; 4: the word forms lfiwax/lfiwzx/stfiwx, or a single
    with `single`: converted to and from a double). The update forms (RA named, never the literal 0) write EA
    back to RA after the access, as the integer ones do: in 32-bit mode the truncated EA."""
    def factory(ctx: Ctx, f: Fields) -> Step:
        g, t, fpr, mem, nxt = ctx.g, ctx.thread, ctx.thread.fpr, ctx.mem, ctx.nxt
        ft = f.get("FRT", f.get("FRS"))
        assert ft is not None           # a load's FRT or a store's FRS
        update = "RA" in f
        ra, d, rb = f.get("RA0", f.get("RA", 0)), f.get("D", 0), f.get("RB", 0)   # RB is read only if indexed
        low = (1 << 8 * size) - 1

        def run() -> int:
            a = ((g[ra] if ra else 0) + (g[rb] if indexed else d)) & addr_mask(t)
            if store:
                mem.write(a, size, double_to_single(fpr[ft]) if single else fpr[ft] & low)
            else:
                v = mem.read(a, size)
                t.set_fpr(ft, single_to_double(v) if single else (v ^ 0x80000000) - 0x80000000 & M64 if signed
                          else v)
            if update:
                g[ra] = a
            return nxt
        return run
    return factory


for _name, _store, _indexed in (("lfd", False, False), ("stfd", True, False), ("lfdx", False, True),
                                ("stfdx", True, True), ("lfdu", False, False), ("stfdu", True, False),
                                ("lfdux", False, True), ("stfdux", True, True)):
    semantics(_name)(_fp_access(_store, _indexed))
for _name, _store, _indexed in (("lfs", False, False), ("stfs", True, False), ("lfsx", False, True),
                                ("stfsx", True, True), ("lfsu", False, False), ("stfsu", True, False),
                                ("lfsux", False, True), ("stfsux", True, True)):
    semantics(_name)(_fp_access(_store, _indexed, 4, single=True))
semantics("lfiwax")(_fp_access(False, True, 4, signed=True))
semantics("lfiwzx")(_fp_access(False, True, 4))
semantics("stfiwx")(_fp_access(True, True, 4))

SIGN = 1 << 63
_MOVES = {"fmr": lambda a, b: b, "fneg": lambda a, b: b ^ SIGN, "fabs": lambda a, b: b & ~SIGN,
          "fnabs": lambda a, b: b | SIGN, "fcpsgn": lambda a, b: (a & SIGN) | (b & ~SIGN)}


def _move(op: Callable[[int, int], int]) -> Semantics:
    """FRT = op(FRA, FRB) on the raw patterns; the record forms copy FPSCR[FX,FEX,VX,OX] into CR1."""
    def factory(ctx: Ctx, f: Fields) -> Step:
        t, fpr, cr, nxt, frt, frb, rc = ctx.thread, ctx.thread.fpr, ctx.cr, ctx.nxt, f["FRT"], f["FRB"], ctx.insn.rc
        fra = f.get("FRA", 0)

        def run() -> int:
            t.set_fpr(frt, op(fpr[fra], fpr[frb]))
            if rc:
                cr[1] = cr1_of(t.fpscr)
            return nxt
        return run
    return factory


for _name, _op in _MOVES.items():
    semantics(_name)(_move(_op))


@semantics("mffs")
def _mffs(ctx: Ctx, f: Fields) -> Step:
    # The whole 64-bit FPSCR lands in FRT: DRN in the high word, the classic FPSCR in the low word.
    t, cr, nxt, frt, rc = ctx.thread, ctx.cr, ctx.nxt, f["FRT"], ctx.insn.rc

    def run() -> int:
        t.set_fpr(frt, t.fpscr)
        if rc:
            cr[1] = cr1_of(t.fpscr)
        return nxt
    return run


@semantics("mtfsf")
def _mtfsf(ctx: Ctx, f: Fields) -> Step:
    t, fpr, cr, nxt, frb, rc = ctx.thread, ctx.thread.fpr, ctx.cr, ctx.nxt, f["FRB"], ctx.insn.rc
    if f["L6"]:
        mask = M64                         # L=1: the whole FPSCR from FRB, whatever FLM and W say
    else:                                  # FLM bit i (from the left) selects field i of the word W picks
        shift = 32 if f["W"] else 0        # W=1: the high word (fields 0-7), W=0: the low word (8-15)
        mask = sum(0xF << (4 * (7 - i) + shift) for i in range(8) if f["FLM"] >> (7 - i) & 1)

    def run() -> int:
        t.fpscr = store_fpscr(t.fpscr, fpr[frb], mask)
        if rc:
            cr[1] = cr1_of(t.fpscr)
        return nxt
    return run
