"""A whole file and the fragment its patch makes run the same: `hunk N` in a whole file is found by the
patch's post-image, a run entered there stays in the hunk, and `upstream N` is line N of a whole file."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT, ppc

from ppcinterp.api import Session
from ppcinterp.build import BuildOptions, load_program
from ppcinterp.diagnostics import PpcError

DATA = ROOT / "tests" / "data" / "minipatch"
WHOLE = DATA / "mini_handler.S"
PATCH = DATA / "mini.patch"


@pytest.fixture(scope="module")
def fragment(tmp_path_factory):
    """The fragment of the patch, made by the tool that makes the seed's, plus where its hunk leaves to."""
    out = tmp_path_factory.mktemp("frag") / "mini_handler.S"
    made = subprocess.run([sys.executable, str(ROOT / "tools" / "extract_seed.py"), str(PATCH)], check=True,
                          capture_output=True, text=True).stdout
    out.write_text('#pragma ppcinterp outside 1 "line 31: the nothing-pending path"\n' + made)
    return out


def test_hunks_are_found_by_their_text():
    p = load_program(str(WHOLE), BuildOptions(patch=str(PATCH)))
    assert [(h.number, h.first, h.last, h.located) for h in p.hunks] == [(1, 14, 28, True), (2, 35, 39, True)]
    assert p.upstream_line(p.insns[p.hunks[0].start].pos) == 14
    # Without the patch (not the seed's file), there are no hunks, and upstream N is still line N.
    q = load_program(str(WHOLE))
    assert q.hunks == [] and q.upstream_line(q.insns[q.symbols["mini_check"]].pos) == 16


CASES = [
    ({"paca.kvm_hstate.host_ipi": 1}, "mini_to_host", "end-of-hunk", ["2:14", "mini_check", "mini_to_host"]),
    ({"icp.pending": [(0x1234, 5)]}, "mini_to_host", "end-of-hunk", ["2:14", "mini_check", "mini_to_host"]),
    ({}, "1f", "exit", ["2:14", "mini_check", "1f"]),
]


@pytest.mark.parametrize("state, exit_, kind, path", CASES)
def test_same_exits_paths_and_state_as_the_fragment(fragment, state, exit_, kind, path):
    results = []
    for src, opts in ((fragment, {}), (WHOLE, {"patch": str(PATCH)})):
        s = Session(str(src), **opts)
        for k, v in state.items():
            s.set(k, v)
        r = s.run("hunk 1")
        results.append((r.exit, r.kind, r.path, s.get("paca.kvm_hstate.saved_xirr"), s.get("r3")))
    assert results[0] == results[1]
    assert results[0][:3] == (exit_, kind, path)


def test_whole_file_runs_through_hunks_from_elsewhere():
    s = Session(str(WHOLE), patch=str(PATCH))
    s.set("paca.kvm_hstate.host_ipi", 1)
    r = s.run("mini_entry")
    assert (r.kind, r.exit) == ("exit", "mini_done")
    assert r.path == ["mini_entry", "mini_check", "mini_to_host", "mini_exit_cont", "mini_bounce", "mini_done"]
    assert s.get("lpcr.mer") == 1


def test_upstream_lines_name_the_same_places():
    with_patch, whole_s = Session(str(WHOLE), patch=str(PATCH)), Session(str(WHOLE))
    assert with_patch.address_of("upstream 23") == whole_s.address_of("upstream 23") == whole_s.address_of("line 23")


def test_cli_source_option_runs_a_scenario_on_another_file(tmp_path, fragment):
    sc = tmp_path / "s.toml"
    sc.write_text(f'source = "{fragment}"\nentry = "hunk 1"\n[state]\n"paca.kvm_hstate.host_ipi" = 1\n'
                  '[expect]\nexit = "mini_to_host"\npath = ["2:14", "mini_check", "mini_to_host"]\n')
    assert ppc("run", str(sc)).returncode == 0
    r = ppc("run", str(sc), "--source", str(WHOLE), "--patch", str(PATCH))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "PASS" in r.stdout


def test_debugger_stays_in_the_hunk_of_a_whole_file():
    r = ppc("debug", str(WHOLE), "--entry", "hunk 1", "--patch", str(PATCH), "--batch",
            "-ex", "set var paca.kvm_hstate.host_ipi = 1", "-ex", "continue", "-ex", "info path")
    assert r.returncode == 0, r.stderr
    assert "mini_to_host" in r.stdout and "mini_exit_cont" not in r.stdout


def test_an_upstream_line_outside_every_hunk_of_the_fragment_is_an_error():
    s = Session(str(ROOT / "asm" / "book3s_hv_rmhandlers.S"))
    assert s.address_of("upstream 725") == s.address_of("upstream 725")      # inside hunk 3
    for line in (800, 999, 2000):
        with pytest.raises(PpcError, match=rf"upstream line {line} is in none of the fragment's hunks "
                                           r"\(upstream lines 79-84, 118-124, 674-764, 901-907, 1700-1706\)"):
            s.address_of(f"upstream {line}")
    # In a whole file every line is an upstream line.
    assert Session(str(WHOLE)).address_of("upstream 30") == Session(str(WHOLE)).address_of("line 30")
