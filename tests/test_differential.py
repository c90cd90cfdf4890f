"""Differential tests: random cases of each instruction family (tests/diff_families.py) run under qemu-ppc64 and
under our interpreter, from the same registers, XER, CR, CTR, LR and memory, must leave the same state. Our side
of each case also runs journaled both ways, with compiled blocks and single-stepping (every instruction through
its closure): the two journals (every step and its changes) and Results must be identical, and their final
state the untraced run's.

Each run draws new cases: its seed is printed, and PPCINTERP_DIFF_SEED=N replays it; PPCINTERP_DIFF_CASES=N sets
how many cases a run has in all (default 12,000, shared out by family). A family is one qemu process.
"""

from __future__ import annotations

import os
import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from diff_families import FAMILIES, M64, value
from qemu_oracle import WINDOW, Case, Outcome, need_qemu, run_ours, run_qemu

from ppcinterp.isa.templates import TEMPLATES, Tmpl

SEED = int(os.environ.get("PPCINTERP_DIFF_SEED") or random.randrange(1 << 32))
TOTAL = int(os.environ.get("PPCINTERP_DIFF_CASES") or 12_000)
MIN_CASES = 10_000                    # what a CI run (no PPCINTERP_DIFF_CASES) must reach
SHARES = sum(share for _, share in FAMILIES.values())


def family_cases(family: str, total: int = TOTAL, seed: int = SEED) -> list[Case]:
    generator, share = FAMILIES[family]
    rng = random.Random(f"{seed}:{family}")            # a family's cases do not depend on the others'
    return [generator(rng) for _ in range(max(total * share // SHARES, 20))]


def test_a_run_has_enough_cases():
    if "PPCINTERP_DIFF_CASES" not in os.environ:
        assert sum(max(TOTAL * share // SHARES, 20) for _, share in FAMILIES.values()) >= MIN_CASES


# ---------------------------------------------------------------- comparing

def mismatches(case: Case, ours: Outcome, qemu: Outcome) -> list[str]:
    """Every difference, one line each; empty when the case agrees."""
    diffs = [f"  ours stopped early: {ours.error}"] if ours.error else []
    if ours.disagreement:
        diffs.append(f"  ours, blocks and single-stepping journaled, disagree:\n{ours.disagreement}")
    for r in case.outs:
        if ours.gprs[r] != qemu.gprs[r]:
            diffs.append(f"  r{r}: ours {ours.gprs[r]:#018x} qemu {qemu.gprs[r]:#018x}")
    for name in ("cr", "xer", "ctr", "lr"):
        a, b = getattr(ours, name), getattr(qemu, name)
        if a != b:
            diffs.append(f"  {name}{' (offset)' if name in case.rel else ''}: ours {a:#x} qemu {b:#x}")
    if ours.mem != qemu.mem:
        diffs.append(f"  mem[{WINDOW:#x}]: ours {ours.mem.hex()}\n{' ' * 18}qemu {qemu.mem.hex()}")
    if not diffs:
        return []
    inputs = " ".join(f"r{r}={v:#x}" for r, v in case.gprs)
    head = f"{'; '.join(case.text.splitlines())}\n  in: {inputs} xer={case.xer:#x} cr={case.cr:#010x}"
    head += f" ctr={case.ctr:#x} lr={case.lr:#x}"
    head += f"\n  mem[{WINDOW:#x}]: {case.mem.hex()}" if case.mem else ""
    return [head, *diffs]


def outcomes(cases: list[Case]) -> list[tuple[Outcome, Outcome]]:
    """(ours, QEMU's) for each case; QEMU's tools run while our interpreter does."""
    with ThreadPoolExecutor(1) as pool:
        theirs = pool.submit(run_qemu, cases)
        ours = run_ours(cases, both=True)
        return list(zip(ours, theirs.result(), strict=True))


def problems(cases: list[Case]) -> list[list[str]]:
    return [m for c, (ours, qemu) in zip(cases, outcomes(cases), strict=True) if (m := mismatches(c, ours, qemu))]


@pytest.mark.parametrize("family", list(FAMILIES))
def test_family_agrees_with_qemu(family: str):
    need_qemu()
    cases = family_cases(family)
    print(f"PPCINTERP_DIFF_SEED={SEED}: {len(cases)} {family} cases")
    bad = problems(cases)
    replay = f"PPCINTERP_DIFF_SEED={SEED} PPCINTERP_DIFF_CASES={TOTAL} replays this run"
    assert not bad, (f"ours and QEMU differ on {len(bad)} of {len(cases)} {family} cases ({replay}):\n"
                     + "\n".join(ln for m in bad[:20] for ln in m))


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
    bad = problems(EDGE_CASES)
    assert not bad, "ours and QEMU differ:\n" + "\n".join(ln for m in bad for ln in m)


# ---------------------------------------------------------------- the oracle can fail

def _mutated(name: str, extra: str):
    """Instruction `name`'s template with one more statement after its own (both executors take it)."""
    original = TEMPLATES[name]

    def template(ctx, f):
        t = original(ctx, f)
        if t is None or (name == "b" and not ctx.insn.lk):
            return t
        return Tmpl(t.body + "\n" + extra, t.params, t.branch)
    return template


def test_a_wrong_carry_or_link_is_reported(monkeypatch):
    """The machinery reports a broken semantics: addc with XER[CA] flipped, bl with LR one word off. The same
    batch's add and b cases still agree, so what is reported is the broken instruction."""
    need_qemu()
    monkeypatch.setitem(TEMPLATES, "addc", _mutated("addc", "spr[1] = spr.get(1, 0) ^ 0x20000000"))
    monkeypatch.setitem(TEMPLATES, "b", _mutated("b", "spr[8] = spr.get(8, 0) + 4"))
    rng = random.Random(SEED)
    cases = []
    for k in range(12):
        a, b = value(rng), value(rng)
        cases.append(Case(f"add{'c' if k % 2 else ''} r{3 + k},r{20 + k % 5},r{26 - k % 3}",
                          ((3 + k, 0), (20 + k % 5, a), (26 - k % 3, b)), (3 + k,), cr=k))
    cases += [Case(f"bl 1f\nli r{4 + k},{k}\n1:", ((4 + k, 7),), (4 + k,), lr=k, rel=("lr",)) for k in range(4)]
    cases += [Case(f"b 1f\nli r{9 + k},{k}\n1:", ((9 + k, 7),), (9 + k,), lr=k) for k in range(4)]
    reported = {c.text.split()[0]: [] for c in cases}
    for c, (ours, qemu) in zip(cases, outcomes(cases), strict=True):
        reported[c.text.split()[0]].append(any(line.startswith(("  xer", "  lr")) for line in mismatches(c, ours,
                                                                                                          qemu)))
    assert all(reported["addc"]) and all(reported["bl"]), reported
    assert not any(reported["add"]) and not any(reported["b"]), reported
