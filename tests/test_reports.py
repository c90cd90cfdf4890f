"""Reports worth pasting into a review: interleave's window and first violation in words within 80 columns and
the same facts as JSON; paths' progress never on stdout; trace's CR fields by bit name and counts in decimal;
JSON paths as the user gave them; disasm's text decodes the word it shows."""

from __future__ import annotations

import json
import os
import re

import pytest
from conftest import FRAGMENT, ROOT, ppc


def mutant(tmp_path):
    """The fragment without the host_ipi re-check (upstream 733-735), its lines deleted, and the KVM-poke
    scenario on it."""
    lines = FRAGMENT.read_text().split("\n")
    recheck = [i for i, t in enumerate(lines) if "HSTATE_HOST_IPI(r13)" in t][1]
    assert lines[recheck + 1].split() == ["cmpwi", "r0,", "0"] and lines[recheck + 2].split() == ["bne-", "1f"]
    del lines[recheck:recheck + 3]
    (tmp_path / "mutant.S").write_text("\n".join(lines))
    text = (ROOT / "asm" / "scenarios" / "kvm_ipi_ee_bounce.toml").read_text()
    sc = tmp_path / "mutant.toml"
    sc.write_text(text.replace('source = "../book3s_hv_rmhandlers.S"', 'source = "mutant.S"'))
    return sc


@pytest.fixture(scope="module")
def race(tmp_path_factory):
    sc = mutant(tmp_path_factory.mktemp("race"))
    text, js = ppc("interleave", str(sc)), ppc("interleave", str(sc), "--json")
    assert text.returncode == 1 and js.returncode == 1, text.stderr + js.stderr
    return text.stdout, json.loads(js.stdout)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_interleave_text_fits_80_columns(race):
    text, _ = race
    assert max(len(line) for line in text.splitlines()) <= 80


def test_interleave_says_the_window_in_words(race):
    text = _flat(race[0])
    assert "window: the invariant fails exactly when" in text
    assert ("host-ipi step 1 (paca.kvm_hstate.host_ipi = 1) lands after upstream 689 (lbz r0, HSTATE_HOST_IPI(r13)) "
            "and before upstream 725 (stbcix r0, r5, r6);") in text
    assert ("host-ipi step 2 (icp.mfrr = IPI_PRIORITY) lands after upstream 689 (lbz r0, HSTATE_HOST_IPI(r13)) and "
            "before upstream 725 (stbcix r0, r5, r6).") in text


def test_interleave_tells_what_each_side_saw(race):
    text = _flat(race[0])
    assert ("host-ipi step 1 set paca.kvm_hstate.host_ipi = 1 between the handler's lbz at upstream 689 and its "
            "cmpwi at upstream 690: before it, the handler's lbz at upstream 689 read 0x0; the handler did not read "
            "or write it again.") in text
    assert ("after it, the handler's lwzcix at upstream 698 [accept -> 0xff000002 (IPI, CPPR 0xff -> 0x04)], then "
            "the handler's stbcix at upstream 725 [MFRR <- 0xff (IPI withdrawn)]") in text
    assert "after both, paca.kvm_hstate.host_ipi = 0x1, icp.mfrr = 0xff: the invariant does not hold." in text


def test_interleave_json_has_the_same_facts(race):
    text, js = _flat(race[0]), race[1]
    assert (js["interleavings"], js["violations"]) == (435, 120) and js["window"]["exact"]
    assert f"{js['interleavings']} interleavings ran, {js['violations']} violated" in text
    for w in js["window"]["actor_steps"]:
        assert f"lands after {w['after']['where']} ({w['after']['insn']}) and before {w['before']['where']} " \
               f"({w['before']['insn']})" in text
    first = js["first_violation"]
    assert first["final"] == {"paca.kvm_hstate.host_ipi": 1, "icp.mfrr": 0xff}
    for w in first["writes"]:
        assert f"set {w['name']} = {w['value']} between the handler's {w['after']['insn'].split()[0]} at " \
               f"{w['after']['where']}" in text
        for a in w["seen_after"]:
            assert f"at {a['where']} [{a['what']}]" in text or f"at {a['where']} {a['what']}" in text
    host_ipi, mfrr = first["writes"]
    assert host_ipi["seen_before"]["access"] == "read" and host_ipi["seen_after"] == []
    assert [(a["where"], a["access"]) for a in mfrr["seen_after"]][1] == ("upstream 725", "device")
    assert first["trace"][-1]["exit"] == "bounce_ext_interrupt"


