"""Instruction semantics per family, through the Python API (QEMU checks the arithmetic in bulk elsewhere)."""

from __future__ import annotations

import pytest

from ppcinterp.api import Session
from ppcinterp.run.journal import redo, undo

RAM = 0x1000000


def run(tmp_path, body: str, state: dict | None = None, **kw):
    src = tmp_path / "t.S"
    src.write_text(f"start:\n{body}\n")
    s = Session(str(src), **kw)
    for k, v in (state or {}).items():
        s.set(k, v)
    return s, s.run("start")


def test_ctr_loop_and_link_branches(tmp_path):
    s, r = run(tmp_path, "\tli r3,0\n\tli r4,5\n\tmtctr r4\n1:\taddi r3,r3,2\n\tbdnz 1b\n"
                         "\tbl 2f\n\tb 3f\n2:\tmflr r6\n\tblr\n3:\tnop", )
    assert s.get("r3") == 10 and s.get("ctr") == 0
    assert s.get("r6") == s.program.symbols["start"] + 4 * 6      # the address after the bl
    assert r.kind == "end-of-code"


def test_conditional_branch_on_any_cr_field(tmp_path):
    s, r = run(tmp_path, "\tcmpwi cr5,r3,7\n\tbgt cr5,1f\n\tli r4,1\n\tb 2f\n1:\tli r4,2\n2:\tnop", {"r3": 9})
    assert s.get("r4") == 2 and s.get("cr5") == 0b0100
    assert r.decisions == [(s.program.symbols["start"] + 4, True)]


def test_record_forms_set_cr0_from_the_64_bit_result_with_so(tmp_path):
    s, _ = run(tmp_path, "\tadd. r5,r3,r4", {"r3": 0x8000_0000_0000_0000, "r4": 0, "xer.so": 1})
    assert s.get("cr0") == 0b1001           # LT (negative as 64-bit) and SO copied from XER


def test_carry_and_overflow(tmp_path):
    s, _ = run(tmp_path, "\taddco. r5,r3,r4\n\tadde r6,r7,r7",
               {"r3": 0x7FFF_FFFF_FFFF_FFFF, "r4": 1, "r7": 0})
    assert s.get("r5") == 0x8000_0000_0000_0000 and s.get("xer.ov") == 1 and s.get("xer.so") == 1
    assert s.get("xer.ca") == 0 and s.get("r6") == 0


def test_rotate_and_shift(tmp_path):
    s, _ = run(tmp_path, "\trlwinm r5,r3,8,0xff00\n\tsrdi. r6,r4,1\n\tsraw r7,r8,r9\n\tclrldi r10,r3,60",
               {"r3": 0x12345678, "r4": 1, "r8": 0x80000001, "r9": 4})
    assert s.get("r5") == 0x7800 and s.get("r6") == 0 and s.get("cr0.eq") == 1
    assert s.get("r7") == 0xFFFF_FFFF_F800_0000 and s.get("xer.ca") == 1
    assert s.get("r10") == 8


def test_loads_stores_update_and_byte_reversed(tmp_path):
    s, _ = run(tmp_path, "\tstwu r3,8(r4)\n\tlhbrx r5,0,r4\n\tlha r6,0(r4)\n\tstmw r30,16(r4)\n\tlmw r28,16(r4)",
               {"r3": 0x8001_0203, "r4": RAM, "r30": 0x11, "r31": 0x22})
    assert s.get("r4") == RAM + 8 and s.get("mem32[0x1000008]") == 0x80010203
    assert s.get("r5") == 0x0180 and s.get("r6") == 0xFFFF_FFFF_FFFF_8001
    assert (s.get("r28"), s.get("r29")) == (0x11, 0x22)


def test_reservation(tmp_path):
    s, _ = run(tmp_path, "\tlwarx r5,0,r4\n\taddi r5,r5,1\n\tstwcx. r5,0,r4\n\tmfcr r6\n"
                         "\tstwcx. r5,0,r4\n\tmfocrf r7,0x80", {"r4": RAM})
    assert s.get("mem32[0x1000000]") == 1
    assert s.get("r6") >> 28 == 0b0010        # first stwcx. succeeded (EQ)
    assert s.get("r7") >> 28 == 0b0000        # the reservation was used up


def test_cr_logical_and_moves(tmp_path):
    s, _ = run(tmp_path, "\tcrset 4*cr1+eq\n\tcrxor 4*cr2+lt,4*cr1+eq,4*cr1+gt\n\tmcrf cr7,cr2\n"
                         "\tmtcrf 0x01,r3\n\tmfcr r4", {"r3": 0xA})
    assert s.get("cr1") == 0b0010 and s.get("cr2") == 0b1000
    assert s.get("cr7") == 0xA and s.get("r4") == 0x0_2_8_0_0_0_0_A


