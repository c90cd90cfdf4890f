"""FP, VMX and VSX state through the API, traces, the journal and the debugger, on tests/data/fp_vector_state.S
(a save loop and a load loop shaped like a hypervisor's guest save/restore); slbfee. against the ISA text."""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT, ppc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ppcinterp.api import Session
from ppcinterp.debug.engine import DebugEngine
from ppcinterp.isa.fp import FEX, VX, store_fpscr
from ppcinterp.machine.state import VSCR_NJ, VSCR_SAT
from ppcinterp.run.journal import redo, undo
from ppcinterp.views.trace import trace_json, trace_lines

STATE = ROOT / "tests" / "data" / "fp_vector_state.S"
AREA = 0x0100_1000
FPRS, FPSCR, VSCR, VRSAVE, VSRS, VRS = 0, 256, 272, 288, 320, 832          # the file's AREA_* offsets
M32, M64, M128 = 2**32 - 1, 2**64 - 1, 2**128 - 1
MSR_FP_VEC_VSX = 0x2000 | 0x2000000 | 0x800000


@pytest.fixture(scope="module")
def session() -> Session:
    return Session(str(STATE), cpu="POWER7")


def q(s: Session, addr: int) -> int:
    return s.get(f"mem64[{addr:#x}]") << 64 | s.get(f"mem64[{addr + 8:#x}]")


STATES = st.fixed_dictionaries({
    "vs": st.lists(st.integers(0, M128), min_size=32, max_size=32),
    "v": st.lists(st.integers(0, M128), min_size=32, max_size=32),
    "fpscr": st.integers(0, M64).map(lambda x: store_fpscr(0, x, M64)),
    "vscr": st.sampled_from((0, VSCR_NJ, VSCR_SAT, VSCR_NJ | VSCR_SAT)),
    "vrsave": st.integers(0, M32),
    "msr": st.sampled_from((0, 1 << 63, 0x9000000000001032)),
})


def put(s: Session, state: dict) -> None:
    for i in range(32):
        s.set(f"vs{i}", state["vs"][i])
        s.set(f"v{i}", state["v"][i])
    for name in ("fpscr", "vscr", "vrsave", "msr"):
        s.set(name, state[name])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(STATES, STATES)
def test_save_then_load_round_trip(session, state, other):
    """Save a random FP/VMX/VSX state, check the area word for word, scramble every register, load it back."""
    s = session
    s.reset()
    put(s, state)
    s.set("r3", AREA)
    r = s.run("save_state", until="save_done", journal=False)
    assert r.kind == "stopped", r.message
    for i in range(32):
        assert q(s, AREA + VSRS + 16 * i) == state["vs"][i]                  # STXVD2X: both doublewords
        assert s.get(f"mem64[{AREA + FPRS + 8 * i:#x}]") == state["vs"][i] >> 64   # stfd: the FPR
        assert q(s, AREA + VRS + 16 * i) == state["v"][i]                     # stvx
    assert s.get(f"mem64[{AREA + FPSCR:#x}]") == state["fpscr"]             # mffs: the whole FPSCR
    assert q(s, AREA + VSCR) == state["vscr"]                               # mfvscr: VSCR in word 3
    assert s.get(f"mem32[{AREA + VRSAVE:#x}]") == state["vrsave"]
    assert s.get("f0") == state["fpscr"] and s.get("vs0") == state["fpscr"] << 64    # mffs cleared dword 1
    assert s.get("v0") == state["vscr"] and s.get("msr") == state["msr"]

    put(s, other)                                                            # scramble, then restore
    s.set("r4", AREA)
    r = s.run("load_state", until="load_done", journal=False)
    assert r.kind == "stopped", r.message
    assert [s.get(f"vs{i}") for i in range(64)] == state["vs"] + state["v"]
    assert [s.get(f"f{i}") for i in range(32)] == [v >> 64 for v in state["vs"]]
    assert (s.get("fpscr"), s.get("vscr"), s.get("vrsave")) == (state["fpscr"], state["vscr"], state["vrsave"])
    assert s.get("msr") == other["msr"]