def test_interleave_on_the_seed_has_no_window():
    r = ppc("interleave", "asm/scenarios/kvm_ipi_ee_bounce.toml", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["violations"] == 0 and "window" not in json.loads(r.stdout)


def _paths_in_a_terminal(domain) -> tuple[str, bytes]:
    """paths with stdout a pipe and stderr a terminal: (stdout, what the terminal got)."""
    import pty
    import subprocess
    import sys
    main, side = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([sys.executable, "-m", "ppcinterp", "paths", str(FRAGMENT), "--entry", "hunk 3", "--domain",
                          str(domain)], stdout=subprocess.PIPE, stderr=side, cwd=ROOT, env=env, text=True)
    out, _ = p.communicate()
    os.close(side)
    got = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:           # the other side closed
            break
        if not chunk:
            break
        got += chunk
    os.close(main)
    return out, got


def test_paths_draws_progress_on_the_terminal_not_in_the_report(tmp_path):
    domain = tmp_path / "big.toml"      # 2,304 runs: enough for a progress bar
    domain.write_text((ROOT / "asm" / "domains" / "hunk3.toml").read_text().replace("[inputs]\n",
                                                                                    "[inputs]\nr20 = [0, 1, 2]\n"))
    out, terminal = _paths_in_a_terminal(domain)
    assert out.startswith("2304 runs over 10 inputs"), out[:80]
    assert "\x1b" not in out and b"exploring" in terminal


def test_trace_names_cr_field_bits():
    r = ppc("trace", "asm/scenarios/race_host_ipi.toml")
    assert "cmpwi r12,BOOK3S_INTERRUPT_SYSCALL      cr0: - -> lt" in r.stdout
    assert "cr0: lt -> eq" in r.stdout and "cr0: 0x" not in r.stdout


def test_counts_are_decimal(tmp_path):
    sc = tmp_path / "s.toml"
    sc.write_text(f'source = "{FRAGMENT}"\nentry = "hunk 3"\n[state]\nr12 = 0x500\n[expect]\nsteps = 28\n')
    r = ppc("run", str(sc))
    assert "steps: expected 28, got " in r.stdout and "0x1c" not in r.stdout


def test_json_paths_are_relative_to_the_current_directory(tmp_path):
    trace = ppc("trace", "asm/scenarios/race_host_ipi.toml", "--json")
    assert json.loads(trace.stdout.splitlines()[0])["file"] == "asm/book3s_hv_rmhandlers.S"
    paths = json.loads(ppc("paths", "asm/book3s_hv_rmhandlers.S", "--entry", "hunk 3", "--json").stdout)
    assert {b["file"] for b in paths["coverage"]["branches"]} == {"asm/book3s_hv_rmhandlers.S"}
    outside = ppc("trace", str(ROOT / "asm" / "scenarios" / "race_host_ipi.toml"), "--json", cwd=tmp_path)
    assert json.loads(outside.stdout.splitlines()[0])["file"] == str(FRAGMENT)


def test_disasm_text_decodes_the_patched_word():
    out = ppc("disasm", "asm/book3s_hv_rmhandlers.S", "--cpu", "POWER7").stdout
    line = next(x for x in out.splitlines() if "patched to nop" in x)
    assert re.search(r": 60000000   nop\s+\| ori r0,r0,0 ", line), line
    source = out.splitlines()[out.splitlines().index(line) - 1]
    assert source.split("|")[1].split() == ["b", "ext_interrupt_to_host"]
    active = ppc("disasm", "asm/book3s_hv_rmhandlers.S", "--cpu", "PPC970").stdout
    assert re.search(r": 480000a8   b ext_interrupt_to_host\s+\| b 0x1000cc +\[CPU IFCLR", active)
