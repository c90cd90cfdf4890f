"""Block-compiled runs agree with per-instruction closures: every scenario, every path of the shipped domain,
and random straight-line and looping code from random state give the same Result (exit, kind, steps,
message, pc, path, decisions) and the same final machine (registers, SPRs, CR, MSR, RAM, ICPs, SLB)."""

from __future__ import annotations

import hashlib
import random

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ppcinterp.api import Session
from ppcinterp.run.engine import Engine
from ppcinterp.run.stops import Paused
from ppcinterp.study import explore as ex_mod
from ppcinterp.study import scenario

SCENARIOS = sorted((ROOT / "asm" / "scenarios").glob("*.toml"))
WHOLE = sorted((ROOT / "asm" / "scenarios" / "whole-file").glob("*.toml"))
FLOW = ROOT / "tests" / "data" / "guest_exit_flow.S"
RAM = 0x0100_0000


def result_of(r) -> tuple:
    return (r.exit, r.kind, r.steps, r.message, r.pc, r.path, r.decisions, r.pcs, r.exit_labels)


def state_of(machine) -> tuple:
    current, threads, rams, icps, slb, tb = machine.snapshot()
    return current, threads, [hashlib.sha256(r).hexdigest() for r in rams], icps, slb, tb


def both(monkeypatch, go):
    """go() once with blocks and once with per-instruction closures; their outputs."""
    out = []
    for blocks in (True, False):
        monkeypatch.setattr(Engine, "use_blocks", blocks)
        out.append(go())
    return out


def runs_agree(monkeypatch, session: Session, entry, limit: int, hooks=None) -> None:
    """From the session's present state: untraced and path-recording runs, blocks against closures; hooks():
    fresh (hooks, step_hooks) for a run."""
    base = session.snapshot()
    for path in (False, True):
        def go(path=path):
            session.restore(base)
            pc = entry if isinstance(entry, int) else session.address_of(entry)
            by_pc, by_step = hooks() if hooks else (None, None)
            with session.engine.bounded(session.hunk_bound(entry) if isinstance(entry, str) else None):
                res = session.engine.run(pc, max_steps=limit, journal=False, path=path, hooks=by_pc,
                                         step_hooks=by_step)
            return result_of(res), state_of(session.machine)
        blocked, single = both(monkeypatch, go)
        assert blocked == single
    session.restore(base)


def _scenario_agrees(monkeypatch, sc) -> None:
    def go():
        out = scenario.run(sc, journal=False)
        return [result_of(r) for r in out.runs], [(c.what, c.ok) for c in out.checks], state_of(out.session.machine)
    blocked, single = both(monkeypatch, go)
    assert blocked == single
    session = scenario.build_session(sc)          # without its events, so that the blocks run it
    limit = sc.data.get("max_steps", 10_000)
    for cut in (limit, 1, 7, 23):                 # step limits that fall inside blocks
        runs_agree(monkeypatch, session, sc.entry, cut)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_scenarios_agree(monkeypatch, path):
    _scenario_agrees(monkeypatch, scenario.load(path))


@pytest.mark.parametrize("path", WHOLE, ids=[p.name for p in WHOLE])
def test_whole_file_scenarios_agree(monkeypatch, path):
    _scenario_agrees(monkeypatch, scenario.load(path, source=FLOW))


def test_every_path_of_the_domain_agrees(monkeypatch):
    domain = ex_mod.load_domain(ROOT / "asm" / "domains" / "hunk3.toml")
    seen: list = []

    def observe(session, res):
        seen.append((result_of(res), state_of(session.machine)))

    monkeypatch.setattr(Session, "observers", [*Session.observers, observe])

    def go():
        seen.clear()
        e = ex_mod.explore(str(ROOT / "asm" / "book3s_hv_rmhandlers.S"), domain)
        groups = [(g.exit, g.kind, g.labels, g.decisions, g.runs) for g in e.groups]
        return groups, list(seen)
    blocked, single = both(monkeypatch, go)
    assert blocked[0] == single[0]
    assert len(blocked[1]) == e_runs(blocked) and blocked[1] == single[1]


