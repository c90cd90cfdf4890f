"""VMX (AltiVec) state moves: the vector loads/stores and VSCR moves kvmppc_save_fp/kvmppc_load_fp use.
VRSAVE is SPR 256, moved by mfspr/mtspr."""

from ppcinterp.isa.table import X, define

F = "vector"


def VX(xo: int) -> tuple[int, int]:
    """VX form (opcode 4): 11-bit extended opcode in bits 21-31."""
    return (4 << 26) | xo, 0xFC0007FF


define("lvx", X(31, 103), "VRT,RA0,RB", F)
define("stvx", X(31, 231), "VRS,RA0,RB", F)
define("mfvscr", VX(1540), "VRT", F)
define("mtvscr", VX(1604), "VRB", F)


# ---------------------------------------------------------------- semantics

from ppcinterp.isa.sem import M32, M64, addr_mask  # noqa: E402
from ppcinterp.isa.table import semantics  # noqa: E402
from ppcinterp.machine.state import VSCR_NJ, VSCR_SAT  # noqa: E402


def _vr_access(store: bool):
    def factory(ctx, f):
        g, vr, mem, nxt, t = ctx.g, ctx.thread.vr, ctx.mem, ctx.nxt, ctx.thread
        vt, ra, rb = f.get("VRT", f.get("VRS")), f["RA0"], f["RB"]

        def run():
            a = ((g[ra] if ra else 0) + g[rb]) & addr_mask(t) & ~15   # quadword aligned: the low 4 bits ignored
            if store:
                v = vr[vt]
                mem.write(a, 8, v >> 64)
                mem.write(a + 8, 8, v & M64)
            else:
                vr[vt] = (mem.read(a, 8) << 64) | mem.read(a + 8, 8)
            return nxt
        return run
    return factory


semantics("lvx")(_vr_access(False))
semantics("stvx")(_vr_access(True))


@semantics("mfvscr")
def _mfvscr(ctx, f):
    t, vr, nxt, vt = ctx.thread, ctx.thread.vr, ctx.nxt, f["VRT"]

    def run():
        vr[vt] = t.vscr                     # word 3; words 0-2 are 0
        return nxt
    return run


@semantics("mtvscr")
def _mtvscr(ctx, f):
    t, vr, nxt, vb = ctx.thread, ctx.thread.vr, ctx.nxt, f["VRB"]

    def run():
        t.vscr = vr[vb] & M32 & (VSCR_NJ | VSCR_SAT)     # word 3; the ISA defines only NJ and SAT
        return nxt
    return run
