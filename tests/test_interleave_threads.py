"""Race studies: several hardware threads running code from their own entries ([[race]]), explored under
sequential consistency with partial-order reduction, through the command line and the Python API."""

from __future__ import annotations

import json
import tomllib

import jsonschema
import pytest
from conftest import ROOT, ppc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ppcinterp.cli import main
from ppcinterp.diagnostics import PpcError
from ppcinterp.study import scenario
from ppcinterp.study.dpor import explore_threads
from ppcinterp.study.schema import schema

STUDIES = ROOT / "asm" / "studies"
SHIPPED = ["ipi_handler_vs_sender", "ipi_handler_vs_sender_nosync", "host_handler_vs_sender",
           "host_handler_vs_sender_mb", "two_handlers_and_sender", "two_pairs"]


def _json(*args: str) -> tuple[int, dict]:
    out = ppc("interleave", *args, "--json")
    assert out.returncode in (0, 1), out.stderr
    return out.returncode, json.loads(out.stdout)


@pytest.mark.parametrize("name", SHIPPED)
def test_no_shipped_study_loses_the_ipi_under_sc(name):
    rc, got = _json(str(STUDIES / f"{name}.toml"))
    assert rc == 0 and got["violations"] == 0 and not got["cut"] and got["model"] == "sc"
    assert 1 < got["executions"] < got["naive"]
    assert sum(o["executions"] for o in got["outcomes"]) == got["executions"]


def test_the_shipped_studies_are_valid_under_the_schema():
    check = jsonschema.Draft202012Validator(schema())
    for name in SHIPPED:
        data = tomllib.loads((STUDIES / f"{name}.toml").read_text())
        assert not [e.message for e in check.iter_errors(data)], name
    assert list(check.iter_errors({"source": "a.S", "race": [{"thread": 0}]}))       # no entry


def test_the_seed_against_the_sender_meets_every_order_of_the_accesses_that_matter():
    study = explore_threads(scenario.load(STUDIES / "ipi_handler_vs_sender.toml"))
    # host_ipi read before the sender's store (then the accept before or after its MFRR store), or after it
    assert study.executions == 3
    assert {x.ends[0][1] for x in study.leaves} == {"ext_interrupt_to_host"}
    assert {x.observed for x in study.leaves} == {(0x01000000, 1, 4)}      # message, host_ipi, MFRR
    texts = []
    for leaf in study.leaves:
        study.replay(leaf)
        texts.append([pc for _, pc in study.racers.runs[0].insns])
    assert len({len(t) for t in texts}) == 3          # three different paths through hunk 3


def test_the_acceptance_case_two_handlers_and_the_sender():
    out = ppc("interleave", str(STUDIES / "two_handlers_and_sender.toml"))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "explored 3 executions" in out.stdout and "the invariant holds in every execution explored" in out.stdout


def test_jobs_give_the_same_results_as_one_process():
    path = str(STUDIES / "host_handler_vs_sender.toml")
    _, one = _json(path)
    _, two = _json(path, "--jobs", "2")
    assert one == two and one["executions"] == 7
    _, cut1 = _json(path, "--max-executions", "4")
    _, cut2 = _json(path, "--max-executions", "4", "--jobs", "2")
    assert cut1 == cut2 and cut1["executions"] == 4 and cut1["cut"]
    pairs = explore_threads(scenario.load(STUDIES / "two_pairs.toml"), jobs=2)
    assert pairs.executions == 21 and [x.outcome for x in pairs.leaves] == \
        [x.outcome for x in explore_threads(scenario.load(STUDIES / "two_pairs.toml")).leaves]