def test_every_fp_vector_instruction_of_the_file_runs(session):
    s = session
    s.reset()
    s.set("r3", AREA)
    s.set("r4", AREA)
    ran = set()
    for entry, until in (("save_state", "save_done"), ("load_state", "load_done"), ("probe", "probe_done")):
        r = s.run(entry, until=until)
        assert r.kind == "stopped", r.message
        ran |= {s.engine.insn_at[step.pc].name for step in r.journal}
    assert {"lfd", "stfd", "mffs", "mtfsf", "lvx", "stvx", "mfvscr", "mtvscr", "mfspr", "mtspr", "lxvd2x",
            "stxvd2x", "popcntw", "slbfee."} <= ran


def test_vsx_registers_overlay_fprs_and_vrs(session):
    s = session
    s.reset()
    s.set("vs5", 0x1111_2222_3333_4444_5555_6666_7777_8888)
    assert s.get("f5") == 0x1111_2222_3333_4444
    s.set("f5", 0xAAAA)                                   # the FPR is doubleword 0; doubleword 1 stays
    assert s.get("vs5") == 0xAAAA << 64 | 0x5555_6666_7777_8888
    s.set("v7", 0x1234)
    assert s.get("vs39") == 0x1234
    s.set("vs40", M128)
    assert s.get("v8") == M128
    s.set("fpscr", M64)                                   # reserved bits (0:28, 52) read as 0
    assert s.get("fpscr") == 0x7_FFFF_F7FF
    s.set("vscr", M32)
    assert s.get("vscr") == VSCR_NJ | VSCR_SAT


def test_trace_names_fp_vector_changes(session):
    s = session
    s.reset()
    s.set("r4", AREA)
    s.set(f"mem64[{AREA + FPSCR:#x}]", 0x8000_0000)         # FX
    s.set(f"mem64[{AREA + VSRS + 16 * 3 + 8:#x}]", 0x33)
    s.set(f"mem64[{AREA + VRS + 16 * 5:#x}]", 0x55)
    s.set(f"mem64[{AREA + VSCR + 8:#x}]", VSCR_NJ)
    r = s.run("load_state", until="load_done")
    text = "\n".join(trace_lines(s, r))
    for fact in ("fpscr: 0x0 -> 0x80000000", "vs3: 0x0 -> 0x33", f"v5: 0x0 -> {0x55 << 64:#x}",
                 "vscr: 0x0 -> 0x10000", "MTFSF_L(fr0)", "LXVD2X(reg,R7,R4)"):
        assert fact in text, fact
    names = {c["name"] for line in trace_json(s, r)[:-1] for c in json.loads(line)["changes"]}
    assert {"fpscr", "vs3", "v5", "vscr", "f0", "msr"} <= names


def test_reverse_and_replay_of_fp_vector_changes(session):
    """Undoing the journal puts every FPR, VSR half, VR, FPSCR and VSCR back; redoing it gets the same state."""
    s = session
    s.reset()
    s.set("r4", AREA)
    for i in range(32):
        s.set(f"vs{i}", (i + 1) * 0x0101_0101_0101_0101_0101_0101_0101_0101)
        s.set(f"mem64[{AREA + VSRS + 16 * i:#x}]", 0xF0 + i)
        s.set(f"mem64[{AREA + VRS + 16 * i + 8:#x}]", 0xE0 + i)
    s.set(f"mem64[{AREA + FPSCR:#x}]", 0x2000_0000 | 0x0100_0000)   # VX (dropped) and VXSNAN (makes VX)
    s.set(f"mem32[{AREA + VRSAVE:#x}]", 0xFFFF_0000)
    before = s.snapshot()
    r = s.run("load_state", until="load_done")
    after = s.snapshot()
    assert s.get("fpscr") == 0x0100_0000 | VX and not s.get("fpscr") & FEX
    for step in reversed(r.journal.steps):
        undo(s.machine, step)
    assert s.snapshot() == before
    for step in r.journal.steps:
        redo(s.machine, step)
    assert s.snapshot() == after


