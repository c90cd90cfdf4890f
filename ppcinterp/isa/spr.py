"""Special-purpose registers and the MSR: mtspr/mfspr (by number or SPRN_ name), mtmsrd/mfmsr, mftb."""

from ppcinterp.isa.context import Ctx, Fields, Step
from ppcinterp.isa.table import X, alias, define, operand_function
from ppcinterp.source.statements import Call, Num

F = "spr"

define("mtspr", X(31, 467), "SPR,RS", F)
define("mfspr", X(31, 339), "RT,SPR", F)
define("mftb", X(31, 371), "RT,TBR", F)
define("mtmsrd", X(31, 178), "RS,[L15]", F)
define("mtmsr", X(31, 146), "RS,[L15]", F)
define("mfmsr", X(31, 83), "RT", F)

# mtlr/mflr and friends: the SPRs GNU as knows by name for POWER7 (others go by number: mtspr SPRN_LPCR,r3),
# as (number read, number written) where reading and writing differ; None: no such move.
NAMED_SPRS: dict[str, int | tuple[int | None, int | None]] = {
    "xer": 1, "lr": 8, "ctr": 9, "dscr": 17, "dsisr": 18, "dar": 19, "dec": 22, "sdr1": 25, "srr0": 26, "srr1": 27,
    "cfar": 28, "amr": 29, "ctrl": (136, 152), "vrsave": 256, "tbl": (268, 284), "tbu": (269, 285),
    "pvr": (287, None)}
for _name, _n in NAMED_SPRS.items():
    _read, _write = _n if isinstance(_n, tuple) else (_n, _n)
    if _write is not None:
        alias("mt" + _name, (lambda n: lambda rs: ("mtspr", [Num(n), rs]))(_write))
    if _read is not None:
        alias("mf" + _name, (lambda n: lambda rt: ("mfspr", [rt, Num(n)]))(_read))
for _i in range(4):
    alias(f"mtsprg{_i}", (lambda n: lambda rs: ("mtspr", [Num(n), rs]))(272 + _i))
    alias(f"mfsprg{_i}", (lambda n: lambda rt: ("mfspr", [rt, Num(n)]))(272 + _i))


@operand_function("sprg")
def _sprg(n: int) -> int:
    if not 0 <= n <= 3:
        raise ValueError(f"SPRG{n} does not exist (SPRG0-SPRG3)")
    return 272 + n


@operand_function("tbr")
def _tbr(n: int) -> int:
    if n not in (268, 269):
        raise ValueError(f"time base register {n} does not exist (268: TB, 269: TBU)")
    return n


alias("mtsprg", lambda n, rs: ("mtspr", [Call("sprg", n, n.pos), rs]))
alias("mfsprg", lambda rt, n: ("mfspr", [rt, Call("sprg", n, n.pos)]))
# For POWER4 and later GNU as encodes mftb as mfspr from the TB registers, named or not: the old opcode's row
# stays for decoding words.
alias("mftb", lambda rt: ("mfspr", [rt, Num(268)]), lambda rt, tbr: ("mfspr", [rt, Call("tbr", tbr, tbr.pos)]))


# ---------------------------------------------------------------- semantics

from ppcinterp.isa.sem import MSR_WRITERS  # noqa: E402
from ppcinterp.isa.table import semantics  # noqa: E402
from ppcinterp.isa.templates import Tmpl, template, tmpl  # noqa: E402

MSR_EE, MSR_RI, MSR_HV = 1 << 15, 1 << 1, 1 << 60
TB_READS = (268, 269)


@template("mtspr")
def _mtspr(ctx: Ctx, f: Fields) -> Tmpl | None:
    if f["SPR"] == 1:                 # XER: the 32 defined bits
        return tmpl("spr[1] = g[{RS}] & 0xFFFFFFFF", RS=f["RS"])
    return tmpl("spr[{N}] = g[{RS}]", N=f["SPR"], RS=f["RS"])


def _mfspr(ctx: Ctx, f: Fields) -> Step:
    return _read_tb(ctx, f["RT"], f["SPR"])


@template("mfspr", fallback=_mfspr)
def _mfspr_tmpl(ctx: Ctx, f: Fields) -> Tmpl | None:
    if f["SPR"] in TB_READS:          # the time base: a machine call (_mfspr)
        return None
    return tmpl("g[{RT}] = spr.get({N}, 0)", N=f["SPR"], RT=f["RT"])


def _read_tb(ctx: Ctx, rt: int, n: int) -> Step:
    # The time base is modelled as the machine's step counter (plus a scenario-settable offset).
    g, nxt, machine = ctx.g, ctx.nxt, ctx.machine

    def run() -> int:
        tb = machine.timebase()
        g[rt] = tb >> 32 if n == 269 else tb
        return nxt
    return run


semantics("mftb")(lambda ctx, f: _read_tb(ctx, f["RT"], f["TBR"]))


MSR_WRITERS.update(("mtmsrd", "mtmsr"))      # mtmsrd may switch between 64-bit and 32-bit mode (MSR[SF])


@semantics("mtmsrd", "mtmsr")
def _mtmsrd(ctx: Ctx, f: Fields) -> Step:
    g, t, nxt, rs, l15 = ctx.g, ctx.thread, ctx.nxt, f["RS"], f["L15"]
    wide = ctx.insn.name == "mtmsrd"

    def run() -> int:
        v = g[rs]
        if l15:                        # only EE and RI change
            t.msr = (t.msr & ~(MSR_EE | MSR_RI)) | (v & (MSR_EE | MSR_RI))
        else:                          # MSR[HV] cannot be changed this way
            new = v if wide else (t.msr & ~0xFFFFFFFF) | (v & 0xFFFFFFFF)
            t.msr = (new & ~MSR_HV) | (t.msr & MSR_HV)
        return nxt
    return run


@semantics("mfmsr")
def _mfmsr(ctx: Ctx, f: Fields) -> Step:
    g, t, nxt, rt = ctx.g, ctx.thread, ctx.nxt, f["RT"]

    def run() -> int:
        g[rt] = t.msr
        return nxt
    return run
