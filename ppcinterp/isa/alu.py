"""Integer arithmetic and logical instructions."""

from collections.abc import Callable

from ppcinterp.isa.context import Ctx, Fields, Step
from ppcinterp.isa.table import XO, D, Semantics, X, alias, define
from ppcinterp.source.statements import Num

F = "alu"

define("addi", D(14), "RT,RA0,SI", F)
define("addis", D(15), "RT,RA0,SIS", F)
define("addic", D(12), "RT,RA,SI", F)
define("addic.", D(13), "RT,RA,SI", F)
define("subfic", D(8), "RT,RA,SI", F)
define("mulli", D(7), "RT,RA,SI", F)

for _name, _xo in (("add", 266), ("addc", 10), ("adde", 138), ("subf", 40), ("subfc", 8), ("subfe", 136),
                   ("mullw", 235), ("mulld", 233), ("divw", 491), ("divwu", 459), ("divd", 489),
                   ("divdu", 457)):
    define(_name, XO(31, _xo), "RT,RA,RB", F, rc=True, oe=True)
for _name, _xo in (("addme", 234), ("addze", 202), ("subfme", 232), ("subfze", 200), ("neg", 104)):
    define(_name, XO(31, _xo), "RT,RA", F, rc=True, oe=True)
for _name, _xo in (("mulhw", 75), ("mulhwu", 11), ("mulhd", 73), ("mulhdu", 9)):
    define(_name, XO(31, _xo), "RT,RA,RB", F, rc=True)

define("andi.", D(28), "RA,RS,UI", F)
define("andis.", D(29), "RA,RS,UI", F)
define("ori", D(24), "RA,RS,UI", F)
define("oris", D(25), "RA,RS,UI", F)
define("xori", D(26), "RA,RS,UI", F)
define("xoris", D(27), "RA,RS,UI", F)
for _name, _xo in (("and", 28), ("andc", 60), ("or", 444), ("orc", 412), ("xor", 316), ("nand", 476),
                   ("nor", 124), ("eqv", 284)):
    define(_name, X(31, _xo), "RA,RS,RB", F, rc=True)
for _name, _xo in (("extsb", 954), ("extsh", 922), ("extsw", 986), ("cntlzw", 26), ("cntlzd", 58)):
    define(_name, X(31, _xo), "RA,RS", F, rc=True)
for _name, _xo in (("popcntb", 122), ("popcntw", 378), ("popcntd", 506)):
    define(_name, X(31, _xo), "RA,RS", F)
define("cmpb", X(31, 508), "RA,RS,RB", F)

alias("li", lambda rt, si: ("addi", [rt, Num(0), si]))
alias("lis", lambda rt, si: ("addis", [rt, Num(0), si]))
alias("la", lambda rt, mem: ("addi", [rt, mem.base, mem.disp]))
alias("subi", lambda rt, ra, si: ("addi", [rt, ra, -si]))
alias("subis", lambda rt, ra, si: ("addis", [rt, ra, -si]))
alias("subic", lambda rt, ra, si: ("addic", [rt, ra, -si]))
alias("subic.", lambda rt, ra, si: ("addic.", [rt, ra, -si]))
alias("sub", lambda rt, ra, rb: ("subf", [rt, rb, ra]), suffixes=("", ".", "o", "o."))
alias("subc", lambda rt, ra, rb: ("subfc", [rt, rb, ra]), suffixes=("", ".", "o", "o."))
alias("mr", lambda ra, rs: ("or", [ra, rs, rs]), suffixes=("", "."))
alias("not", lambda ra, rs: ("nor", [ra, rs, rs]), suffixes=("", "."))
alias("nop", lambda: ("ori", [Num(0), Num(0), Num(0)]))
alias("xnop", lambda: ("xori", [Num(0), Num(0), Num(0)]))


# ---------------------------------------------------------------- semantics

from ppcinterp.isa.sem import M64, cr0_bits  # noqa: E402
from ppcinterp.isa.table import semantics  # noqa: E402
from ppcinterp.isa.templates import CARRY, Tmpl, cr0, template, tmpl, xer  # noqa: E402


@template("addi", "addis")
def _addi(ctx: Ctx, f: Fields) -> Tmpl | None:
    imm = f["SI"] if ctx.insn.base_name == "addi" else f["SIS"] << 16
    if f["RA0"] == 0:
        return tmpl("g[{RT}] = {V}", RT=f["RT"], V=imm & M64)
    return tmpl("g[{RT}] = (g[{RA}] + {V}) & M64", RT=f["RT"], RA=f["RA0"], V=imm)


def _done(ctx: Ctx, body: str, **regs: int) -> Tmpl:
    """The lines that compute `r`, then RT = r and CR0 for the record forms."""
    return tmpl(body + "\ng[{RT}] = r" + ("\n" + cr0(ctx) if ctx.insn.rc else ""), False, **regs)


def _operands(f: Fields) -> dict[str, int]:
    return {k: f[k] for k in ("RT", "RA", "RB") if k in f} | ({"I": f["SI"] & M64} if "SI" in f else {})


