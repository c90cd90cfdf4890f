"""Path enumeration and the race explorer, through the CLI and the Python API."""

from __future__ import annotations

import json

from conftest import FRAGMENT, ROOT, ppc

from ppcinterp.study import scenario
from ppcinterp.study.explore import explore, load_domain
from ppcinterp.study.interleave import ACTORS, explore_races

HUNK3_OUTCOMES = {"hcall_try_real_mode", "bounce_ext_interrupt", "fast_guest_return", "ext_interrupt_to_host"}


def test_paths_with_the_shipped_domain_covers_hunk3():
    r = ppc("paths", "asm/book3s_hv_rmhandlers.S", "--entry", "hunk 3", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert {p["exit"] for p in data["paths"]} == HUNK3_OUTCOMES
    labels = {tuple(p["labels"]) for p in data["paths"]}
    # every outcome listed for the scenarios, told apart by its path
    for path in [("1:713", "ext_stash_for_host", "ext_interrupt_to_host"), ("1:713", "1:751", "ext_interrupt_to_host"),
                 ("1:713", "bounce_ext_interrupt"), ("1:713", "fast_guest_return"), ("bounce_ext_interrupt",),
                 ("hcall_try_real_mode",)]:
        assert path in labels
    assert data["coverage"]["complete"]
    assert len(data["coverage"]["branches"]) == 10
    assert all(b["status"] == "both" for b in data["coverage"]["branches"])
    hcall = next(p for p in data["paths"] if p["exit"] == "hcall_try_real_mode")
    assert hcall["decided_by"] == {"r12": ["BOOK3S_INTERRUPT_SYSCALL"]}      # only the trap number mattered


def test_paths_text_names_deciding_inputs_and_coverage():
    r = ppc("paths", "asm/book3s_hv_rmhandlers.S", "--entry", "hunk 3", "--cpu", "POWER7")
    assert r.returncode == 0, r.stderr
    assert "decided by: r12 = BOOK3S_INTERRUPT_EXTERNAL, paca.kvm_hstate.host_ipi = 1" in r.stdout
    assert "coverage complete" in r.stdout and "MISS" not in r.stdout


def test_an_incomplete_domain_lists_its_uncovered_branches(tmp_path):
    d = tmp_path / "small.toml"
    d.write_text('entry = "hunk 3"\n[inputs]\nr12 = ["BOOK3S_INTERRUPT_EXTERNAL"]\n"paca.kvm_hstate.host_ipi" = [1]\n')
    r = ppc("paths", "asm/book3s_hv_rmhandlers.S", "--entry", "hunk 3", "--domain", str(d))
    assert r.returncode == 0, r.stderr
    assert "MISS asm/book3s_hv_rmhandlers.S:27 (upstream 675) beq hcall_try_real_mode" in r.stdout
    assert "coverage INCOMPLETE" in r.stdout


def test_no_domain_for_an_entry_is_a_clear_error():
    r = ppc("paths", "asm/book3s_hv_rmhandlers.S", "--entry", "hunk 5")
    assert r.returncode == 1 and "no domain for entry 'hunk 5'" in r.stderr


def test_explore_api_and_speed_of_reuse():
    ex = explore(str(FRAGMENT), load_domain(ROOT / "asm" / "domains" / "hunk3.toml"))
    assert ex.runs == 768 and ex.coverage.complete


def mutant(tmp_path):
    """The fragment with the host_ipi re-check (upstream 733-735) blanked out, lines kept in place."""
    lines = FRAGMENT.read_text().split("\n")
    recheck = [i for i, t in enumerate(lines) if "HSTATE_HOST_IPI(r13)" in t][1]
    assert lines[recheck + 1].split() == ["cmpwi", "r0,", "0"] and lines[recheck + 2].split() == ["bne-", "1f"]
    for i in range(recheck, recheck + 3):
        lines[i] = ""
    src = tmp_path / "mutant.S"
    src.write_text("\n".join(lines))
    text = (ROOT / "asm" / "scenarios" / "kvm_ipi_ee_bounce.toml").read_text()
    sc = tmp_path / "mutant.toml"
    sc.write_text(text.replace('source = "../book3s_hv_rmhandlers.S"', 'source = "mutant.S"'))
    return sc


def test_interleave_finds_no_violation_on_the_seed():
    r = ppc("interleave", "asm/scenarios/kvm_ipi_ee_bounce.toml", "--actor", "host-ipi")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "528 interleavings ran, 0 violated the invariant" in r.stdout


def test_interleave_finds_the_lost_ipi_without_the_recheck(tmp_path):
    r = ppc("interleave", str(mutant(tmp_path)))
    assert r.returncode == 1
    assert "violated the invariant" in r.stdout and " 0 violated" not in r.stdout
    assert "first violation: host-ipi step 1 before handler step" in r.stdout
    trace = r.stdout[r.stdout.index("its trace:"):]
    assert trace.index("host-ipi step 2") < trace.index("MFRR <- 0xff (IPI withdrawn)")
    assert "after both: paca.kvm_hstate.host_ipi = 0x1, icp.mfrr = 0xff" in r.stdout


def test_every_interleaving_position_including_before_and_after(tmp_path):
    sc = scenario.load(ROOT / "asm" / "scenarios" / "kvm_ipi_ee_bounce.toml")
    rep = explore_races(sc, ACTORS["host-ipi"])
    n = rep.steps
    assert (0, 0) in {i.positions for i in rep.interleavings}
    assert (n, n) in {i.positions for i in rep.interleavings}
    assert len(rep.interleavings) == (n + 1) * (n + 2) // 2


def test_user_invariant_and_actor(tmp_path):
    text = (ROOT / "asm" / "scenarios" / "kvm_ipi_ee_bounce.toml").read_text().replace(
        'source = "../book3s_hv_rmhandlers.S"', f'source = "{FRAGMENT}"')
    extra = 'invariant = "lpcr.mer == 1"\n[actors.poke]\nsteps = [ { "icp.mfrr" = 0xff } ]\n\n'
    text = text.replace("[state]", extra + "[state]")
    sc = tmp_path / "u.toml"
    sc.write_text(text)
    r = ppc("interleave", str(sc), "--actor", "poke")
    # withdrawing the poke before the accept leaves nothing to deliver: MER stays clear
    assert r.returncode == 1 and "invariant: lpcr.mer == 1" in r.stdout
