"""Where a run meets what the file does not hold: an access outside every mapped region stops it with the
instruction, registers and address; a call into C is a named exit, or, stood in for in Python or by a
scenario's [stand_ins], one journaled step that returns to LR."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, ppc

from ppcinterp.api import Session
from ppcinterp.debug.engine import DebugEngine
from ppcinterp.diagnostics import PpcError
from ppcinterp.views.trace import trace_json, trace_lines

SHAPE = ROOT / "tests" / "data" / "guest_exit_shape.S"
FAULT = ROOT / "tests" / "data" / "guest_exit_fault.toml"
STAND_INS = ROOT / "tests" / "data" / "guest_exit_stand_ins.toml"
DSCR_STORE = (f"{SHAPE}:33: std r8, VCPU_DSCR(r7): store of 8 bytes at 0x12e8 (r7 = 0x10) is outside every "
              "mapped region")
DSCR_TAIL = DSCR_STORE.split("tests/data/")[1]


def session(**state) -> Session:
    s = Session(str(SHAPE), preset="guest-running")
    s.set("paca.kvm_hstate.host_dscr", 0x10)          # the base register of the DSCR store
    for name, value in state.items():
        s.set(name.replace("__", "."), value)
    return s


def test_the_dscr_store_faults_with_instruction_register_and_address():
    s = session()
    r = s.run("guest_exit_shape")
    assert r.kind == "fault" and r.message == DSCR_STORE
    assert r.pc == s.address_of("dscr_save") + 8


def test_the_fault_in_run_trace_and_the_debugger():
    r = ppc("run", str(FAULT))
    assert r.returncode == 0, r.stdout + r.stderr                  # the scenario expects the fault
    assert f"why:   {DSCR_STORE}" in r.stdout
    r = ppc("trace", str(FAULT))
    assert r.stdout.splitlines()[-1] == f"=> {DSCR_STORE} after 15 steps"
    d = DebugEngine.from_scenario(str(FAULT))
    out = d.execute("continue")                                   # (the debugger shows paths short)
    assert "[Run ended (fault) after 15 instructions: " in out and f"{DSCR_TAIL}]" in out


def test_indexed_accesses_name_both_registers(tmp_path):
    src = tmp_path / "t.S"
    src.write_text("start:\n\tldx\tr3, r4, r5\n")
    s = Session(str(src))
    s.set("r4", 0x7000_0000)
    s.set("r5", 8)
    assert s.run("start").message.endswith(
        "t.S:2: ldx r3, r4, r5: load of 8 bytes at 0x70000008 (r4 = 0x70000000, r5 = 0x8) is outside every "
        "mapped region")


def test_an_unregistered_call_is_a_named_exit():
    s = session(dscr=0)
    s.map("low_page", 0x1000, 0x1000)
    r = s.run("guest_exit_shape")
    assert (r.kind, r.exit) == ("exit", ".kvmppc_hpte_hv_fault")
    assert r.message == "left the file to .kvmppc_hpte_hv_fault"


def test_a_python_stand_in_gets_the_arguments_and_returns_r3():
    s = session()
    s.map("low_page", 0x1000, 0x1000)
    calls = []

    def hpte_fault(args):
        calls.append(args)
        return 0

    def h_enter(args, sess):                                  # two arguments: the session too
        calls.append(args)
        return sess.get("vcpu.arch.slb_max") + 40

    s.stand_in(".kvmppc_hpte_hv_fault", hpte_fault)
    s.stand_in("kvmppc_h_enter", h_enter)                         # the leading dot may be left out
    s.set("vcpu.arch.gpr[3]", 8)
    s.set("mem64[0x1000]", 0)
    r = s.run("guest_exit_shape")
    assert (r.kind, r.exit) == ("exit", "hcall_done")
    assert len(calls) == 2 and calls[0][0] == s.value("&vcpu") and len(calls[0]) == 8   # r3 = the vcpu, r3..r10
    assert s.get("vcpu.arch.gpr[5]") == 0 and s.get("vcpu.arch.gpr[3]") == 40
    assert r.path == ["guest_exit_shape", "dscr_save", "hpte_fault", "hcall", "hcall_done"]
    text = trace_lines(s, r)
    call = next(line for line in text if "call .kvmppc_hpte_hv_fault" in line)
    assert "(C)  call .kvmppc_hpte_hv_fault(r3=0x3000000, " in call and "-> r3=0x0 (stand-in)" in call
    assert any("call .kvmppc_h_enter(" in line and "-> r3=0x28 (stand-in)" in line for line in text)
    recs = [json.loads(line) for line in trace_json(s, r)]
    enter = next(rec["call"] for rec in recs if rec.get("call", {}).get("function") == ".kvmppc_h_enter")
    assert enter["result"] == 40 and enter["args"][0] == s.value("&vcpu") and enter["stand_in"]


def test_a_stand_in_returning_none_leaves_r3_and_removing_it_restores_the_exit():
    s = session()
    s.map("low_page", 0x1000, 0x1000)
    s.stand_in(".kvmppc_hpte_hv_fault", lambda args: None)
    s.set("vcpu.arch.gpr[3]", 4)                                  # H_REMOVE's slot: not stood in for
    snap = s.snapshot()
    r = s.run("guest_exit_shape")
    assert r.exit == ".kvmppc_h_remove" and s.get("vcpu.arch.gpr[5]") == s.value("&vcpu")   # r3 unchanged
    s.restore(snap)
    s.stand_in(".kvmppc_hpte_hv_fault", None)
    assert s.run("guest_exit_shape").exit == ".kvmppc_hpte_hv_fault"


def test_bad_stand_ins_are_errors():
    s = session()
    with pytest.raises(PpcError, match=r"'\.kvmppc_nothing' is not a function the file leaves to another object "
                                       r"\(those it calls: \.kvmppc_h_enter, \.kvmppc_h_remove, "):
        s.stand_in(".kvmppc_nothing", lambda args: 0)
    s.map("low_page", 0x1000, 0x1000)
    s.stand_in(".kvmppc_hpte_hv_fault", lambda args: "zero")
    with pytest.raises(PpcError, match=r"the stand-in for \.kvmppc_hpte_hv_fault returned 'zero', not an integer"):
        s.run("guest_exit_shape")


def test_scenario_stand_ins_and_memory():
    r = ppc("run", str(STAND_INS))
    assert r.returncode == 0, r.stdout + r.stderr
    r = ppc("trace", str(STAND_INS))
    assert "(C)  call .kvmppc_h_enter(r3=0x3000000, " in r.stdout and "-> r3=0x6 (stand-in)" in r.stdout
    assert "  low_page     0x0000001000    0x1000  RAM" in r.stdout


def test_scenario_stand_in_errors_point_at_the_line(tmp_path):
    sc = tmp_path / "s.toml"
    head = f'source = "{SHAPE}"\nentry = "guest_exit_shape"\n[stand_ins]\n'
    sc.write_text(head + '".kvmppc_hpte_hv_fault" = "vcpu.arch.slb_max +"\n')
    r = ppc("run", str(sc))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "s.toml:4:" in r.stderr and "stand-in '.kvmppc_hpte_hv_fault'" in r.stderr
    sc.write_text(head + '".kvmppc_nothing" = 0\n')
    r = ppc("run", str(sc))
    assert r.returncode == 1 and "s.toml:4:" in r.stderr and "is not a function the file leaves" in r.stderr
    sc.write_text(head + '".kvmppc_hpte_hv_fault" = 1.5\n')
    r = ppc("run", str(sc))
    assert r.returncode == 1 and "must return an integer or an expression" in r.stderr


def test_the_debugger_steps_over_a_call_and_back():
    d = DebugEngine.from_scenario(str(STAND_INS))
    d.execute("break hpte_fault")
    d.execute("continue")
    d.execute("stepi 3")                                          # mr, mfspr, bl: at the function's slot
    assert "$1 = 50331648" in d.execute("print $r3")
    out = d.execute("stepi")                                      # the call: back at LR with r3 = 0
    assert "r3: 0x3000000 -> 0x0  [call .kvmppc_hpte_hv_fault(r3=0x3000000, " in out
    assert "-> r3=0x0 (stand-in)]" in out and "ld\tr9, HSTATE_KVM_VCPU(r13)" in out
    assert "$2 = 0" in d.execute("print $r3")
    d.execute("reverse-stepi")
    assert "$3 = 50331648" in d.execute("print $r3")
