"""A guest exit end to end on a file of our own with the whole upstream handler's shape: from the interrupt
entry through the external-interrupt fast path, the SLB save and reload, the partition switch, the FP/VSX
save in a _GLOBAL function and the PMU save, to the host's vector at 0x500 with HSRR0/HSRR1 set."""

from __future__ import annotations

from conftest import ROOT, ppc

from ppcinterp.api import Session

FLOW = ROOT / "tests" / "data" / "guest_exit_flow.S"
GUEST_PC, GUEST_MSR = 0x7000, 0x8000_0000_0000_9032


def guest_exit(**state) -> tuple[Session, object]:
    s = Session(str(FLOW), preset="guest-running")
    s.map("page0", 0, 0x2000)                      # where the DSCR store through the host's DSCR value lands
    s.set("r12", 0x502)                            # the hypervisor external interrupt, as POWER7 delivers it
    s.set("hsrr0", GUEST_PC)
    s.set("hsrr1", GUEST_MSR)
    for name, value in state.items():
        s.set(name.replace("__", "."), value)
    return s, s.run("kvmppc_interrupt", max_steps=10_000)


def test_device_interrupt_reaches_the_host_vector():
    s, r = guest_exit(**{"icp__pending": [(0x1234, 5)]})
    assert (r.kind, r.exit) == ("vector", "vector 0x500"), r.message
    assert [p for p in r.path if not p[0].isdigit()] == ["kvmppc_interrupt", "guest_exit_cont", ".kvmppc_save_fp",
                                                         "vector 0x500"]
    assert s.get("paca.kvm_hstate.saved_xirr") == 0xFF001234      # the device's XIRR, for the host's driver
    assert s.get("hsrr0") == s.get("paca.kvm_hstate.vmhandler") == 0xC000_0000_0000_8000
    assert s.get("hsrr1") == s.get("paca.kvm_hstate.host_msr") == 0x9000_0000_0000_9032
    assert s.get("vcpu.arch.pc") == GUEST_PC and s.get("vcpu.arch.shregs.msr") != 0
    assert s.get("vcpu.arch.trap") == 0x500


def test_partition_switch_and_fp_state_are_saved():
    vsr = (0x0123_4567_89AB_CDEF << 64) | 0xFEDC_BA98_7654_3210
    s, r = guest_exit(vs3=vsr, fpscr=0x82000000)
    assert r.kind == "vector", r.message
    assert s.get("lpid") == s.get("kvm.arch.host_lpid")
    vsrs = s.value("&vcpu[0]") + s.value("VCPU_VSRS")
    assert s.get(f"mem64[{vsrs + 3 * 16:#x}]") == vsr >> 64
    assert s.get(f"mem64[{vsrs + 3 * 16 + 8:#x}]") == vsr & (2**64 - 1)


def test_trace_names_vcpu_fields():
    from ppcinterp.views.trace import trace_lines
    s, r = guest_exit()
    text = "\n".join(trace_lines(s, r))
    assert "vcpu.arch.pc" in text and "vcpu.arch.trap" in text


def test_without_that_page_the_dscr_store_stops_the_run():
    s = Session(str(FLOW), preset="guest-running")
    s.set("r12", 0x502)
    r = s.run("kvmppc_interrupt")
    assert r.kind == "fault"
    assert "std r8, VCPU_DSCR(r7): store of 8 bytes at" in r.message and "(r7 = 0x0)" in r.message
    assert "is outside every mapped region" in r.message and "guest_exit_flow.S:" in r.message


def test_shipped_whole_file_scenarios_run_on_a_file_of_the_same_shape():
    for name in ("guest_exit_device_irq.toml", "guest_exit_dscr_fault.toml"):
        r = ppc("run", str(ROOT / "asm" / "scenarios" / "whole-file" / name), "--source", str(FLOW))
        assert r.returncode == 0 and r.stdout.startswith("PASS"), r.stdout + r.stderr


def test_trace_json_of_a_guest_exit(tmp_path):
    import json
    r = ppc("trace", str(ROOT / "asm" / "scenarios" / "whole-file" / "guest_exit_device_irq.toml"), "--source",
            str(FLOW), "--json")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    names = {c["name"] for row in rows for c in row.get("changes", [])}
    assert {"vcpu.arch.pc", "vcpu.arch.trap", "hsrr0", "hsrr1"} <= names
    assert any(c["name"].startswith("slb") for row in rows for c in row.get("changes", []))
