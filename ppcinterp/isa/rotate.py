"""Rotate and shift instructions, with the extended mnemonics that are special cases of them."""

from ppcinterp.isa.context import Ctx, Fields
from ppcinterp.isa.table import MD, MDS, M, X, alias, define, operand_function
from ppcinterp.source.statements import Binary, Call, Expr, Num, Operand

F = "rotate"
RC = ("", ".")

define("rlwinm", M(21), "RA,RS,SH,MB,ME", F, rc=True)
define("rlwimi", M(20), "RA,RS,SH,MB,ME", F, rc=True)
define("rlwnm", M(23), "RA,RS,RB,MB,ME", F, rc=True)
define("rldicl", MD(0), "RA,RS,SH6,MB6", F, rc=True)
define("rldicr", MD(1), "RA,RS,SH6,ME6", F, rc=True)
define("rldic", MD(2), "RA,RS,SH6,MB6", F, rc=True)
define("rldimi", MD(3), "RA,RS,SH6,MB6", F, rc=True)
define("rldcl", MDS(8), "RA,RS,RB,MB6", F, rc=True)
define("rldcr", MDS(9), "RA,RS,RB,ME6", F, rc=True)
for _name, _xo in (("slw", 24), ("srw", 536), ("sraw", 792), ("sld", 27), ("srd", 539), ("srad", 794)):
    define(_name, X(31, _xo), "RA,RS,RB", F, rc=True)
define("srawi", X(31, 824), "RA,RS,SH", F, rc=True)
define("sradi", ((31 << 26) | (413 << 2), 0xFC0007FD), "RA,RS,SH6", F, rc=True)


def _mask(base: str, ra: Expr, rs: Expr, sh: Expr, m: Expr) -> tuple[str, list[Operand]]:
    # `rlwinm rA,rS,SH,MASK`: GNU as accepts a contiguous 32-bit mask in place of MB,ME.
    return base, [ra, rs, sh, Call("mask_begin", m, m.pos), Call("mask_end", m, m.pos)]


for _base in ("rlwinm", "rlwimi", "rlwnm"):
    alias(_base, (lambda b: lambda ra, rs, sh, m: _mask(b, ra, rs, sh, m))(_base), suffixes=RC)



# GNU as takes each count of these in a range of its own (a field count up to the width, a bit number below it) and
# writes the fields it makes of them modulo the width: rotrwi by 0 is a rotate left by 0, extlwi of 0 bits has
# ME 31.
for _hi in (31, 32, 63, 64):
    operand_function(f"upto{_hi}")((lambda hi: lambda n: _upto(n, hi))(_hi))


def _upto(n: int, hi: int) -> int:
    if not 0 <= n <= hi:
        raise ValueError(f"operand out of range: {n} is not between 0 and {hi}")
    return n


def _n(e: Expr, hi: int) -> Expr:
    return Call(f"upto{hi}", e, e.pos)


def _mod(e: Expr, width: int) -> Expr:
    return Binary("&", e, Num(width - 1, e.pos), e.pos)


alias("rotlwi", lambda ra, rs, n: ("rlwinm", [ra, rs, n, Num(0), Num(31)]), suffixes=RC)
alias("rotrwi", lambda ra, rs, n: ("rlwinm", [ra, rs, _mod(32 - _n(n, 31), 32), Num(0), Num(31)]), suffixes=RC)
alias("rotlw", lambda ra, rs, rb: ("rlwnm", [ra, rs, rb, Num(0), Num(31)]), suffixes=RC)
alias("slwi", lambda ra, rs, n: ("rlwinm", [ra, rs, n, Num(0), 31 - n]), suffixes=RC)
alias("srwi", lambda ra, rs, n: ("rlwinm", [ra, rs, _mod(32 - n, 32), n, Num(31)]), suffixes=RC)
alias("clrlwi", lambda ra, rs, n: ("rlwinm", [ra, rs, Num(0), n, Num(31)]), suffixes=RC)
alias("clrrwi", lambda ra, rs, n: ("rlwinm", [ra, rs, Num(0), Num(0), 31 - n]), suffixes=RC)
alias("extlwi", lambda ra, rs, n, b: ("rlwinm", [ra, rs, b, Num(0), _mod(_n(n, 32) - 1, 32)]), suffixes=RC)
alias("extrwi", lambda ra, rs, n, b: ("rlwinm", [ra, rs, _mod(_n(b, 31) + _n(n, 31), 32), _mod(32 - n, 32),
                                                 Num(31)]), suffixes=RC)