# ---------------------------------------------------------------- slbfee. (privileged: the ISA, not QEMU)

V = 1 << 27                                     # ESID word: valid bit (bit 36)
B_1T = 1 << 62                                  # VSID word: segment size 1 TB


@pytest.fixture(scope="module")
def slb(tmp_path_factory) -> Session:
    src = tmp_path_factory.mktemp("slb") / "slb.S"
    src.write_text("find:\n\tslbfee. r3,r4\nfound:\n\tnop\n"
                   "both:\n\tslbmte r5,r6\n\tslbfee. r3,r4\n\tslbmfev r7,r6\ndone:\n\tnop\n")
    return Session(str(src), cpu="POWER7")


def slbfee(s: Session, entries: dict[int, tuple[int, int]], ea: int, rt: int = 0x5A5A,
           so: bool = False) -> tuple[int, int]:
    """(RT, CR0) after `slbfee. r3,r4` with the SLB holding `entries` (index: (ESID word, VSID word))."""
    s.reset()
    for i, e in entries.items():
        s.machine.set_slb(i, e)
    s.set("r3", rt)
    s.set("r4", ea)
    s.set("xer", 1 << 31 if so else 0)
    s.set("cr", 0xF000_0000)
    assert s.run("find", until="found").kind == "stopped"
    return s.get("r3"), s.get("cr0")


EA = 0xC000_0000_1234_5678
ESID_256M = EA & ~((1 << 28) - 1)
ESID_1T = EA & ~((1 << 40) - 1)


@pytest.mark.parametrize("entries, ea, rt, cr0", [
    ({3: (ESID_256M | V | 3, 0x0000_1234_5678_0400)}, EA, 0x0000_1234_5678_0400, 0b0010),    # found: EQ
    ({3: (ESID_256M | 3, 0x0000_1234_5678_0400)}, EA, 0, 0b0000),                             # not valid
    ({0: (ESID_256M + (1 << 28) | V, 0x77)}, EA, 0, 0b0000),                                   # another segment
    ({5: (ESID_1T | V | 5, B_1T | 0x99)}, EA, B_1T | 0x99, 0b0010),                            # 1 TB segment
    ({5: (ESID_1T + (2 << 28) | V, B_1T | 0x99)}, EA, B_1T | 0x99, 0b0010),   # 1 TB: only bits 0:23 compared
    ({5: (ESID_1T + (2 << 28) | V, 0x99)}, EA, 0, 0b0000),                     # ... but 256 MB compares 0:35
    ({6: (ESID_256M | V, 2 << 62 | 0x99)}, EA, 0, 0b0000),                    # reserved segment size: no match
    ({1: (ESID_256M | V | 1, 0x11), 2: (ESID_256M | V | 2, 0x22)}, EA, 0x11, 0b0010),   # the first match
    ({}, EA | 0xFFF, 0, 0b0000),                                             # empty SLB: RT = 0
])
def test_slbfee_follows_the_isa(slb, entries, ea, rt, cr0):
    assert slbfee(slb, entries, ea) == (rt, cr0)


def test_slbfee_copies_so_and_finds_what_slbmte_wrote(slb):
    assert slbfee(slb, {}, EA, so=True) == (0, 0b0001)
    assert slbfee(slb, {0: (ESID_256M | V, 0x42)}, EA, so=True) == (0x42, 0b0011)
    s = slb
    s.reset()
    s.set("r6", ESID_256M | V | 9)
    s.set("r5", 0x0000_0ABC_DEF0_0500)
    s.set("r4", EA)
    assert s.run("both", until="done").kind == "stopped"
    assert s.get("r3") == s.get("r7") == 0x0000_0ABC_DEF0_0500 and s.get("cr0.eq") == 1


