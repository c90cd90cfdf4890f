"""Integer arithmetic and logical instructions."""

from ppcinterp.isa.table import XO, D, X, alias, define
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

from ppcinterp.isa.sem import M32, M64, XER, cr0_bits, s32, s64, set_xer  # noqa: E402
from ppcinterp.isa.table import semantics  # noqa: E402
from ppcinterp.isa.templates import CR0, template, tmpl  # noqa: E402


@template("addi", "addis")
def _addi(ctx, f):
    imm = f["SI"] if ctx.insn.base_name == "addi" else f["SIS"] << 16
    if f["RA0"] == 0:
        return tmpl("g[{RT}] = {V}", RT=f["RT"], V=imm & M64)
    return tmpl("g[{RT}] = (g[{RA}] + {V}) & M64", RT=f["RT"], RA=f["RA0"], V=imm)


@template("add", "subf")
def _add_subf(ctx, f):
    """RT = RA + RB, or ~RA + RB + 1; XER[OV,SO] for the 'o' forms, CR0 for '.'."""
    add, oe, rc = ctx.insn.base_name == "add", ctx.insn.oe, ctx.insn.rc
    a, cin = ("g[{RA}]", "") if add else ("(g[{RA}] ^ M64)", " + 1")
    regs = {"RT": f["RT"], "RA": f["RA"], "RB": f["RB"]}
    if not (oe or rc):                  # ~RA + RB + 1 is RB - RA modulo 2**64
        return tmpl("g[{RT}] = (g[{RA}] + g[{RB}]) & M64" if add else "g[{RT}] = (g[{RB}] - g[{RA}]) & M64", **regs)
    body = f"x = {a}\ny = g[{{RB}}]\nr = (x + y{cin}) & M64\n"
    if oe:
        body += "set_xer(spr, None, ((x ^ r) & (y ^ r)) >> 63)\n"
    body += "g[{RT}] = r"
    if rc:
        body += "\n" + CR0
    return tmpl(body, **regs)


def _adder(ctx, f, a, b, cin, carry: bool):
    """RT = a() + b() + cin(), with XER[CA] if `carry`, XER[OV,SO] for the 'o' forms, CR0 for '.'."""
    g, cr, spr, nxt, rt = ctx.g, ctx.cr, ctx.spr, ctx.nxt, f["RT"]
    oe, rc = ctx.insn.oe, ctx.insn.rc
    if not (carry or oe or rc) and cin is None:
        def run():
            g[rt] = (a() + b()) & M64
            return nxt
        return run

    def run():
        x, y = a(), b()
        full = x + y + (cin() if cin else 0)
        r = full & M64
        if carry or oe:
            set_xer(spr, full >> 64 if carry else None, ((x ^ r) & (y ^ r)) >> 63 if oe else None)
        g[rt] = r
        if rc:
            cr[0] = cr0_bits(r, spr)
        return nxt
    return run


def _reg(ctx, n):
    g = ctx.g
    return lambda: g[n]


def _not(ctx, n):
    g = ctx.g
    return lambda: g[n] ^ M64


def _const(v):
    return lambda: v


def _ca(ctx):
    spr = ctx.spr
    return lambda: (spr.get(XER, 0) >> 29) & 1


@semantics("addc")
def _addc(ctx, f):
    return _adder(ctx, f, _reg(ctx, f["RA"]), _reg(ctx, f["RB"]), None, True)


@semantics("adde")
def _adde(ctx, f):
    return _adder(ctx, f, _reg(ctx, f["RA"]), _reg(ctx, f["RB"]), _ca(ctx), True)


@semantics("addme")
def _addme(ctx, f):
    return _adder(ctx, f, _reg(ctx, f["RA"]), _const(M64), _ca(ctx), True)


@semantics("addze")
def _addze(ctx, f):
    return _adder(ctx, f, _reg(ctx, f["RA"]), _const(0), _ca(ctx), True)