def test_the_bound_cuts_the_search_with_a_message_and_status_1():
    out = ppc("interleave", str(STUDIES / "host_handler_vs_sender.toml"), "--max-executions", "2")
    assert out.returncode == 1 and "explored 2 executions" in out.stdout
    assert "bound: the search stopped at max_executions = 2 with more executions left" in out.stdout
    exact = ppc("interleave", str(STUDIES / "host_handler_vs_sender.toml"), "--max-executions", "7")
    assert exact.returncode == 0 and "bound:" not in exact.stdout
    bad = ppc("interleave", str(STUDIES / "host_handler_vs_sender.toml"), "--max-executions", "0")
    assert bad.returncode == 1 and "--max-executions must be 1 to" in bad.stderr and "Traceback" not in bad.stderr


def test_a_violation_shows_each_threads_instructions_and_whose_store_each_load_read():
    path = str(STUDIES / "ipi_handler_vs_sender.toml")
    rc, got = _json(path, "--invariant", "thread[0].r0 != IPI_PRIORITY")     # the re-raise path's li r0
    assert rc == 1 and got["violations"] == 1
    t0, t1 = got["first_violation"]["threads"]
    reads = [e for i in t0["instructions"] for e in i["events"] if e["kind"] == "R"]
    host_ipi = [e for e in reads if e["loc"] == "paca[0].kvm_hstate.host_ipi"]
    assert [e["value"] for e in host_ipi] == [0, 1]
    assert host_ipi[0]["writer"] is None and host_ipi[1]["writer"]["thread"] == 1
    writes = {e["index"]: e for i in t1["instructions"] for e in i["events"]}
    assert writes[host_ipi[1]["writer"]["index"]]["loc"] == "paca[0].kvm_hstate.host_ipi"
    orders = [i["order"] for t in (t0, t1) for i in t["instructions"]]
    assert sorted(orders) == list(range(1, len(orders) + 1))
    text = ppc("interleave", path, "--invariant", "thread[0].r0 != IPI_PRIORITY").stdout
    assert "read paca[0].kvm_hstate.host_ipi = 0x1 (written by thread 1's event 2)" in text
    assert "write icp[0].mfrr = 0x4" in text and "fence sync" in text


def test_memory_events_are_kept_for_a_model():
    study = explore_threads(scenario.load(STUDIES / "host_handler_vs_sender.toml"), keep_events=True)
    for leaf in study.leaves:
        kinds = {(e.thread, e.kind, e.fence) for e in leaf.events}
        assert (0, "F", "lwsync") in kinds and (0, "F", "isync") in kinds and (1, "F", "sync") in kinds
        for t in (0, 1):
            assert [e.index for e in leaf.events if e.thread == t] == list(range(sum(e.thread == t
                                                                                     for e in leaf.events)))
        assert any(e.ci and e.loc == "icp[0].mfrr" for e in leaf.events)


BASE = """source = "{src}"
threads = 2
[[memory]]
name = "shared"
base = 0x4000000
size = 0x1000
[[race]]
thread = 0
entry = "t0"
[[race]]
thread = 1
entry = "t1"
"""


def _write(tmp_path, body: str, text: str = "\t.text\nt0:\n\tblr\nt1:\n\tblr\n", top: str = ""):
    """The study BASE (its [[race]] tables at lines 7 and 10) with `top` after its second line, `body` at the end."""
    (tmp_path / "p.S").write_text(text)
    sc = tmp_path / "s.toml"
    head, rest = BASE.format(src="p.S").split("threads = 2\n")
    sc.write_text(head + "threads = 2\n" + top + rest + body)
    return sc