def test_spr_msr_and_timebase(tmp_path):
    s, _ = run(tmp_path, "\tmtspr 318,r3\n\tmfspr r4,318\n\tmtmsrd r5,1\n\tmfmsr r6\n\tmftb r7\n\tmftb r8",
               {"r3": 0x800, "r5": 0x8002, "msr.hv": 1})
    assert s.get("r4") == 0x800 and s.get("lpcr.mer") == 1
    assert s.get("msr.ee") == 1 and s.get("msr.ri") == 1 and s.get("msr.hv") == 1
    assert s.get("r8") == s.get("r7") + 1


@pytest.mark.parametrize("insn, srr, to", [("hrfid", "hsrr", "guest"), ("rfid", "srr", "host")])
def test_context_returns_end_the_run(tmp_path, insn, srr, to):
    msr = 0x8000_0000_0000_1000 | (0x1000_0000_0000_0000 if to == "host" else 0)
    s, r = run(tmp_path, f"\t{insn}", {f"{srr}0": 0x500, f"{srr}1": msr})
    assert r.kind == "return" and r.detail.to == to and r.detail.target == 0x500
    assert s.get("msr") == msr


def test_nap_ends_the_run(tmp_path):
    _, r = run(tmp_path, "\tnap")
    assert r.kind == "power-save" and "nap" in r.message


def test_trap(tmp_path):
    _, r = run(tmp_path, "\ttweq r3,r3")
    assert r.kind == "trap"


def test_unmapped_access_names_the_instruction(tmp_path):
    _, r = run(tmp_path, "\tld r3,0(r4)", {"r4": 0x7000_0000})
    assert r.kind == "fault" and r.message.endswith(
        ": ld r3,0(r4): load of 8 bytes at 0x70000000 (r4 = 0x70000000) is outside every mapped region")


def test_journal_undo_restores_every_kind_of_state(tmp_path):
    src = tmp_path / "t.S"
    src.write_text("start:\n\tli r3,5\n\tstd r3,0(r4)\n\tmtspr 318,r3\n\tcmpwi cr3,r3,5\n"
                   "\tlwzcix r6,r7,r8\n\tstbcix r9,r7,r10\n")
    s = Session(str(src))
    for k, v in {"r4": RAM, "r7": s.machine.icps[0].base, "r8": 4, "r10": 0xC, "r9": 0xFF,
                 "icp.mfrr": 4}.items():
        s.set(k, v)
    before = (s.machine.thread.snapshot(), s.get("mem64[0x1000000]"), s.get("icp.cppr"), s.get("icp.mfrr"))
    r = s.run("start")
    assert s.get("icp.cppr") == 4 and s.get("icp.mfrr") == 0xFF and s.get("lpcr") == 5
    assert s.get("mem64[0x1000000]") == 5 and s.get("cr3") == 0b0010
    while r.journal.undo_last(s.machine):
        pass
    after = (s.machine.thread.snapshot(), s.get("mem64[0x1000000]"), s.get("icp.cppr"), s.get("icp.mfrr"))
    assert after == before


def test_journal_undo_and_redo_cover_reservation_time_base_slb_and_other_threads(tmp_path):
    src = tmp_path / "t.S"
    src.write_text("start:\n\tlwarx r3,0,r4\n\tmftb r5\n\tslbmte r6,r7\n\tslbmfev r8,r7\n\tnop\n")
    s = Session(str(src), threads=2)
    s.set("r4", RAM)
    s.set("r6", 0x1234)
    s.set("r7", 0x8000_0000 | 5)
    before = s.snapshot()
    r = s.run("start", events={"line 6": {"thread[1].r3": 7}})      # an event sets another thread's register
    after = s.snapshot()
    assert s.machine.thread.reservation == RAM and s.machine.tb == 1 and s.get("r8") == 0x1234
    assert s.get("thread[1].r3") == 7 and s.get("r3") == 0
    for step in reversed(r.journal.steps):
        undo(s.machine, step)
    assert s.snapshot() == before
    for step in r.journal.steps:
        redo(s.machine, step)
    assert s.snapshot() == after


def test_slb_index_out_of_range_stops_the_run(tmp_path):
    _, r = run(tmp_path, "\tslbmte r6,r7", {"r7": 0xFFF})
    assert r.kind == "trap" and "SLB entry 4095 does not exist" in r.message


def test_a_snapshot_restores_the_slb_every_time(tmp_path):
    s, _ = run(tmp_path, "\tslbmte r6,r7\n\tnop", {"r6": 1})
    s.reset()
    s.set("r6", 1)
    s.run("start")
    s.reset()
    assert s.machine.slb[0] == (0, 0)
