"""Differential tests: random cases of each instruction family run under qemu-ppc64 and under our interpreter,
from the same registers, XER, CR, CTR and memory, must leave the same state. Our side of each case also runs
journaled both ways, with compiled blocks and single-stepping (every instruction through its closure): the two
journals (every step and its changes) and Results must be identical, and their final state the untraced run's.

One hypothesis example is one batch of cases (one qemu process), so a failure still shrinks to a small case.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qemu_oracle import WINDOW, Case, Outcome, need_qemu, run_ours, run_qemu

M32, M64 = 0xFFFF_FFFF, 2**64 - 1

EDGES = (0, 1, 2, 3, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
         0x1_0000_0000, 0x1_8000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0x8000_0000_0000_0001,
         0xFFFF_FFFF_0000_0000, 0xFFFF_FFFF_8000_0000, 0xFFFF_FFFF_7FFF_FFFF, 0x8000_0000_7FFF_FFFF,
         0x0000_0001_FFFF_FFFF, M64, M64 - 1)
LOW_EDGES = (0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFFE)
VALUES = st.one_of(
    st.sampled_from(EDGES),
    st.integers(0, M64),
    st.integers(-300, 300).map(lambda v: v & M64),
    st.tuples(st.integers(0, M32), st.sampled_from(LOW_EDGES)).map(lambda t: t[0] << 32 | t[1]),   # top word set
)
REG = st.integers(0, 31)
XER_IN = st.tuples(st.integers(0, 7), st.sampled_from((0, 0, 0x7F, 0x15))).map(lambda t: t[0] << 29 | t[1])
CR_IN = st.integers(0, M32)
SI = st.integers(-0x8000, 0x7FFF)
UI = st.integers(0, 0xFFFF)
RC = st.sampled_from(("", "."))
OE_RC = st.sampled_from(("", ".", "o", "o."))


def make(draw, text: str, ins: dict[int, int], outs, *, ctr: int = 0, mem: bytes = b"") -> Case:
    """A case; every compared register gets a known value first (RA=0 as a literal 0 is checked that way)."""
    ins = ins | {r: draw(VALUES) for r in outs if r not in ins}
    return Case(text, tuple(ins.items()), tuple(dict.fromkeys(outs)), draw(XER_IN), draw(CR_IN), ctr, mem)


def values(draw, *regs: int) -> dict[int, int]:
    return {r: draw(VALUES) for r in regs}


# ---------------------------------------------------------------- families

@st.composite
def arith(draw) -> Case:
    name = draw(st.sampled_from(("add", "addc", "adde", "subf", "subfc", "subfe", "addme", "addze", "subfme",
                                 "subfze", "neg")))
    rt, ra, rb = draw(REG), draw(REG), draw(REG)
    sfx = draw(OE_RC)
    if name in ("addme", "addze", "subfme", "subfze", "neg"):
        return make(draw, f"{name}{sfx} r{rt},r{ra}", values(draw, rt, ra), (rt, ra))
    return make(draw, f"{name}{sfx} r{rt},r{ra},r{rb}", values(draw, rt, ra, rb), (rt, ra, rb))


@st.composite
def arith_imm(draw) -> Case:
    name = draw(st.sampled_from(("addi", "addis", "addic", "addic.", "subfic", "mulli")))
    rt, ra, imm = draw(REG), draw(REG), draw(SI)
    return make(draw, f"{name} r{rt},r{ra},{imm}", values(draw, rt, ra), (rt, ra))


@st.composite
def muldiv(draw) -> Case:
    name = draw(st.sampled_from(("mullw", "mulld", "divw", "divwu", "divd", "divdu", "mulhw", "mulhwu", "mulhd",
                                 "mulhdu")))
    sfx = draw(RC if name.startswith("mulh") else OE_RC)
    rt, ra, rb = draw(REG), draw(REG), draw(REG)
    ins = values(draw, rt, ra, rb)
    if name.startswith("div") and draw(st.booleans()):            # the edges of division, often
        ins[rb] = draw(st.sampled_from((0, M64, 1, 0xFFFF_FFFF, 0x1_0000_0000, 0xFFFF_FFFF_0000_0000)))
    return make(draw, f"{name}{sfx} r{rt},r{ra},r{rb}", ins, (rt, ra, rb))


@st.composite
def logical(draw) -> Case:
    kind = draw(st.sampled_from(("x", "imm", "unary", "pop", "cmpb")))
    ra, rs, rb = draw(REG), draw(REG), draw(REG)
    if kind == "x":
        name = draw(st.sampled_from(("and", "andc", "or", "orc", "xor", "nand", "nor", "eqv"))) + draw(RC)
        return make(draw, f"{name} r{ra},r{rs},r{rb}", values(draw, ra, rs, rb), (ra, rs, rb))
    if kind == "imm":
        name = draw(st.sampled_from(("andi.", "andis.", "ori", "oris", "xori", "xoris")))
        return make(draw, f"{name} r{ra},r{rs},{draw(UI)}", values(draw, ra, rs), (ra, rs))
    if kind == "cmpb":
        ins = values(draw, ra, rs, rb)
        if draw(st.booleans()) and rs != rb:               # some equal bytes
            mask = draw(st.integers(0, 255))
            ins[rb] = sum(((ins[rs] if mask >> i & 1 else ins[rb]) & (0xFF << 8 * i)) for i in range(8))
        return make(draw, f"cmpb r{ra},r{rs},r{rb}", ins, (ra, rs, rb))
    names = ("extsb", "extsh", "extsw", "cntlzw", "cntlzd") if kind == "unary" else ("popcntb", "popcntw", "popcntd")
    name = draw(st.sampled_from(names)) + (draw(RC) if kind == "unary" else "")
    return make(draw, f"{name} r{ra},r{rs}", values(draw, ra, rs), (ra, rs))


@st.composite
def compare(draw) -> Case:
    name = draw(st.sampled_from(("cmp", "cmpl", "cmpi", "cmpli")))
    bf, wide, ra, rb = draw(st.integers(0, 7)), draw(st.integers(0, 1)), draw(REG), draw(REG)
    ins = values(draw, ra)
    how = draw(st.sampled_from(("any", "same", "same-low")))       # equal values, or equal low words
    if name in ("cmp", "cmpl"):
        ins[rb] = {"any": draw(VALUES), "same": ins[ra],
                   "same-low": (ins[ra] & M32) | (draw(VALUES) & ~M32)}[how] if rb != ra else ins[ra]
        return make(draw, f"{name} cr{bf},{wide},r{ra},r{rb}", ins, (ra, rb))
    imm = draw(SI if name == "cmpi" else UI)
    if how != "any":
        ins[ra] = (imm & M64) if how == "same" else (draw(VALUES) & ~M32) | (imm & M32)
    return make(draw, f"{name} cr{bf},{wide},r{ra},{imm}", ins, (ra,))


@st.composite
def rotate(draw) -> Case:
    name = draw(st.sampled_from(("rlwinm", "rlwimi", "rlwnm", "rldicl", "rldicr", "rldic", "rldimi", "rldcl",
                                 "rldcr")))
    ra, rs, rb = draw(REG), draw(REG), draw(REG)
    sfx = draw(RC)
    if name.startswith("rlw"):
        mb, me = draw(st.integers(0, 31)), draw(st.integers(0, 31))
        shift = f"r{rb}" if name == "rlwnm" else str(draw(st.integers(0, 31)))
        text = f"{name}{sfx} r{ra},r{rs},{shift},{mb},{me}"
    elif name in ("rldcl", "rldcr"):
        text = f"{name}{sfx} r{ra},r{rs},r{rb},{draw(st.integers(0, 63))}"
    else:
        text = f"{name}{sfx} r{ra},r{rs},{draw(st.integers(0, 63))},{draw(st.integers(0, 63))}"
    regs = (ra, rs, rb) if name in ("rlwnm", "rldcl", "rldcr") else (ra, rs)
    ins = values(draw, *regs)
    if len(regs) == 3 and rb not in (ra, rs) and draw(st.booleans()):
        ins[rb] = draw(st.integers(0, 127)) | (draw(VALUES) & ~0x7F if draw(st.booleans()) else 0)
    return make(draw, text, ins, regs)


@st.composite
def shift(draw) -> Case:
    name = draw(st.sampled_from(("slw", "srw", "sraw", "srawi", "sld", "srd", "srad", "sradi")))
    ra, rs, rb = draw(REG), draw(REG), draw(REG)
    sfx = draw(RC)
    if name in ("srawi", "sradi"):
        n = draw(st.integers(0, 31 if name == "srawi" else 63))
        return make(draw, f"{name}{sfx} r{ra},r{rs},{n}", values(draw, ra, rs), (ra, rs))
    ins = values(draw, ra, rs, rb)
    if rb not in (ra, rs) and draw(st.integers(0, 3)):            # mostly amounts near the edges of 32, 64, 128
        ins[rb] = draw(st.integers(0, 130)) | (draw(VALUES) & ~0xFF if draw(st.booleans()) else 0)
    return make(draw, f"{name}{sfx} r{ra},r{rs},r{rb}", ins, (ra, rs, rb))


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


@st.composite
def load_store(draw) -> Case:
    if draw(st.integers(0, 9)) == 0:
        return draw(multiple())
    name, size, form, update, load = draw(st.sampled_from(ACCESSES))
    mem = draw(st.binary(min_size=32, max_size=32))
    ea = WINDOW + draw(st.integers(0, 32 - size))                  # aligned or not: both are defined here
    rt = draw(REG)
    # Update forms need RA != 0, and loads with update RA != RT; a D-form RA of 0 would address page 0.
    ra = draw(REG.filter(lambda r: (r != 0 or (form == "x" and not update)) and not (update and load and r == rt)))
    if form == "x":
        rb = draw(REG.filter(lambda r: r != ra or ra == 0))
        if ra == 0:
            ins = {rb: ea}
        else:
            vb = draw(VALUES)
            ins = {rb: vb, ra: (ea - vb) & M64}
        text = f"{name} r{rt},r{ra},r{rb}"
    else:
        d = draw(SI) & ~(3 if form == "ds" else 0)
        ins, rb = {ra: (ea - d) & M64}, ra
        text = f"{name} r{rt},{d}(r{ra})"
    if rt not in ins:
        ins[rt] = draw(VALUES)
    return make(draw, text, ins, (rt, ra, rb), mem=mem)


@st.composite
def multiple(draw) -> Case:
    """lmw/stmw: RT..r31 from or to consecutive words (word aligned; lmw's RA outside the loaded range)."""
    name, rt = draw(st.sampled_from(("lmw", "stmw"))), draw(st.integers(16, 31))
    ea = WINDOW + 4 * draw(st.integers(0, (128 - 4 * (32 - rt)) // 4))
    ra = draw(st.integers(1, rt - 1 if name == "lmw" else 31))
    d = draw(SI)
    ins = values(draw, *range(rt, 32)) if name == "stmw" else {}
    ins[ra] = (ea - d) & M64
    return make(draw, f"{name} r{rt},{d}(r{ra})", ins, (*range(rt, 32), ra),
                mem=draw(st.binary(min_size=128, max_size=128)))


@st.composite
def cr_ops(draw) -> Case:
    kind = draw(st.sampled_from(("logical", "mcrf", "mtcrf", "mtocrf", "mfcr", "mfocrf")))
    r = draw(REG)
    if kind == "logical":
        name = draw(st.sampled_from(("crand", "cror", "crxor", "crnand", "crnor", "creqv", "crandc", "crorc")))
        bt, ba, bb = draw(st.integers(0, 31)), draw(st.integers(0, 31)), draw(st.integers(0, 31))
        return make(draw, f"{name} {bt},{ba},{bb}", {}, ())
    if kind == "mcrf":
        return make(draw, f"mcrf cr{draw(st.integers(0, 7))},cr{draw(st.integers(0, 7))}", {}, ())
    one = 0x80 >> draw(st.integers(0, 7))          # the one-field forms: exactly one FXM bit (else undefined)
    text = {"mtcrf": f"mtcrf {draw(st.integers(0, 255))},r{r}", "mtocrf": f"mtocrf {one},r{r}",
            "mfcr": f"mfcr r{r}", "mfocrf": f"mfocrf r{r},{one}"}[kind]
    return make(draw, text, values(draw, r), (r,))


BO_VALUES = (0, 2, 4, 6, 7, 8, 10, 12, 14, 15, 16, 18, 20, 24, 25, 26, 27)      # those GNU as accepts for POWER4+


@st.composite
def branch(draw) -> Case:
    """bc with any BO/BI and CTR: r<X> = 1 when taken, 0 when not; CTR compared too."""
    bo, bi, r = draw(st.sampled_from(BO_VALUES)), draw(st.integers(0, 31)), draw(REG)
    ctr = draw(st.one_of(st.integers(0, 3), VALUES))
    text = f"bc {bo},{bi},1f\nli r{r},0\nb 2f\n1:\nli r{r},1\n2:"
    return make(draw, text, values(draw, r), (r,), ctr=ctr)


# family: (strategy, cases per batch, batches). Hypothesis's first examples are its simplest (one or two cases
# repeated), so we count on batches - 2 batches of distinct random cases. Small batches keep shrinking quick.
FAMILIES = {"arith": (arith(), 50, 11), "arith_imm": (arith_imm(), 50, 7), "muldiv": (muldiv(), 50, 11),
            "logical": (logical(), 50, 7), "compare": (compare(), 50, 7), "rotate": (rotate(), 50, 11),
            "shift": (shift(), 50, 7), "load_store": (load_store(), 50, 11), "cr": (cr_ops(), 50, 7),
            "branch": (branch(), 50, 7)}
MIN_CASES = 2000
assert sum(n * (k - 2) for _, n, k in FAMILIES.values()) >= MIN_CASES


# ---------------------------------------------------------------- comparing

def mismatches(case: Case, ours: Outcome, qemu: Outcome) -> list[str]:
    """Every difference, one line each; empty when the case agrees."""
    diffs = [f"  ours stopped early: {ours.error}"] if ours.error else []
    if ours.disagreement:
        diffs.append(f"  ours, blocks and single-stepping journaled, disagree:\n{ours.disagreement}")
    for r in case.outs:
        if ours.gprs[r] != qemu.gprs[r]:
            diffs.append(f"  r{r}: ours {ours.gprs[r]:#018x} qemu {qemu.gprs[r]:#018x}")
    for name, a, b in (("cr", ours.cr, qemu.cr), ("xer", ours.xer, qemu.xer), ("ctr", ours.ctr, qemu.ctr)):
        if a != b:
            diffs.append(f"  {name}: ours {a:#x} qemu {b:#x}")
    if ours.mem != qemu.mem:
        diffs.append(f"  mem[{WINDOW:#x}]: ours {ours.mem.hex()}\n{' ' * 18}qemu {qemu.mem.hex()}")
    if not diffs:
        return []
    inputs = " ".join(f"r{r}={v:#x}" for r, v in case.gprs)
    head = f"{'; '.join(case.text.splitlines())}\n  in: {inputs} xer={case.xer:#x} cr={case.cr:#010x}"
    head += f" ctr={case.ctr:#x}" if case.ctr else ""
    head += f"\n  mem[{WINDOW:#x}]: {case.mem.hex()}" if case.mem else ""
    return [head, *diffs]


# Outcomes by case: while hypothesis shrinks a failing batch, only the cases it changed run again.
_OUTCOMES: dict[Case, tuple[Outcome, Outcome]] = {}


def outcomes(cases: list[Case]) -> list[tuple[Outcome, Outcome]]:
    todo = [c for c in dict.fromkeys(cases) if c not in _OUTCOMES]
    if todo:
        with ThreadPoolExecutor(1) as pool:          # QEMU's tools run while our interpreter does
            theirs = pool.submit(run_qemu, todo)
            ours = run_ours(todo, both=True)
            _OUTCOMES.update(zip(todo, zip(ours, theirs.result(), strict=True), strict=True))
    return [_OUTCOMES[c] for c in cases]


@pytest.mark.parametrize("family", list(FAMILIES))
def test_family_agrees_with_qemu(family: str):
    need_qemu()
    strategy, size, batches = FAMILIES[family]
    distinct: set[Case] = set()

    @settings(max_examples=batches, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(strategy, min_size=size, max_size=size))
    def check(cases: list[Case]) -> None:
        distinct.update(cases)
        problems = [line for c, (ours, qemu) in zip(cases, outcomes(cases), strict=True)
                    for line in mismatches(c, ours, qemu)]
        assert not problems, "ours and QEMU differ:\n" + "\n".join(problems)

    check()
    assert len(distinct) >= size * (batches - 2)      # the batches were random (see FAMILIES)


# Edges found by the random runs (each was a bug or an undefined result we match QEMU on), kept as fixed cases.
EDGE_CASES = [
    Case("rlwinm r3,r4,5,9,8", ((3, 0), (4, 0x8000_0001_8000_0001)), (3, 4)),       # MB = ME + 1: the whole mask
    Case("rlwnm. r3,r4,r5,31,30", ((3, 0), (4, 0x1234_5678_9ABC_DEF0), (5, 35)), (3, 4, 5)),
    Case("rldic r3,r4,8,57", ((3, 0), (4, M64)), (3, 4)),                           # mask wraps (MB > 63 - SH)
    Case("divw. r3,r4,r5", ((3, 1), (4, 5), (5, 0)), (3, 4, 5)),                     # divide by zero
    Case("divwo. r3,r4,r5", ((3, 1), (4, 0x8000_0000), (5, M64)), (3, 4, 5)),        # 0x8000_0000 / -1
    Case("divdo r3,r4,r5", ((3, 1), (4, 1 << 63), (5, M64)), (3, 4, 5)),
    Case("divduo. r3,r4,r5", ((3, 1), (4, M64), (5, 0)), (3, 4, 5)),
    Case("divw r3,r4,r5", ((3, 0), (4, 0xFFFF_FFF9), (5, 2)), (3, 4, 5)),           # negative quotient: high word
    Case("mulhw. r3,r4,r5", ((3, 0), (4, 0xFFFF_FFFF), (5, 5)), (3, 4, 5)),          # negative high product
]


def test_edge_cases_agree_with_qemu():
    need_qemu()
    problems = [line for c, (ours, qemu) in zip(EDGE_CASES, outcomes(EDGE_CASES), strict=True)
                for line in mismatches(c, ours, qemu)]
    assert not problems, "ours and QEMU differ:\n" + "\n".join(problems)
