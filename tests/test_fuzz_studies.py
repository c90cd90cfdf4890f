"""Fuzzing the race studies (issue 11's rule for the keys issue 14 added): mutated `[[race]]` tables, models and
bounds through `ppcinterp interleave`, under sc and power. Any study may be refused with a positioned error; none
may end in status 70, a traceback or more than the fuzz bound of CPU (`PPCINTERP_FUZZ_EXAMPLES` scales it)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from conftest import ROOT
from fuzzing import bounded, fuzz_settings, no_crash
from hypothesis import given
from hypothesis import strategies as st
from test_fuzz_scenarios import STRINGS, toml, values

from ppcinterp.cli import main

STUDIES = sorted((ROOT / "asm" / "studies").glob("*.toml"))
SEEDS = {p.name: tomllib.loads(p.read_text()) for p in STUDIES}
RACE_KEYS = ["thread", "entry", "source", "state", "note", "nonsense"]
ENTRIES = ["hunk 3", "host_send_ipi", "host_send_ipi_nosync", "host_ipi_handler", "host_ipi_handler_nosync",
           "nowhere", "line 5", "upstream 725", "0x100000", ""]


def _absolute(doc: dict) -> dict:
    """The seeds' relative sources (from asm/studies) made absolute: the fuzzed file lives elsewhere."""
    def fix(table: dict) -> None:
        if isinstance(table.get("source"), str) and table["source"].startswith(".."):
            table["source"] = str((ROOT / "asm" / "studies" / table["source"]).resolve())
    fix(doc)
    for t in doc.get("race", []):
        if isinstance(t, dict):
            fix(t)
    return doc


def change() -> st.SearchStrategy:
    return st.one_of(
        st.tuples(st.just("top"), st.sampled_from(["model"]), st.sampled_from(["sc", "power", "Power", "tso", 1])),
        st.tuples(st.just("top"), st.just("max_executions"), st.sampled_from([0, 1, 2, 5, 10**9, -1, "3"])),
        st.tuples(st.just("top"), st.sampled_from(["threads", "invariant", "events", "then", "actors"]), values(1)),
        st.tuples(st.just("race"), st.sampled_from(RACE_KEYS), st.one_of(st.sampled_from(ENTRIES), values(1),
                                                                          st.integers(-1, 70))),
        st.tuples(st.just("race-entry"), st.just("entry"), st.sampled_from(ENTRIES + STRINGS[:8])),
        st.tuples(st.just("race-drop"), st.just(""), st.none()),
        st.tuples(st.just("race-list"), st.just("race"), values(1)),
    )


def apply(doc: dict, what: str, key: str, value, pick: int) -> None:
    races = doc.get("race")
    if what == "top":
        doc[key] = value
    elif what == "race-list":
        doc["race"] = value
    elif isinstance(races, list) and races and all(isinstance(r, dict) for r in races):
        k = pick % len(races)
        if what == "race-drop":
            races.pop(k)
        else:
            races[k][key] = value


@fuzz_settings(25)
@given(seed=st.sampled_from(sorted(SEEDS)), changes=st.lists(st.tuples(change(), st.integers(0, 3)), max_size=3),
       model=st.sampled_from([[], ["--model", "power"], ["--model", "sc"]]), as_json=st.booleans())
def test_mutated_studies_never_crash(tmp_path_factory, capsys, seed, changes, model, as_json):
    doc = _absolute(json.loads(json.dumps(SEEDS[seed])))
    for (what, key, value), pick in changes:
        apply(doc, what, key, value, pick)
    p: Path = tmp_path_factory.mktemp("s") / "study.toml"
    p.write_text(toml(doc), encoding="utf-8", errors="surrogatepass")
    args = ["interleave", str(p), "--max-executions", "300", *model, *(["--json"] if as_json else [])]
    with bounded(f"ppcinterp {' '.join(args)} of {toml(doc)[:600]}"):
        status = main(args)
    _, err = capsys.readouterr()
    no_crash(status, err, f"interleave of {toml(doc)[:1000]}")


# ---- what the fuzzing found, each a regression test

def test_an_empty_race_list_is_refused_at_its_key(tmp_path, capsys):
    p = tmp_path / "empty.toml"
    p.write_text(f'source = "{ROOT / "asm" / "book3s_hv_rmhandlers.S"}"\nthreads = 2\nrace = []\n')
    assert main(["interleave", str(p)]) == 1                          # was an IndexError
    assert f"{p}:3:1: error: a race study needs at least one [[race]] thread" in capsys.readouterr().err


def test_power_with_threads_that_are_not_the_first_ones(tmp_path, capsys):
    # two_pairs without its thread 0: the racing threads are 1, 2 and 3 (the model's runs had been numbered 0-2).
    doc = _absolute(json.loads(json.dumps(SEEDS["two_pairs.toml"])))
    doc["race"].pop(0)
    p = tmp_path / "three.toml"
    p.write_text(toml(doc))
    assert main(["interleave", str(p), "--model", "power", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [t["thread"] for t in out["threads"]] == [1, 2, 3] and out["executions"] > 0 and out["violations"] == 0