@semantics("subfc")
def _subfc(ctx, f):
    return _adder(ctx, f, _not(ctx, f["RA"]), _reg(ctx, f["RB"]), _const(1), True)


@semantics("subfe")
def _subfe(ctx, f):
    return _adder(ctx, f, _not(ctx, f["RA"]), _reg(ctx, f["RB"]), _ca(ctx), True)


@semantics("subfme")
def _subfme(ctx, f):
    return _adder(ctx, f, _not(ctx, f["RA"]), _const(M64), _ca(ctx), True)


@semantics("subfze")
def _subfze(ctx, f):
    return _adder(ctx, f, _not(ctx, f["RA"]), _const(0), _ca(ctx), True)


@semantics("neg")
def _neg(ctx, f):
    return _adder(ctx, f, _not(ctx, f["RA"]), _const(0), _const(1), False)


@semantics("addic", "addic.")
def _addic(ctx, f):
    return _adder(ctx, f, _reg(ctx, f["RA"]), _const(f["SI"] & M64), None, True)


@semantics("subfic")
def _subfic(ctx, f):
    return _adder(ctx, f, _not(ctx, f["RA"]), _const(f["SI"] & M64), _const(1), True)


def _product(ctx, f, fn, ov_check=None):
    """Multiplies and divides: fn(x, y) -> 64-bit result; ov_check(x, y) -> overflow for the 'o' forms."""
    g, cr, spr, nxt, rt, ra, rb = ctx.g, ctx.cr, ctx.spr, ctx.nxt, f["RT"], f["RA"], f.get("RB")
    oe, rc = ctx.insn.oe, ctx.insn.rc
    imm = f.get("SI")

    def run():
        x = g[ra]
        y = g[rb] if rb is not None else imm & M64
        r = fn(x, y) & M64
        if oe:
            set_xer(spr, None, ov_check(x, y))
        g[rt] = r
        if rc:
            cr[0] = cr0_bits(r, spr)
        return nxt
    return run


def _div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _fits(v: int, bits: int) -> bool:
    return -(1 << (bits - 1)) <= v < (1 << (bits - 1))


@semantics("mulli")
def _mulli(ctx, f):
    return _product(ctx, f, lambda x, y: s64(x) * s64(y))


@semantics("mulld")
def _mulld(ctx, f):
    return _product(ctx, f, lambda x, y: s64(x) * s64(y), lambda x, y: not _fits(s64(x) * s64(y), 64))


@semantics("mullw")
def _mullw(ctx, f):
    return _product(ctx, f, lambda x, y: s32(x) * s32(y), lambda x, y: not _fits(s32(x) * s32(y), 32))


@semantics("mulhd")
def _mulhd(ctx, f):
    return _product(ctx, f, lambda x, y: (s64(x) * s64(y)) >> 64)


@semantics("mulhdu")
def _mulhdu(ctx, f):
    return _product(ctx, f, lambda x, y: (x * y) >> 64)


# The high word of a 32-bit multiply-high or divide result is undefined in the ISA (and so are CR0's LT, GT, EQ
# in 64-bit mode); like QEMU we zero-extend the 32-bit result, signed or not, and set CR0 from that.
@semantics("mulhw")
def _mulhw(ctx, f):
    return _product(ctx, f, lambda x, y: ((s32(x) * s32(y)) >> 32) & M32)


@semantics("mulhwu")
def _mulhwu(ctx, f):
    return _product(ctx, f, lambda x, y: ((x & M32) * (y & M32)) >> 32)