def e_runs(out) -> int:
    return sum(len(g[4]) for g in out[0])


# ---------------------------------------------------------------- random code from the templated instructions

DEST = [0, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17, 18, 19]
SRC = DEST + [9, 10, 20, 21, 31]


def _insn(rng: random.Random, label: list[int]) -> list[str]:
    """One instruction (or a forward branch around one), in assembler syntax."""
    d, a, b = rng.choice(DEST), rng.choice(SRC), rng.choice(SRC)
    si, ui, crf = rng.randint(-0x8000, 0x7FFF), rng.randint(0, 0xFFFF), rng.randint(0, 7)
    dot = rng.choice(["", "."])
    disp = rng.randrange(0, 256, 8)
    kind = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11])
    if kind == 0:
        return [rng.choice([f"li r{d},{si}", f"addi r{d},r{a},{si}", f"addis r{d},r{a},{si}", f"lis r{d},{si}"])]
    if kind == 1:
        op = rng.choice(["add", "subf", "and", "andc", "or", "xor", "nor", "eqv"])
        oe = rng.choice(["", "o"]) if op in ("add", "subf") else ""
        return [f"{op}{oe}{dot} r{d},r{a},r{b}"]
    if kind == 2:
        op = rng.choice(["andi.", "andis.", "ori", "oris", "xori", "xoris"])
        return [f"{op} r{d},r{a},{ui}", *([f"extsw{dot} r{d},r{a}", f"extsb{dot} r{d},r{a}",
                                           f"extsh{dot} r{d},r{a}"][rng.randrange(3):][:1])]
    if kind == 3:
        mb, me = rng.randint(0, 31), rng.randint(0, 31)
        return [rng.choice([f"rlwinm{dot} r{d},r{a},{rng.randint(0, 31)},{mb},{me}",
                            f"rldicl{dot} r{d},r{a},{rng.randint(0, 63)},{rng.randint(0, 63)}",
                            f"rldicr{dot} r{d},r{a},{rng.randint(0, 63)},{rng.randint(0, 63)}"])]
    if kind == 4:
        return [rng.choice([f"cmpwi cr{crf},r{a},{si}", f"cmpdi cr{crf},r{a},{si}", f"cmplwi cr{crf},r{a},{ui}",
                            f"cmpldi cr{crf},r{a},{ui}", f"cmpw cr{crf},r{a},r{b}", f"cmpd cr{crf},r{a},r{b}",
                            f"cmplw cr{crf},r{a},r{b}", f"cmpld cr{crf},r{a},r{b}"])]
    if kind in (5, 6):
        op = rng.choice(["lbz", "lhz", "lha", "lwz", "lwa", "ld", "stb", "sth", "stw", "std"])
        return [f"{op} r{d},{disp}(r9)"]
    if kind == 7:
        return [rng.choice([f"lwzx r{d},0,r9", f"stwx r{d},0,r9", "sync", "isync", "nop", f"mfspr r{d},272",
                            f"mtspr 272,r{a}", f"mfxer r{d}", f"mtxer r{a}"])]
    if kind == 8:                                  # not templated: called through its closure in a block
        return [rng.choice([f"mulld r{d},r{a},r{b}", f"lwzu r{d},4(r9)", f"stwu r{a},8(r9)", f"mfcr r{d}",
                            f"srawi{dot} r{d},r{a},{rng.randint(0, 31)}", f"cntlzw r{d},r{a}",
                            f"adde r{d},r{a},r{b}", "bl 9f"])]
    n = label[0] = label[0] + 1
    cond = rng.choice(["beq", "bne", "blt", "bgt", "bso", "bns"])
    return [f"{cond} cr{crf},L{n}", *_insn(rng, label), f"L{n}:"]


