"""The few floating-point and vector instructions the handler file uses to save and restore guest state."""

from ppcinterp.isa.table import D, X, define

F = "fp_vector"

define("lfd", D(50), "FRT,D(RA0)", F)
define("stfd", D(54), "FRS,D(RA0)", F)
define("lfdx", X(31, 599), "FRT,RA0,RB", F)
define("stfdx", X(31, 727), "FRS,RA0,RB", F)
define("mffs", X(63, 583), "FRT", F, rc=True)
define("mtfsf", X(63, 711), "FLM,FRB,[L6],[W]", F, rc=True)
define("lvx", X(31, 103), "VRT,RA0,RB", F)
define("stvx", X(31, 231), "VRS,RA0,RB", F)
define("mfvscr", ((4 << 26) | 1540, 0xFC0007FF), "VRT", F)
define("mtvscr", ((4 << 26) | 1604, 0xFC0007FF), "VRB", F)


# ---------------------------------------------------------------- semantics
# Registers are moved as raw bits; the FPSCR/VSCR moves (mffs, mtfsf, mfvscr, mtvscr) have no semantics yet
# and stop a run as unimplemented.

from ppcinterp.isa.sem import M64  # noqa: E402
from ppcinterp.isa.table import semantics  # noqa: E402


def _fp_access(store: bool, indexed: bool):
    def factory(ctx, f):
        g, fpr, mem, nxt = ctx.g, ctx.thread.fpr, ctx.mem, ctx.nxt
        ft = f.get("FRT", f.get("FRS"))
        ra, d, rb = f["RA0"], f.get("D", 0), f.get("RB")

        def run():
            a = ((g[ra] if ra else 0) + (g[rb] if indexed else d)) & M64
            if store:
                mem.write(a, 8, fpr[ft])
            else:
                fpr[ft] = mem.read(a, 8)
            return nxt
        return run
    return factory


semantics("lfd")(_fp_access(False, False))
semantics("stfd")(_fp_access(True, False))
semantics("lfdx")(_fp_access(False, True))
semantics("stfdx")(_fp_access(True, True))


def _vr_access(store: bool):
    def factory(ctx, f):
        g, vr, mem, nxt = ctx.g, ctx.thread.vr, ctx.mem, ctx.nxt
        vt, ra, rb = f.get("VRT", f.get("VRS")), f["RA0"], f["RB"]

        def run():
            a = ((g[ra] if ra else 0) + g[rb]) & M64 & ~15
            if store:
                mem.write(a, 8, vr[vt] >> 64)
                mem.write(a + 8, 8, vr[vt] & M64)
            else:
                vr[vt] = (mem.read(a, 8) << 64) | mem.read(a + 8, 8)
            return nxt
        return run
    return factory


semantics("lvx")(_vr_access(False))
semantics("stvx")(_vr_access(True))