# Overflow of x + y (+ carry) giving r: x and y agree in sign and r does not; in 32-bit mode the sign is bit 32
# (of the low words), as the ISA's "o" forms define it there.
_OV = {True: "((x ^ r) & (y ^ r)) >> 63", False: "((x ^ r) & (y ^ r)) >> 31 & 1"}


@template("add", "subf")
def _add_subf(ctx: Ctx, f: Fields) -> Tmpl | None:
    """RT = RA + RB, or ~RA + RB + 1; XER[OV,SO] for the 'o' forms, CR0 for '.'."""
    add, oe, rc = ctx.insn.base_name == "add", ctx.insn.oe, ctx.insn.rc
    if not (oe or rc):                  # ~RA + RB + 1 is RB - RA modulo 2**64
        body = "g[{RT}] = (g[{RA}] + g[{RB}]) & M64" if add else "g[{RT}] = (g[{RB}] - g[{RA}]) & M64"
        return tmpl(body, False, **_operands(f))
    body = f"x = {'g[{RA}]' if add else '(g[{RA}] ^ M64)'}\ny = g[{{RB}}]\nr = (x + y{'' if add else ' + 1'}) & M64"
    if oe:
        body += "\n" + xer(ov=_OV[ctx.sf])
    return _done(ctx, body, **_operands(f))


# The carry family, RT = x + y + carry-in: XER[CA] = the carry out of the doubleword, bit 64 of the sum (neg:
# none), XER[OV,SO] for the 'o' forms, CR0 for '.'. In 32-bit mode CA is the carry out of the low word: bit 32
# of s ^ x ^ y, the carries into each bit of the sum.
_NOT_RA = "(g[{RA}] ^ M64)"
_SUMS = {"addc": ("g[{RA}]", "g[{RB}]", ""), "adde": ("g[{RA}]", "g[{RB}]", CARRY),
         "addme": ("g[{RA}]", "M64", CARRY), "addze": ("g[{RA}]", "0", CARRY),
         "subfc": (_NOT_RA, "g[{RB}]", "1"), "subfe": (_NOT_RA, "g[{RB}]", CARRY),
         "subfme": (_NOT_RA, "M64", CARRY), "subfze": (_NOT_RA, "0", CARRY), "neg": (_NOT_RA, "0", "1"),
         "addic": ("g[{RA}]", "{I}", ""), "addic.": ("g[{RA}]", "{I}", ""), "subfic": (_NOT_RA, "{I}", "1")}


@template(*_SUMS)
def _sum(ctx: Ctx, f: Fields) -> Tmpl | None:
    name, oe = ctx.insn.base_name, ctx.insn.oe
    x, y, cin = _SUMS[name]
    if name == "neg" and not oe:
        return _done(ctx, "r = -g[{RA}] & M64", **_operands(f))          # ~RA + 1
    if oe or not ctx.sf:
        body, terms = f"x = {x}\ny = {y}\n", ["x", "y", cin]
    else:
        body, terms = "", [x, y if y != "0" else "", cin]
    body += f"s = {' + '.join(t for t in terms if t)}\nr = s & M64\n"
    carry = ("s >> 64" if ctx.sf else "(s ^ x ^ y) >> 32 & 1") if name != "neg" else None
    body += xer(carry, _OV[ctx.sf] if oe else None)
    return _done(ctx, body, **_operands(f))


def _s32(reg: str) -> str:
    return f"(((g[{{{reg}}}] & M32) ^ 0x80000000) - 0x80000000)"


def _s64(reg: str) -> str:
    return f"((g[{{{reg}}}] ^ 0x8000000000000000) - 0x8000000000000000)"


# Multiplies: RT's value, or (the full product p, the 'o' forms' overflow test): RT = p & M64. The high word of a
# 32-bit multiply-high or divide result is undefined in the ISA (and so are CR0's LT, GT, EQ in 64-bit mode);
# like QEMU we zero-extend the 32-bit result, signed or not, and set CR0 from that.
_MULTIPLIES = {
    "mulli": f"({_s64('RA')} * {{I}}) & M64",
    "mulld": (f"{_s64('RA')} * {_s64('RB')}", "(p + 0x8000000000000000) >> 64 != 0"),
    "mullw": (f"{_s32('RA')} * {_s32('RB')}", "(p + 0x80000000) >> 32 != 0"),
    "mulhd": f"({_s64('RA')} * {_s64('RB')}) >> 64 & M64",
    "mulhdu": "(g[{RA}] * g[{RB}]) >> 64",
    "mulhw": f"({_s32('RA')} * {_s32('RB')}) >> 32 & M32",
    "mulhwu": "((g[{RA}] & M32) * (g[{RB}] & M32)) >> 32",
}


