"""Exploration's set-up is paid once (prepared assignments, re-armed event hooks, dirty-page RAM restore):
the results must be exactly those of the code before that work. The golden file was captured from the
unoptimised code; regenerate it only for an intended change of behaviour:

    python tests/test_explore_speed_equivalence.py --regenerate
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import FRAGMENT, ROOT  # noqa: E402

from ppcinterp.api import Session  # noqa: E402
from ppcinterp.diagnostics import ScenarioError  # noqa: E402
from ppcinterp.machine import core  # noqa: E402
from ppcinterp.machine.core import Machine  # noqa: E402
from ppcinterp.machine.memory import Ram  # noqa: E402
from ppcinterp.study import scenario  # noqa: E402
from ppcinterp.study.explore import explore, load_domain  # noqa: E402
from ppcinterp.study.interleave import ACTORS, explore_races  # noqa: E402
from ppcinterp.views.paths import paths_json, paths_text  # noqa: E402
from ppcinterp.views.race import race_text  # noqa: E402

GOLDEN = ROOT / "tests" / "data" / "explore_golden.json"
SCENARIOS = sorted((ROOT / "asm" / "scenarios").glob("*.toml"))


def _norm(text: str) -> str:
    return text.replace(str(ROOT), "<ROOT>")


def _digest(runs: list) -> str:
    """Every run's inputs and outcome, as a hash (the lists are large; the texts beside them are readable)."""
    return hashlib.sha256(json.dumps(runs, sort_keys=True).encode()).hexdigest()


def paths_outputs() -> dict[str, object]:
    domain = load_domain(ROOT / "asm" / "domains" / "hunk3.toml")
    out: dict[str, object] = {}
    for label, cpus in (("default", None), ("all", ["POWER7", "POWER8", "PPC970"])):
        ex = explore(str(FRAGMENT), domain, cpus=cpus)
        shown = cpus or domain.cpus
        out[label] = {"json": _norm(paths_json(ex, shown)), "text": _norm(paths_text(ex, shown)),
                      "runs": _digest([[g.exit, g.kind, g.labels, [list(d) for d in g.decisions], g.runs]
                                       for g in ex.groups])}
    return out


def race_outputs(path: Path) -> dict[str, object]:
    sc = scenario.load(path)
    rep = explore_races(sc, ACTORS["host-ipi"])
    return {"text": _norm(race_text(sc, rep)), "steps": rep.steps,
            "runs": _digest([[list(i.positions), i.result.exit, i.result.kind, i.result.steps, i.result.path,
                              [list(d) for d in i.result.decisions], i.holds] for i in rep.interleavings])}


def mutant_outputs() -> dict[str, object]:
    """The fragment without the host_ipi re-check: a violation, and its replayed trace."""
    with tempfile.TemporaryDirectory() as tmp:
        lines = FRAGMENT.read_text().split("\n")
        recheck = [i for i, t in enumerate(lines) if "HSTATE_HOST_IPI(r13)" in t][1]
        lines[recheck:recheck + 3] = ["", "", ""]
        (Path(tmp) / "mutant.S").write_text("\n".join(lines))
        text = (ROOT / "asm" / "scenarios" / "kvm_ipi_ee_bounce.toml").read_text()
        sc = Path(tmp) / "mutant.toml"
        sc.write_text(text.replace('source = "../book3s_hv_rmhandlers.S"', 'source = "mutant.S"'))
        out = race_outputs(sc)
        out["text"] = str(out["text"]).replace(str(Path(tmp).resolve()), "<TMP>").replace(tmp, "<TMP>")
        return out


def capture() -> dict[str, object]:
    return {"paths": paths_outputs(), "mutant": mutant_outputs(),
            "interleave": {p.name: race_outputs(p) for p in SCENARIOS}}


def _golden() -> dict:
    return json.loads(GOLDEN.read_text())


