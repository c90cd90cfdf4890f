"""Litmus tests under the Power and SC memory models, through `ppcinterp litmus` and the Python API.

Every file under tests/litmus is our own, written from the shapes (SB, MP, LB, S, R, 2+2W, WRC, ISA2, RWC, IRIW,
coherence, lwarx/stwcx.). VERDICTS says whether its `exists` outcome can happen under Power: herdtools7's
catalogue/herding-cats/ppc/tests/ppc.allowed, column Power-Model, for every name listed there (Ok = allowed);
the others are coherence (ppc.cat's uniproc axiom) and atomicity (its atomic axiom) tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fuzzing import bounded, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

from ppcinterp.cli import main
from ppcinterp.diagnostics import PpcError
from ppcinterp.litmus.parse import parse
from ppcinterp.litmus.run import run_file, run_test

LITMUS = Path(__file__).resolve().parent / "litmus"

VERDICTS = {
    "2+2W+eieios": "forbidden",
    "2+2W+isyncs": "allowed",
    "2+2W+lwsync+po": "allowed",
    "2+2W+lwsyncs": "forbidden",
    "2+2W+syncs": "forbidden",
    "2+2W": "allowed",
    "ATOM+lwarx-stwcx+fail": "allowed",  # not in ppc.allowed: ppc.cat's atomic axiom
    "ATOM+lwarx-stwcx+store": "forbidden",  # not in ppc.allowed: ppc.cat's atomic axiom
    "ATOM+lwarx-stwcx": "forbidden",  # not in ppc.allowed: ppc.cat's atomic axiom
    "CoRR+sync": "forbidden",  # not in ppc.allowed: ppc.cat's uniproc axiom
    "CoRR": "forbidden",  # not in ppc.allowed: ppc.cat's uniproc axiom
    "CoRW": "forbidden",
    "CoRW1": "forbidden",  # not in ppc.allowed: ppc.cat's uniproc axiom
    "CoWR": "forbidden",
    "CoWR0": "forbidden",  # not in ppc.allowed: ppc.cat's uniproc axiom
    "CoWW+lwsync": "forbidden",  # not in ppc.allowed: ppc.cat's uniproc axiom
    "CoWW": "forbidden",
    "IRIW+addrs": "allowed",
    "IRIW+ctrlisyncs": "allowed",
    "IRIW+eieios": "allowed",
    "IRIW+lwsync+sync": "allowed",
    "IRIW+lwsyncs": "allowed",
    "IRIW+syncs": "forbidden",
    "IRIW": "allowed",
    "ISA2+eieio+addr+addr": "forbidden",
    "ISA2+lwsync+addr+addr": "forbidden",
    "ISA2+lwsync+addr+ctrlisync": "forbidden",
    "ISA2+lwsync+data+addr": "forbidden",
    "ISA2+lwsyncs": "forbidden",
    "ISA2+sync+addr+addr": "forbidden",
    "ISA2+sync+data+addr": "forbidden",
    "ISA2+syncs": "forbidden",
    "LB+addrs": "forbidden",
    "LB+ctrl+data": "forbidden",
    "LB+ctrlisync+data": "forbidden",
    "LB+ctrlisyncs": "forbidden",
    "LB+ctrls": "forbidden",
    "LB+data+po": "allowed",
    "LB+datas": "forbidden",
    "LB+eieios": "allowed",
    "LB+isyncs": "allowed",
    "LB+lwsync+addr": "forbidden",
    "LB+lwsyncs": "forbidden",
    "LB+syncs": "forbidden",
    "LB": "allowed",
    "MP+eieio+addr": "forbidden",
    "MP+eieio+ctrl": "allowed",
    "MP+eieio+ctrlisync": "forbidden",
    "MP+eieios": "allowed",
    "MP+isyncs": "allowed",
    "MP+lwsync+addr": "forbidden",
    "MP+lwsync+ctrl": "allowed",
    "MP+lwsync+ctrlisync": "forbidden",
    "MP+lwsync+po": "allowed",
    "MP+lwsyncs": "forbidden",
    "MP+po+lwsync": "allowed",
    "MP+sync+addr": "forbidden",
    "MP+sync+ctrl": "allowed",
    "MP+sync+ctrlisync": "forbidden",
    "MP+sync+isync": "allowed",
    "MP+syncs": "forbidden",
    "MP": "allowed",
    "R+eieio+sync": "allowed",
    "R+lwsync+sync": "allowed",
    "R+lwsyncs": "allowed",
    "R+sync+lwsync": "allowed",
    "R+syncs": "forbidden",
    "R": "allowed",
    "RWC+addr+sync": "allowed",
    "RWC+eieio+sync": "allowed",
    "RWC+lwsync+sync": "allowed",
    "RWC+lwsyncs": "allowed",
    "RWC+sync+lwsync": "allowed",
    "RWC+syncs": "forbidden",
    "RWC": "allowed",
    "S+eieio+data": "forbidden",
    "S+lwsync+ctrlisync": "forbidden",
    "S+lwsync+data": "forbidden",
    "S+lwsync+po": "allowed",
    "S+lwsyncs": "forbidden",
    "S+sync+data": "forbidden",
    "S+sync+po": "allowed",
    "S+syncs": "forbidden",
    "S": "allowed",
    "SB+eieio+sync": "allowed",
    "SB+eieios": "allowed",
    "SB+isyncs": "allowed",
    "SB+lwsync+sync": "allowed",
    "SB+lwsyncs": "allowed",
    "SB+syncs": "forbidden",
    "SB": "allowed",
    "WRC+addrs": "allowed",
    "WRC+ctrl+ctrlisync": "allowed",
    "WRC+data+addr": "allowed",
    "WRC+eieio+addr": "allowed",
    "WRC+lwsync+addr": "forbidden",
    "WRC+lwsync+ctrlisync": "forbidden",
    "WRC+lwsyncs": "forbidden",
    "WRC+sync+addr": "forbidden",
    "WRC+syncs": "forbidden",
    "WRC": "allowed",
}
# Outcomes that are not relaxed: SC allows them too (a store conditional may always fail).
SC_ALLOWED = {"ATOM+lwarx-stwcx+fail"}


def test_every_file_has_a_verdict_and_there_are_enough():
    names = {p.stem for p in LITMUS.glob("*.litmus")}
    assert names == set(VERDICTS)
    assert len(names) >= 60


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_power_verdict(name):
    r = run_file(str(LITMUS / f"{name}.litmus"))
    assert ("allowed" if r.positive else "forbidden") == VERDICTS[name]
    assert r.ok == (VERDICTS[name] == "allowed")          # every file's condition is `exists`
    s = run_file(str(LITMUS / f"{name}.litmus"), model="sc")
    assert (s.positive > 0) == (name in SC_ALLOWED)
    assert s.positive + s.negative <= r.positive + r.negative     # SC's executions are among Power's


def test_output_has_herds_shape(capsys):
    assert main(["litmus", str(LITMUS / "MP.litmus")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Test MP Allowed"
    assert out[1] == "States 4"
    assert out[2:6] == ["1:r1=0; 1:r2=0;", "1:r1=0; 1:r2=1;", "1:r1=1; 1:r2=0;", "1:r1=1; 1:r2=1;"]
    assert out[6:] == ["Ok", "Witnesses", "Positive: 1 Negative: 3", "Condition exists (1:r1=1 /\\ 1:r2=0)",
                       "Observation MP Sometimes 1 3"]


def test_sc_and_memory_locations_in_states(capsys):
    assert main(["litmus", "--model", "sc", str(LITMUS / "2+2W.litmus"), str(LITMUS / "SB.litmus")]) == 0
    out = capsys.readouterr().out
    first, second = out.split("\n\n")
    assert "States 3\n[x]=1; [y]=1;\n[x]=1; [y]=2;\n[x]=2; [y]=1;\nNo\n" in first
    assert "Observation 2+2W Never 0 3" in first
    assert second.startswith("Test SB Allowed") and "Observation SB Never 0 3" in second


def _write(tmp_path, text: str, name: str = "t.litmus") -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


MP_TEXT = """PPC T
{ 0:r2=x; 0:r4=y; 1:r2=y; 1:r4=x; }
 P0           | P1           ;
 li r1,1      | lwz r1,0(r2) ;
 stw r1,0(r2) | lwz r3,0(r4) ;
 li r3,1      |              ;
 stw r3,0(r4) |              ;
