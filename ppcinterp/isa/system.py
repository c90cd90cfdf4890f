"""Storage synchronisation, context-changing returns, power saving, SLB/TLB management and cache control."""

from ppcinterp.isa.context import Ctx, Fields, Step
from ppcinterp.isa.table import Semantics, X, alias, define
from ppcinterp.source.statements import Num

F = "system"


def _sync(v: dict[str, int]) -> tuple[str, str] | None:
    return ("LS", f"sync {v['LS']} is reserved (0: hwsync, 1: lwsync, 2: ptesync)") if v["LS"] == 3 else None


def _dcbf(v: dict[str, int]) -> tuple[str, str] | None:
    return ("LS", "dcbf L=2 is reserved (0: dcbf, 1: dcbfl, 3: dcbflp)") if v["LS"] == 2 else None


define("sync", X(31, 598), "[LS]", F, check=_sync)
define("isync", X(19, 150), "", F)
define("eieio", X(31, 854), "", F)
define("rfid", X(19, 18), "", F)
define("hrfid", X(19, 274), "", F)
define("nap", X(19, 434), "", F)
define("sleep", X(19, 466), "", F)
define("rvwinkle", X(19, 498), "", F)
define("sc", ((17 << 26) | 2, 0xFC000003), "[LEV]", F)
define("slbia", X(31, 498), "[IH]", F)
define("slbie", X(31, 434), "RB", F)
define("slbmte", X(31, 402), "RS,RB", F)
define("slbmfee", X(31, 915), "RT,RB", F)
define("slbmfev", X(31, 851), "RT,RB", F)
define("slbfee.", X(31, 979, 1), "RT,RB", F)        # record form only (Rc=1 is part of the opcode)
define("tlbie", X(31, 306), "RB,RS", F)           # ISA 2.06 has L in RS's low bit; GNU as takes RS
define("tlbiel", X(31, 274), "RB,[L]", F)
define("tlbsync", X(31, 566), "", F)
for _name, _xo in (("dcbst", 54), ("dcbz", 1014), ("icbi", 982), ("dcbi", 470)):
    define(_name, X(31, _xo), "RA0,RB", F)
define("dcbf", X(31, 86), "RA0,RB,[LS]", F, check=_dcbf)
define("dcbt", X(31, 278), "RA0,RB,[TH]", F)
define("dcbtst", X(31, 246), "RA0,RB,[TH]", F)

alias("hwsync", lambda: ("sync", [Num(0)]))
alias("lwsync", lambda: ("sync", [Num(1)]))
alias("ptesync", lambda: ("sync", [Num(2)]))
alias("dcbtt", lambda ra, rb: ("dcbt", [ra, rb, Num(16)]))
alias("dcbfl", lambda ra, rb: ("dcbf", [ra, rb, Num(1)]))
alias("dcbtstt", lambda ra, rb: ("dcbtst", [ra, rb, Num(16)]))


# ---------------------------------------------------------------- semantics

from ppcinterp.isa.sem import EQ, M32, M64, MSR_WRITERS, SO, XER, addr_mask  # noqa: E402
from ppcinterp.isa.stops import ContextReturn, PowerSave, Trap  # noqa: E402
from ppcinterp.isa.table import semantics  # noqa: E402
from ppcinterp.isa.templates import Tmpl, template, tmpl  # noqa: E402

SRR0, SRR1, HSRR0, HSRR1 = 26, 27, 314, 315
CACHE_LINE = 128            # POWER7 data cache block, cleared by dcbz


@template("sync", "isync", "eieio", "dcbf", "dcbst", "icbi", "dcbt", "dcbtst", "dcbi", "tlbie", "tlbiel",
          "tlbsync", "slbie")
def _no_state(ctx: Ctx, f: Fields) -> Tmpl | None:
    """Barriers, cache hints and TLB invalidation: no architected register or memory state changes here.
    The journal still records the step (and so the barrier) like any other instruction."""
    return tmpl("pass")


MSR_WRITERS.update(("rfid", "hrfid"))


