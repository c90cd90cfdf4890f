"""Every scenario in asm/scenarios runs with its expectations; every outcome of the seed has one."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, ppc

from ppcinterp.study import scenario

SCENARIOS = sorted((ROOT / "asm" / "scenarios").glob("*.toml"))

# Each outcome the seed's hunks can have, and the scenario that reproduces it (with the exit it must show).
OUTCOMES = {
    "hcall.toml": "hcall_try_real_mode",
    "not_external.toml": "ext_interrupt_to_host",
    "ppc970_host.toml": "ext_interrupt_to_host",
    "host_ipi_set.toml": "ext_interrupt_to_host",
    "no_icp.toml": "ext_interrupt_to_host",
    "nothing_pending_mer_bounce.toml": "bounce_ext_interrupt",
    "nothing_pending_host.toml": "ext_interrupt_to_host",
    "nothing_pending_no_ee.toml": "ext_interrupt_to_host",
    "device_interrupt_stash.toml": "ext_interrupt_to_host",
    "kvm_ipi_ee_bounce.toml": "bounce_ext_interrupt",
    "kvm_ipi_no_ee.toml": "fast_guest_return",
    "race_host_ipi.toml": "ext_interrupt_to_host",
    "hunk2_wakeup_accept.toml": "end of hunk 2",
    "hunk2_no_interrupt.toml": "27f",
    "hunk4_wake_siblings.toml": "end of hunk 4",
    "hunk5_clear_and_eoi.toml": "end of hunk 5",
    "hunk5_nothing.toml": "end of hunk 5",
}


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_scenario_meets_its_expectations(path):
    out = scenario.run(scenario.load(path))
    assert out.ok, [(c.what, c.expected, c.actual) for c in out.checks if not c.ok] or out.result.message
    assert out.checks, "a scenario must expect something"
    assert out.result.exit == OUTCOMES[path.name]


def test_every_outcome_has_a_scenario():
    assert sorted(OUTCOMES) == [p.name for p in SCENARIOS]



def test_cli_run_all_scenarios():
    r = ppc("run", *[str(p.relative_to(ROOT)) for p in SCENARIOS])
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("PASS ") == len(SCENARIOS)
    assert "path:  1:713 -> 1:751 -> ext_interrupt_to_host" in r.stdout


def test_cli_run_reports_a_failed_expectation(tmp_path):
    text = (ROOT / "asm" / "scenarios" / "hcall.toml").read_text().replace(
        'source = "../book3s_hv_rmhandlers.S"', f'source = "{ROOT / "asm" / "book3s_hv_rmhandlers.S"}"')
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('exit = "hcall_try_real_mode"', 'exit = "bounce_ext_interrupt"'))
    r = ppc("run", str(bad))
    assert r.returncode == 1
    assert "WRONG  exit: expected bounce_ext_interrupt, got hcall_try_real_mode" in r.stdout


def test_trace_of_the_race_shows_the_story_in_order():
    r = ppc("trace", "asm/scenarios/race_host_ipi.toml")
    assert r.returncode == 0, r.stderr
    story = [
        "[paca[0].kvm_hstate.host_ipi -> 0x0]",                 # the first host_ipi check reads 0
        "accept -> 0xff000002 (IPI, CPPR 0xff -> 0x04)",
        "-- event: host: host_ipi = 1",
        "paca[0].kvm_hstate.host_ipi: 0x0 -> 0x1",
        "-- event: host: MFRR = IPI_PRIORITY",
        "MFRR <- 0xff (IPI withdrawn)",                         # the handler's clear erases the host's IPI
        "EOI 0xff000002",
        "[paca[0].kvm_hstate.host_ipi -> 0x1]",                 # the re-check finds it
        "MFRR <- 0x04 (IPI presented",                          # re-raised
        "=> reached ext_interrupt_to_host",
    ]
    at = 0
    for piece in story:
        found = r.stdout.find(piece, at)
        assert found >= 0, f"missing, or out of order: {piece}"
        at = found + len(piece)


def test_trace_json_lines():
    r = ppc("trace", "asm/scenarios/device_interrupt_stash.toml", "--json")
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    accept = next(x for x in recs if x.get("mmio"))
    assert accept["mmio"][0]["meaning"].startswith("accept -> 0xff001234")
    assert accept["upstream"] == 698 and accept["insn"].startswith("lwzcix")
    stash = next(x for x in recs if any(c["name"] == "paca[0].kvm_hstate.saved_xirr" for c in x.get("changes", [])))
    assert stash["changes"][0]["new"] == 0xFF001234
    assert recs[-1]["exit"] == "ext_interrupt_to_host" and recs[-1]["kind"] == "end-of-hunk"


def test_a_cacheable_access_to_the_icp_works_and_is_flagged(tmp_path):
    (tmp_path / "t.S").write_text("start:\n\tld r5,HSTATE_XICS_PHYS(r13)\n\tlwz r3,4(r5)\n\tstb r3,12(r5)\n")
    (tmp_path / "t.toml").write_text('source = "t.S"\nentry = "start"\n[state]\nicp.mfrr = 4\n'
                                     '[expect.state]\nr3 = 0xff000002\n"icp.cppr" = 4\n')
    r = ppc("trace", str(tmp_path / "t.toml"))
    assert "accept -> 0xff000002 (IPI, CPPR 0xff -> 0x04) (cacheable access to a device page)" in r.stdout
    assert "MFRR <- 0x02" in r.stdout
    rec = [json.loads(line) for line in ppc("trace", str(tmp_path / "t.toml"), "--json").stdout.splitlines()]
    assert [m["cache_inhibited"] for step in rec[:-1] for m in step["mmio"]] == [False, False]
