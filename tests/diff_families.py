"""Random cases for the qemu differential test, by instruction family: each generator takes a seeded
random.Random and returns one Case (an instruction, or a few lines with their own local labels 1: 2: 3:).

Registers a case compares get known values first; registers that end up holding an address of the case's own
code are left out of the comparison (or cleared), and LR/CTR holding one are compared as offsets (Case.rel).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from qemu_oracle import WINDOW, Case

M32, M64 = 0xFFFF_FFFF, 2**64 - 1
EDGES = (0, 1, 2, 3, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
         0x1_0000_0000, 0x1_8000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0x8000_0000_0000_0001,
         0xFFFF_FFFF_0000_0000, 0xFFFF_FFFF_8000_0000, 0xFFFF_FFFF_7FFF_FFFF, 0x8000_0000_7FFF_FFFF,
         0x0000_0001_FFFF_FFFF, M64, M64 - 1)
LOW_EDGES = (0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFFE)
RC, OE_RC = ("", "."), ("", ".", "o", "o.")
# BO values GNU as accepts for POWER4 and later.
BO_VALUES = (0, 2, 4, 6, 7, 8, 10, 12, 14, 15, 16, 18, 20, 24, 25, 26, 27)


def value(rng: random.Random) -> int:
    how = rng.randrange(4)
    if how == 0:
        return rng.choice(EDGES)
    if how == 1:
        return rng.getrandbits(64)
    if how == 2:
        return rng.randint(-300, 300) & M64
    return rng.getrandbits(32) << 32 | rng.choice(LOW_EDGES)


def reg(rng: random.Random, lo: int = 0) -> int:
    return rng.randint(lo, 31)


def si(rng: random.Random) -> int:
    return rng.choice((rng.randint(-0x8000, 0x7FFF), rng.choice((-0x8000, -1, 0, 1, 0x7FFF))))


def ui(rng: random.Random) -> int:
    return rng.choice((rng.randint(0, 0xFFFF), rng.choice((0, 1, 0x7FFF, 0x8000, 0xFFFF))))


def xer_in(rng: random.Random) -> int:
    return rng.randint(0, 7) << 29 | rng.choice((0, 0, 0x7F, 0x15))


def make(rng: random.Random, text: str, ins: dict[int, int], outs, **kw) -> Case:
    """A case; every compared register gets a known value first (RA=0 as a literal 0 is checked that way)."""
    ins = ins | {r: value(rng) for r in outs if r not in ins}
    return Case(text, tuple(ins.items()), tuple(dict.fromkeys(outs)), kw.pop("xer", xer_in(rng)),
                rng.getrandbits(32), **kw)


def vals(rng: random.Random, *regs: int) -> dict[int, int]:
    return {r: value(rng) for r in regs}


# ---------------------------------------------------------------- ALU, rotate, compare

def arith(rng: random.Random) -> Case:
    name = rng.choice(("add", "addc", "adde", "subf", "subfc", "subfe", "addme", "addze", "subfme", "subfze", "neg"))
    rt, ra, rb, sfx = reg(rng), reg(rng), reg(rng), rng.choice(OE_RC)
    if name in ("addme", "addze", "subfme", "subfze", "neg"):
        return make(rng, f"{name}{sfx} r{rt},r{ra}", vals(rng, rt, ra), (rt, ra))
    return make(rng, f"{name}{sfx} r{rt},r{ra},r{rb}", vals(rng, rt, ra, rb), (rt, ra, rb))


def arith_imm(rng: random.Random) -> Case:
    name = rng.choice(("addi", "addis", "addic", "addic.", "subfic", "mulli"))
    rt, ra = reg(rng), reg(rng)
    return make(rng, f"{name} r{rt},r{ra},{si(rng)}", vals(rng, rt, ra), (rt, ra))


def muldiv(rng: random.Random) -> Case:
    name = rng.choice(("mullw", "mulld", "divw", "divwu", "divd", "divdu", "mulhw", "mulhwu", "mulhd", "mulhdu"))
    sfx = rng.choice(RC if name.startswith("mulh") else OE_RC)
    rt, ra, rb = reg(rng), reg(rng), reg(rng)
    ins = vals(rng, rt, ra, rb)
    if name.startswith("div") and rng.random() < 0.5:           # the edges of division, often
        ins[rb] = rng.choice((0, M64, 1, 0xFFFF_FFFF, 0x1_0000_0000, 0xFFFF_FFFF_0000_0000))
    return make(rng, f"{name}{sfx} r{rt},r{ra},r{rb}", ins, (rt, ra, rb))


def logical(rng: random.Random) -> Case:
    kind = rng.choice(("x", "imm", "unary", "pop", "cmpb"))
    ra, rs, rb = reg(rng), reg(rng), reg(rng)
    if kind == "x":
        name = rng.choice(("and", "andc", "or", "orc", "xor", "nand", "nor", "eqv")) + rng.choice(RC)
        return make(rng, f"{name} r{ra},r{rs},r{rb}", vals(rng, ra, rs, rb), (ra, rs, rb))
    if kind == "imm":
        name = rng.choice(("andi.", "andis.", "ori", "oris", "xori", "xoris"))
        return make(rng, f"{name} r{ra},r{rs},{ui(rng)}", vals(rng, ra, rs), (ra, rs))
    if kind == "cmpb":
        ins = vals(rng, ra, rs, rb)
        if rng.random() < 0.5 and rs != rb:                   # some equal bytes
            mask = rng.randrange(256)
            ins[rb] = sum(((ins[rs] if mask >> i & 1 else ins[rb]) & (0xFF << 8 * i)) for i in range(8))
        return make(rng, f"cmpb r{ra},r{rs},r{rb}", ins, (ra, rs, rb))
    names = ("extsb", "extsh", "extsw", "cntlzw", "cntlzd") if kind == "unary" else ("popcntb", "popcntw", "popcntd")
    name = rng.choice(names) + (rng.choice(RC) if kind == "unary" else "")
    return make(rng, f"{name} r{ra},r{rs}", vals(rng, ra, rs), (ra, rs))


def compare(rng: random.Random) -> Case:
    name = rng.choice(("cmp", "cmpl", "cmpi", "cmpli"))
    bf, wide, ra, rb = rng.randrange(8), rng.randrange(2), reg(rng), reg(rng)
    ins = vals(rng, ra)
    how = rng.choice(("any", "same", "same-low"))                # equal values, or equal low words
    if name in ("cmp", "cmpl"):
        ins[rb] = {"any": value(rng), "same": ins[ra],
                   "same-low": (ins[ra] & M32) | (value(rng) & ~M32)}[how] if rb != ra else ins[ra]
        return make(rng, f"{name} cr{bf},{wide},r{ra},r{rb}", ins, (ra, rb))
    imm = si(rng) if name == "cmpi" else ui(rng)
    if how != "any":
        ins[ra] = (imm & M64) if how == "same" else (value(rng) & ~M32) | (imm & M32)
    return make(rng, f"{name} cr{bf},{wide},r{ra},{imm}", ins, (ra,))


def rotate(rng: random.Random) -> Case:
    name = rng.choice(("rlwinm", "rlwimi", "rlwnm", "rldicl", "rldicr", "rldic", "rldimi", "rldcl", "rldcr"))
    ra, rs, rb, sfx = reg(rng), reg(rng), reg(rng), rng.choice(RC)
    if name.startswith("rlw"):
        shift = f"r{rb}" if name == "rlwnm" else str(rng.randrange(32))
        text = f"{name}{sfx} r{ra},r{rs},{shift},{rng.randrange(32)},{rng.randrange(32)}"
    elif name in ("rldcl", "rldcr"):
        text = f"{name}{sfx} r{ra},r{rs},r{rb},{rng.randrange(64)}"
    else:
        text = f"{name}{sfx} r{ra},r{rs},{rng.randrange(64)},{rng.randrange(64)}"
    regs = (ra, rs, rb) if name in ("rlwnm", "rldcl", "rldcr") else (ra, rs)
    ins = vals(rng, *regs)
    if len(regs) == 3 and rb not in (ra, rs) and rng.random() < 0.5:
        ins[rb] = rng.randrange(128) | (value(rng) & ~0x7F if rng.random() < 0.5 else 0)
    return make(rng, text, ins, regs)


def shift(rng: random.Random) -> Case:
    name = rng.choice(("slw", "srw", "sraw", "srawi", "sld", "srd", "srad", "sradi"))
    ra, rs, rb, sfx = reg(rng), reg(rng), reg(rng), rng.choice(RC)
    if name in ("srawi", "sradi"):
        n = rng.randrange(32 if name == "srawi" else 64)
        return make(rng, f"{name}{sfx} r{ra},r{rs},{n}", vals(rng, ra, rs), (ra, rs))
    ins = vals(rng, ra, rs, rb)
    if rb not in (ra, rs) and rng.randrange(4):               # mostly amounts near the edges of 32, 64, 128
        ins[rb] = rng.randrange(131) | (value(rng) & ~0xFF if rng.random() < 0.5 else 0)
    return make(rng, f"{name}{sfx} r{ra},r{rs},r{rb}", ins, (ra, rs, rb))


# The extended mnemonics the seed fragment uses (those a user-mode process may run), in short sequences.
def fragment_mix(rng: random.Random) -> Case:
    a, b, c = rng.sample(range(3, 32), 3)
    crf = rng.randrange(8)
    picks = [
        f"li r{a},{si(rng)}", f"cmpwi cr{crf},r{b},{si(rng)}", f"cmpdi r{b},{si(rng)}", f"andi. r{a},r{b},{ui(rng)}",
        f"ori r{a},r{b},{ui(rng)}", f"mr r{a},r{b}", f"srdi. r{a},r{b},{rng.randrange(64)}",
        f"rlwinm. r{a},r{b},{rng.randrange(32)},{hex(_mask32(rng))}", f"addi r{a},r{b},{si(rng)}",
        f"clrldi r{a},r{b},{rng.randrange(64)}", f"sldi r{a},r{b},{rng.randrange(64)}",
        f"rldicr r{a},r{b},{rng.randrange(64)},{rng.randrange(64)}", f"lis r{a},{ui(rng)}", "sync",
    ]
    lines = rng.sample(picks, rng.randint(1, 3))
    if rng.random() < 0.6:                    # a conditional branch over the last line, as the hunks do
        lines.insert(-1, f"{rng.choice(('beq', 'bne'))} cr{crf},1f" if rng.random() < 0.5 else
                     f"{rng.choice(('beq', 'bne'))} 1f")
        lines.append("1:")
    return make(rng, "\n".join(lines), vals(rng, a, b), (a, b, c))


def _mask32(rng: random.Random) -> int:
    mb, me = rng.randrange(32), rng.randrange(32)
    bits = range(mb, me + 1) if mb <= me else [*range(mb, 32), *range(0, me + 1)]
    return sum(1 << (31 - i) for i in bits)


# ---------------------------------------------------------------- loads and stores

# (name, size, form, update, load): form d = D(RA), ds = DS(RA), x = RA,RB
ACCESSES = [(n, sz, "d", False, True) for n, sz in (("lbz", 1), ("lhz", 2), ("lha", 2), ("lwz", 4))]
ACCESSES += [(n + "u", sz, "d", True, True) for n, sz, *_ in ACCESSES[:4]]
ACCESSES += [("ld", 8, "ds", False, True), ("lwa", 4, "ds", False, True), ("ldu", 8, "ds", True, True)]
ACCESSES += [(n, sz, "x", False, True) for n, sz in (("lbzx", 1), ("lhzx", 2), ("lhax", 2), ("lwzx", 4),
                                                     ("lwax", 4), ("ldx", 8), ("lhbrx", 2), ("lwbrx", 4),
                                                     ("ldbrx", 8))]
ACCESSES += [(n, sz, "x", True, True) for n, sz in (("lbzux", 1), ("lhzux", 2), ("lhaux", 2), ("lwzux", 4),
                                                    ("lwaux", 4), ("ldux", 8))]
for _n, _sz in (("stb", 1), ("sth", 2), ("stw", 4), ("std", 8)):
    _form = "ds" if _n == "std" else "d"
    ACCESSES += [(_n, _sz, _form, False, False), (_n + "u", _sz, _form, True, False),
                 (_n + "x", _sz, "x", False, False), (_n + "ux", _sz, "x", True, False)]
ACCESSES += [(n, sz, "x", False, False) for n, sz in (("sthbrx", 2), ("stwbrx", 4), ("stdbrx", 8))]


def load_store(rng: random.Random) -> Case:
    if rng.randrange(10) == 0:
        return multiple(rng)
    name, size, form, update, load = rng.choice(ACCESSES)
    mem = rng.randbytes(32)
    ea = WINDOW + rng.randint(0, 32 - size)                   # aligned or not: both are defined here
    rt = reg(rng)
    # Update forms need RA != 0, and loads with update RA != RT; a D-form RA of 0 would address page 0.
    ra = rng.choice([r for r in range(32) if (r != 0 or (form == "x" and not update)) and
                     not (update and load and r == rt)])
    if form == "x":
        rb = rng.choice([r for r in range(32) if r != ra or ra == 0])
        if ra == 0:
            ins = {rb: ea}
        else:
            vb = value(rng)
            ins = {rb: vb, ra: (ea - vb) & M64}
        text = f"{name} r{rt},r{ra},r{rb}"
    else:
        d = si(rng) & ~(3 if form == "ds" else 0)
        ins, rb = {ra: (ea - d) & M64}, ra
        text = f"{name} r{rt},{d}(r{ra})"
    if rt not in ins:
        ins[rt] = value(rng)
    return make(rng, text, ins, (rt, ra, rb), mem=mem)


def multiple(rng: random.Random) -> Case:
    """lmw/stmw: RT..r31 from or to consecutive words (word aligned; lmw's RA outside the loaded range)."""
    name, rt = rng.choice(("lmw", "stmw")), rng.randint(16, 31)
    ea = WINDOW + 4 * rng.randint(0, (128 - 4 * (32 - rt)) // 4)
    ra = rng.randint(1, rt - 1 if name == "lmw" else 31)
    d = si(rng)
    ins = vals(rng, *range(rt, 32)) if name == "stmw" else {}
    ins[ra] = (ea - d) & M64
    return make(rng, f"{name} r{rt},{d}(r{ra})", ins, (*range(rt, 32), ra), mem=rng.randbytes(128))


def reservation(rng: random.Random) -> Case:
    """lwarx/ldarx then stwcx./stdcx. at the same address (it stores, CR0 EQ) or maybe another (it fails), a store
    conditional with no reservation, or two reservations (the second one counts); EH given or not. Aligned, as
    the ISA requires."""
    size, load, store = rng.choice(((8, "ldarx", "stdcx."), (4, "lwarx", "stwcx.")))
    a, b, c, d, t, s, u = rng.sample(range(3, 32), 7)
    ea, other = (WINDOW + size * rng.randrange(32 // size) for _ in range(2))
    how = rng.choice(("same", "same", "other", "none", "twice"))
    lines = [] if how == "none" else [f"{load} r{t},r{a},r{b}{rng.choice(('', ',0', ',1'))}"]
    if how == "twice":
        lines.append(f"{load} r{u},0,r{d}")
    lines.append(f"{store} r{s},0,r{c}")
    vb = value(rng)
    target = ea if how == "same" else other if how == "other" else rng.choice((ea, other))
    ins = {a: (ea - vb) & M64, b: vb, c: target, d: other, s: value(rng), t: value(rng), u: value(rng)}
    return make(rng, "\n".join(lines), ins, (t, s, u), mem=rng.randbytes(32))


# ---------------------------------------------------------------- CR, SPRs, branches

def cr_ops(rng: random.Random) -> Case:
    kind = rng.choice(("logical", "mcrf", "mtcrf", "mtocrf", "mfcr", "mfocrf", "mtcr", "crext"))
    r = reg(rng)
    if kind == "logical":
        name = rng.choice(("crand", "cror", "crxor", "crnand", "crnor", "creqv", "crandc", "crorc"))
        return make(rng, f"{name} {rng.randrange(32)},{rng.randrange(32)},{rng.randrange(32)}", {}, ())
    if kind == "crext":
        name = rng.choice(("crset", "crclr", "crmove", "crnot"))
        ops = [f"4*cr{rng.randrange(8)}+{rng.choice(('lt', 'gt', 'eq', 'so'))}" for _ in range(2)]
        return make(rng, f"{name} {','.join(ops[:1 if name in ('crset', 'crclr') else 2])}", {}, ())
    if kind == "mcrf":
        return make(rng, f"mcrf cr{rng.randrange(8)},cr{rng.randrange(8)}", {}, ())
    one = 0x80 >> rng.randrange(8)              # the one-field forms: exactly one FXM bit (else undefined)
    text = {"mtcrf": f"mtcrf {rng.choice((rng.randrange(256), one))},r{r}", "mtocrf": f"mtocrf {one},r{r}",
            "mfcr": rng.choice((f"mfcr r{r}", f"mfcr r{r},{one}")), "mfocrf": f"mfocrf r{r},{one}",
            "mtcr": f"mtcr r{r}"}[kind]
    return make(rng, text, vals(rng, r), (r,))


# SPRs a user-mode process may move (qemu-ppc64 user mode): XER, LR, CTR, VRSAVE; by number and by name.
USER_SPRS = {1: "xer", 8: "lr", 9: "ctr", 256: "vrsave"}
# XER bits 44 and 45 are reserved in ISA 2.06 (ISA 3.0's OV32, CA32): QEMU's POWER7 drops them on mtxer, we keep
# them (a reserved bit reads back as written or as 0, either is allowed), so the cases leave them 0.
XER_RESERVED_30 = 0x000C_0000


def spr_moves(rng: random.Random) -> Case:
    n = rng.choice(list(USER_SPRS))
    a, b = rng.sample(range(1, 32), 2)
    mt = rng.choice((f"mtspr {n},r{a}", f"mt{USER_SPRS[n]} r{a}"))
    mf = rng.choice((f"mfspr r{b},{n}", f"mf{USER_SPRS[n]} r{b}"))
    ins = vals(rng, a, b)
    if n == 1:
        ins[a] = ((value(rng) & ~M32) | xer_in(rng) if rng.random() < 0.5 else ins[a]) & ~XER_RESERVED_30
    # VRSAVE's value before a process writes it is QEMU's own: read it only after a write.
    forms = ([mt, mf], [mt, mf, f"addc r{a},r{a},r{b}"], [mt]) + (([mf],) if n != 256 else ())
    lines = rng.choice(forms)
    return make(rng, "\n".join(lines), ins, (a, b), lr=value(rng), ctr=value(rng))


def branch(rng: random.Random) -> Case:
    """bc with any BO/BI and CTR: r<X> = 1 when taken, 0 when not; CTR compared too."""
    bo, bi, r = rng.choice(BO_VALUES), rng.randrange(32), reg(rng)
    ctr = rng.choice((rng.randint(0, 3), value(rng)))
    hint = rng.choice(("", "", "+", "-")) if bo in (4, 12, 16, 18) else ""
    text = f"bc{hint} {bo},{bi},1f\nli r{r},0\nb 2f\n1:\nli r{r},1\n2:"
    return make(rng, text, vals(rng, r), (r,), ctr=ctr)


def _address(r: int, label: str) -> list[str]:
    return [f"lis r{r},{label}@ha", f"addi r{r},r{r},{label}@l"]


def branch_link(rng: random.Random) -> Case:
    """Branches through LR and CTR: bl/bcl (LR = the next instruction), bclr/bcctr (and their link forms) to an
    address of the case, bdnz loops, blrl/bctrl calls that return. x counts what ran; LR and CTR are compared as
    offsets into the case."""
    x, t = rng.sample(range(3, 32), 2)
    bo, bi = rng.choice(BO_VALUES), rng.randrange(32)
    kind = rng.choice(("bl", "bcl", "bclr", "bcctr", "loop", "call"))
    rel = ("lr",)
    ctr = value(rng)
    if kind == "bl":
        lines = ["bl 1f", f"addi r{x},r{x},1", "1:", f"addi r{x},r{x},2"]
    elif kind == "bcl":
        lines = [f"bcl {bo},{bi},1f", f"addi r{x},r{x},1", "1:", f"addi r{x},r{x},2"]
        ctr = rng.choice((rng.randint(0, 3), ctr))
    elif kind in ("bclr", "bcctr"):
        reg_ = "lr" if kind == "bclr" else "ctr"
        link = rng.choice(("", "l"))
        if kind == "bcctr":
            bo = rng.choice([b for b in BO_VALUES if b & 4])          # bcctr cannot decrement CTR
            rel = ("ctr", "lr") if link else ("ctr",)
        else:
            ctr = rng.choice((rng.randint(0, 3), ctr))
        lines = [*_address(t, "1f"), f"mt{reg_} r{t}", f"li r{t},0", f"{kind}{link} {bo},{bi}",
                 f"addi r{x},r{x},1", "1:", f"addi r{x},r{x},2"]
    elif kind == "loop":
        name = rng.choice(("bdnz", "bdz", "bdnzt", "bdnzf", "bdzt", "bdzf"))
        cond = f"{rng.randrange(32)}," if name.endswith(("t", "f")) else ""
        ctr = rng.randint(1, 12)
        lines = ["1:", f"addi r{x},r{x},1", f"{name} {cond}1b"]
        rel = ()
    else:
        via = rng.choice(("lr", "ctr"))
        lines = [*_address(t, "3f"), f"mt{via} r{t}", f"li r{t},0", f"b{via}l", f"addi r{x},r{x},1", "b 4f",
                 "3:", f"addi r{x},r{x},16", "blr", "4:"]
        rel = ("lr", "ctr") if via == "ctr" else ("lr",)
    return make(rng, "\n".join(lines), vals(rng, x), (x,), ctr=ctr, lr=value(rng), rel=rel)


FAMILIES: dict[str, tuple[Callable[[random.Random], Case], int]] = {
    # family: (generator, share of the cases)
    "arith": (arith, 12), "arith_imm": (arith_imm, 6), "muldiv": (muldiv, 10), "logical": (logical, 8),
    "compare": (compare, 6), "rotate": (rotate, 10), "shift": (shift, 8), "load_store": (load_store, 12),
    "reservation": (reservation, 5), "cr": (cr_ops, 6), "spr": (spr_moves, 4), "branch": (branch, 6),
    "branch_link": (branch_link, 8), "fragment": (fragment_mix, 6),
}
