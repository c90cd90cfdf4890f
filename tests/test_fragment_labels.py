"""One test per branch label and per direction of every conditional branch of the seed's five hunks.

Each test claims what it exercises with `@pytest.mark.covers(...)`; the `ppc` fixture (ppcinterp's pytest
plugin) fails a test whose runs did not exercise its claims, and the meta-test at the end fails when a
label or a branch direction of the fragment has no test claiming it.
"""

from __future__ import annotations

import sys

import pytest
from conftest import FRAGMENT

from ppcinterp.api import Session
from ppcinterp.pytest_plugin import covered_claims, missing_claims

SOURCE = str(FRAGMENT)
VCPU = 0x1000000
RACE = {"upstream 725": {"paca.kvm_hstate.host_ipi": 1, "icp.mfrr": "IPI_PRIORITY"}}   # the host's two stores


@pytest.fixture
def guest_exit(ppc):
    """Hunk 3 entered on a guest exit: trap number, guest MSR and ICP state by name."""
    def make(trap="BOOK3S_INTERRUPT_EXTERNAL", msr=0, cpu="POWER7", **state) -> Session:
        s = ppc(SOURCE, cpu=cpu)
        s.set("r12", trap)
        s.set("r11", msr)
        s.set("r9", VCPU)
        for name, value in state.items():
            s.set(name.replace("__", "."), value)
        return s
    return make


# ---------------------------------------------------------------- hunk 2: kvm_start_guest, woken from nap

@pytest.mark.covers("upstream 118 taken")
def test_118_taken_no_wake_interrupt_continues_at_27f(ppc):
    s = ppc(SOURCE)
    s.set("cr0.eq", 1)
    r = s.run("hunk 2")
    assert (r.exit, r.kind, r.steps) == ("27f", "exit", 1)


@pytest.mark.covers("upstream 118 not taken", "25:119")
def test_118_not_taken_25_reads_and_accepts_the_interrupt(ppc):
    s = ppc(SOURCE)
    s.set("icp.mfrr", "IPI_PRIORITY")
    r = s.run("hunk 2")
    assert r.path == ["25:119", "end of hunk 2"]
    assert s.get("r8") == 0xFF000002 and s.get("icp.cppr") == 4 and s.get("r0") == 0xFF


# ---------------------------------------------------------------- hunk 3: the external-interrupt exit path

@pytest.mark.covers("upstream 675 taken")
def test_675_taken_hcall_goes_to_real_mode_hcalls(guest_exit):
    s = guest_exit(trap="BOOK3S_INTERRUPT_SYSCALL")
    r = s.run("hunk 3")
    assert (r.exit, r.path, r.steps) == ("hcall_try_real_mode", ["hcall_try_real_mode"], 2)


@pytest.mark.covers("upstream 675 not taken", "upstream 684 taken")
def test_684_taken_other_traps_go_to_the_host_without_the_icp(guest_exit):
    s = guest_exit(trap="BOOK3S_INTERRUPT_DECREMENTER", icp__mfrr="IPI_PRIORITY")
    r = s.run("hunk 3")
    assert r.exit == "ext_interrupt_to_host"
    assert s.get("icp.cppr") == 0xFF and s.get("r3") == 0          # nothing accepted


def test_ppc970_always_goes_to_the_host(guest_exit):
    s = guest_exit(cpu="PPC970", icp__mfrr="IPI_PRIORITY")
    r = s.run("hunk 3")
    assert (r.exit, r.steps) == ("ext_interrupt_to_host", 3)       # the ARCH_206 section's branch is live


@pytest.mark.covers("upstream 684 not taken", "upstream 691 taken")
def test_691_taken_host_ipi_already_set_goes_to_the_host(guest_exit):
    s = guest_exit(paca__kvm_hstate__host_ipi=1, icp__mfrr="IPI_PRIORITY")
    r = s.run("hunk 3")
    assert r.exit == "ext_interrupt_to_host" and r.path == ["ext_interrupt_to_host"]
    assert s.get("icp.mfrr") == 4 and s.get("icp.cppr") == 0xFF      # the host's IPI is left for the host


@pytest.mark.covers("upstream 691 not taken", "upstream 697 taken")
def test_697_taken_no_icp_goes_to_the_host(guest_exit):
    s = guest_exit(paca__kvm_hstate__xics_phys=0)
    r = s.run("hunk 3")
    assert r.exit == "ext_interrupt_to_host" and s.get("r5") == 0


@pytest.mark.covers("upstream 697 not taken", "upstream 701 not taken", "upstream 707 taken")
def test_707_taken_nothing_pending_and_guest_ee_clear_goes_to_the_host(guest_exit):
    s = guest_exit(msr=0, lpcr__mer=1)
    r = s.run("hunk 3")
    assert r.exit == "ext_interrupt_to_host" and s.get("r3") == 0xFF000000


@pytest.mark.covers("upstream 707 not taken", "upstream 710 taken")
def test_710_taken_nothing_pending_with_mer_set_bounces_into_the_guest(guest_exit):
    s = guest_exit(msr="MSR_EE", lpcr__mer=1)
    r = s.run("hunk 3")
    assert (r.exit, r.path) == ("bounce_ext_interrupt", ["bounce_ext_interrupt"])


@pytest.mark.covers("upstream 710 not taken")
def test_710_not_taken_nothing_pending_without_mer_goes_to_the_host(guest_exit):
    s = guest_exit(msr="MSR_EE", lpcr__mer=0)
    r = s.run("hunk 3")
    assert r.exit == "ext_interrupt_to_host" and s.get("lpcr.mer") == 0


