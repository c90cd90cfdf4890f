"""Compare and trap instructions."""

from ppcinterp.isa.context import Ctx, Fields, Step
from ppcinterp.isa.table import D, Semantics, X, alias, define
from ppcinterp.source.statements import Num

F = "compare"

define("cmp", X(31, 0), "BF,L,RA,RB", F)
define("cmpi", D(11), "BF,L,RA,SI", F)
define("cmpl", X(31, 32), "BF,L,RA,RB", F)
define("cmpli", D(10), "BF,L,RA,UIS", F)          # UI: a negative value too, as its 16 bits
define("tw", X(31, 4), "TO,RA,RB", F)
define("td", X(31, 68), "TO,RA,RB", F)
define("twi", D(3), "TO,RA,SI", F)
define("tdi", D(2), "TO,RA,SI", F)

# cmpwi [crN,] rA, SI and friends: the optional first operand is the CR field (cr0 when omitted).
for _name, _base, _l in (("cmpw", "cmp", 0), ("cmpd", "cmp", 1), ("cmplw", "cmpl", 0), ("cmpld", "cmpl", 1),
                         ("cmpwi", "cmpi", 0), ("cmpdi", "cmpi", 1), ("cmplwi", "cmpli", 0),
                         ("cmpldi", "cmpli", 1)):
    alias(_name,
          (lambda b, wide: lambda ra, x: (b, [Num(0), Num(wide), ra, x]))(_base, _l),
          (lambda b, wide: lambda bf, ra, x: (b, [bf, Num(wide), ra, x]))(_base, _l))

# cmp crN,rA,rB (cmpl, cmpi, cmpli too) without L: a word compare (L=0), as GNU as read it when v3.10 was written
# (idle_power7.S's `cmp cr0,r0,r0`, opal-takeover.S's `cmpli cr0,r4,0`); GNU as 2.40 wants L in 64-bit code.
for _name in ("cmp", "cmpi", "cmpl", "cmpli"):
    alias(_name, (lambda b: lambda bf, ra, x: (b, [bf, Num(0), ra, x]))(_name))

alias("trap", lambda: ("tw", [Num(31), Num(0), Num(0)]))

# Conditional traps: tw<cond> rA,rB / tw<cond>i rA,SI and the doubleword forms, by TO condition code.
TRAP_CONDITIONS = {"lt": 16, "le": 20, "eq": 4, "ge": 12, "gt": 8, "nl": 12, "ne": 24, "ng": 20, "llt": 2,
                   "lle": 6, "lge": 5, "lgt": 1, "lnl": 5, "lng": 6, "u": 31}
for _cond, _to in TRAP_CONDITIONS.items():
    for _w in ("w", "d"):
        alias(f"t{_w}{_cond}", (lambda to, b: lambda ra, rb: (b, [Num(to), ra, rb]))(_to, f"t{_w}"))
        alias(f"t{_w}{_cond}i", (lambda to, b: lambda ra, si: (b, [Num(to), ra, si]))(_to, f"t{_w}i"))


# ---------------------------------------------------------------- semantics

from ppcinterp.isa.sem import M64, s32, s64  # noqa: E402
from ppcinterp.isa.stops import Trap  # noqa: E402
from ppcinterp.isa.table import semantics  # noqa: E402
from ppcinterp.isa.templates import Tmpl, template, tmpl  # noqa: E402


def _operand(reg: str, signed: bool, wide: bool) -> str:
    """An expression for a register as the comparison sees it: 32 or 64 bits, and signed compares biased by
    the sign bit, so that unsigned order is the signed order (one add or xor instead of a branch)."""
    if wide:
        return f"(g[{reg}] ^ 0x8000000000000000)" if signed else f"g[{reg}]"
    return f"((g[{reg}] + 0x80000000) & M32)" if signed else f"(g[{reg}] & M32)"


@template("cmp", "cmpi", "cmpl", "cmpli")
def _compare(ctx: Ctx, f: Fields) -> Tmpl | None:
    name = ctx.insn.base_name
    signed, wide = name in ("cmp", "cmpi"), f["L"] == 1
    regs = {"BF": f["BF"], "RA": f["RA"]}
    body = f"a = {_operand('{RA}', signed, wide)}\n"
    if "RB" in f:
        body += f"b = {_operand('{RB}', signed, wide)}\n"
        regs["RB"], rhs = f["RB"], "b"
    else:
        imm = f["SI"] if signed else f["UI"]
        bias = (1 << 63 if wide else 1 << 31) if signed else 0
        regs["I"], rhs = (imm + bias) & (M64 if wide else 0xFFFFFFFF) if signed else imm, "{I}"
    body += f"cr[{{BF}}] = (LT if a < {rhs} else GT if a > {rhs} else EQ) | (spr.get(XER, 0) >> 31 & 1)"
    return tmpl(body, False, **regs)


def _trap(wide: bool, imm: bool) -> Semantics:
    def factory(ctx: Ctx, f: Fields) -> Step:
        g, nxt, to, ra = ctx.g, ctx.nxt, f["TO"], f["RA"]
        rb, si = f.get("RB", 0), f.get("SI", 0)       # the one the form has (imm: SI, else RB) is read
        name = ctx.insn.name

        def run() -> int:
            a = g[ra] if wide else g[ra] & 0xFFFFFFFF
            b = (si & M64 if wide else si & 0xFFFFFFFF) if imm else (g[rb] if wide else g[rb] & 0xFFFFFFFF)
            sa, sb = (s64(a), s64(b)) if wide else (s32(a), s32(b))
            if ((to & 16 and sa < sb) or (to & 8 and sa > sb) or (to & 4 and a == b)
                    or (to & 2 and a < b) or (to & 1 and a > b)):
                raise Trap(f"{name} trapped (TO={to})")
            return nxt
        return run
    return factory


semantics("tw")(_trap(False, False))
semantics("td")(_trap(True, False))
semantics("twi")(_trap(False, True))
semantics("tdi")(_trap(True, True))