@pytest.mark.parametrize(("top", "body", "at", "words"), [
    ("", '[[race]]\nthread = 5\nentry = "t0"\n', "14:1", "race[2] runs on thread 5, but the core has 2"),
    ("", '[[race]]\nthread = 1\nentry = "t0"\n', "14:1", "race[2]: thread 1 already runs another"),
    ("", '[[race]]\nthread = 1\nwhen = 3\n', "15:1", "unknown key 'when' in race[2]"),
    ("", '[[race]]\nthread = "1"\n', "14:1", "'thread' in race[2] must be an integer"),
    ("", '[[race]]\nentry = "t0"\n', "13:1", "race[2] needs 'thread'"),
    ('model = "Power"\n', "", "3:1", "unknown model 'Power' (model names are lower case)"),
    ("max_executions = 0\n", "", "3:1", "'max_executions' must be 1 to"),
    ('[[events]]\nat = "step 1"\nset = { r3 = 1 }\n', "", "3:3", "'events' is not for a race study"),
])
def test_errors_in_the_new_keys_are_at_their_place(tmp_path, capsys, top, body, at, words):
    path = _write(tmp_path, body, top=top)
    assert main(["interleave", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"s.toml:{at}" in err and words in err, err


def test_an_unknown_entry_or_state_name_of_a_thread_is_at_its_table(tmp_path, capsys):
    path = _write(tmp_path, "")
    path.write_text(path.read_text().replace('entry = "t1"', 'entry = "nowhere"'))
    assert main(["interleave", str(path)]) == 1
    err = capsys.readouterr().err
    assert "s.toml:12:1" in err and "race[1]: unknown entry 'nowhere'" in err
    path.write_text(BASE.format(src="p.S").replace('entry = "t1"\n', 'entry = "t1"\nstate = { r99 = 1 }\n'))
    assert main(["interleave", str(path)]) == 1
    err = capsys.readouterr().err
    assert "s.toml:13:1" in err and "race[1].state" in err


def test_study_options_are_refused_where_they_do_not_apply(tmp_path, capsys):
    assert main(["interleave", str(ROOT / "asm" / "scenarios" / "kvm_ipi_ee_bounce.toml"), "--jobs", "2"]) == 1
    assert "are for a race study" in capsys.readouterr().err
    path = _write(tmp_path, "")
    assert main(["interleave", str(path), "--actor", "host-ipi"]) == 1
    assert "--actor is for a scenario without [[race]] threads" in capsys.readouterr().err
    assert main(["run", str(path)]) == 1
    assert "s.toml:7:3: error: a race study ([[race]] threads) runs with `ppcinterp interleave`" in \
        capsys.readouterr().err
    with pytest.raises(PpcError, match="unknown model 'tso'"):
        explore_threads(scenario.load(path), model="tso")


# Small random programs: each thread a few loads, stores, register operations and barriers on two shared words.
INSN = st.one_of(
    st.tuples(st.just("li"), st.integers(3, 5), st.integers(1, 3)).map(lambda t: f"li r{t[1]}, {t[2]}"),
    st.tuples(st.just("lwz"), st.integers(3, 5), st.sampled_from([0, 4])).map(lambda t: f"lwz r{t[1]}, {t[2]}(r20)"),
    st.tuples(st.just("stw"), st.integers(3, 5), st.sampled_from([0, 4])).map(lambda t: f"stw r{t[1]}, {t[2]}(r20)"),
    st.tuples(st.just("addi"), st.integers(3, 5)).map(lambda t: f"addi r{t[1]}, r{t[1]}, 1"),
    st.just("sync"),
    st.integers(3, 5).map(lambda r: f"lwarx r{r}, 0, r20"),
    st.integers(3, 5).map(lambda r: f"stwcx. r{r}, 0, r20"),
)
OBSERVE = [f"thread[{t}].r{r}" for t in (0, 1) for r in (3, 4, 5)] + ["mem32[0x4000000]", "mem32[0x4000004]"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(INSN, min_size=1, max_size=4), st.lists(INSN, min_size=1, max_size=4))
def test_reduction_finds_the_final_states_of_every_interleaving(tmp_path_factory, t0, t1):
    tmp = tmp_path_factory.mktemp("prog")
    text = "\t.text\nt0:\n" + "".join(f"\t{i}\n" for i in t0) + "\tblr\nt1:\n" + "".join(f"\t{i}\n" for i in t1) + \
        "\tblr\n"
    path = _write(tmp, '[state]\n"thread[0].r20" = 0x4000000\n"thread[1].r20" = 0x4000000\n', text)
    sc = scenario.load(path)
    reduced = explore_threads(sc, "1", observe=OBSERVE)
    naive = explore_threads(sc, "1", observe=OBSERVE, reduced=False)
    assert not naive.cut and set(reduced.outcomes()) == set(naive.outcomes())
    assert reduced.executions <= naive.executions


def test_reduction_explores_fewer_executions_than_the_naive_search(tmp_path):
    text = "\t.text\nt0:\n\tli r3, 1\n\tstw r3, 0(r20)\n\tlwz r4, 4(r20)\n\tblr\n" \
           "t1:\n\tli r3, 2\n\tstw r3, 4(r20)\n\tlwz r4, 0(r20)\n\tblr\n"
    path = _write(tmp_path, '[state]\n"thread[0].r20" = 0x4000000\n"thread[1].r20" = 0x4000000\n', text)
    sc = scenario.load(path)
    reduced = explore_threads(sc, "1", observe=OBSERVE)
    naive = explore_threads(sc, "1", observe=OBSERVE, reduced=False)
    assert naive.executions == 70 and reduced.executions == 3      # store buffering: 3 orders of its 2 races
    assert set(reduced.outcomes()) == set(naive.outcomes()) and len(reduced.outcomes()) == 3    # SC: not 0, 0
    bounded = explore_threads(sc, "1", observe=OBSERVE, reduced=False, max_executions=10)
    assert bounded.cut and bounded.executions == 10


def test_a_spinning_thread_ends_at_its_step_budget_and_long_executions_need_no_deep_recursion(tmp_path):
    text = ("\t.text\nt0:\n1:\tlwz r3, 0(r20)\n\tcmpwi r3, 0\n\tbeq 1b\n\tblr\n"
            "t1:\n\tli r3, 1\n\tstw r3, 0(r20)\n\tblr\n")
    state = '[state]\n"thread[0].r20" = 0x4000000\n"thread[1].r20" = 0x4000000\n'
    path = _write(tmp_path, state, text, top="max_steps = 30\n")
    study = explore_threads(scenario.load(path), "1", observe=["thread[0].r3"])
    # the store lands after 0..9 of the 10 loads the budget allows, or after the last: 11 executions
    assert study.executions == 11 and not study.cut
    assert {x.ends[0][0] for x in study.leaves} == {"return", "step-limit"}
    path = _write(tmp_path, state, text, top="max_steps = 6000\n")
    long = explore_threads(scenario.load(path), "1", max_executions=3)
    assert long.cut and long.executions == 3 and long.leaves[0].ends[0][0] == "step-limit"
    assert long.leaves[0].schedule is not None and long.leaves[1].schedule is None      # long, held: dropped


def test_without_the_recheck_of_host_ipi_the_seed_loses_the_ipi_even_under_sc(tmp_path):
    recheck = "\tlbz\tr0, HSTATE_HOST_IPI(r13)\n\tcmpwi\tr0, 0\n\tbne-\t1f\n"
    src = (ROOT / "asm" / "book3s_hv_rmhandlers.S").read_text()
    assert src.count(recheck) == 1
    mutant = tmp_path / "norecheck.S"
    mutant.write_text(src.replace(recheck, "\tli\tr0, 0\n\tcmpwi\tr0, 0\n\tbne-\t1f\n"))
    rc, got = _json(str(STUDIES / "ipi_handler_vs_sender.toml"), "--source", str(mutant))
    assert rc == 1 and got["executions"] == 3 and got["violations"] == 1
    t0 = got["first_violation"]["threads"][0]
    assert t0["exit"] == "bounce_ext_interrupt"
    accept = next(e for i in t0["instructions"] for e in i["events"] if e["loc"] == "icp[0].xirr")
    assert accept["value"] == 0xFF000002 and accept["writer"]["thread"] == 1       # the host's IPI, bounced