def _flat(value: object) -> object:
    """Reports wrap at 80 columns with the checkout's path in them, so where a line breaks depends on where
    the clone lives: compare the words, not the breaks."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        return {k: _flat(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_flat(v) for v in value]
    return value


def test_paths_on_hunk3_are_those_of_the_unoptimised_code():
    got = json.loads(json.dumps(paths_outputs()))
    assert _flat(got) == _flat(_golden()["paths"])


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_interleave_reports_are_those_of_the_unoptimised_code(path):
    got = json.loads(json.dumps(race_outputs(path)))
    assert _flat(got) == _flat(_golden()["interleave"][path.name])


def test_a_violation_and_its_replay_are_those_of_the_unoptimised_code():
    assert _flat(json.loads(json.dumps(mutant_outputs()))) == _flat(_golden()["mutant"])


def _rams(m: Machine) -> list[bytes]:
    return [bytes(r.data) for r in m.memory.regions if isinstance(r, Ram)]


def test_every_restore_of_paths_and_interleave_puts_all_ram_back(monkeypatch):
    """A write path that does not mark its page dirty (a store that bypasses Ram.write) fails here."""
    restore = Machine.restore
    checked = []

    def verified(self: Machine, snap: tuple) -> None:
        restore(self, snap)
        saved = snap[2]
        for i, now in enumerate(_rams(self)):
            assert now == (saved[i] if i < len(saved) else bytes(len(now)))
        checked.append(1)

    monkeypatch.setattr(Machine, "restore", verified)
    explore(str(FRAGMENT), load_domain(ROOT / "asm" / "domains" / "hunk3.toml"), cpus=["POWER7"])
    for path in SCENARIOS[:6]:
        explore_races(scenario.load(path), ACTORS["host-ipi"])
    assert len(checked) > 500


def test_full_restore_gives_the_same_paths(monkeypatch):
    fast = paths_outputs()
    monkeypatch.setattr(core, "FULL_RESTORE", True)
    assert paths_outputs() == fast


SESSION = Session(str(FRAGMENT), cpu="POWER7", threads=2)
REGIONS = [r for r in SESSION.machine.memory.regions if isinstance(r, Ram)]
# (region, offset (modulo its size), how: 1/2/4/8 = Memory.write of that size, 0 = a slice assignment
# as the journal's undo makes, -1 = one item), value
OFFSETS = st.one_of(st.integers(0, 2**20), st.integers(1, 256).map(lambda k: k * 4096 - 4))   # page edges
OPS = st.lists(st.tuples(st.integers(0, len(REGIONS) - 1), OFFSETS, st.sampled_from([1, 2, 4, 8, 0, -1]),
                         st.integers(0, 2**64 - 1)), max_size=40)


def _apply(m: Machine, ops: list) -> None:
    for ri, at, how, value in ops:
        r = REGIONS[ri]
        width = min(how if how > 0 else 1 + value % 9000 if how == 0 else 1, r.size)
        off = min(at % r.size, r.size - width)
        if how > 0:
            m.memory.write(r.base + off, how, value & ((1 << 8 * how) - 1))
        elif how == 0:
            r.data[off:off + width] = bytes((value + i) & 0xFF for i in range(width))
        else:
            r.data[off] = value & 0xFF


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPS, OPS, OPS)
def test_restore_returns_ram_exactly_to_the_snapshot(first, second, third):
    m = SESSION.machine
    SESSION.reset()
    _apply(m, first)
    a = m.snapshot()
    _apply(m, second)
    m.restore(a)                        # the last snapshot: only dirty pages copied back
    assert _rams(m) == a[2]
    _apply(m, second)
    b = m.snapshot()
    _apply(m, third)
    m.restore(a)                        # an older one: not the clean base any more
    assert _rams(m) == a[2]
    _apply(m, third)
    m.restore(b)
    assert _rams(m) == b[2]
    _apply(m, first)
    m.restore(b)
    assert _rams(m) == b[2]
    SESSION.reset()
    assert _rams(m) == SESSION._initial[2]


def test_ram_mapped_after_a_snapshot_is_zeroed_by_restores():
    s = Session(str(FRAGMENT), cpu="POWER7")
    snap = s.snapshot()
    base = s.map("late", 0x0500_0000, 0x3000)
    for _ in range(3):
        s.set("mem64[%#x]" % (base + 0x1ff8), 0x1122334455667788)
        s.restore(snap)
        assert s.get("mem64[%#x]" % (base + 0x1ff8)) == 0


def test_a_bad_input_value_is_reported_at_its_place_as_before(tmp_path):
    d = tmp_path / "bad.toml"
    d.write_text('entry = "hunk 3"\n[inputs]\nr12 = ["BOOK3S_INTERRUPT_EXTERNAL", "NOPE_X"]\n'
                 '"r11" = [1, "NOPE_Z"]\n')
    with pytest.raises(ScenarioError) as e:
        explore(str(FRAGMENT), load_domain(d))
    assert (str(e.value.pos), e.value.message) == (
        f"{d}:4:2", "'r11': 'NOPE_Z' is not a number or a constant of the kernel environment, nor a label")


def test_event_hooks_fire_once_per_run_and_rearm():
    s = Session(str(FRAGMENT), cpu="POWER7")
    hook = s.event_hook([("r3", "IPI_PRIORITY"), ("r4", 7)], "")
    assert hook(None, 0) == "r3 = IPI_PRIORITY, r4 = 7" and (s.get("r3"), s.get("r4")) == (4, 7)
    s.set("r3", 0)
    assert hook(None, 1) is None and s.get("r3") == 0
    hook.rearm()
    assert hook(None, 0) is not None and s.get("r3") == 4


if __name__ == "__main__":
    if sys.argv[1:] == ["--regenerate"]:
        GOLDEN.write_text(json.dumps(capture(), indent=0, sort_keys=True) + "\n")
        print(f"wrote {GOLDEN}")