@pytest.mark.covers("upstream 701 taken", "1:713", "upstream 720 taken", "ext_stash_for_host")
def test_720_taken_a_device_interrupt_is_stashed_for_the_host(guest_exit):
    s = guest_exit(icp__pending=[(0x1234, 5)])
    r = s.run("hunk 3")
    assert r.path == ["1:713", "ext_stash_for_host", "ext_interrupt_to_host"]
    assert s.get("paca.kvm_hstate.saved_xirr") == 0xFF001234 and s.get("icp.cppr") == 5


@pytest.mark.covers("upstream 720 not taken", "upstream 735 not taken", "upstream 746 taken")
def test_746_taken_a_kvm_ipi_with_guest_ee_sets_mer_and_bounces(guest_exit):
    s = guest_exit(msr="MSR_EE", icp__mfrr="IPI_PRIORITY")
    r = s.run("hunk 3")
    assert (r.exit, r.path) == ("bounce_ext_interrupt", ["1:713", "bounce_ext_interrupt"])
    assert s.get("lpcr.mer") == 1 and s.get("icp.mfrr") == 0xFF and s.get("icp.cppr") == 0xFF


@pytest.mark.covers("upstream 746 not taken")
def test_746_not_taken_a_kvm_ipi_without_guest_ee_returns_with_mer_pending(guest_exit):
    s = guest_exit(msr=0, icp__mfrr="IPI_PRIORITY")
    r = s.run("hunk 3")
    assert r.exit == "fast_guest_return"
    assert s.get("lpcr.mer") == 1 and s.get("r4") == VCPU


@pytest.mark.covers("upstream 735 taken", "1:751")
def test_735_taken_a_racing_host_ipi_is_resent(guest_exit):
    s = guest_exit(msr="MSR_EE", icp__mfrr="IPI_PRIORITY")
    r = s.run("hunk 3", events=RACE)
    assert r.path == ["1:713", "1:751", "ext_interrupt_to_host"]
    assert s.get("icp.mfrr") == 4 and s.get("icp.xirr") == 0xFF000002 and s.get("lpcr.mer") == 0


@pytest.mark.covers("1:751")
def test_1_751_is_reached_with_host_ipi_set_by_the_time_of_the_recheck(guest_exit):
    s = guest_exit(msr="MSR_EE", icp__mfrr="IPI_PRIORITY")
    r = s.run("hunk 3", until="1:751", events=RACE)
    assert (r.kind, r.exit) == ("stopped", "1:751")
    assert s.get("r0") == 1 and s.get("icp.mfrr") == 0xFF            # the clear erased the host's IPI ...
    s.run("1:751")
    assert s.get("icp.mfrr") == 4                                    # ... and 1: puts it back


@pytest.mark.covers("ext_interrupt_to_host", "guest_exit_cont")
def test_ext_interrupt_to_host_falls_into_guest_exit_cont(guest_exit):
    s = guest_exit(trap="BOOK3S_INTERRUPT_DECREMENTER")
    r = s.run("hunk 3")
    assert r.exit_labels == ["ext_interrupt_to_host", "guest_exit_cont"]
    assert r.kind == "end-of-hunk"


# ---------------------------------------------------------------- hunk 4: hdec_soon wakes napping siblings

@pytest.mark.covers("upstream 901 not taken", "44:906")
def test_901_not_taken_a_napping_sibling_gets_an_ipi(ppc):
    s = ppc(SOURCE, threads=3)
    s.set("r3", 0b11)
    s.set("r6", "&paca[1]")
    s.set("cr0.gt", 1)
    r = s.run("hunk 4")
    assert r.path == ["44:906", "end of hunk 4"]
    assert s.get("icp[1].mfrr") == 4 and s.get("icp[2].mfrr") == 0xFF
    assert s.get("r3") == 1 and s.get("r6") == s.value("&paca[2]")   # next thread, PACA_SIZE on


@pytest.mark.covers("upstream 901 taken")
def test_901_taken_a_sibling_that_does_not_nap_is_left_alone(ppc):
    s = ppc(SOURCE, threads=2)
    s.set("r3", 0b10)
    s.set("r6", "&paca[1]")
    s.set("cr0.eq", 1)
    s.run("hunk 4")
    assert s.get("icp[1].mfrr") == 0xFF and s.get("r3") == 1


# ---------------------------------------------------------------- hunk 5: secondary_nap

@pytest.mark.covers("upstream 1700 not taken", "37:1706")
def test_1700_not_taken_the_accepted_ipi_is_cleared_and_eoied(ppc):
    s = ppc(SOURCE)
    s.set("icp.mfrr", "IPI_PRIORITY")
    s.set("icp.cppr", "IPI_PRIORITY")
    s.set("r5", "&icp[0]")
    s.set("r7", "XICS_XIRR")
    s.set("r3", 0xFF000002)
    s.set("cr0.gt", 1)
    r = s.run("hunk 5")
    assert r.path == ["37:1706", "end of hunk 5"]
    assert (s.get("icp.mfrr"), s.get("icp.cppr"), s.get("icp.xirr")) == (0xFF, 0xFF, 0xFF000000)


@pytest.mark.covers("upstream 1700 taken")
def test_1700_taken_nothing_pending_skips_the_icp(ppc):
    s = ppc(SOURCE)
    s.set("r5", "&icp[0]")
    s.set("cr0.eq", 1)
    r = s.run("hunk 5")
    assert r.steps == 2 and s.get("icp.mfrr") == 0xFF


# ---------------------------------------------------------------- the meta-test

def test_every_label_and_branch_direction_of_the_fragment_has_a_test():
    claims = covered_claims(v for k, v in vars(sys.modules[__name__]).items() if k.startswith("test_"))
    missing = missing_claims(Session(SOURCE), claims)
    assert not missing, f"no test claims to cover: {missing}"