"""


def test_forbidden_and_required_conditions(tmp_path, capsys):
    path = _write(tmp_path, MP_TEXT + "~exists (1:r1=1 /\\ 1:r3=0)\n")
    assert main(["litmus", path]) == 0
    out = capsys.readouterr().out
    assert "Test T Forbidden" in out and "\nNo\n" in out and "Positive: 3 Negative: 1" in out
    assert "Observation T Sometimes 1 3" in out
    path = _write(tmp_path, MP_TEXT + "locations [0:r2;]\nforall (1:r1=0 \\/ 1:r1=1)\n")
    assert main(["litmus", path]) == 0
    out = capsys.readouterr().out
    assert "Test T Required" in out and "\nOk\n" in out and "States 2\n0:r2=x; 1:r1=0;\n0:r2=x; 1:r1=1;\n" in out
    assert "Observation T Always 4 0" in out


def test_no_condition_is_forall_true_and_comments_are_skipped(tmp_path, capsys):
    text = MP_TEXT.replace("li r3,1      |", "li r3,1 (* the flag *) |") + "(* nothing more *)\n"
    assert main(["litmus", _write(tmp_path, text)]) == 0
    out = capsys.readouterr().out
    assert "Test T Required" in out and "Condition forall (true)" in out and "Observation T Always 4 0" in out


def test_condition_printing_follows_herds_precedence(tmp_path):
    test = parse("t.litmus", MP_TEXT + "exists ~(1:r1=1) \\/ 1:r1=1 /\\ (1:r3=0 \\/ [x]!=2) => y=0\n")
    r = run_test(test)
    assert r.condition.show() == "exists (not (1:r1=1) \\/ 1:r1=1 /\\ ((1:r3=0 \\/ not ([x]=2)) => [y]=0))"


def test_symbolic_registers_and_labels(tmp_path):
    text = """PPC SYM
{ %a0=x; %b0=y; %a1=x; %b1=y; }
 P0            | P1             ;
 li r1,1       | lwz r1,0(%b1)  ;
 stw r1,0(%a0) | cmpw r1,r1     ;
 lwsync        | bne L1         ;
 li r2,1       | L1: isync      ;
 stw r2,0(%b0) | lwz r2,0(%a1)  ;
