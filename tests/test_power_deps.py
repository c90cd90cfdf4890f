"""Race studies under Power with the kernel code's dependencies (study/power_deps.py, mm/taint.py) and `--jobs`
(study/power_jobs.py): message passing whose reader's address dependency, ctrl+isync or dependency through a
load of its own forbids the outcome that the reader without one shows; the report naming a dependency that would
forbid a violation; `--jobs 2` giving what `--jobs 1` gives, under a cut too."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

from ppcinterp.cli import main
from ppcinterp.study import scenario
from ppcinterp.study.power import explore_power

MP = ROOT / "tests" / "data" / "mp_deps"
STUDIES = ROOT / "asm" / "studies"


def _interleave(capsys, path, *args: str) -> tuple[int, str]:
    rc = main(["interleave", str(path), *args])
    return rc, capsys.readouterr().out


def _json(capsys, path, *args: str) -> tuple[int, dict]:
    rc, out = _interleave(capsys, path, "--json", *args)
    return rc, json.loads(out)


def _bad(got: dict) -> list[dict]:
    """The outcomes where the reader saw the flag set but the data not yet written."""
    return [o for o in got["outcomes"] if o["values"]["thread[1].r4"] == 1 and o["values"]["thread[1].r6"] == 0]


def test_without_a_dependency_the_reader_sees_the_flag_before_the_data(capsys):
    rc, got = _json(capsys, MP / "mp.toml")
    assert rc == 1 and _bad(got) and got["violations"] == sum(o["executions"] for o in _bad(got))


@pytest.mark.parametrize("name", ["mp_addr", "mp_isync", "mp_chain"])
def test_a_dependency_in_the_readers_code_forbids_it(capsys, name):
    rc, got = _json(capsys, MP / f"{name}.toml")
    assert rc == 0 and got["violations"] == 0 and not _bad(got)
    assert {(o["values"]["thread[1].r4"], o["values"]["thread[1].r6"]) for o in got["outcomes"]} == \
        {(0, 0), (0, 1), (1, 1)}


def test_the_events_carry_the_dependencies_the_registers_give():
    def data_reads(name: str) -> list:
        study = explore_power(scenario.load(MP / f"{name}.toml"), None, 10_000)
        run = study.runs[1][0].shared
        flag = {i for i, e in enumerate(run.events) if e.kind == "R" and e.loc in ("0x5000010", "0x5000013")}
        data = [e for e in run.events if e.kind == "R" and e.loc == "0x5000003"]
        assert flag and len(data) == 1
        return [flag, data[0]]

    flag, e = data_reads("mp_addr")
    assert flag <= e.addr and not e.ctrlisync
    flag, e = data_reads("mp_isync")
    assert not e.addr and flag <= e.ctrl and flag <= e.ctrlisync
    flag, e = data_reads("mp_chain")           # through the load of 0x80(r3), which the model does not see
    assert flag <= e.addr
    flag, e = data_reads("mp")
    assert not (e.addr or e.ctrl or e.ctrlisync)


def test_the_report_names_a_dependency_that_would_forbid_the_violation(capsys):
    rc, out = _interleave(capsys, MP / "mp.toml")
    assert rc == 1
    assert ("forbidden by an address dependency on thread 1 from #0 (lwz r4, 0x10(r3)) to #1\n    (lwz r6, 0(r3))"
            in out)
    _, got = _json(capsys, MP / "mp.toml")
    (dep,) = got["first_violation"]["forbidden_by_dependency"]
    assert dep["thread"] == 1 and dep["dependency"] == "addr"
    assert (dep["from"]["step"], dep["to"]["step"]) == (0, 1) and dep["to"]["text"] == "lwz r6, 0(r3)"
    # the sender's stores are not ordered: no dependency on a load can help, a sync can
    rc, out = _interleave(capsys, STUDIES / "ipi_handler_vs_sender_nosync.toml", "--model", "power")
    assert rc == 1 and "no dependency of one access of a thread on an earlier load forbids it" in out


@pytest.mark.parametrize("path,args", [
    (STUDIES / "ipi_handler_vs_sender.toml", ()), (STUDIES / "ipi_handler_vs_sender_nosync.toml", ()),
    (STUDIES / "host_handler_vs_sender.toml", ()), (STUDIES / "host_handler_vs_sender_mb.toml", ()),
    (STUDIES / "ipi_handler_vs_sender_nosync.toml", ("--max-executions", "50")),
    (STUDIES / "host_handler_vs_sender.toml", ("--max-executions", "60"))])
def test_jobs_2_gives_what_jobs_1_gives(capsys, path, args):
    one = _interleave(capsys, path, "--model", "power", "--json", *args)
    two = _interleave(capsys, path, "--model", "power", "--json", "--jobs", "2", *args)
    assert one == two
    if args:
        got = json.loads(one[1])
        assert got["cut"] and got["candidates"] == int(args[1]) and got["executions"] > 0
