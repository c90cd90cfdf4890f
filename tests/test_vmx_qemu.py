"""The VMX instructions against qemu-ppc64 (user mode, -cpu power7; vcmpequd, ISA 2.07, on -cpu power8): random
cases of every family from random vector registers (edge elements often: 0, 1, the sign bit, all ones), VSCR,
CR and memory, through the FP/VMX harness of qemu_fp_oracle.py. Whole VSX registers, VSCR (SAT), CR (CR6 of
the compares' record forms) and the memory window are compared.

The seed is printed; PPCINTERP_VMX_SEED=N replays a run, PPCINTERP_VMX_CASES=N sets the cases per family.
"""

from __future__ import annotations

import os
import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from qemu_fp_oracle import VCase, VOutcome, mismatches, run_ours, run_qemu
from qemu_oracle import WINDOW, need_qemu

from ppcinterp.isa import vmx_int, vmx_perm
from ppcinterp.machine.state import VSCR_NJ, VSCR_SAT

SEED = int(os.environ.get("PPCINTERP_VMX_SEED") or random.randrange(1 << 32))
CASES = int(os.environ.get("PPCINTERP_VMX_CASES") or 300)
M64, M128 = 2**64 - 1, 2**128 - 1
EDGE_LANES = {1: (0, 1, 0x7F, 0x80, 0xFF), 2: (0, 1, 0x7FFF, 0x8000, 0xFFFF),
              4: (0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF)}


