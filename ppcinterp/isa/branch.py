"""Branches: b, bc, bclr, bcctr and every extended mnemonic that is a case of them."""

from ppcinterp.isa.context import Ctx, Fields
from ppcinterp.isa.table import B, I, Rewrite, X, alias, define
from ppcinterp.source.statements import Num

F = "branch"


def valid_bo(bo: int) -> bool:
    """BO as GNU as takes it for POWER4 and later: the ISA's 'z' bits 0, and not the reserved hint at=01
    (001at/011at: at in bits 3-4; 1a00t/1a01t: a bit 1, t bit 4; 1z1zz: only 10100)."""
    if bo & 0b10100 == 0b10100:
        return bo == 0b10100
    if bo & 0b10100 == 0b00100:
        return bo & 0b11 != 0b01
    if bo & 0b10100 == 0b10000:
        return bo & 0b01001 != 0b00001
    return not bo & 1


def _check_bo(v: dict[str, int]) -> tuple[str, str] | None:
    if not valid_bo(v["BO"]):
        return "BO", f"BO={v['BO']} is not a valid branch condition (a reserved 'z' bit or 'at' hint set)"
    return None


def _check_bcctr(v: dict[str, int]) -> tuple[str, str] | None:
    if not v["BO"] & 4:
        return "BO", f"bcctr cannot decrement CTR (BO={v['BO']}): its target is CTR"
    return _check_bo(v)


define("b", I(18), "LI", F, aa_lk=True)
define("bc", B(16), "BO,BI,BD", F, aa_lk=True, check=_check_bo)
define("bclr", X(19, 16), "BO,BI,[BH]", F, lk=True, check=_check_bo)
define("bcctr", X(19, 528), "BO,BI,[BH]", F, lk=True, check=_check_bcctr)

# (BO, CR bit within a field) for each condition: BO 12 = branch if the bit is set, 4 = if clear.
CONDITIONS = {
    "lt": (12, 0), "gt": (12, 1), "eq": (12, 2), "so": (12, 3), "un": (12, 3),
    "ge": (4, 0), "nl": (4, 0), "le": (4, 1), "ng": (4, 1), "ne": (4, 2), "ns": (4, 3), "nu": (4, 3),
}
TARGET_SUFFIXES = ("", "l", "a", "la")       # -> bc, bcl, bca, bcla
REG_FORMS = {"lr": "bclr", "lrl": "bclrl", "ctr": "bcctr", "ctrl": "bcctrl"}


def _target_forms(bo: int, bit: int, base: str) -> tuple[Rewrite, ...]:
    return (lambda t: (base, [Num(bo), Num(bit), t]),
            lambda cr, t: (base, [Num(bo), 4 * cr + bit, t]))


def _register_forms(bo: int, bit: int, base: str) -> tuple[Rewrite, ...]:
    # The branch-to-register forms also take BH, the target's hint, last.
    return (lambda: (base, [Num(bo), Num(bit)]),
            lambda cr: (base, [Num(bo), 4 * cr + bit]),
            lambda cr, bh: (base, [Num(bo), 4 * cr + bit, bh]))


def _bh_forms(bo: int, base: str) -> tuple[Rewrite, ...]:
    """blr, bctr, bdnzlr ...: no condition bit to name, so the one operand they take is BH."""
    return (lambda: (base, [Num(bo), Num(0)]),
            lambda bh: (base, [Num(bo), Num(0), bh]))


for _cond, (_bo, _bit) in CONDITIONS.items():
    for _sfx in TARGET_SUFFIXES:
        alias(f"b{_cond}{_sfx}", *_target_forms(_bo, _bit, "bc" + _sfx))
    for _sfx, _base in REG_FORMS.items():
        alias(f"b{_cond}{_sfx}", *_register_forms(_bo, _bit, _base))

# Branches on the CTR, and on a CR bit given as a bit number (BI), with or without the CTR.
for _name, _bo in (("bdnz", 16), ("bdz", 18)):
    for _sfx in TARGET_SUFFIXES:
        alias(_name + _sfx, (lambda bo, b: lambda t: (b, [Num(bo), Num(0), t]))(_bo, "bc" + _sfx))
    for _sfx in ("lr", "lrl"):
        alias(_name + _sfx, *_bh_forms(_bo, "bc" + _sfx))
