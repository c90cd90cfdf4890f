"""Condition register logical and move instructions."""

from ppcinterp.isa.table import X, alias, define
from ppcinterp.source.statements import Num

F = "cr"

for _name, _xo in (("crand", 257), ("cror", 449), ("crxor", 193), ("crnand", 225), ("crnor", 33),
                   ("creqv", 289), ("crandc", 129), ("crorc", 417)):
    define(_name, X(19, _xo), "BT,BA,BB", F)
define("mcrf", X(19, 0), "BF,BFA", F)
# mtcrf/mfcr and their one-field forms mtocrf/mfocrf differ only in bit 11.
define("mtcrf", X(31, 144, 0, 1 << 20), "FXM,RS", F)
define("mtocrf", X(31, 144, 1 << 20, 1 << 20), "FXM,RS", F)
define("mfcr", X(31, 19, 0, 1 << 20), "RT", F)
define("mfocrf", X(31, 19, 1 << 20, 1 << 20), "RT,FXM", F)

alias("crset", lambda bx: ("creqv", [bx, bx, bx]))
alias("crclr", lambda bx: ("crxor", [bx, bx, bx]))
alias("crmove", lambda bx, by: ("cror", [bx, by, by]))
alias("crnot", lambda bx, by: ("crnor", [bx, by, by]))
alias("mtcr", lambda rs: ("mtcrf", [Num(0xFF), rs]))


# ---------------------------------------------------------------- semantics

from ppcinterp.isa.sem import crbit, set_crbit  # noqa: E402
from ppcinterp.isa.table import semantics  # noqa: E402

_CR_OPS = {"crand": lambda a, b: a & b, "cror": lambda a, b: a | b, "crxor": lambda a, b: a ^ b,
           "crnand": lambda a, b: 1 - (a & b), "crnor": lambda a, b: 1 - (a | b),
           "creqv": lambda a, b: 1 - (a ^ b), "crandc": lambda a, b: a & (1 - b),
           "crorc": lambda a, b: a | (1 - b)}


def _cr_logical(op):
    def factory(ctx, f):
        cr, nxt, bt, ba, bb = ctx.cr, ctx.nxt, f["BT"], f["BA"], f["BB"]

        def run():
            set_crbit(cr, bt, op(crbit(cr, ba), crbit(cr, bb)))
            return nxt
        return run
    return factory


for _name, _op in _CR_OPS.items():
    semantics(_name)(_cr_logical(_op))


@semantics("mcrf")
def _mcrf(ctx, f):
    cr, nxt, bf, bfa = ctx.cr, ctx.nxt, f["BF"], f["BFA"]

    def run():
        cr[bf] = cr[bfa]
        return nxt
    return run


@semantics("mtcrf", "mtocrf")
def _mtcrf(ctx, f):
    g, cr, nxt, rs = ctx.g, ctx.cr, ctx.nxt, f["RS"]
    fields = [i for i in range(8) if f["FXM"] & (0x80 >> i)]

    def run():
        v = g[rs]
        for i in fields:
            cr[i] = (v >> (28 - 4 * i)) & 0xF
        return nxt
    return run


@semantics("mfcr", "mfocrf")
def _mfcr(ctx, f):
    g, cr, nxt, rt = ctx.g, ctx.cr, ctx.nxt, f["RT"]
    fields = [i for i in range(8) if f.get("FXM", 0xFF) & (0x80 >> i)]

    def run():
        v = 0
        for i in fields:
            v |= cr[i] << (28 - 4 * i)
        g[rt] = v
        return nxt
    return run
