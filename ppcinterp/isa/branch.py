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
from ppcinterp.isa.templates import template, tmpl  # noqa: E402

LR, CTR = 8, 9


@template("b")
def _b(ctx, f):
    target = ctx.target(f["LI"] if ctx.insn.aa else ctx.addr + f["LI"])
    if ctx.insn.lk:
        return tmpl("spr[8] = {RET}\nnpc = {T}", branch=True, RET=ctx.ret, T=target)
    return tmpl("npc = {T}", branch=True, T=target)


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


def _bc_template(ctx, f):
    """The common conditional branches: on one CR bit, or bdnz (CTR only); the others: _bc."""
    target = ctx.target(f["BD"] if ctx.insn.aa else ctx.addr + f["BD"])
    bo, bi = f["BO"], f["BI"]
    if ctx.insn.lk:
        return None
    if (bo & 0b10100) == 0b00100:         # CR only, no CTR: the common case
        body = "npc = {T} if cr[{F}] & {BIT} else {NXT}" if bo & 8 else "npc = {NXT} if cr[{F}] & {BIT} else {T}"
        return tmpl(body, branch=True, T=target, F=bi >> 2, BIT=8 >> (bi & 3))
    if (bo & 0b10110) == 0b10000:         # bdnz: CTR only, branch while CTR != 0
        return tmpl("c = (spr.get(9, 0) - 1) & M64\nspr[9] = c\nnpc = {T} if c else {NXT}", branch=True, T=target)
    return None


def _bc(ctx, f):
    target = ctx.target(f["BD"] if ctx.insn.aa else ctx.addr + f["BD"])
    nxt, spr, ret = ctx.nxt, ctx.spr, ctx.ret
    bo, bi = f["BO"], f["BI"]
    cond = _condition(ctx, bo, bi)
    lk = ctx.insn.lk

    def run():
        taken = cond()
        if lk:
            spr[LR] = ret
        return target if taken else nxt
    return run


template("bc", fallback=_bc)(_bc_template)


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
