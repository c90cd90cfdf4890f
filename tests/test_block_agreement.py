"""Block-compiled runs agree with per-instruction closures (single-stepping, Engine.use_blocks False): every
scenario, every path of the shipped domain, and random straight-line and looping code from random state give
the same Result (exit, kind, steps, message, pc, path, decisions, pcs), the same final machine (registers,
SPRs, CR, MSR, RAM, ICPs, SLB, TB) and, run journaled, identical journals: every Step with its changes. The
debugger's way too: its history of single steps (stepi, journaled one-instruction blocks) equals the history
of a continued run. Every journal's queries (pcs, flow, decisions, mmio, net) equal what its steps say."""

from __future__ import annotations

import hashlib
import random

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ppcinterp.api import Session
from ppcinterp.debug.engine import DebugEngine
from ppcinterp.machine.memory import Device
from ppcinterp.run.engine import Engine
from ppcinterp.run.events import rearm
from ppcinterp.run.journal import READS, Step
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


# ---------------------------------------------------------------- journals

def _named(key):
    """A change's key with its device named: runs in two sessions have two ICP objects (equal by identity)."""
    if isinstance(key, Device):
        return "device", key.name, key.base
    if type(key) is tuple and len(key) == 2 and isinstance(key[0], Device):
        return ("device", key[0].name, key[0].base), key[1]
    return key


def portable(steps: list[Step]) -> list[Step]:
    """Steps comparable with another session's: the same Steps, devices named instead of referenced."""
    return [Step(s.index, s.thread, s.pc, s.next_pc, [c._replace(key=_named(c.key)) for c in s.changes], s.event)
            for s in steps]


def fold(changes) -> dict:
    """Changes folded by location (reads left out): the first old and the last new value of each location that
    ends up changed."""
    out: dict = {}
    for c in changes:
        if c.what not in READS:
            loc = (c.what, c.key, c.thread)
            out[loc] = (out[loc][0] if loc in out else c.old, c.new)
    return {loc: v for loc, v in out.items() if v[0] != v[1]}


