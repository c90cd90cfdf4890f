"""VMX (AltiVec) loads, stores and VSCR moves: whole quadwords (lvx/stvx, and lvxl/stvxl, whose LRU hint changes
nothing here), single elements (lve[bhw]x/stve[bhw]x), the permute controls lvsl/lvsr that unaligned copies feed
to vperm, and mfvscr/mtvscr. VRSAVE is SPR 256, moved by mfspr/mtspr. The VX, VA and VC forms the other VMX
modules (vmx_int, vmx_perm) use are here too.

A VR is a 128-bit integer, element 0 (byte 0 in memory, big-endian) its most significant part. The effective
address of every access is masked as the other loads' are (32-bit mode drops its high word), then aligned to
the access: a quadword access ignores the low 4 bits, an element access the bits below its size.
"""

from collections.abc import Callable

from ppcinterp.isa.context import Ctx, Fields, Step
from ppcinterp.isa.table import Semantics, X, define

F = "vector"


def VX(xo: int) -> tuple[int, int]:
    """VX form (opcode 4): 11-bit extended opcode in bits 21-31."""
    return (4 << 26) | xo, 0xFC0007FF


def VA(xo: int) -> tuple[int, int]:
    """VA form (opcode 4): four register fields, 6-bit extended opcode in bits 26-31."""
    return (4 << 26) | xo, 0xFC00003F


def VC(xo: int, rc: bool) -> tuple[int, int]:
    """VC form (opcode 4): the compares; Rc in bit 21 (not 31), 10-bit extended opcode in bits 22-31."""
    return (4 << 26) | (rc << 10) | xo, 0xFC0007FF


for _name, _xo in (("lvx", 103), ("lvxl", 359), ("lvebx", 7), ("lvehx", 39), ("lvewx", 71), ("lvsl", 6),
                   ("lvsr", 38)):
    define(_name, X(31, _xo), "VRT,RA0,RB", F)
for _name, _xo in (("stvx", 231), ("stvxl", 487), ("stvebx", 135), ("stvehx", 167), ("stvewx", 199)):
    define(_name, X(31, _xo), "VRS,RA0,RB", F)
define("mfvscr", VX(1540), "VRT", F)
define("mtvscr", VX(1604), "VRB", F)


# ---------------------------------------------------------------- semantics

from ppcinterp.isa.sem import M32, M64, addr_mask  # noqa: E402
from ppcinterp.isa.table import semantics  # noqa: E402
from ppcinterp.machine.state import M128, VSCR_NJ, VSCR_SAT  # noqa: E402


def _ea(ctx: Ctx, f: Fields, size: int) -> Callable[[], int]:
    """The access's effective address, aligned down to `size` bytes."""
    g, t, ra, rb, align = ctx.g, ctx.thread, f["RA0"], f["RB"], ~(size - 1)
    if ra == 0:
        return lambda: g[rb] & addr_mask(t) & align
    return lambda: (g[ra] + g[rb]) & addr_mask(t) & align


def _quad(store: bool) -> Semantics:
    def factory(ctx: Ctx, f: Fields) -> Step:
        vr, read, write, nxt, ea = ctx.thread.vr, ctx.mem.read, ctx.mem.write, ctx.nxt, _ea(ctx, f, 16)
        v = f.get("VRT", f.get("VRS"))
        assert v is not None        # a load's VRT or a store's VRS

        if store:
            def run() -> int:
                a, x = ea(), vr[v]
                write(a, 8, x >> 64)
                write(a + 8, 8, x & M64)
                return nxt
        else:
            def run() -> int:
                a = ea()
                vr[v] = (read(a, 8) << 64) | read(a + 8, 8)
                return nxt
        return run
    return factory


semantics("lvx", "lvxl")(_quad(False))
semantics("stvx", "stvxl")(_quad(True))


def _element(size: int, store: bool) -> Semantics:
    """lve[bhw]x / stve[bhw]x: the element at byte EA & 15 of the register; a load leaves the other elements as
    they were (the ISA leaves them undefined; QEMU, like this, keeps them)."""
    bits, mask = 8 * size, (1 << 8 * size) - 1

    def factory(ctx: Ctx, f: Fields) -> Step:
        vr, read, write, nxt, ea = ctx.thread.vr, ctx.mem.read, ctx.mem.write, ctx.nxt, _ea(ctx, f, size)
        v = f.get("VRT", f.get("VRS"))
        assert v is not None        # a load's VRT or a store's VRS

        if store:
            def run() -> int:
                a = ea()
                write(a, size, vr[v] >> (128 - bits - 8 * (a & 15)) & mask)
                return nxt
        else:
            def run() -> int:
                a = ea()
                sh = 128 - bits - 8 * (a & 15)
                vr[v] = vr[v] & ~(mask << sh) & M128 | read(a, size) << sh
                return nxt
        return run
    return factory


for _size, _suffix in ((1, "b"), (2, "h"), (4, "w")):
    semantics(f"lve{_suffix}x")(_element(_size, False))
    semantics(f"stve{_suffix}x")(_element(_size, True))

# lvsl: bytes sh, sh+1, ..., sh+15 for sh = EA & 15; lvsr: 16-sh ... 31-sh. No memory is accessed.
_LVSL = [int.from_bytes(bytes(range(sh, sh + 16)), "big") for sh in range(16)]
_LVSR = [int.from_bytes(bytes(range(16 - sh, 32 - sh)), "big") for sh in range(16)]


@semantics("lvsl", "lvsr")
def _lvs(ctx: Ctx, f: Fields) -> Step:
    vr, nxt, vt, ea = ctx.thread.vr, ctx.nxt, f["VRT"], _ea(ctx, f, 1)
    table = _LVSL if ctx.insn.name == "lvsl" else _LVSR

    def run() -> int:
        vr[vt] = table[ea() & 15]
        return nxt
    return run


@semantics("mfvscr")
def _mfvscr(ctx: Ctx, f: Fields) -> Step:
    t, vr, nxt, vt = ctx.thread, ctx.thread.vr, ctx.nxt, f["VRT"]

    def run() -> int:
        vr[vt] = t.vscr                     # word 3; words 0-2 are 0
        return nxt
    return run


@semantics("mtvscr")
def _mtvscr(ctx: Ctx, f: Fields) -> Step:
    t, vr, nxt, vb = ctx.thread, ctx.thread.vr, ctx.nxt, f["VRB"]

    def run() -> int:
        t.vscr = vr[vb] & M32 & (VSCR_NJ | VSCR_SAT)     # word 3; the ISA defines only NJ and SAT
        return nxt
    return run