def _return(srr0: int, srr1: int) -> Semantics:
    """rfid/hrfid: MSR from (H)SRR1 and on at (H)SRR0, whose high 32 bits are 0 if the new MSR is 32-bit mode."""
    def factory(ctx: Ctx, f: Fields) -> Step:
        spr, t, name = ctx.spr, ctx.thread, ctx.insn.name

        def run() -> int:
            msr = spr.get(srr1, 0)
            target = spr.get(srr0, 0) & ~3 & (M64 if msr >> 63 else M32)
            t.msr = msr
            raise ContextReturn(name, target, msr)
        return run
    return factory


semantics("rfid")(_return(SRR0, SRR1))
semantics("hrfid")(_return(HSRR0, HSRR1))


@semantics("nap", "sleep", "rvwinkle")
def _power_save(ctx: Ctx, f: Fields) -> Step:
    name = ctx.insn.name

    def run() -> int:
        raise PowerSave(f"{name}: the thread enters power-saving mode")
    return run


@semantics("sc")
def _sc(ctx: Ctx, f: Fields) -> Step:
    lev = f["LEV"]

    def run() -> int:
        raise Trap(f"system call (sc {lev})")
    return run


@semantics("dcbz")
def _dcbz(ctx: Ctx, f: Fields) -> Step:
    g, mem, nxt, ra, rb, t = ctx.g, ctx.mem, ctx.nxt, f["RA0"], f["RB"], ctx.thread

    def run() -> int:
        a = ((g[ra] if ra else 0) + g[rb]) & addr_mask(t) & ~(CACHE_LINE - 1)
        for off in range(0, CACHE_LINE, 8):
            mem.write(a + off, 8, 0)
        return nxt
    return run


@semantics("slbia")
def _slbia(ctx: Ctx, f: Fields) -> Step:
    nxt, machine = ctx.nxt, ctx.machine

    def run() -> int:
        for i in range(1, len(machine.slb)):                    # entry 0 is not invalidated by slbia
            machine.set_slb(i, (0, 0))
        return nxt
    return run


@semantics("slbmte")
def _slbmte(ctx: Ctx, f: Fields) -> Step:
    g, nxt, machine, rs, rb = ctx.g, ctx.nxt, ctx.machine, f["RS"], f["RB"]

    def run() -> int:
        esid = g[rb]
        index = esid & 0xFFF
        if index >= len(machine.slb):
            raise Trap(f"slbmte: SLB entry {index} does not exist (the model has {len(machine.slb)})")
        machine.set_slb(index, (esid, g[rs]))
        return nxt
    return run


@semantics("slbmfee", "slbmfev")
def _slbmf(ctx: Ctx, f: Fields) -> Step:
    g, nxt, machine, rt, rb = ctx.g, ctx.nxt, ctx.machine, f["RT"], f["RB"]
    which = 0 if ctx.insn.name == "slbmfee" else 1
    name = ctx.insn.name

    def run() -> int:
        index = g[rb] & 0xFFF
        if index >= len(machine.slb):
            raise Trap(f"{name}: SLB entry {index} does not exist (the model has {len(machine.slb)})")
        g[rt] = machine.slb[index][which]
        return nxt
    return run


SLB_V = 1 << 27                          # ESID word bit 36: the entry is valid
ESID_256M, ESID_1T = ~((1 << 28) - 1) & M64, ~((1 << 40) - 1) & M64


@semantics("slbfee.")
def _slbfee(ctx: Ctx, f: Fields) -> Step:
    """ISA 2.06 Book III-S: search the SLB as translation would for the segment of (RB); the matching valid
    entry's VSID word (as slbmfev reads it) goes to RT, else RT = 0. CR0 = 0b00 || found || XER[SO]."""
    g, cr, spr, nxt, machine, rt, rb = ctx.g, ctx.cr, ctx.spr, ctx.nxt, ctx.machine, f["RT"], f["RB"]

    def run() -> int:
        ea = g[rb]
        found = None
        for esid, vsid in machine.slb:
            if not esid & SLB_V:
                continue
            b = vsid >> 62                 # segment size: 0b00 256 MB, 0b01 1 TB (others match nothing)
            mask = ESID_256M if b == 0 else ESID_1T if b == 1 else None
            if mask is not None and esid & mask == ea & mask:
                found = vsid               # the first match, as if it were the only one
                break
        g[rt] = 0 if found is None else found
        cr[0] = (EQ if found is not None else 0) | (1 if spr.get(XER, 0) & SO else 0)
        return nxt
    return run
