"""The guest-running preset: the kernel's objects laid out and linked as KVM has them while a guest runs, read
back through state names; scenarios state only what differs; more memory by [[memory]] or Session.map."""

from __future__ import annotations

import pytest
from conftest import ROOT, ppc

from ppcinterp.api import Session
from ppcinterp.diagnostics import PpcError
from ppcinterp.machine.state import MSR_BITS
from ppcinterp.study import scenario

SHAPE = ROOT / "tests" / "data" / "guest_exit_shape.S"
FAULT = ROOT / "tests" / "data" / "guest_exit_fault.toml"


def holds(s: Session, condition: str) -> bool:
    return bool(s.condition(condition)())


def test_the_objects_are_linked_as_kvm_links_them():
    s = Session(str(SHAPE), preset="guest-running")
    for link in ("paca.kvm_hstate.kvm_vcpu == &vcpu", "paca.kvm_hstate.kvm_vcore == &vcore",
                 "vcpu.kvm == &kvm", "paca.lppaca_ptr == &lppaca", "paca.slb_shadow_ptr == &slb_shadow",
                 "vcpu.arch.vpa.pinned_addr == &vpa", "r1 == &frame", "paca.kvm_hstate.host_r1 == r1",
                 "hsprg0 == &paca[0]", "r13 == &paca[0]"):
        assert holds(s, link), link
    assert s.get("paca.kvm_hstate.in_guest") == s.value("KVM_GUEST_MODE_GUEST") == 1
    assert s.get("msr") == sum(1 << MSR_BITS[b] for b in ("sf", "hv", "me"))
    assert s.get("kvm.arch.lpid") == s.get("lpid") == 1
    assert s.get("vcore.entry_exit_count") == 1 and s.get("vcore.in_guest") == 1
    assert s.get("vcpu.vcpu_id") == 0 and s.get("vcpu.arch.ptid") == 0 and s.get("vcpu.arch.slb_nr") == 32
    assert s.get("slb_shadow.save_area[0].esid") >> 60 == 0xC                # the bolted linear mapping


def test_the_toc_is_the_programs():
    s = Session(str(SHAPE), preset="guest-running")
    toc = s.program.toc_base
    assert toc is not None
    assert s.get("r2") == s.get("paca.kernel_toc") == s.get("paca.kvm_hstate.host_r2") == toc


def test_one_vcpu_per_thread_one_vcore():
    s = Session(str(SHAPE), preset="guest-running", threads=2)
    assert holds(s, "thread[1].r13 == &paca[1] && paca[1].kvm_hstate.kvm_vcpu == &vcpu[1]")
    assert holds(s, "paca[1].kvm_hstate.kvm_vcore == &vcore && vcpu[1].kvm == &kvm")
    assert s.get("vcpu[1].vcpu_id") == 1 and s.get("vcpu[1].arch.ptid") == 1
    assert s.get("vcore.entry_exit_count") == 2
    assert s.value("&vcpu[1]") != s.value("&vcpu[0]") and s.value("&frame[1]") != s.value("&frame[0]")
    with pytest.raises(PpcError, match=r"vcpu\[2\] does not exist"):
        s.get("vcpu[2].vcpu_id")


def test_reset_returns_to_the_preset():
    s = Session(str(SHAPE))
    s.preset("guest-running")
    s.set("vcpu.arch.slb_max", 9)
    s.reset()
    assert s.get("vcpu.arch.slb_max") == 0 and s.get("paca.kvm_hstate.kvm_vcpu") == s.value("&vcpu")


def test_a_scenario_states_only_what_differs():
    sc = scenario.load(FAULT)
    session = scenario.build_session(sc)
    assert session.get("vcpu.arch.slb_max") == 5                  # [state] over the preset
    assert session.get("paca.kvm_hstate.host_dscr") == 0x10
    assert session.get("paca.kvm_hstate.kvm_vcpu") == session.value("&vcpu")   # the rest is the preset's
    assert scenario.run(sc).ok


def test_trace_shows_the_memory_map():
    r = ppc("trace", str(FAULT))
    lines = r.stdout.splitlines()
    assert lines[0] == "memory:"
    assert any(line.split()[:2] == ["vcpu", "0x0003000000"] and "struct kvm_vcpu" in line for line in lines)


def test_map_plain_ram_and_objects():
    s = Session(str(SHAPE))
    assert s.map("scratch", 0x1000, 0x1000) == 0x1000
    s.set("mem64[0x1008]", 7)
    assert s.get("mem64[0x1008]") == 7
    assert s.value("&scratch") == 0x1000
    s.reset()                                                     # mapped later: back to zero
    assert s.get("mem64[0x1008]") == 0
    with pytest.raises(PpcError, match="overlaps scratch"):
        s.map("other", 0x1800, 0x100)
    with pytest.raises(PpcError, match="needs a base and a size"):
        s.map("other")
    base = s.map("kvm", 0x0500_0000)
    assert base == 0x0500_0000 and s.ref("kvm.arch.lpid").addr == base + s.program.preprocessed.macro_value(
        "KVM_LPID")


def test_unknown_preset_and_bad_memory_entries(tmp_path):
    with pytest.raises(PpcError, match="unknown preset 'guest-sleeping' .known: guest-running."):
        Session(str(SHAPE), preset="guest-sleeping")
    sc = tmp_path / "s.toml"
    sc.write_text(f'source = "{SHAPE}"\nentry = "guest_exit_shape"\n[[memory]]\nname = "x"\nbase = 0x1000\n')
    r = ppc("run", str(sc))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "s.toml:3:" in r.stderr and "memory[0] (x): memory 'x' needs a base and a size" in r.stderr
    sc.write_text(f'source = "{SHAPE}"\npreset = "nope"\n')
    r = ppc("run", str(sc))
    assert r.returncode == 1 and "s.toml:2:" in r.stderr and "unknown preset 'nope'" in r.stderr