@template(*_MULTIPLIES)
def _multiply(ctx: Ctx, f: Fields) -> Tmpl | None:
    form = _MULTIPLIES[ctx.insn.base_name]
    if isinstance(form, str):
        return _done(ctx, f"r = {form}", **_operands(f))
    product, ov = form
    if not ctx.insn.oe:
        return _done(ctx, f"r = ({product}) & M64", **_operands(f))
    return _done(ctx, f"p = {product}\nr = p & M64\n{xer(ov=ov)}", **_operands(f))


@template("divw", "divwu", "divd", "divdu")
def _divide(ctx: Ctx, f: Fields) -> Tmpl | None:
    """RT = RA / RB, the quotient truncated; 32 bits (divw, divwu) zero-extended. RT is undefined after a divide
    by zero or overflow; QEMU divides by 1 instead (RT = the dividend), and so do we. (-2**31 / -1 without OE:
    the quotient 2**31 leaves the same 32 bits as the dividend.)"""
    name, oe = ctx.insn.base_name, ctx.insn.oe
    mask = "M32" if name.startswith("divw") else "M64"
    if name in ("divwu", "divdu"):
        ext = "g[{RA}] & M32\nb = g[{RB}] & M32" if mask == "M32" else "g[{RA}]\nb = g[{RB}]"
        body, ov = f"a = {ext}\nr = a // b if b else a", "not b"
    else:
        s, lo = (_s32, "-0x80000000") if mask == "M32" else (_s64, "-0x8000000000000000")
        body = f"a = {s('RA')}\nb = {s('RB')}\n"
        if oe:
            body += f"ok = b != 0 and (b != -1 or a != {lo})\n"
        body += f"r = (a // b if (a ^ b) >= 0 else -(-a // b)) & {mask} if {'ok' if oe else 'b'} else a & {mask}"
        ov = "not ok"
    if oe:
        body += "\n" + xer(ov=ov)
    return _done(ctx, body, **_operands(f))


def _logical(fn: Callable[[int, int], int], imm_field: str | None = None, shift: int = 0) -> Semantics:
    def factory(ctx: Ctx, f: Fields) -> Step:
        g, cr, spr, nxt, ra, rs = ctx.g, ctx.cr, ctx.spr, ctx.nxt, f["RA"], f["RS"]
        rb = f.get("RB")
        imm = (f[imm_field] << shift) if imm_field else None
        rc = ctx.insn.rc
        if imm is not None and not rc:
            def run() -> int:
                g[ra] = fn(g[rs], imm)
                return nxt
        else:
            def run() -> int:
                r = fn(g[rs], imm if imm is not None else g[rb] if rb is not None else 0) & M64
                g[ra] = r
                if rc:
                    cr[0] = cr0_bits(r, spr)
                return nxt
        return run
    return factory


semantics("popcntb")(_logical(lambda a, _: sum(((a >> (8 * i)) & 0xFF).bit_count() << (8 * i) for i in range(8))))
semantics("cmpb")(_logical(lambda a, b: sum(0xFF << (8 * i) for i in range(8)
                                            if (a >> (8 * i)) & 0xFF == (b >> (8 * i)) & 0xFF)))


# The common logical instructions by template: the expression over {S} (RS), {B} (RB) or the immediate {I}.
_LOGICAL = {"and": "{S} & {B}", "andc": "{S} & ~{B}", "or": "{S} | {B}", "xor": "{S} ^ {B}",
            "nor": "({S} | {B}) ^ M64", "eqv": "({S} ^ {B}) ^ M64", "andi.": "{S} & {I}", "andis.": "{S} & {I}",
            "ori": "{S} | {I}", "oris": "{S} | {I}", "xori": "{S} ^ {I}", "xoris": "{S} ^ {I}",
            "extsb": "(({S} & 0xFF) ^ 0x80) - 0x80 & M64", "extsh": "(({S} & 0xFFFF) ^ 0x8000) - 0x8000 & M64",
            "extsw": "(({S} & M32) ^ 0x80000000) - 0x80000000 & M64", "orc": "{S} | ({B} ^ M64)",
            "nand": "({S} & {B}) ^ M64", "cntlzw": "32 - ({S} & M32).bit_length()", "cntlzd": "64 - {S}.bit_length()",
            "popcntd": "{S}.bit_count()", "popcntw": "({S} >> 32).bit_count() << 32 | ({S} & M32).bit_count()"}


@template(*_LOGICAL)
def _logical_tmpl(ctx: Ctx, f: Fields) -> Tmpl | None:
    name = ctx.insn.base_name
    shift = 16 if name in ("andis.", "oris", "xoris") else 0
    expr = _LOGICAL[name].format(S="g[{RS}]", B="g[{RB}]", I="{I}")
    regs = {"RA": f["RA"], "RS": f["RS"]} | ({"RB": f["RB"]} if "RB" in f else {})
    if "UI" in f:
        regs["I"] = f["UI"] << shift
    if not ctx.insn.rc:
        return tmpl(f"g[{{RA}}] = {expr}", False, **regs)
    return tmpl(f"r = {expr}\ng[{{RA}}] = r\n{cr0(ctx)}", False, **regs)