def _divides(signed: bool, bits: int):
    def ok(x, y):
        a, b = (s32(x), s32(y)) if bits == 32 and signed else (x & M32, y & M32) if bits == 32 else (
            (s64(x), s64(y)) if signed else (x, y))
        return b != 0 and not (signed and a == -(1 << (bits - 1)) and b == -1), a, b

    def fn(x, y):
        good, a, b = ok(x, y)
        # RT is undefined after a divide by zero or overflow; QEMU divides by 1 instead (RT = the dividend).
        q = (_div(a, b) if signed else a // b) if good else a
        return q & (M32 if bits == 32 else M64)

    return fn, lambda x, y: not ok(x, y)[0]


for _name, _signed, _bits in (("divw", True, 32), ("divwu", False, 32), ("divd", True, 64),
                              ("divdu", False, 64)):
    semantics(_name)((lambda fn, ov: lambda ctx, f: _product(ctx, f, fn, ov))(*_divides(_signed, _bits)))


def _logical(fn, imm_field: str | None = None, shift: int = 0):
    def factory(ctx, f):
        g, cr, spr, nxt, ra, rs = ctx.g, ctx.cr, ctx.spr, ctx.nxt, f["RA"], f["RS"]
        rb = f.get("RB")
        imm = (f[imm_field] << shift) if imm_field else None
        rc = ctx.insn.rc
        if imm is not None and not rc:
            def run():
                g[ra] = fn(g[rs], imm)
                return nxt
            return run

        def run():
            r = fn(g[rs], imm if imm is not None else g[rb] if rb is not None else 0) & M64
            g[ra] = r
            if rc:
                cr[0] = cr0_bits(r, spr)
            return nxt
        return run
    return factory


semantics("orc")(_logical(lambda a, b: a | (b ^ M64)))
semantics("nand")(_logical(lambda a, b: (a & b) ^ M64))
semantics("cntlzw")(_logical(lambda a, _: 32 - (a & M32).bit_length()))
semantics("cntlzd")(_logical(lambda a, _: 64 - a.bit_length()))
semantics("popcntd")(_logical(lambda a, _: a.bit_count()))
semantics("popcntw")(_logical(lambda a, _: ((a >> 32).bit_count() << 32) | (a & M32).bit_count()))
semantics("popcntb")(_logical(lambda a, _: sum(((a >> (8 * i)) & 0xFF).bit_count() << (8 * i) for i in range(8))))
semantics("cmpb")(_logical(lambda a, b: sum(0xFF << (8 * i) for i in range(8)
                                            if (a >> (8 * i)) & 0xFF == (b >> (8 * i)) & 0xFF)))


# The common logical instructions by template: the expression over {S} (RS), {B} (RB) or the immediate {I}.
_LOGICAL = {"and": "{S} & {B}", "andc": "{S} & ~{B}", "or": "{S} | {B}", "xor": "{S} ^ {B}",
            "nor": "({S} | {B}) ^ M64", "eqv": "({S} ^ {B}) ^ M64", "andi.": "{S} & {I}", "andis.": "{S} & {I}",
            "ori": "{S} | {I}", "oris": "{S} | {I}", "xori": "{S} ^ {I}", "xoris": "{S} ^ {I}",
            "extsb": "(({S} & 0xFF) ^ 0x80) - 0x80 & M64", "extsh": "(({S} & 0xFFFF) ^ 0x8000) - 0x8000 & M64",
            "extsw": "(({S} & M32) ^ 0x80000000) - 0x80000000 & M64"}


@template(*_LOGICAL)
def _logical_tmpl(ctx, f):
    name = ctx.insn.base_name
    shift = 16 if name in ("andis.", "oris", "xoris") else 0
    expr = _LOGICAL[name].format(S="g[{RS}]", B="g[{RB}]", I="{I}")
    regs = {"RA": f["RA"], "RS": f["RS"]} | ({"RB": f["RB"]} if "RB" in f else {})
    if "UI" in f:
        regs["I"] = f["UI"] << shift
    if not ctx.insn.rc:
        return tmpl(f"g[{{RA}}] = {expr}", **regs)
    return tmpl(f"r = {expr}\ng[{{RA}}] = r\n{CR0}", **regs)
