"""The journal through its public interface (ppcinterp/run/journal.py): a sequence of Steps (len, index,
negative index, slices, iteration, reversed), truncate (and a debugger run going on live from a truncated
history), undo_last for every kind of state, read back at any position of a looping block equal to the
reference (every instruction by its closure, Engine.use_blocks False). Compact: test_journal_compact.py."""

from __future__ import annotations

import random

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_block_agreement import RAM, fold, portable, program, state_of, steps_checked

from ppcinterp.api import Session
from ppcinterp.debug.engine import DebugEngine
from ppcinterp.machine.core import DEFAULT_ICP_BASE
from ppcinterp.run.engine import Engine
from ppcinterp.run.events import rearm
from ppcinterp.run.journal import Change, Step

BENCH = ROOT / "tests" / "data" / "bench_alu_loop.S"
RACE = ROOT / "asm" / "scenarios" / "race_host_ipi.toml"

LOOP = """\t.text
entry:
\tli r10,9
\tmtctr r10
1:\taddi r9,r9,8
\tadd r3,r3,r9
\tld r4,0(r9)
\trlwinm. r5,r4,3,0,28
\tstd r5,8(r9)
\tcmpwi cr1,r5,0
\tbeq cr1,2f
\txor r6,r6,r4
2:\tbdnz 1b
\tmulld r7,r3,r4
\tnop
"""


def loop_session(tmp_path) -> Session:
    src = tmp_path / "loop.S"
    src.write_text(LOOP)
    s = Session(str(src))
    s.set("r9", RAM + 0x100)
    rng = random.Random(7)
    for off in range(0, 256, 8):
        s.set(f"mem64[{RAM + 0x100 + off:#x}]", rng.getrandbits(64) & ~(0xFF << 8 * rng.randrange(8)))
    return s


def hooks_for(s: Session) -> tuple[dict, dict]:
    """Two events: one at a step inside the loop, one at the loop's head address (every iteration's arrival
    sees it, it fires once)."""
    ev1 = s.event_hook([("r20", 0x1234), ("cr", 0x2000_0000)], "host: r20, cr")
    ev2 = s.event_hook([(f"mem64[{RAM:#x}]", 0x55)], "host: a store")
    return {s.address_of("entry") + 8: [ev2]}, {13: [ev1]}


def journaled(monkeypatch, s: Session, blocks: bool, *, limit: int = 10_000, hooks=None):
    monkeypatch.setattr(Engine, "use_blocks", blocks)
    by_pc, by_step = hooks if hooks else (None, None)
    if hooks:
        rearm(by_pc, by_step)
    return s.run("entry", max_steps=limit, journal=True, hooks=by_pc, step_hooks=by_step)


# ---------------------------------------------------------------- a sequence of Steps