def program(seed: int) -> str:
    rng = random.Random(seed)
    label = [0]
    body = [line for _ in range(rng.randint(1, 12)) for line in _insn(rng, label)]
    tail = [line for _ in range(rng.randint(0, 8)) for line in _insn(rng, label)]
    if rng.random() < 0.4:                         # a fault: unmapped memory, or a store into the code
        where = rng.choice([body, tail])
        d, a = rng.choice(DEST), rng.choice(SRC)
        where.insert(rng.randint(0, len(where)), rng.choice([f"lwz r{d},0(r20)", f"stw r{a},4(r21)",
                                                              f"ld r{d},8(r20)", f"std r{a},0(r20)"]))
    lines = ["\t.text", "entry:", f"\tli r10,{rng.randint(1, 4)}", "\tmtctr r10", "1:"]
    lines += [f"\t{x}" if not x.endswith(":") else x for x in body]
    lines += ["\tbdnz 1b"] + [f"\t{x}" if not x.endswith(":") else x for x in tail]
    lines += ["\tb 8f", "9:\tmflr r14", "\tblr", "8:\tnop"]
    return "\n".join(lines) + "\n"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 2**32), st.integers(0, 2**64 - 1), st.sampled_from([10_000, 0, 1, 3, 9, 17, 40]))
def test_random_code_agrees(tmp_path, monkeypatch, seed, state_seed, limit):
    src = tmp_path / f"r{seed}.S"
    src.write_text(program(seed))
    s = Session(str(src))
    rng = random.Random(state_seed)
    t = s.machine.thread
    for r in range(32):
        t.gpr[r] = rng.getrandbits(64)
    t.gpr[9] = RAM + rng.randrange(0, 4096, 4)
    t.gpr[20] = 0x7000_0000 + rng.randrange(0, 64)              # nothing mapped there
    t.gpr[21] = s.address_of("entry")                            # the code itself
    for i in range(8):
        t.cr[i] = rng.getrandbits(4)
    t.spr[1] = rng.getrandbits(32)
    for off in range(0, 8192, 8):
        s.machine.memory.write(RAM + off, 8, rng.getrandbits(64))
    runs_agree(monkeypatch, s, s.address_of("entry"), limit)
    code = sorted(s.engine.nxt_at)
    at = rng.sample(code, min(3, len(code)))
    steps = rng.sample(range(1, 60), 3)

    def hooks():                                   # events at addresses and at steps; a pause at one address
        def event(engine, n):
            engine.machine.thread.gpr[5] ^= n + 1
            return "event"

        def pause(engine, n):
            if n > 5:
                raise Paused("here")
        return {a: [event] for a in at[:2]} | {at[-1]: pause}, {n: event for n in steps}
    runs_agree(monkeypatch, s, s.address_of("entry"), limit, hooks)


LOOP = """\t.text
entry:
\tli r10,10
\tmtctr r10
1:\taddi r9,r9,8
\tadd r3,r3,r9
\tld r4,0(r9)
\trlwinm. r5,r4,3,0,28
\tstd r5,8(r9)
\tbdnz 1b
\tnop
"""


@pytest.mark.parametrize("limit", [10_000, 5, 6, 12, 13, 18, 19, 20, 31])
def test_fault_and_limit_in_a_later_loop_iteration(tmp_path, monkeypatch, limit):
    """A block that loops on itself: its store leaves RAM on the third iteration (step 19)."""
    src = tmp_path / "loop.S"
    src.write_text(LOOP)
    s = Session(str(src))
    s.machine.thread.gpr[9] = RAM + 0x10_0000 - 32
    runs_agree(monkeypatch, s, s.address_of("entry"), limit)
    monkeypatch.setattr(Engine, "use_blocks", True)
    res = s.engine.run(s.address_of("entry"), max_steps=limit, journal=False)
    assert res.kind == ("fault" if limit > 18 else "step-limit")
