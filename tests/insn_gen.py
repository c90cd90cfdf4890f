"""Random assembler lines for every mnemonic of the instruction table: valid operands, edge operands (one
operand at or past a limit) and operand counts one short or one over. GNU as is the judge of which are valid
(tests/test_gas_table.py); tests/test_fuzz_exec.py runs the valid ones.

Base instructions take their operands from the table's fields; extended mnemonics (whose operands the table
only knows as rewrites) from ALIAS_SPECS here, so that a new alias without a spec fails the table test.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from ppcinterp.isa.fields import Kind
from ppcinterp.isa.table import ALIASES, INSNS, InsnDef

# Mnemonics of ISA 2.07 (POWER8) the table has for code that writes them as .long (v4.x's memcmp_64.S):
# GNU as knows them with -mpower8, not with the -mpower7 the table test uses otherwise.
POWER8_ONLY = frozenset({"vcmpequd", "vcmpequd."})
# BO values GNU as accepts for POWER4 and later: the 'z' bits 0, and no reserved 'at' hint (01).
# Compares without L (`cmp cr0,r3,r4`): older GNU as read L as 0, GNU as 2.40 refuses them in 64-bit code; the
# table test gives GNU as the L=0 form to compare with.
NO_L_COMPARES = frozenset({"cmp", "cmpl", "cmpi", "cmpli"})
VALID_BO = (0, 2, 4, 6, 7, 8, 10, 12, 14, 15, 16, 18, 20, 24, 25, 26, 27)


@dataclass(frozen=True)
class Op:
    """One operand slot: how to write a valid value, and values at and past its limits."""

    valid: Callable[[random.Random], str]
    edges: Callable[[random.Random], list[str]]


def _ints(lo: int, hi: int, step: int = 1) -> Op:
    def valid(rng: random.Random) -> str:
        if rng.random() < 0.2:
            return str(rng.choice((lo, hi, 0 if lo <= 0 <= hi else lo)))
        return str(rng.randrange(lo // step, hi // step + 1) * step)

    def edges(rng: random.Random) -> list[str]:
        out = [lo - step, lo, hi, hi + step, -1, 0, rng.randrange(lo, hi + 1) | (step > 1)]
        return [str(v) for v in out] + ([hex(hi)] if hi > 9 else [])
    return Op(valid, edges)


def _reg(prefix: str, n: int = 32, wrong: str = "f") -> Op:
    def valid(rng: random.Random) -> str:
        r = rng.randrange(n)
        return f"{prefix}{r}" if rng.random() < 0.9 else str(r)
    return Op(valid, lambda rng: [str(n), "-1", f"{prefix}{n - 1}", "0", f"{wrong}1"])


GPR, FPR, VR, VSR, CRF = _reg("r"), _reg("f", wrong="r"), _reg("v", wrong="r"), _reg("vs", 64, "r"), _reg("cr", 8, "r")
CR_NAMES = ("lt", "gt", "eq", "so", "un")


def _crb_valid(rng: random.Random) -> str:
    how = rng.random()
    if how < 0.3:
        return f"4*cr{rng.randrange(8)}+{rng.choice(CR_NAMES)}"
    if how < 0.4:
        return rng.choice(CR_NAMES)
    return str(rng.randrange(32))


CRB = Op(_crb_valid, lambda rng: ["32", "-1", "31", "4*cr7+so", "cr1"])


def _target(width: int, absolute: bool) -> Op:
    """A branch target: `.+disp` (relative) or an address (absolute), `width` bits of word displacement."""
    lo, hi = -(1 << (width + 1)), (1 << (width + 1)) - 4

    def text(v: int) -> str:
        return str(v) if absolute else f".{'+' if v >= 0 else '-'}{abs(v)}"

    def valid(rng: random.Random) -> str:
        v = rng.choice((rng.randrange(-64, 64) * 4, rng.randrange(lo, hi + 1, 4), 0, 8))
        return text(v)
    return Op(valid, lambda rng: [text(v) for v in (lo - 4, lo, hi, hi + 4, 2, -6, hi + 1)])


def _mem(disp: Op) -> Op:
    """A D(RA) memory operand."""
    return Op(lambda rng: f"{disp.valid(rng)}({GPR.valid(rng)})",
              lambda rng: [f"{d}({GPR.valid(rng)})" for d in disp.edges(rng)] + [f"0({e})" for e in GPR.edges(rng)])


def _choice(values: tuple[int, ...], edges: tuple[int, ...]) -> Op:
    return Op(lambda rng: str(rng.choice(values)), lambda rng: [str(v) for v in edges])


SI, UI, SIS = _ints(-0x8000, 0x7FFF), _ints(0, 0xFFFF), _ints(-0x8000, 0xFFFF)
ONE_BIT = tuple(0x80 >> i for i in range(8))
BO = _choice(VALID_BO, tuple(range(32)))
BO_NO_CTR = _choice(tuple(b for b in VALID_BO if b & 4), tuple(range(32)))
FXM1 = _choice(ONE_BIT, (0, 3, 0x81, 0xFF, 256, -1))
SPR = Op(lambda rng: str(rng.choice((1, 8, 9, 17, 18, 19, 22, 26, 27, 29, 136, 152, 256, 272, 273, 274, 275, 287,
                                     304, 305, 310, 313, 314, 315, 318, 319, 336, 1008, 1023,
                                     rng.randrange(1024)))),
         lambda rng: ["1024", "-1", "0", "1023", "268"])
FXM = Op(lambda rng: str(rng.choice((rng.randrange(256), rng.choice(ONE_BIT)))), lambda rng: ["0", "255", "256", "-1"])
TBR = _choice((268, 269), (0, 1, 267, 270, 284, 1023, 1024))


def field_op(d: InsnDef, k: int, field, base=None) -> Op:
    """The slot of operand k of a base instruction, from its field (and a few rules of the instruction)."""
    name, kind = field.name, field.kind
    if base is not None:
        return _mem(_ints(field.lo, field.hi, 1 << field.scale))
    if kind in (Kind.GPR, Kind.GPR0):
        return GPR
    special = {"FPR": FPR, "VR": VR, "VSR": VSR, "CRF": CRF, "CRB": CRB, "SPR": TBR if name == "TBR" else SPR}
    if kind.name in special:
        return special[kind.name]
    if kind is Kind.REL:
        return _target(field.bits, d.aa)
    if name == "BO":
        return BO_NO_CTR if d.base_name == "bcctr" else BO
    if name == "FXM":
        return FXM1 if d.base_name in ("mtocrf", "mfocrf") else FXM
    if name == "LS":                   # sync 3 and dcbf L=2 are reserved
        return _ints(0, 2) if d.base_name == "sync" else _choice((0, 1, 3), (-1, 2, 4))
    hi = (1 << (field.bits + field.scale)) - 1 if kind is Kind.SIMM_OPT else field.hi
    return _ints(field.lo, hi, 1 << field.scale)


def _n(lo: int, hi: int) -> Op:
    return _ints(lo, hi)


MASK32 = Op(lambda rng: hex(_contiguous_mask(rng)), lambda rng: ["0", "0x5", "0xffffffff", "0x80000001", "0x1ff"])


def _contiguous_mask(rng: random.Random) -> int:
    mb, me = rng.randrange(32), rng.randrange(32)
    bits = [(31 - i) for i in (range(mb, me + 1) if mb <= me else [*range(mb, 32), *range(0, me + 1)])]
    return sum(1 << b for b in bits)


Spec = tuple[Op, ...]
_COND = r"(lt|gt|eq|so|un|ge|nl|le|ng|ne|ns|nu)"
_TRAP = r"(lt|le|eq|ge|gt|nl|ne|ng|llt|lle|lge|lgt|lnl|lng|u)"


def alias_specs(name: str) -> list[Spec] | None:
    """Every operand list an extended mnemonic takes (one per operand count), or None: no spec."""
    bare = name.rstrip(".")
    tgt = _target(14, bare.endswith("a"))          # bca, bcla: an absolute address
    if re.fullmatch(rf"b{_COND}(l|a|la)?", bare):
        return [(tgt,), (CRF, tgt)]
    if re.fullmatch(rf"b{_COND}(lr|lrl|ctr|ctrl)", bare):
        return [(), (CRF,)]
    if re.fullmatch(r"bdn?z(l|a|la)?", bare):
        return [(tgt,)]
    if re.fullmatch(r"bdn?z(lr|lrl)", bare):
        return [()]
    if re.fullmatch(r"(bt|bf|bdnzt|bdnzf|bdzt|bdzf)(l|a|la)?", bare):
        return [(CRB, tgt)]
    if re.fullmatch(r"(bt|bf)(lr|lrl|ctr|ctrl)", bare):
        return [(CRB,)]
    if re.fullmatch(rf"t[wd]{_TRAP}", bare):
        return [(GPR, GPR)]
    if re.fullmatch(rf"t[wd]{_TRAP}i", bare):
        return [(GPR, SI)]
    m = re.fullmatch(r"(mt|mf)(sprg[0-3]|[a-z]+[0-9]?)", bare)
    if bare in SIMPLE:
        return SIMPLE[bare]
    if m and bare not in ("mtcr", "mtsprg", "mfsprg"):
        return [(GPR,)]
    return None


W5, W6, N32, N64 = _n(0, 31), _n(0, 63), _n(0, 32), _n(0, 64)
SUB_SI = _ints(-0x7FFF, 0x8000)
SIMPLE: dict[str, list[Spec]] = {
    "li": [(GPR, SI)], "lis": [(GPR, SIS)], "la": [(GPR, _mem(SI))],
    "subi": [(GPR, GPR, SUB_SI)], "subis": [(GPR, GPR, SUB_SI)], "subic": [(GPR, GPR, SUB_SI)],
    "subic.": [(GPR, GPR, SUB_SI)], "sub": [(GPR, GPR, GPR)], "subo": [(GPR, GPR, GPR)], "subc": [(GPR, GPR, GPR)],
    "subco": [(GPR, GPR, GPR)], "mr": [(GPR, GPR)], "not": [(GPR, GPR)], "nop": [()], "xnop": [()],
    "blr": [()], "blrl": [()], "bctr": [()], "bctrl": [()], "trap": [()],
    "cmpw": [(GPR, GPR), (CRF, GPR, GPR)], "cmpd": [(GPR, GPR), (CRF, GPR, GPR)],
    "cmplw": [(GPR, GPR), (CRF, GPR, GPR)], "cmpld": [(GPR, GPR), (CRF, GPR, GPR)],
    "cmpwi": [(GPR, SI), (CRF, GPR, SI)], "cmpdi": [(GPR, SI), (CRF, GPR, SI)],
    "cmplwi": [(GPR, UI), (CRF, GPR, UI)], "cmpldi": [(GPR, UI), (CRF, GPR, UI)],
    "cmp": [(CRF, GPR, GPR)], "cmpl": [(CRF, GPR, GPR)], "cmpi": [(CRF, GPR, SI)], "cmpli": [(CRF, GPR, UI)],
    "crset": [(CRB,)], "crclr": [(CRB,)], "crmove": [(CRB, CRB)], "crnot": [(CRB, CRB)], "mtcr": [(GPR,)],
    "rlwinm": [(GPR, GPR, W5, MASK32)], "rlwimi": [(GPR, GPR, W5, MASK32)], "rlwnm": [(GPR, GPR, GPR, MASK32)],
    "rotlwi": [(GPR, GPR, W5)], "rotrwi": [(GPR, GPR, W5)], "rotlw": [(GPR, GPR, GPR)], "slwi": [(GPR, GPR, W5)],
    "srwi": [(GPR, GPR, W5)], "clrlwi": [(GPR, GPR, W5)], "clrrwi": [(GPR, GPR, W5)],
    "extlwi": [(GPR, GPR, N32, W5)], "extrwi": [(GPR, GPR, W5, W5)], "inslwi": [(GPR, GPR, N32, W5)],
    "insrwi": [(GPR, GPR, N32, W5)], "clrlslwi": [(GPR, GPR, W5, W5)],
    "rotldi": [(GPR, GPR, W6)], "rotrdi": [(GPR, GPR, W6)], "rotld": [(GPR, GPR, GPR)], "sldi": [(GPR, GPR, W6)],
    "srdi": [(GPR, GPR, W6)], "clrldi": [(GPR, GPR, W6)], "clrrdi": [(GPR, GPR, W6)],
    "extldi": [(GPR, GPR, N64, W6)], "extrdi": [(GPR, GPR, W6, W6)], "insrdi": [(GPR, GPR, N64, W6)],
    "clrlsldi": [(GPR, GPR, W6, W6)],
    "mtsprg": [(_n(0, 3), GPR)], "mfsprg": [(GPR, _n(0, 3))],
    "hwsync": [()], "lwsync": [()], "ptesync": [()], "dcbtt": [(GPR, GPR)], "dcbtstt": [(GPR, GPR)],
    "dcbfl": [(GPR, GPR)], "vmr": [(VR, VR)], "vnot": [(VR, VR)],
}


def specs(name: str) -> list[Spec]:
    """Every operand list `name` takes: a base instruction's (its optional operands given or not) and its alternate
    extended syntax, if any."""
    out: list[Spec] = []
    d = INSNS.get(name)
    if d is not None:
        slots = tuple(field_op(d, k, o.field, o.base) for k, o in enumerate(d.operands))
        out += [slots[:n] for n in range(d.required, len(slots) + 1)]
    if name in ALIASES:
        extra = alias_specs(name)
        if extra is None:
            raise KeyError(f"no operand spec for the extended mnemonic '{name}' (add one to tests/insn_gen.py)")
        out += extra
    return out


def all_mnemonics() -> list[str]:
    return sorted(set(INSNS) | set(ALIASES))


def _render(spec: Spec, rng: random.Random) -> list[str]:
    return [slot.valid(rng) for slot in spec]


def _line(name: str, ops: list[str]) -> str:
    return f"{name} {','.join(ops)}".strip()


def valid_line(name: str, rng: random.Random, spec: Spec | None = None) -> str:
    """`name` with operands each within its own limits (GNU as may still refuse a combination)."""
    spec = spec if spec is not None else rng.choice(specs(name))
    ops = _render(spec, rng)
    d = INSNS.get(name)
    if d is not None and d.family == "load_store" and ("RA" in d.fields or d.base_name == "lmw"):
        ops = _fix_update(d, ops, rng)
    return _line(name, ops)


def _fix_update(d: InsnDef, ops: list[str], rng: random.Random) -> list[str]:
    """Update forms want RA != 0 (and a load RA != RT); lmw wants RA below RT. Rewrite RA so, most times."""
    if rng.random() < 0.1:
        return ops
    rt = int(re.sub(r"\D", "", ops[0]))
    ra = rng.randrange(0, max(rt, 1)) if d.base_name == "lmw" else rng.choice([r for r in range(1, 32) if r != rt])
    if "(" in ops[1]:
        return [ops[0], f"{ops[1].split('(')[0]}(r{ra})"]
    return [ops[0], f"r{ra}", *ops[2:]]


def edge_lines(name: str, rng: random.Random) -> list[str]:
    """`name` with one operand at or past a limit, and with one operand too few or too many."""
    out = []
    for spec in specs(name):
        base = _render(spec, rng)
        for k, slot in enumerate(spec):
            out += [_line(name, base[:k] + [e] + base[k + 1:]) for e in slot.edges(rng)]
        if base:      # one short: the first operand dropped (not a target, which a number would stand for)
            out.append(_line(name, base[1:]))
        out.append(_line(name, [*base, rng.choice(("1", "0", "r1", "3"))]))
    return out


def hinted(name: str) -> bool:
    """A conditional branch mnemonic, which takes a `+` or `-` prediction hint."""
    d = INSNS.get(name)
    if d is not None:
        return d.base_name in ("bc", "bclr", "bcctr")
    return bool(re.fullmatch(rf"(b{_COND}|bdn?z|bdn?z[tf]|b[tf])(l|a|la|lr|lrl|ctr|ctrl)?", name))