def test_sequence_semantics(tmp_path, monkeypatch):
    s = loop_session(tmp_path)
    base = s.snapshot()
    hooks = hooks_for(s)
    ref = list(journaled(monkeypatch, s, False, hooks=hooks).journal)
    s.restore(base)
    j = journaled(monkeypatch, s, True, hooks=hooks).journal
    n = len(ref)
    assert n > 80 and any(s.pc is None for s in ref)          # a loop's iterations and two events
    assert len(j) == n and j.steps is j
    assert isinstance(j[0], Step) and isinstance(j[3].changes[0], Change)
    assert [j[i] for i in range(n)] == ref                     # indexing
    assert list(j) == ref and list(j) == ref                   # iteration (twice: nothing consumed)
    assert [j[i] for i in range(-1, -n - 1, -1)] == ref[::-1]  # negative indices
    assert list(reversed(j)) == ref[::-1]
    for a in (None, 0, 1, 5, 17, n // 2, n - 1, n, n + 5, -1, -7, -n, -n - 3):
        for b in (None, 0, 3, 18, n // 2 + 1, n - 2, n, n + 9, -1, -5, -n):
            for step in (None, 1, 2, 5, -1, -3):
                assert j[a:b:step] == ref[a:b:step], (a, b, step)
    assert list(j.between(5, 40)) == ref[5:40]
    with pytest.raises(IndexError):
        j[n]
    with pytest.raises(IndexError):
        j[-n - 1]
    rng = random.Random(1)
    for i in rng.choices(range(n), k=300):                     # in any order: decoding is per iteration
        assert j[i] == ref[i]
    assert [x.index for x in ref if x.pc is not None] == list(range(j.instructions()))
    events = [x for x in ref if x.pc is None]
    assert [x.event for x in events] == ["host: a store", "host: r20, cr"]
    assert all(e.index == ref[ref.index(e) + 1].index for e in events)     # an event shares its step's number
    assert steps_checked(j, s.engine.conditional) == ref


def test_append(tmp_path, monkeypatch):
    s = loop_session(tmp_path)
    j = journaled(monkeypatch, s, True, limit=20).journal
    before = list(j)
    extra = Step(20, 0, None, None, [Change("gpr", 3, 0, 1, 0)], "set var r3 = 1")
    j.append(extra)
    assert len(j) == 21 and j[-1] == extra and list(j) == [*before, extra]
    assert j.instructions() == 20                              # an event is no instruction
    assert j.pcs() == [x.pc for x in before]
    j.truncate(20)
    assert list(j) == before


# ---------------------------------------------------------------- truncate

def test_truncate_at_every_position_then_go_on(tmp_path, monkeypatch):
    """Truncated at any position (inside a block call, at its end, at an event, at 0): the steps before it,
    its queries consistent; going on live from there (Engine.resume, after a change of state) records what a
    run that made the same change there records, with blocks as with closures."""
    s = loop_session(tmp_path)
    base = s.snapshot()
    full = list(journaled(monkeypatch, s, True).journal)
    n = len(full)
    for cut in [*range(0, n + 1), n + 3]:
        s.restore(base)
        j = journaled(monkeypatch, s, True).journal
        flat = len(j.flat)
        j.truncate(cut)
        assert list(j) == full[:cut] and len(j) == min(cut, n)
        assert steps_checked(j, s.engine.conditional) == full[:cut]
        assert len(j.flat) <= flat and all(p < len(j.flat) for p in j.extra)
        if cut >= n:
            continue
        going_on = []
        for blocks in (True, False):        # the machine back at `cut`, r3 changed there, then live again
            s.restore(base)
            mid = journaled(monkeypatch, s, blocks, limit=full[cut].index).journal
            j2 = j if blocks else mid
            if blocks:
                assert list(mid) == full[:cut]
            s.set("r3", 0xABC)
            first = full[cut].index
            engine = s.engine
            pc, res = engine.resume(full[cut].pc, j2, max_steps=10_000, first=first)
            assert res is not None and res.kind == "end-of-code"
            going_on.append((list(j2), state_of(s.machine)))
        assert going_on[0] == going_on[1]
        assert going_on[0][0][:cut] == full[:cut]
        assert [x.index for x in going_on[0][0] if x.pc is not None] == list(range(len(
            [x for x in going_on[0][0] if x.pc is not None])))


def _debugger(moves: list[str]):
    d = DebugEngine.from_scenario(RACE)
    outs = [d.execute(m) for m in moves]
    assert d.last_ok, outs[-1]
    return d, outs


@pytest.mark.parametrize("back", [1, 3, 9, 10, 11, 12, 21, 29, 30])
def test_debugger_forgets_the_future(monkeypatch, back):
    """continue to the end, reverse-stepi, set var: the history is the steps before that point and the set var,
    the events after it are pending again; continue records what stepping there and changing the same does,
    with blocks (a history cut inside a block's values) as with single-stepping."""
    seen = []
    for blocks in (True, False):
        monkeypatch.setattr(Engine, "use_blocks", blocks)
        d, _ = _debugger(["continue"])
        old = list(d.history.journal)
        d.execute(f"reverse-stepi {back}")
        pos, count = d.history.pos, d.history.count
        assert count == 30 - back
        notice = d.execute("set var r3 = 0x55")
        assert "Discarded the recorded future" in notice
        now = list(d.history.journal)
        assert now[:pos] == old[:pos] and len(now) == pos + 1
        assert now[-1].pc is None and now[-1].event == "set var r3 = 0x55" and now[-1].index == count
        assert d.machine.thread.gpr[3] == 0x55
        d.execute("continue")
        assert d.exited is not None
        again = list(d.history.journal)
        assert again[:pos + 1] == now
        fired = [x.event for x in again if x.event and x.event.startswith("host:")]
        assert fired == ["host: host_ipi = 1", "host: MFRR = IPI_PRIORITY"]        # once: re-armed if forgotten
        ref, _ = _debugger([f"stepi {count}"] if count else [])
        assert ref.history.pos == pos
        ref.execute("set var r3 = 0x55")
        ref.execute("continue")
        assert portable(list(ref.history.journal)) == portable(again)
        assert state_of(ref.machine) == state_of(d.machine)
        assert steps_checked(d.history.journal, d.session.engine.conditional) == again
        seen.append((portable(again), state_of(d.machine), (d.exit.exit, d.exit.kind, d.exit.steps)))
    assert seen[0] == seen[1]


# ---------------------------------------------------------------- undo_last

ALL_STATE = """\t.text
entry:
\tli r3,5
\taddi r4,r3,7
\tcmpwi cr2,r4,12
\tmtctr r4
\tmtlr r3
\tmtspr 272,r4
\tmfmsr r5
\tori r6,r5,0x2000
\toris r6,r6,0x0280
\tmtmsrd r6
\tlwarx r7,0,r9
\tstw r4,8(r9)
\tstd r3,16(r9)
\tlfd f1,24(r9)
\tmtfsf 0xff,f1
\tli r8,64
\tlvx v2,r8,r9
\tmtvscr v2
\tli r8,80
\tlxvd2x vs5,r8,r9
\tli r8,5
\tstbcix r8,0,r20
\tlwzcix r10,r21,r22
\tmftb r11
\tslbmte r12,r13
\tstwcx. r4,0,r9
\tnop
"""
KINDS = {"gpr", "cr", "spr", "msr", "reservation", "mem", "fpr", "fpscr", "vr", "vscr", "vsr", "icp", "tb", "slb",
         "thread"}


def all_state_session(tmp_path) -> Session:
    src = tmp_path / "all.S"
    src.write_text(ALL_STATE)
    s = Session(str(src), threads=2)
    area = RAM + 0x100
    s.set("r9", area)
    s.set("r20", DEFAULT_ICP_BASE + 0xC)             # MFRR
    s.set("r21", DEFAULT_ICP_BASE)
    s.set("r22", 4)                                  # XIRR: an accept
    s.set("r12", 0x1234_0000)
    s.set("r13", 0x0800_0000_0800_0001)
    for off in range(0, 128, 8):
        s.set(f"mem64[{area + off:#x}]", 0x3FF0_0000_0000_0000 + off * 0x1111)
    s.set(f"mem64[{area + 72:#x}]", 0x1_0001)        # VSCR[NJ, SAT] from v2's last word
    return s


@pytest.mark.parametrize("blocks", [True, False])
def test_undo_last_restores_every_kind_of_state(tmp_path, monkeypatch, blocks):
    s = all_state_session(tmp_path)
    base = s.snapshot()
    ev = s.event_hook([("r30", 77), ("icp.cppr", 0x10), (f"mem32[{RAM:#x}]", 9)], "host: writes")
    hooks = ({}, {7: [ev]})
    states = {}                                      # by journal position: the state there
    for k in range(0, 40):
        s.restore(base)
        r = journaled(monkeypatch, s, False, limit=k, hooks=hooks)
        states.setdefault(len(r.journal), state_of(s.machine))
        if r.kind != "step-limit":
            break
    s.restore(base)
    res = journaled(monkeypatch, s, blocks, hooks=hooks)
    j = res.journal
    m = s.machine
    j.append(Step(res.steps, 0, None, None, [Change("thread", None, 0, 1)], "thread 1"))
    m.current = 1
    steps = list(j)
    assert {c.what for x in steps for c in x.changes} >= KINDS
    assert {c.what for x in steps for c in x.changes} - KINDS <= {"load", "mmio"}
    n = len(steps)
    checked = 0
    while len(j):
        k = len(j)
        assert j.undo_last(m) == steps[k - 1]
        assert list(j) == steps[:k - 1]
        if k - 1 in states:
            assert state_of(m) == states[k - 1], f"after undoing step {k - 1}: {steps[k - 1]}"
            checked += 1
    assert j.undo_last(m) is None
    assert state_of(m) == state_of_base(s, base)
    assert checked >= n - 3                           # every position but those between an event and its step


def state_of_base(s: Session, base) -> tuple:
    s.restore(base)
    return state_of(s.machine)


# ---------------------------------------------------------------- a looping block read back anywhere

def test_looping_block_read_back_at_random_positions(monkeypatch):
    s = Session(str(BENCH))
    base = s.snapshot()

    def run(blocks: bool):
        s.restore(base)
        s.set("r9", RAM)
        s.set("r10", 300)
        return journaled_entry(monkeypatch, s, blocks, "bench_alu_loop", 4000)
    ref = list(run(False).journal)
    r = run(True)
    j = r.journal
    assert len(j.recs) // 4 < 10 and len(j) == 4000 == len(ref)          # a few records: the loop is one
    rng = random.Random(3)
    for i in rng.choices(range(4000), k=500):
        assert j[i] == ref[i], i
        assert j[i - 4000] == ref[i]
    for _ in range(50):
        a, b = sorted(rng.choices(range(4001), k=2))
        assert j[a:b] == ref[a:b]
        assert fold(j.net(a, b)) == fold(c for x in ref[a:b] for c in x.changes)
        assert j.pcs(b) == [x.pc for x in ref[:b]]
        assert j.decisions(s.engine.conditional, b) == [(x.pc, x.next_pc != x.pc + 4) for x in ref[:b]
                                                        if x.pc in s.engine.conditional]
    assert list(j) == ref


def journaled_entry(monkeypatch, s: Session, blocks: bool, entry: str, limit: int):
    monkeypatch.setattr(Engine, "use_blocks", blocks)
    return s.run(entry, max_steps=limit, journal=True)


# ---------------------------------------------------------------- random programs, random positions

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 2**32), st.integers(0, 2**64 - 1), st.sampled_from([10_000, 7, 40]),
       st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=12))