def vector(rng: random.Random) -> int:
    """A random VR: random bits, or elements of one size drawn from that size's edges and small numbers."""
    if rng.random() < 0.4:
        return rng.getrandbits(128)
    size = rng.choice((1, 2, 4))
    lanes = [rng.choice(EDGE_LANES[size] + (rng.getrandbits(8 * size), rng.randrange(8))) for _ in range(16 // size)]
    return int.from_bytes(b"".join(x.to_bytes(size, "big") for x in lanes), "big")


def case(rng: random.Random, text: str, regs: dict[int, int] | None = None, vregs: tuple[int, ...] = (),
         mem: bytes = b"", values: dict[int, int] | None = None) -> VCase:
    """A case with random contents (or `values`) in the VRs it names (`vregs`, VR numbers; all compared after)."""
    vsrs = {32 + v: vector(rng) for v in vregs} | {32 + v: x for v, x in (values or {}).items()}
    regs = regs or {}
    return VCase(text, tuple(regs.items()), tuple(vsrs.items()), tuple(regs), tuple(vsrs),
                 vscr=rng.choice((0, VSCR_SAT, VSCR_NJ)), vrsave=rng.getrandbits(32), cr=rng.getrandbits(32),
                 mem=mem)


def vx(rng: random.Random, name: str, operands: int, same: float = 0.2) -> VCase:
    """`name VRT,VRA[,VRB]`; with probability `same` the last source is the first (or the target)."""
    regs = [rng.randrange(32) for _ in range(operands)]
    if rng.random() < same:
        regs[-1] = regs[rng.randrange(operands - 1)]
    return case(rng, f"{name} " + ",".join(f"v{r}" for r in regs), vregs=tuple(regs))


# ---------------------------------------------------------------- the families

def arith(rng: random.Random) -> VCase:
    return vx(rng, rng.choice(list(vmx_int._ARITH)), 3)


def compares(rng: random.Random) -> VCase:
    """Equal sources (same register) make CR6 'all true' for the equality compares, 'none' for the others."""
    names = [n for n in vmx_int._COMPARE if n != "vcmpequd"]
    return vx(rng, rng.choice(names) + rng.choice(("", ".")), 3, same=0.3)


def logical_permute(rng: random.Random) -> VCase:
    name = rng.choice([*vmx_perm._LOGICAL, *vmx_perm._MERGE, "vmr", "vnot", "vsel", "vperm", "vsldoi",
                       *vmx_perm._SPLAT, *vmx_perm._SPLAT_IMM])
    t, a, b, c = (rng.randrange(32) for _ in range(4))
    if name in ("vsel", "vperm"):
        return case(rng, f"{name} v{t},v{a},v{b},v{c}", vregs=(t, a, b, c))
    if name == "vsldoi":
        return case(rng, f"vsldoi v{t},v{a},v{b},{rng.randrange(16)}", vregs=(t, a, b))
    if name in vmx_perm._SPLAT:
        n = 16 // {"vspltb": 1, "vsplth": 2, "vspltw": 4}[name]
        return case(rng, f"{name} v{t},v{b},{rng.randrange(n)}", vregs=(t, b))
    if name in vmx_perm._SPLAT_IMM:
        return case(rng, f"{name} v{t},{rng.randint(-16, 15)}", vregs=(t,))
    if name in ("vmr", "vnot"):
        return case(rng, f"{name} v{t},v{a}", vregs=(t, a))
    return vx(rng, name, 3)


def shifts(rng: random.Random) -> VCase:
    return vx(rng, rng.choice([*vmx_perm._SHIFT, *vmx_perm._WHOLE_SHIFT]), 3)


def pack_unpack(rng: random.Random) -> VCase:
    name = rng.choice([*vmx_perm._PACK, *vmx_perm._UNPACK])
    return vx(rng, name, 2 if name in vmx_perm._UNPACK else 3)


def memory(rng: random.Random) -> VCase:
    """Loads and stores at any EA in a 64-byte window (RA may be 0, the literal 0); lvsl/lvsr at any EA."""
    name = rng.choice(("lvx", "lvxl", "stvx", "stvxl", "lvebx", "lvehx", "lvewx", "stvebx", "stvehx", "stvewx",
                       "lvsl", "lvsr"))
    ea = WINDOW + rng.randrange(64) if not name.startswith("lvs") else rng.getrandbits(64)
    rb = rng.randrange(1, 32)
    ra = rng.choice([0] + [r for r in range(1, 32) if r != rb])
    vb = rng.getrandbits(64) if ra else ea
    regs = {rb: vb} | ({ra: (ea - vb) & M64} if ra else {})
    v = rng.randrange(32)
    return case(rng, f"{name} v{v},{f'r{ra}' if ra else '0'},r{rb}", regs, (v,), rng.randbytes(64))


def doubleword_compare(rng: random.Random) -> VCase:
    """vcmpequd[.] (POWER8), for memcmp_64.S of v4.19: VRB equal to VRA in both doublewords, one or neither."""
    t, a, b = rng.sample(range(32), 3)
    va, vb = vector(rng), vector(rng)
    keep = rng.choice((M128, M64 << 64, M64, 0))
    text = f".machine push\n.machine power8\nvcmpequd{rng.choice(('', '.'))} v{t},v{a},v{b}\n.machine pop"
    return case(rng, text, vregs=(t,), values={a: va, b: va & keep | vb & ~keep})


FAMILIES = {"arith": arith, "compares": compares, "logical_permute": logical_permute, "shifts": shifts,
            "pack_unpack": pack_unpack, "memory": memory}


@pytest.fixture(scope="module")
def outcomes() -> dict[str, list[tuple[VCase, VOutcome, VOutcome]]]:
    """Every family's cases, run in one QEMU process (one more, on POWER8, for vcmpequd) and one Session."""
    need_qemu()
    rng = random.Random(SEED)
    print(f"PPCINTERP_VMX_SEED={SEED}")
    cases = {name: [gen(rng) for _ in range(CASES)] for name, gen in FAMILIES.items()}
    p8 = [doubleword_compare(rng) for _ in range(CASES // 5)]
    flat = [c for cs in cases.values() for c in cs]
    with ThreadPoolExecutor(2) as pool:
        theirs, theirs8 = pool.submit(run_qemu, flat), pool.submit(run_qemu, p8, "power8")
        ours = run_ours(flat + p8)
    res = list(zip(flat + p8, ours, theirs.result() + theirs8.result(), strict=True))
    out, k = {}, 0
    for name, cs in [*cases.items(), ("vcmpequd", p8)]:
        out[name], k = res[k:k + len(cs)], k + len(cs)
    return out


@pytest.mark.parametrize("family", [*FAMILIES, "vcmpequd"])
def test_vmx_family_agrees_with_qemu(outcomes, family: str):
    got = outcomes[family]
    assert len(got) >= 50
    problems = [line for c, ours, qemu in got for line in mismatches(c, ours, qemu)]
    assert not problems, f"ours and QEMU differ (PPCINTERP_VMX_SEED={SEED}):\n" + "\n".join(problems[:40])


def test_every_vmx_mnemonic_was_compared(outcomes):
    """Each VMX mnemonic of the table was run by both sides at least once (a new one needs a generator)."""
    from ppcinterp.isa.table import INSNS

    seen = {ln.split()[0] for cs in outcomes.values() for c, _, _ in cs for ln in c.text.splitlines()}
    vmx = {n for n, d in INSNS.items() if d.family == "vector"}
    assert not vmx - seen - {"mfvscr", "mtvscr"}, sorted(vmx - seen)     # those two: test_fp_vector_qemu
