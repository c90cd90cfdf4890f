"""Bad input and runaway code end in a clear message and a non-zero exit, never a traceback."""

from __future__ import annotations

import pytest
from conftest import ROOT, ppc

from ppcinterp.api import Session

FRAGMENT = ROOT / "asm" / "book3s_hv_rmhandlers.S"



def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def run_source(tmp_path, asm: str, extra: str = ""):
    write(tmp_path, "t.S", asm)
    sc = write(tmp_path, "t.toml", f'source = "t.S"\nentry = "start"\n{extra}')
    return ppc("run", str(sc), cwd=tmp_path)


def test_unimplemented_instruction(tmp_path):
    # Every defined instruction has semantics now (mffs was the example); a word no instruction matches stops
    # the run the same way.
    r = run_source(tmp_path, "start:\n\tli r3,1\n\t.long 0\n\tblr\n")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "word 0x00000000 at 0x100004 is not an instruction" in r.stdout


def test_unmapped_access(tmp_path):
    r = run_source(tmp_path, "start:\n\tlis r4,0x7000\n\tld r3,0(r4)\n")
    assert r.returncode == 1
    assert "t.S:3: ld r3,0(r4): load of 8 bytes at 0x70000000 (r4 = 0x70000000) is outside every mapped region" \
        in r.stdout


def test_runaway_loop(tmp_path):
    r = run_source(tmp_path, "start:\n\tnop\n1:\taddi r3,r3,1\n\tb 1b\n", "max_steps = 500\n")
    assert r.returncode == 1
    assert "step limit of 500 reached; the code loops over" in r.stdout and "lines 3-4" in r.stdout


@pytest.mark.parametrize("toml, message, line", [
    ('source = "{src}"\nentyr = "hunk 3"\n', "unknown key 'entyr' in the scenario (expected one of:", 2),
    ('source = "{src}"\nthreads = "two"\n', "'threads' in the scenario must be an integer, not a string", 2),
    ('source = "{src}"\n[state]\npaca.kvm_hstate.host_ipx = 1\n', "the PACA has no field 'kvm_hstate.host_ipx'", 3),
    ('source = "{src}"\n[state]\nr99 = 1\n', "unknown name 'r99'", 3),
    ('source = "{src}"\n[state]\nr3 = "NO_SUCH_CONSTANT"\n', "is not a number or a constant", 3),
    ('source = "{src}"\n[expect]\nexits = "x"\n', "unknown key 'exits' in [expect]", 3),
    ('source = "{src}"\nentry = \n', "invalid TOML", 2),
    ('source = "{src}"\n[[events]]\nat = "nowhere"\nset = {{ r3 = 1 }}\n', "event at 'nowhere'", 3),
    ('source = "{src}"\n[[events]]\nat = "upstream 725"\nset = {{ r99 = 1 }}\n',
     "event at 'upstream 725': unknown name 'r99'", 4),
])
def test_bad_scenario(tmp_path, toml, message, line):
    sc = write(tmp_path, "bad.toml", toml.format(src=FRAGMENT))
    r = ppc("run", str(sc))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert f"{sc}:{line}:" in r.stderr and message in r.stderr


def test_missing_scenario_file():
    r = ppc("run", "nope.toml")
    assert r.returncode == 1 and "cannot read scenario 'nope.toml'" in r.stderr


def test_the_step_limit_leaves_the_state_where_the_limit_stopped_it(tmp_path):
    src = write(tmp_path, "t.S", "start:\n1:\taddi r3,r3,1\n\tb 1b\n")
    for journal in (False, True):
        s = Session(str(src))
        r = s.run("start", max_steps=100, journal=journal)
        assert r.kind == "step-limit" and "lines 2-3" in r.message
        assert s.get("r3") == 50            # 100 steps: 50 additions, nothing more


def test_writes_into_the_code_are_refused_everywhere(tmp_path):
    """The code runs as assembled (compiled into blocks): a store by the code, a scenario's [state], an event and
    the debugger's set var into it are refused with a message, never silently ignored."""
    src = "start:\n\tli r3,1\n\tlis r4,0x10\n\tstw r3,4(r4)\n\tli r5,2\n"
    r = run_source(tmp_path, src)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "store of 4 bytes at 0x100004 (r4 = 0x100000) is refused: a store into the code" in r.stdout
    r = run_source(tmp_path, src, '[state]\n"mem32[0x100008]" = 7\n')
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "'mem32[0x100008]' is in the code (0x100008), which runs as assembled" in r.stderr + r.stdout
    s = Session(str(tmp_path / "t.S"))
    with pytest.raises(Exception, match="runs as assembled"):
        s.run("start", events={"line 3": {"mem8[0x100000]": 0}})
    d = ppc("debug", str(tmp_path / "t.S"), "--entry", "start", "--batch", "-ex", "set var mem32[0x100004] = 5",
            "-ex", "stepi", cwd=tmp_path)
    assert "'mem32[0x100004]' is in the code (0x100004), which runs as assembled" in d.stdout + d.stderr
    assert "Traceback" not in d.stderr