alias("inslwi", lambda ra, rs, n, b: ("rlwimi", [ra, rs, _mod(32 - _n(b, 31), 32), b,
                                                 _mod(b + _n(n, 32) - 1, 32)]), suffixes=RC)
alias("insrwi", lambda ra, rs, n, b: ("rlwimi", [ra, rs, _mod(32 - (_n(b, 31) + _n(n, 32)), 32), b,
                                                 _mod(b + n - 1, 32)]), suffixes=RC)
alias("clrlslwi", lambda ra, rs, b, n: ("rlwinm", [ra, rs, n, _mod(_n(b, 31) - n, 32), 31 - n]), suffixes=RC)
alias("rotldi", lambda ra, rs, n: ("rldicl", [ra, rs, n, Num(0)]), suffixes=RC)
alias("rotrdi", lambda ra, rs, n: ("rldicl", [ra, rs, _mod(64 - _n(n, 63), 64), Num(0)]), suffixes=RC)
alias("rotld", lambda ra, rs, rb: ("rldcl", [ra, rs, rb, Num(0)]), suffixes=RC)
alias("sldi", lambda ra, rs, n: ("rldicr", [ra, rs, n, 63 - n]), suffixes=RC)
alias("srdi", lambda ra, rs, n: ("rldicl", [ra, rs, _mod(64 - n, 64), n]), suffixes=RC)
alias("clrldi", lambda ra, rs, n: ("rldicl", [ra, rs, Num(0), n]), suffixes=RC)
alias("clrrdi", lambda ra, rs, n: ("rldicr", [ra, rs, Num(0), 63 - n]), suffixes=RC)
alias("extldi", lambda ra, rs, n, b: ("rldicr", [ra, rs, b, _mod(_n(n, 64) - 1, 64)]), suffixes=RC)
alias("extrdi", lambda ra, rs, n, b: ("rldicl", [ra, rs, _mod(_n(b, 63) + _n(n, 63), 64), _mod(64 - n, 64)]),
      suffixes=RC)
alias("insrdi", lambda ra, rs, n, b: ("rldimi", [ra, rs, _mod(64 - (_n(b, 63) + _n(n, 64)), 64), b]), suffixes=RC)
alias("clrlsldi", lambda ra, rs, b, n: ("rldic", [ra, rs, n, _mod(_n(b, 63) - n, 64)]), suffixes=RC)


# ---------------------------------------------------------------- semantics

from ppcinterp.isa.sem import M64, mask64  # noqa: E402
from ppcinterp.isa.templates import Tmpl, cr0, template, tmpl, xer  # noqa: E402


@template("rlwinm", "rldicl", "rldicr")
def _rotate_masked(ctx: Ctx, f: Fields) -> Tmpl | None:
    """The common rotates by template: ROTL32 of the low word (rlwinm) or ROTL64, then a constant mask. A mask
    that takes only the bits shifted left (or only those rotated round) is one shift: slwi, srwi, sldi, srdi,
    clrldi and the field extractions are one or two operations."""
    name = ctx.insn.base_name
    if name == "rlwinm":
        sh, m = f["SH"], mask64(f["MB"] + 32, f["ME"] + 32)
        body = _rotated(sh, m, 32) if f["MB"] <= f["ME"] else (
            "w = g[{RS}] & M32\nw |= w << 32\nr = ((w << {SH}) | (w >> {BACK})) & {M}")
    else:
        sh, m = f["SH6"], mask64(f["MB6"], 63) if name == "rldicl" else mask64(0, f["ME6"])
        body = _rotated(sh, m, 64)
    body += "\ng[{RA}] = r" + ("\n" + cr0(ctx) if ctx.insn.rc else "")
    return tmpl(body, RS=f["RS"], RA=f["RA"], SH=sh, BACK=64 - sh, M=m, SHR=(32 if sh else 0) - sh,
                SHR64=(64 - sh) & 63)


def _rotated(sh: int, m: int, width: int) -> str:
    """`r = ` ROTL(RS, sh) & m for a mask within the low `width` bits (32: rlwinm without a wrapped mask)."""
    low = (1 << sh) - 1                       # the bits a rotate by sh brings round from the top
    if sh == 0:
        return "r = g[{RS}] & {M}"
    if not m & low:                           # only bits shifted left: x << sh
        return "r = (g[{RS}] << {SH}) & {M}"
    top = "(g[{RS}] & M32)" if width == 32 else "g[{RS}]"
    shr = "{SHR}" if width == 32 else "{SHR64}"
    if not m & ~low:                          # only bits rotated round: x >> (width - sh)
        return f"r = {top} >> {shr}" + ("" if m == low else " & {M}")
    return f"r = ((g[{{RS}}] << {{SH}}) | ({top} >> {shr})) & {{M}}"