def test_random_positions_equal_the_reference(tmp_path, monkeypatch, seed, state_seed, limit, where):
    src = tmp_path / f"r{seed}.S"
    src.write_text(program(seed))
    s = Session(str(src))
    rng = random.Random(state_seed)
    t = s.machine.thread
    for r in range(32):
        t.gpr[r] = rng.getrandbits(64)
    t.gpr[9] = RAM + rng.randrange(0, 4096, 4)
    t.gpr[20] = 0x7000_0000 + rng.randrange(0, 64)
    t.gpr[21] = s.address_of("entry")
    for i in range(8):
        t.cr[i] = rng.getrandbits(4)
    for off in range(0, 8192, 8):
        s.machine.memory.write(RAM + off, 8, rng.getrandbits(64))
    base = s.snapshot()
    ref = list(journaled_entry(monkeypatch, s, False, "entry", limit).journal)
    s.restore(base)
    j = journaled_entry(monkeypatch, s, True, "entry", limit).journal
    n = len(j)
    assert n == len(ref)
    pos = [int(w * n) for w in where] if n else []
    for i in pos:                                    # cold, before anything else decoded the journal
        assert j[i] == ref[i]
        assert j[i - n] == ref[i]
    steps = list(j)
    assert steps == ref
    for i in pos:
        assert j[i] == steps[i] == ref[i]
    for a, b in zip(pos, pos[1:], strict=False):
        a, b = min(a, b), max(a, b)
        assert j[a:b] == ref[a:b]
        assert fold(j.net(a, b)) == fold(c for x in ref[a:b] for c in x.changes)
