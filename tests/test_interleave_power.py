"""Race studies under the Power memory model (`--model power`, study/power.py): the IPI handshake's three results
(issue 14) under both models, the violation report's facts in text and JSON, the `model` key, the bound."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, ppc

from ppcinterp.cli import main
from ppcinterp.study import scenario
from ppcinterp.study.dpor import explore_threads
from ppcinterp.study.power import explore_power

STUDIES = ROOT / "asm" / "studies"
# study -> whether Power loses the IPI (under sc none does)
RESULTS = {"ipi_handler_vs_sender": False,              # (a) 3.10's barriers: MP+syncs
           "ipi_handler_vs_sender_nosync": True,        # (b) no sync between host_ipi and MFRR stores
           "host_handler_vs_sender": True,              # (c) no barrier after the clear nor before the set
           "host_handler_vs_sender_mb": False}          # (c) with 3a83f677a6ee's syncs


def _run(capsys, *args: str) -> tuple[int, str]:
    rc = main(["interleave", *args])
    return rc, capsys.readouterr().out


def _json(capsys, name: str, *args: str) -> tuple[int, dict]:
    rc, out = _run(capsys, str(STUDIES / f"{name}.toml"), "--json", *args)
    return rc, json.loads(out)


@pytest.mark.parametrize("name", RESULTS)
def test_the_handshake_studies_under_power_and_sc(capsys, name):
    rc, got = _json(capsys, name, "--model", "power")
    assert got["model"] == "power" and not got["cut"]
    assert (got["violations"] > 0) == RESULTS[name] and rc == int(RESULTS[name])
    assert 0 < got["executions"] < got["candidates"]
    assert sum(o["executions"] for o in got["outcomes"]) == got["executions"]
    rc, sc = _json(capsys, name, "--model", "sc")
    assert rc == 0 and sc["model"] == "sc" and sc["violations"] == 0


def test_power_keeps_every_outcome_sc_has():
    """Value speculation judged by mm's sc model finds exactly the outcomes the interleavings do; Power adds."""
    for name in RESULTS:
        sc = scenario.load(STUDIES / f"{name}.toml")
        under_sc = set(explore_power(sc, None, 100_000, model="sc").outcomes())
        assert under_sc == set(explore_threads(sc).outcomes())
        assert under_sc <= set(explore_power(sc, None, 100_000).outcomes())


def _access(insn: dict, name: str) -> dict:
    return next(a for a in insn["accesses"] if a["name"] == name)


def test_the_lost_ipi_without_the_senders_sync_is_explained(capsys):
    _, got = _json(capsys, "ipi_handler_vs_sender_nosync", "--model", "power")
    v = got["first_violation"]
    handler, sender = v["threads"]
    assert handler["exit"] == "bounce_ext_interrupt" and sender["kind"] == "return"
    ipi = [i for i in handler["instructions"] if any(a["name"] == "paca[0].kvm_hstate.host_ipi" for a in i["accesses"])]
    xirr = next(i for i in handler["instructions"] if any(a["name"] == "icp[0].xirr" for a in i["accesses"]))
    # the XIRR load accepted the sender's IPI: the device state it read is the one the sender's MFRR store made
    took = _access(xirr, "icp[0].xirr")
    assert took["value"] == 0xFF000002 and took["read_from"][0]["thread"] == 1
    assert "stbcix" in took["read_from"][0]["text"] and "presents IPI" in took["state"]
    # ... yet the host_ipi load after the sync read the initial 0, not the sender's 1
    assert len(ipi) == 2 and ipi[1]["step"] > xirr["step"]
    late = _access(ipi[1], "paca[0].kvm_hstate.host_ipi")
    assert late["value"] == 0 and late["read_from"] == [{"initial": True}]
    assert [w.get("thread") for w in v["coherence"]["paca[0].kvm_hstate.host_ipi"]] == [None, 1]
    assert [w.get("thread") for w in v["coherence"]["icp[0]"]][:2] == [None, 1]
    (fix,) = v["forbidden_by"]
    assert fix["thread"] == 1 and fix["barrier"] == "sync"
    assert "HSTATE_HOST_IPI" in fix["after"]["text"] and fix["before"]["text"].startswith("stbcix")


def test_the_text_report_says_the_same_within_80_columns(capsys):
    rc, out = _run(capsys, str(STUDIES / "ipi_handler_vs_sender_nosync.toml"), "--model", "power")
    assert rc == 1
    lines = out.splitlines()
    assert all(len(x) <= 80 for x in lines if not x.startswith("  #")), out      # but for source lines
    assert "the invariant fails in 1 of 4 executions; the first:" in lines
    assert "load icp[0].xirr -> 0xff000002" in out and "from thread 1 #6 (stbcix r0, r4, r7)" in out
    assert "load paca[0].kvm_hstate.host_ipi -> 0x0 (from the initial state)" in out
    assert "  paca[0].kvm_hstate.host_ipi: initial 0x0 < thread 1 #3 0x1" in lines
    assert "forbidden by a sync on thread 1 between #3 (stb r0, HSTATE_HOST_IPI(r3)) and #6" in out


def test_the_host_handler_ends_with_host_ipi_0_and_a_message_pending(capsys):
    _, got = _json(capsys, "host_handler_vs_sender", "--model", "power")
    bad = [o["values"] for o in got["outcomes"] if o["values"]["mem32[0x4000000]"] != 0
           and o["values"]["paca[0].kvm_hstate.host_ipi"] == 0]
    assert bad and got["violations"] == len(bad)
    v = got["first_violation"]
    assert [w.get("thread") for w in v["coherence"]["paca[0].kvm_hstate.host_ipi"]] == [None, 1, 0]
    assert [w.get("thread") for w in v["coherence"]["ipi_messages+0x0"]][-1] == 1      # the message co-last
    assert any(f["thread"] == 1 and f["after"]["text"].startswith("stbx") and "HSTATE_HOST_IPI" in f["before"]["text"]
               for f in v["forbidden_by"])
    _, fixed = _json(capsys, "host_handler_vs_sender_mb", "--model", "power")
    assert not any(o["values"]["mem32[0x4000000]"] != 0 and o["values"]["paca[0].kvm_hstate.host_ipi"] == 0
                   for o in fixed["outcomes"])


def test_the_model_key_chooses_power_and_the_bound_ends_in_a_message(tmp_path, capsys):
    text = (STUDIES / "ipi_handler_vs_sender_nosync.toml").read_text().replace('model = "sc"', 'model = "power"')
    path = tmp_path / "s.toml"
    path.write_text(text.replace('"../', f'"{STUDIES.parent}/'))
    rc, out = _run(capsys, str(path), "--json")
    got = json.loads(out)
    assert rc == 1 and got["model"] == "power" and got["violations"] == 1
    rc, out = _run(capsys, str(path), "--max-executions", "10")
    assert rc == 1 and "bound: stopped at max_executions = 10 candidate executions" in out


def test_power_refuses_bad_jobs_and_an_unknown_model_without_a_traceback():
    out = ppc("interleave", str(STUDIES / "ipi_handler_vs_sender.toml"), "--model", "power", "--jobs", "0")
    assert out.returncode != 0 and "--jobs must be 1 to 64, not 0" in out.stderr and "Traceback" not in out.stderr
    out = ppc("interleave", str(STUDIES / "ipi_handler_vs_sender.toml"), "--model", "tso")
    assert out.returncode != 0 and "unknown model 'tso'" in out.stderr and "Traceback" not in out.stderr