def test_popcntw_and_slbfee_from_the_kernel_macros(session):
    s = session
    s.reset()
    s.set("r6", 0xFFFF_0000_0000_0001)
    s.machine.set_slb(4, (ESID_256M | V | 4, 0xBEEF))
    s.set("r8", EA)
    assert s.run("probe", until="probe_done").kind == "stopped"
    assert (s.get("r5"), s.get("r7"), s.get("cr0.eq")) == (16 << 32 | 1, 0xBEEF, 1)


# ---------------------------------------------------------------- the debugger

def debugger_text(*commands: str) -> str:
    d = DebugEngine.from_source(str(STATE), "load_state", cpu="POWER7")
    out = []
    for c in commands:
        out.append(f"({c})\n{d.execute(c)}")
        assert d.last_ok, out[-1]
    return "\n".join(out)


SETUP = (f"set var $r4 = {AREA:#x}", f"set var $mem64[{AREA + FPSCR:#x}] = 0x7",
         f"set var $mem64[{AREA + VSRS + 16:#x}] = 0x4010000000000000",
         f"set var $mem64[{AREA + VSRS + 24:#x}] = 0xabc", f"set var $mem64[{AREA + VSCR + 8:#x}] = 0x10001",
         f"set var $mem64[{AREA + VRSAVE:#x}] = 0x1234567800000000",
         f"set var $mem64[{AREA + VRS + 16:#x}] = 0x1111", "break load_done", "continue")


def test_info_float_and_vector_show_the_loaded_state():
    text = debugger_text(*SETUP, "info float f1 fpscr", "info vector v1 vs33 vs1 vscr vrsave", "info float",
                         "info vector", "info registers f1 vs1")
    for row in ("f1             4                   (raw 0x4010000000000000)  *",
                "fpscr          0x7                7  *",
                "v1             {uint128 = 0x00000000000011110000000000000000, v4_int32 = {0x0, 0x1111, 0x0, 0x0}}  *",
                "vs33           {uint128 = 0x00000000000011110000000000000000, v4_int32 = {0x0, 0x1111, 0x0, 0x0}}",
                "vs1            {uint128 = 0x40100000000000000000000000000abc, v4_int32 = {0x40100000, 0x0, 0x0, "
                "0xabc}}  *",
                "vscr           0x10001            65537  *", "vrsave         0x12345678         305419896  *",
                "f1             0x4010000000000000 4  *"):
        assert row in text, row
    info_float = text.split("(info float)\n")[1].split("\n(")[0].splitlines()
    assert [r.split()[0] for r in info_float] == [f"f{i}" for i in range(32)] + ["fpscr"]
    info_vector = text.split("(info vector)\n")[1].split("\n(")[0].splitlines()
    assert [r.split()[0] for r in info_vector] == ([f"v{i}" for i in range(32)] + ["vscr", "vrsave"]
                                                   + [f"vs{i}" for i in range(64)])


def test_info_float_after_reverse_stepping():
    text = debugger_text(*SETUP, "reverse-stepi 3", "info vector vrsave", "reverse-continue", "info float f1",
                         "info vector vs1 v1")
    assert "vrsave         0x0                0  *" in text
    assert "f1             0                   (raw 0x0000000000000000)" in text
    assert re.search(r"vs1 +\{uint128 = 0x0{32}, ", text) and re.search(r"v1 +\{uint128 = 0x0{32}, ", text)


def test_info_float_and_vector_in_batch_mode():
    r = ppc("debug", str(STATE), "--entry", "load_state", "--cpu", "POWER7", "--batch",
            *(a for c in SETUP for a in ("-ex", c)), "-ex", "info float f1", "-ex", "info vector vs1 vscr",
            "-ex", "print $vs1", "-ex", "print $fpscr")
    assert r.returncode == 0, r.stderr
    for fact in ("f1             4                   (raw 0x4010000000000000)",
                 "vs1            {uint128 = 0x40100000000000000000000000000abc",
                 "vscr           0x10001", "= 0x40100000000000000000000000000abc", "$2 = 7"):
        assert fact in r.stdout, fact