exists (1:r1=1 /\\ 1:r2=0)
"""
    assert run_test(parse("sym.litmus", text)).positive == 0           # MP+lwsync+ctrlisync


def test_herds_older_syntax(tmp_path):
    text = """PPC OLD
{ 0:r1=x; 0:r2=y; 1:r1=x; 1:r2=y; 0:r3=1; }
 P0          | P1          ;
 stw r3,0,r1 | lwz r5,0,r2 ;
 sync        | sync        ;
 stw r3,0,r2 | lwz r6,0,r1 ;
locations [0:r1*;]
final (1:r5=1 /\\ 1:r6=0);
with
tso: ~exists;
default: exists;
<<
anything for other tools
>>
"""
    r = run_test(parse("old.litmus", text))
    assert r.positive == 0 and r.negative == 3 and r.states[0][0] == "0:r1=x;"        # MP+syncs


ERRORS = [
    (MP_TEXT.replace("lwz r3,0(r4)", "lwq r3,0(r4)") + "exists (1:r1=1)\n", ":5:17: error: unknown instruction 'lwq'"),
    (MP_TEXT.replace("1:r4=x", "1:r44=x") + "exists (1:r1=1)\n",
     ":2:29: error: 'r44' is not a general-purpose register"),
    (MP_TEXT + "exists (1:r1=1 /\\ )\n", ":8:19: error: expected a location"),
    (MP_TEXT + "exists (1:r1=1 # 2)\n", ":8:16: error: unexpected '#"),
    (MP_TEXT + "exists (5:r1=1)\n", "5:r1: the test has 2 threads"),
    ("X86 T\n{ }\n P0 ;\n", ":1:1: error: 'X86' tests are not supported"),
    ("PPC T\n{ 0:r2=x;\n P0 ;\n", ":2:1: error: the initial state is not closed"),
    ("PPC T\n{ }\n P0 | P2 ;\n nop | nop ;\n", ":3:7: error: expected thread name 'P1'"),
    ("PPC T\n{ }\n P0 ;\n nop | nop ;\n", ":4:8: error: this row has 2 columns, the test 1 threads"),
    ("PPC T\n{ x=q+1; }\n P0 ;\n", ":2:5: error: 'q+1' is not a value"),
    ("PPC T\n(* open\n{ }\n", ":2:1: error: unterminated comment"),
    ("PPC T\n{ 0:r2=x; }\n P0 ;\n lwz r1,8(r2) ;\n", "accesses address 0x10000008, which is no location"),
    ("PPC T\n{ }\n P0 ;\n b 0x4000 ;\n", "branches to 0x4000, outside its code"),
    ("PPC T\n{ 3:r1=1; }\n P0 ;\n nop ;\n", ":2:8: error: thread 3 is given registers, but the test has 1 threads"),
    ("PPC T\n{ }\n P0 ;\n beq nowhere ;\n", ":4:6: error: P0: 'nowhere' is not a label of this thread"),
    ("PPC T\n{ }\n P0 ;\n .long 0 ;\n", ":4:2: error: P0: a litmus thread holds instructions and labels, no data"),
    ("PPC T\n{ }\n P0 ;\n sc ;\n", ":4:2: error: P0: 'sc' cannot run in a litmus test"),
    ("PPC T\n{ }\n P0 ;\n nop ;\nexists (0:r1=08 /\\ x=stw2)\n", "Observation T Never 0 1"),
]


@pytest.mark.parametrize("text,message", ERRORS)
def test_errors_are_positioned_and_exit_1(tmp_path, capsys, text, message):
    path = _write(tmp_path, text)
    status = main(["litmus", path])
    out, err = capsys.readouterr()
    if message.startswith("Observation"):           # not an error: a number with a leading 0, a value naming
        assert status == 0 and message in out        # a location nothing else names
        return
    assert status == 1
    assert message in err, err
    assert "Traceback" not in err


@fuzz_settings(40)
@given(st.integers(0, 10_000), st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(
    ["(", ")", "{", "}", "[", "]", ";", "|", ":", "=", "~", "/\\", "\n", "%x", "(*", "*)", "exists", "0:r1", "P1",
     "sync", "lwz r1,0(r2)", "b L", "L:", "uint64_t", "-", "7", "x"])), max_size=4))
def test_mangled_files_end_in_a_result_or_a_positioned_error(pick, edits):
    files = sorted(LITMUS.glob("*.litmus"))
    text = files[pick % len(files)].read_text()
    for at, piece in edits:
        k = at % (len(text) + 1)
        text = text[:k] + piece + text[k + 1:]
    with bounded(f"litmus of {text[:300]!r}"):
        try:
            run_test(parse("mangled.litmus", text), limit=20_000)
        except PpcError as e:
            assert e.render()


def test_error_shows_the_line_with_a_caret(tmp_path, capsys):
    path = _write(tmp_path, MP_TEXT.replace("lwz r3,0(r4)", "lwq r3,0(r4)") + "exists (1:r1=1)\n")
    assert main(["litmus", path]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith(path + ":5:17: error:")
    assert "lwq r3,0(r4)" in lines[1] and lines[2].index("^") == lines[1].index("lwq")


def test_bound_on_executions(capsys):
    assert main(["litmus", "--max-executions", "5", str(LITMUS / "IRIW.litmus")]) == 1
    err = capsys.readouterr().err
    assert "more than 5 candidate executions" in err and "--max-executions" in err


def test_unroll_bounds_a_retry_loop(tmp_path, capsys):
    text = """PPC INC
{ 0:r20=x; 1:r20=x; }
 P0               | P1               ;
 L0: lwarx r1,0,r20 | L1: lwarx r1,0,r20 ;
 addi r1,r1,1     | addi r1,r1,1     ;
 stwcx. r1,0,r20  | stwcx. r1,0,r20  ;
 bne L0           | bne L1           ;
exists ([x]=1)
"""
    assert main(["litmus", "--unroll", "1", _write(tmp_path, text)]) == 0
    out = capsys.readouterr().out
    assert "Loop No" in out and "States 1\n[x]=2;" in out        # atomic increments: never a lost update
    with pytest.raises(SystemExit):
        main(["litmus", "--unroll", "-1", _write(tmp_path, text)])
    assert "'-1' is not 0 to 100" in capsys.readouterr().err


def test_the_command_line_itself():
    r = subprocess.run([sys.executable, "-m", "ppcinterp", "litmus", str(LITMUS / "SB+syncs.litmus")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Test SB+syncs Allowed" in r.stdout and "Observation SB+syncs Never 0 3" in r.stdout
