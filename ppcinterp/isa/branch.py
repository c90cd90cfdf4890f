"""Branches: b, bc, bclr, bcctr and every extended mnemonic that is a case of them."""

from ppcinterp.isa.table import B, I, X, alias, define
from ppcinterp.source.statements import Num

F = "branch"

define("b", I(18), "LI", F, aa_lk=True)
define("bc", B(16), "BO,BI,BD", F, aa_lk=True)
define("bclr", X(19, 16), "BO,BI,[BH]", F, lk=True)
define("bcctr", X(19, 528), "BO,BI,[BH]", F, lk=True)

# (BO, CR bit within a field) for each condition: BO 12 = branch if the bit is set, 4 = if clear.
CONDITIONS = {
    "lt": (12, 0), "gt": (12, 1), "eq": (12, 2), "so": (12, 3), "un": (12, 3),
    "ge": (4, 0), "nl": (4, 0), "le": (4, 1), "ng": (4, 1), "ne": (4, 2), "ns": (4, 3), "nu": (4, 3),
}
TARGET_SUFFIXES = ("", "l", "a", "la")       # -> bc, bcl, bca, bcla
REG_FORMS = {"lr": "bclr", "lrl": "bclrl", "ctr": "bcctr", "ctrl": "bcctrl"}


def _target_forms(bo: int, bit: int, base: str):
    return (lambda t: (base, [Num(bo), Num(bit), t]),
            lambda cr, t: (base, [Num(bo), 4 * cr + bit, t]))


def _register_forms(bo: int, bit: int, base: str):
    return (lambda: (base, [Num(bo), Num(bit)]),
            lambda cr: (base, [Num(bo), 4 * cr + bit]))


for _cond, (_bo, _bit) in CONDITIONS.items():
    for _sfx in TARGET_SUFFIXES:
        alias(f"b{_cond}{_sfx}", *_target_forms(_bo, _bit, "bc" + _sfx))
    for _sfx, _base in REG_FORMS.items():
        alias(f"b{_cond}{_sfx}", *_register_forms(_bo, _bit, _base))

# Branches on the CTR, and on a CR bit given as a bit number (BI), with or without the CTR.
for _name, _bo in (("bdnz", 16), ("bdz", 18)):
    for _sfx in TARGET_SUFFIXES:
        alias(_name + _sfx, (lambda bo, b: lambda t: (b, [Num(bo), Num(0), t]))(_bo, "bc" + _sfx))
    alias(_name + "lr", (lambda bo: lambda: ("bclr", [Num(bo), Num(0)]))(_bo))
    alias(_name + "lrl", (lambda bo: lambda: ("bclrl", [Num(bo), Num(0)]))(_bo))
for _name, _bo in (("bt", 12), ("bf", 4), ("bdnzt", 8), ("bdnzf", 0), ("bdzt", 10), ("bdzf", 2)):
    for _sfx in TARGET_SUFFIXES:
        alias(_name + _sfx, (lambda bo, b: lambda bi, t: (b, [Num(bo), bi, t]))(_bo, "bc" + _sfx))
    for _sfx, _base in REG_FORMS.items():
        if _bo in (12, 4):
            alias(_name + _sfx, (lambda bo, b: lambda bi: (b, [Num(bo), bi]))(_bo, _base))

alias("blr", lambda: ("bclr", [Num(20), Num(0)]))
alias("blrl", lambda: ("bclrl", [Num(20), Num(0)]))
alias("bctr", lambda: ("bcctr", [Num(20), Num(0)]))
alias("bctrl", lambda: ("bcctrl", [Num(20), Num(0)]))


# ---------------------------------------------------------------- semantics

from ppcinterp.isa.sem import M64  # noqa: E402
from ppcinterp.isa.table import semantics  # noqa: E402

LR, CTR = 8, 9


@semantics("b")
def _b(ctx, f):
    target = ctx.target(f["LI"] if ctx.insn.aa else ctx.addr + f["LI"])
    spr, ret = ctx.spr, ctx.ret
    if ctx.insn.lk:
        def run():
            spr[LR] = ret
            return target
        return run
    return lambda: target


def _condition(ctx, bo: int, bi: int):
    """A function telling whether a bc-family branch is taken (decrementing CTR when BO says so)."""
    cr, spr = ctx.cr, ctx.spr
    fld, bit = bi >> 2, 8 >> (bi & 3)
    want = bool(bo & 8)
    use_cr = not bo & 16
    use_ctr = not bo & 4
    ctr_zero = bool(bo & 2)
    if not use_ctr:
        if not use_cr:
            return lambda: True
        if want:
            return lambda: bool(cr[fld] & bit)
        return lambda: not cr[fld] & bit

    def cond():
        c = (spr.get(CTR, 0) - 1) & M64
        spr[CTR] = c
        if (c == 0) != ctr_zero:
            return False
        return not use_cr or bool(cr[fld] & bit) == want
    return cond


@semantics("bc")
def _bc(ctx, f):
    target = ctx.target(f["BD"] if ctx.insn.aa else ctx.addr + f["BD"])
    nxt, spr, ret = ctx.nxt, ctx.spr, ctx.ret
    bo, bi = f["BO"], f["BI"]
    if not ctx.insn.lk and (bo & 0b10100) == 0b00100:         # CR only, no CTR: the common case
        cr = ctx.cr
        fld, bit = bi >> 2, 8 >> (bi & 3)
        if bo & 8:
            return lambda: target if cr[fld] & bit else nxt
        return lambda: nxt if cr[fld] & bit else target
    if not ctx.insn.lk and (bo & 0b10110) == 0b10000:     # bdnz: CTR only, branch while CTR != 0
        spr = ctx.spr

        def bdnz():
            c = (spr.get(CTR, 0) - 1) & M64
            spr[CTR] = c
            return target if c else nxt
        return bdnz
    cond = _condition(ctx, bo, bi)
    lk = ctx.insn.lk

    def run():
        taken = cond()
        if lk:
            spr[LR] = ret
        return target if taken else nxt
    return run


def _bc_register(reg: int):
    def factory(ctx, f):
        nxt, spr, ret, lk = ctx.nxt, ctx.spr, ctx.ret, ctx.insn.lk
        cond = _condition(ctx, f["BO"], f["BI"])
        resolve = ctx.resolve

        def run():
            taken = cond()
            target = spr.get(reg, 0) & ~3 & M64
            if lk:
                spr[LR] = ret
            return resolve(target) if taken else nxt
        return run
    return factory


semantics("bclr")(_bc_register(LR))
semantics("bcctr")(_bc_register(CTR))