def steps_checked(journal, cond) -> list[Step]:
    """The journal's steps, list(journal), after checking its queries against them: instructions, pcs, flow,
    decisions (cond: the conditional branches' addresses), mmio and net, at a few positions."""
    steps = list(journal)
    n = len(steps)
    assert len(journal) == n
    assert journal.instructions() == sum(s.pc is not None for s in steps)
    assert journal.pcs() == [s.pc for s in steps if s.pc is not None]
    for upto in sorted({0, 1, n // 3, n // 2, n - 1, n} - {-1}):
        head = steps[:upto]
        assert journal.pcs(upto) == [s.pc for s in head if s.pc is not None]
        assert journal.flow(None, upto) == [(s.pc, s.next_pc) for s in head if s.pc is not None]
        assert journal.flow(cond, upto) == [(s.pc, s.next_pc) for s in head if s.pc in cond]
        assert journal.decisions(cond, upto) == [(s.pc, s.next_pc != s.pc + 4) for s in head
                                                 if s.pc in cond and s.next_pc is not None]
        accesses = [(s, c) for s in head for c in s.changes if c.what == "mmio"]
        assert journal.mmio(upto, 8) == accesses[-8:]
        assert journal.mmio(upto, 1) == accesses[-1:]
        for a in {0, upto // 2, max(upto - 1, 0)}:
            net = journal.net(a, upto)
            assert not [c for c in net if c.what in READS]
            assert fold(net) == fold(c for s in steps[a:upto] for c in s.changes)
    return steps


def runs_agree(monkeypatch, session: Session, entry, limit: int, hooks=None) -> None:
    """From the session's present state: untraced, path-recording and journaled runs, blocks against closures;
    hooks(): fresh (hooks, step_hooks) for a run. The three ways agree with each other too."""
    base = session.snapshot()
    outs = {}
    for how in ("untraced", "path", "journal"):
        def go(how=how):
            session.restore(base)
            pc = entry if isinstance(entry, int) else session.address_of(entry)
            by_pc, by_step = hooks() if hooks else (None, None)
            with session.engine.bounded(session.hunk_bound(entry) if isinstance(entry, str) else None):
                res = session.engine.run(pc, max_steps=limit, journal=how == "journal", path=how == "path",
                                         hooks=by_pc, step_hooks=by_step)
                steps = steps_checked(res.journal, session.engine.conditional) if res.journal is not None else None
            return result_of(res), steps, state_of(session.machine)
        blocked, single = both(monkeypatch, go)
        assert blocked[0] == single[0]
        assert blocked[1] == single[1]              # the journals: Step by Step, with their changes
        assert blocked[2] == single[2]
        outs[how] = blocked
    assert outs["path"][0] == outs["journal"][0]
    assert outs["untraced"][2] == outs["path"][2] == outs["journal"][2]
    if outs["journal"][1] and not hooks:            # nothing but instructions
        assert [s.pc for s in outs["journal"][1]] == outs["journal"][0][7]
    session.restore(base)


def _scenario_agrees(monkeypatch, sc) -> None:
    def go():
        out = scenario.run(sc, journal=False)
        return [result_of(r) for r in out.runs], [(c.what, c.ok) for c in out.checks], state_of(out.session.machine)

    def journaled():
        out = scenario.run(sc, journal=True)
        cond = out.session.engine.conditional
        return ([result_of(r) for r in out.runs], [portable(steps_checked(r.journal, cond)) for r in out.runs],
                [(c.what, c.ok) for c in out.checks], state_of(out.session.machine))
    blocked, single = both(monkeypatch, go)
    assert blocked == single
    j_blocked, j_single = both(monkeypatch, journaled)
    assert j_blocked[0] == j_single[0]
    assert j_blocked[1] == j_single[1]              # each run's journal
    assert j_blocked[2:] == j_single[2:]
    assert (j_blocked[0], *j_blocked[2:]) == blocked                # journaled or not, the same runs
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


# ---------------------------------------------------------------- the debugger's way

def debugged(path, source, moves: list[str]) -> tuple:
    """A scenario in the debugger, moved by the commands (the last repeated until the run ends): its history's
    steps, the run's end and the final state."""
    d = DebugEngine.from_scenario(path, None if source is None else str(source))
    for k, line in enumerate(moves):
        for _ in range(100_000 if k == len(moves) - 1 else 1):
            if d.exited is not None:
                break
            out = d.execute(line)
            assert d.last_ok, out
    assert d.exited is not None, "the run did not end"
    steps = steps_checked(d.history.journal, d.session.engine.conditional)
    return portable(steps), result_of(d.exit)[:5], state_of(d.machine)


DEBUGGED = [(p, None) for p in SCENARIOS] + [(p, FLOW) for p in WHOLE]


@pytest.mark.parametrize("path,source", DEBUGGED, ids=[p.name for p, _ in DEBUGGED])
def test_debugger_single_steps_agree_with_continue(monkeypatch, path, source):
    """stepi to the end, continue, and a few steps then continue: one history (and one end, one final state),
    with blocks and single-stepping; the same history the scenario's own (first) journaled run records."""
    ways = {"continue": ["continue"], "stepi": ["stepi"], "mixed": ["stepi", "stepi 2", "stepi 3", "continue"]}
    blocked, single = both(monkeypatch, lambda: {name: debugged(path, source, m) for name, m in ways.items()})
    assert blocked == single
    for name in ("stepi", "mixed"):
        assert blocked[name] == blocked["continue"], name
    run = scenario.run(scenario.load(path, source), journal=True).runs[0]
    assert portable(list(run.journal)) == blocked["continue"][0]
    assert result_of(run)[:3] == blocked["continue"][1][:3]       # exit, kind, steps (resume names no pc)


# ---------------------------------------------------------------- the shipped domain

def test_every_path_of_the_domain_agrees(monkeypatch):
    """Every run of the exploration (untraced), and the same run again journaled: blocks against closures."""
    domain = ex_mod.load_domain(ROOT / "asm" / "domains" / "hunk3.toml")
    seen: list = []
    journaled: list = []
    run = Session.run

    def observe(session, res):
        if res.journal is None:
            seen.append((result_of(res), state_of(session.machine)))

    def and_journaled(self, entry, **kw):
        before = self.snapshot()
        res = run(self, entry, **kw)
        after = state_of(self.machine)
        self.restore(before)
        rearm(kw.get("hooks") or {}, kw.get("step_hooks") or {})
        again = run(self, entry, **{**kw, "journal": True})
        journaled.append((result_of(again), portable(steps_checked(again.journal, self.engine.conditional))))
        assert (result_of(again), state_of(self.machine)) == (result_of(res), after)
        return res

    monkeypatch.setattr(Session, "observers", [*Session.observers, observe])
    monkeypatch.setattr(Session, "run", and_journaled)

    def go():
        seen.clear()
        journaled.clear()
        e = ex_mod.explore(str(ROOT / "asm" / "book3s_hv_rmhandlers.S"), domain)
        groups = [(g.exit, g.kind, g.labels, g.decisions, g.runs) for g in e.groups]
        return groups, list(seen), list(journaled)
    blocked, single = both(monkeypatch, go)
    assert blocked[0] == single[0]
    assert len(blocked[1]) == e_runs(blocked) and blocked[1] == single[1]
    assert len(blocked[2]) == e_runs(blocked)
    assert blocked[2] == single[2]
    assert any(c.what == "mmio" for _, steps in blocked[2] for s in steps for c in s.changes)


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
    kind = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    if kind == 0:
        return [rng.choice([f"li r{d},{si}", f"addi r{d},r{a},{si}", f"addis r{d},r{a},{si}", f"lis r{d},{si}"])]
    if kind == 1:
        op = rng.choice(["add", "subf", "and", "andc", "or", "xor", "nor", "eqv", "addc", "subfc", "subfe"])
        oe = rng.choice(["", "o"]) if op.startswith(("add", "subf")) else ""
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
    if kind == 8:
        return [rng.choice([f"mulld{rng.choice(['', 'o'])}{dot} r{d},r{a},r{b}", f"lwzu r{d},4(r9)",
                            f"stwu r{a},8(r9)", f"mfcr r{d}", f"srawi{dot} r{d},r{a},{rng.randint(0, 31)}",
                            f"cntlzw r{d},r{a}", f"adde{dot} r{d},r{a},r{b}",
                            f"divw{rng.choice(['', 'o'])} r{d},r{a},r{b}",
                            f"rlwimi{dot} r{d},r{a},{rng.randint(0, 31)},{rng.randint(0, 31)},{rng.randint(0, 31)}",
                            f"crxor {rng.randint(0, 31)},{rng.randint(0, 31)},{rng.randint(0, 31)}"])]
    if kind == 9:                                  # not templated: called through its closure in a block
        return [rng.choice(["bl 9f", f"lwarx r{d},0,r9", f"stwcx. r{a},0,r9", f"mftb r{d}", "dcbz 0,r9",
                            f"lwbrx r{d},0,r9", f"addze{dot} r{d},r{a}", f"nego{dot} r{d},r{a}"])]
    if kind == 10 and rng.random() < 0.3:         # switch the mode (MSR[SF]): 32-bit <-> 64-bit
        return ["mfmsr r22", "rotldi r22,r22,32", "xoris r22,r22,0x8000", "rotldi r22,r22,32", "mtmsrd r22"]
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
@given(st.integers(0, 2**32), st.integers(0, 2**64 - 1), st.sampled_from([10_000, 0, 1, 3, 9, 17, 40]),
       st.sampled_from([1, 0]))
def test_random_code_agrees(tmp_path, monkeypatch, seed, state_seed, limit, sf):
    """From random state in 64-bit or 32-bit mode (MSR[SF] = sf; some programs switch it with mtmsrd)."""
    src = tmp_path / f"r{seed}.S"
    src.write_text(program(seed))
    s = Session(str(src))
    rng = random.Random(state_seed)
    t = s.machine.thread
    for r in range(32):
        t.gpr[r] = rng.getrandbits(64)
    t.gpr[9] = RAM + rng.randrange(0, 4096, 4)
    if not sf:                                      # a high word that 32-bit mode's addresses drop
        t.gpr[9] |= rng.getrandbits(32) << 32
        s.set("msr.sf", 0)
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