def _finish(ctx: Ctx, f: Fields, body: str, **params: int) -> Tmpl:
    """`r = ...` lines, then RA = r and CR0 for the record forms."""
    body += "\ng[{RA}] = r" + ("\n" + cr0(ctx) if ctx.insn.rc else "")
    return tmpl(body, False, RS=f["RS"], RA=f["RA"], **params)


@template("rlwimi", "rldic", "rldimi")
def _rotate_insert(ctx: Ctx, f: Fields) -> Tmpl | None:
    """ROTL then a constant mask (rldic's may wrap); the inserts keep RA's bits outside the mask."""
    name = ctx.insn.base_name
    if name == "rlwimi":
        sh, m = f["SH"], mask64(f["MB"] + 32, f["ME"] + 32)
        body = _rotated(sh, m, 32) if f["MB"] <= f["ME"] else (
            "w = g[{RS}] & M32\nw |= w << 32\nr = ((w << {SH}) | (w >> {BACK})) & {M}")
    else:
        sh, m = f["SH6"], mask64(f["MB6"], 63 - f["SH6"])
        body = _rotated(sh, m, 64)
    if name != "rldic":
        pre, _, expr = body.rpartition("r = ")
        body = f"{pre}r = ({expr}) | (g[{{RA}}] & {{KEEP}})"
    return _finish(ctx, f, body, SH=sh, BACK=64 - sh, M=m, SHR=(32 if sh else 0) - sh, SHR64=(64 - sh) & 63,
                   KEEP=~m & M64)


@template("rlwnm", "rldcl", "rldcr")
def _rotate_by_register(ctx: Ctx, f: Fields) -> Tmpl | None:
    """ROTL by RB (low 5 or 6 bits), masked: by 0, `>> width` brings nothing round."""
    name = ctx.insn.base_name
    if name == "rlwnm":
        m = mask64(f["MB"] + 32, f["ME"] + 32)
        body = "n = g[{RB}] & 31\nw = g[{RS}] & M32\nw |= w << 32\nr = ((w << n) | (w >> (64 - n))) & {M}"
    else:
        m = mask64(f["MB6"], 63) if name == "rldcl" else mask64(0, f["ME6"])
        body = "n = g[{RB}] & 63\ns = g[{RS}]\nr = ((s << n) | (s >> (64 - n))) & {M}"
    return _finish(ctx, f, body, RB=f["RB"], M=m)


# Shifts by RB: an amount with bit 32 (64) set shifts everything out, as shifting by it does.
_SHIFTS = {"slw": "(g[{RS}] << (g[{RB}] & 63)) & M32", "srw": "(g[{RS}] & M32) >> (g[{RB}] & 63)",
           "sld": "(g[{RS}] << (g[{RB}] & 127)) & M64", "srd": "g[{RS}] >> (g[{RB}] & 127)"}


@template(*_SHIFTS)
def _shift(ctx: Ctx, f: Fields) -> Tmpl | None:
    return _finish(ctx, f, "r = " + _SHIFTS[ctx.insn.base_name], RB=f["RB"])


@template("sraw", "srawi", "srad", "sradi")
def _shift_right_algebraic(ctx: Ctx, f: Fields) -> Tmpl | None:
    """The low word (sraw) or doubleword, signed, shifted right: an amount past the width leaves the sign in
    every bit. CA = negative and 1 bits were shifted out (of the word or doubleword shifted, in either mode)."""
    name = ctx.insn.base_name
    width = 32 if name.startswith("sraw") else 64
    top = 1 << (width - 1)
    body = f"v = ((g[{{RS}}] & {(top << 1) - 1:#x}) ^ {top:#x}) - {top:#x}\n"
    params = {}
    if name in ("sraw", "srad"):
        body += f"n = g[{{RB}}] & {2 * width - 1}\nr = (v >> n) & M64\n"
        lost = "v & ((1 << n) - 1)"
        params["RB"] = f["RB"]
    else:
        n = f["SH"] if name == "srawi" else f["SH6"]
        body += "r = (v >> {N}) & M64\n"
        lost = "v & {LOW}"
        params |= {"N": n, "LOW": (1 << n) - 1}
    body += xer(ca=f"1 if v < 0 and {lost} else 0")
    return _finish(ctx, f, body, **params)