for _name, _bo in (("bt", 12), ("bf", 4), ("bdnzt", 8), ("bdnzf", 0), ("bdzt", 10), ("bdzf", 2)):
    for _sfx in TARGET_SUFFIXES:
        alias(_name + _sfx, (lambda bo, b: lambda bi, t: (b, [Num(bo), bi, t]))(_bo, "bc" + _sfx))
    for _sfx, _base in REG_FORMS.items():
        if _bo in (12, 4):
            alias(_name + _sfx, (lambda bo, b: lambda bi: (b, [Num(bo), bi]))(_bo, _base),
                  (lambda bo, b: lambda bi, bh: (b, [Num(bo), bi, bh]))(_bo, _base))

for _sfx, _base in REG_FORMS.items():
    alias("b" + _sfx, *_bh_forms(20, _base))


# ---------------------------------------------------------------- semantics

from ppcinterp.isa.sem import M32, M64  # noqa: E402
from ppcinterp.isa.templates import Tmpl, template, tmpl  # noqa: E402

# 32-bit mode (MSR[SF] = 0): branch targets and the return address a link branch saves in LR have their high 32
# bits 0; CTR is decremented in full but only its low 32 bits are tested.
ALIGN = {True: "0xFFFFFFFFFFFFFFFC", False: "0xFFFFFFFC"}      # a register target's low two bits ignored
# bdnz without link as the block compiler knows it: a loop it closes runs as a counted `for`.
BDNZ = "c = (spr.get(9, 0) - 1) & M64\nspr[9] = c\nnpc = {T} if c else {NXT}"
BDNZ32 = "c = (spr.get(9, 0) - 1) & M64\nspr[9] = c\nnpc = {T} if c & M32 else {NXT}"


def _target(ctx: Ctx, a: int) -> int:
    """A branch's target address in the mode `ctx` is for (relative targets wrap round the address space)."""
    return ctx.target(a & (M64 if ctx.sf else M32))


def _ret(ctx: Ctx) -> int:
    return ctx.ret & (M64 if ctx.sf else M32)


@template("b")
def _b(ctx: Ctx, f: Fields) -> Tmpl | None:
    target = _target(ctx, f["LI"] if ctx.insn.aa else ctx.addr + f["LI"])
    if ctx.insn.lk:
        return tmpl("spr[8] = {RET}\nnpc = {T}", branch=True, RET=_ret(ctx), T=target)
    return tmpl("npc = {T}", branch=True, T=target)


def _branch(ctx: Ctx, bo: int, bi: int, target: str, **params: int) -> Tmpl:
    """A bc-family branch to `target` (an expression): CTR decremented and tested if BO says so, the CR bit BI
    tested if BO says so, LR set by the link forms. The target is read before CTR and LR are written (npc
    first), so bclrl returns to the old LR; bcctr's target is the decremented CTR (`c`), as the closures did."""
    lines, conds = [], []
    ctr = not bo & 4
    if ctr:
        lines.append("c = (spr.get(9, 0) - 1) & M64")
        low = "c" if ctx.sf else "c & M32"
        conds.append(f"not {low}" if bo & 2 else low)
    if not bo & 16:
        conds.append("cr[{F}] & {BIT}" if bo & 8 else "not cr[{F}] & {BIT}")
        params |= {"F": bi >> 2, "BIT": 8 >> (bi & 3)}
    if conds == ["not cr[{F}] & {BIT}"]:
        lines.append(f"npc = {{NXT}} if cr[{{F}}] & {{BIT}} else {target}")
    elif conds:
        lines.append(f"npc = {target} if {' and '.join(conds)} else {{NXT}}")
    else:
        lines.append(f"npc = {target}")
    if ctr:
        lines.append("spr[9] = c")
    if ctx.insn.lk:
        lines.append("spr[8] = {RET}")
        params["RET"] = _ret(ctx)
    return tmpl("\n".join(lines), True, **params)


@template("bc")
def _bc(ctx: Ctx, f: Fields) -> Tmpl | None:
    target = _target(ctx, f["BD"] if ctx.insn.aa else ctx.addr + f["BD"])
    if (f["BO"] & 0b10110) == 0b10000 and not ctx.insn.lk:
        return tmpl(BDNZ if ctx.sf else BDNZ32, branch=True, T=target)
    return _branch(ctx, f["BO"], f["BI"], "{T}", T=target)


@template("bclr", "bcctr")
def _bc_register(ctx: Ctx, f: Fields) -> Tmpl | None:
    """blr, bctr, bctrl, beqlr, bdnzlr ...: to LR or CTR; never a param T (blocks take T as a direct target)."""
    bo = f["BO"]
    reg = "spr.get(8, 0)" if ctx.insn.base_name == "bclr" else "c" if not bo & 4 else "spr.get(9, 0)"
    return _branch(ctx, bo, f["BI"], f"({reg} & {ALIGN[ctx.sf]})")
