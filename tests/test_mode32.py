"""The MSR's reset value and 32-bit mode (MSR[SF] = 0, Power ISA Book I "computation modes"), through the
Python API. Every expectation is derived by hand from the ISA; every program runs six ways (compiled blocks and
every instruction by its closure, each untraced, path-only and journaled), and each way must meet it.

32-bit mode, in short: effective addresses, branch targets, the next instruction's address and the return
address a link branch saves have their high 32 bits 0 (an update form's RA receives that EA); CR0 of a record
form compares the low word, as a signed 32-bit value, with 0; XER[CA] and XER[OV] of the carrying and
overflowing forms come from bit 32 (the low words); bdnz/bdz decrement all of CTR and test its low word. The
results in the registers are the same 64 bits in either mode.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ppcinterp.api import Session
from ppcinterp.run.engine import Engine

RAM = 0x0100_0000                      # the scratch RAM every Session maps
HIGH = 0x1_0000_0000                   # a high word that 32-bit mode drops
SF, HV, ME = 1 << 63, 1 << 60, 1 << 12
WAYS = [(blocks, journal, path) for blocks in (True, False)
        for journal, path in ((False, False), (False, True), (True, True))]


def runs(tmp_path, monkeypatch, body: str, state: dict, sf: int, max_steps: int = 10_000,
         **kw) -> list[tuple[Session, object]]:
    """The program `body` (from label `start`) from `state` in the mode MSR[SF] = sf, run every way: the
    sessions and results, after checking that the ways agree on the end and every register named in state."""
    src = tmp_path / "t.S"
    src.write_text(f"\t.text\nstart:\n{body}\n")
    outs = []
    for blocks, journal, path in WAYS:
        monkeypatch.setattr(Engine, "use_blocks", blocks)
        s = Session(str(src), **kw)
        for name, value in state.items():
            s.set(name, value)
        s.set("msr.sf", sf)
        r = s.run("start", journal=journal, path=path, max_steps=max_steps)
        if journal:
            assert len([st for st in r.journal if st.pc is not None]) == r.steps
        outs.append((s, r))
    first = outs[0]
    for s, r in outs[1:]:                   # (an untraced run's message cannot say where it came from)
        assert (r.kind, r.exit, r.steps) == (first[1].kind, first[1].exit, first[1].steps)
        assert r.message.split(" (from ")[0] == first[1].message.split(" (from ")[0]
        assert s.machine.thread.snapshot() == first[0].machine.thread.snapshot()
    return outs


def each(outs, *names: str) -> tuple[int, ...]:
    """The values of `names` after the run (every way gave the same: runs() checked)."""
    s = outs[0][0]
    return tuple(s.get(n) for n in names)


# ---------------------------------------------------------------- reset

def test_every_thread_resets_to_64_bit_hypervisor_mode(tmp_path):
    src = tmp_path / "t.S"
    src.write_text("\t.text\nstart:\n\tmfmsr r3\n")
    s = Session(str(src), threads=2)
    assert s.get("msr") == s.get("thread[1].msr") == SF | HV | ME
    s.set("msr", 0)
    s.reset()
    assert s.get("msr") == SF | HV | ME
    s.run("start")
    assert s.get("r3") == SF | HV | ME


# ---------------------------------------------------------------- effective addresses

@pytest.mark.parametrize("sf", [0, 1])
def test_load_effective_address_drops_the_high_word(tmp_path, monkeypatch, sf):
    outs = runs(tmp_path, monkeypatch, "\tlwz r5,0x1000(r4)\n\tlwzx r6,r4,r7",
                {"r4": HIGH | RAM, "r7": 0x2000, "mem32[0x1001000]": 0xDEADBEEF, "mem32[0x1002000]": 0x1234}, sf)
    for _s, r in outs:
        if sf:                                     # 0x1_0100_1000: nothing mapped there
            assert r.kind == "fault" and "0x101001000" in r.message
        else:
            assert r.kind == "end-of-code"
    if not sf:
        assert each(outs, "r5", "r6") == (0xDEADBEEF, 0x1234)


def test_stores_absolute_and_indexed_addresses_in_32_bit_mode(tmp_path, monkeypatch):
    # stw to -4(0): EA 0xFFFF_FFFC in 32-bit mode (nothing there: a fault naming it); stwx RA|0 = 0: RB's low word
    outs = runs(tmp_path, monkeypatch, "\tstwx r3,0,r4\n\tstd r3,8(r4)\n\tstw r3,-4(0)",
                {"r3": 0x1122_3344_5566_7788, "r4": 0xFFFF_FFFF_0000_0000 | RAM}, 0)
    assert each(outs, "mem32[0x1000000]", "mem64[0x1000008]") == (0x5566_7788, 0x1122_3344_5566_7788)
    for _s, r in outs:
        assert r.kind == "fault" and "0xfffffffc" in r.message and "0xfffffffffffffffc" not in r.message


@pytest.mark.parametrize("sf", [0, 1])
def test_update_forms_put_the_truncated_address_in_ra(tmp_path, monkeypatch, sf):
    # lwzu: EA = r4 + 8; 32-bit mode: 0x0100_0008, and that (high word 0) is what RA receives
    base = 0xFFFF_FFFF_0000_0000 | RAM if not sf else RAM
    outs = runs(tmp_path, monkeypatch, "\tlwzu r5,8(r4)\n\tstwu r5,8(r4)\n\tlwzux r6,r4,r7",
                {"r4": base, "r7": HIGH if not sf else 0, "mem32[0x1000008]": 0xCAFE}, sf)
    assert each(outs, "r5", "mem32[0x1000010]", "r6", "r4") == (0xCAFE, 0xCAFE, 0xCAFE, RAM + 16)


def test_closure_families_truncate_their_addresses(tmp_path, monkeypatch):
    """The instructions without a template (byte-reversed, multiple, reserve, FP, VMX, VSX, dcbz) too."""
    body = ("\tlwbrx r5,r4,r0\n\tstmw r30,0x10(r4)\n\tlwarx r6,0,r4\n\tstwcx. r6,0,r4\n\tlfd f1,0x10(r4)\n"
            "\tstfd f1,0x20(r4)\n\tli r8,0x30\n\tlvx v2,r4,r8\n\tli r8,0x40\n\tstxvd2x vs34,r4,r8\n"
            "\tli r8,0x80\n\tdcbz r4,r8")
    outs = runs(tmp_path, monkeypatch, body, {"r4": HIGH | RAM, "r30": 0xA, "r31": 0xB,
                                              "mem32[0x1000000]": 0x0102_0304, "mem64[0x1000030]": 0x77,
                                              "mem64[0x1000038]": 0x88, "mem64[0x1000080]": 0x99}, 0)
    assert each(outs, "r5", "r6", "cr0") == (0x0403_0201, 0x0102_0304, 0b0010)        # stwcx. succeeded
    assert each(outs, "mem32[0x1000010]", "mem32[0x1000014]") == (0xA, 0xB)
    assert each(outs, "mem64[0x1000020]") == (0xA_0000_000B,)                             # lfd/stfd of stmw's words
    assert each(outs, "mem64[0x1000040]", "mem64[0x1000048]") == (0x77, 0x88)             # lvx -> stxvd2x (vs34)
    assert each(outs, "mem64[0x1000080]") == (0,)


# ---------------------------------------------------------------- branches and the next instruction

def test_register_branch_targets_drop_the_high_word(tmp_path, monkeypatch):
    body = "\tbl 1f\n1:\tmflr r3\n\taddi r3,r3,24\n\tor r3,r3,r9\n\tmtctr r3\n\tbctrl\n\tli r4,1\n\tli r5,2\n\tmflr r6"
    outs = runs(tmp_path, monkeypatch, body, {"r9": HIGH}, 0)
    s = outs[0][0]
    start = s.address_of("start")
    # bctrl to (start + 4 + 24) | 2**32: 32-bit mode goes to start + 28 (li r5,2), LR = start + 24 (its return)
    assert each(outs, "r4", "r5", "r6", "lr") == (0, 2, start + 24, start + 24)
    for _s, r in outs:
        assert r.kind == "end-of-code"


def test_register_branch_to_a_high_address_in_64_bit_mode(tmp_path, monkeypatch):
    outs = runs(tmp_path, monkeypatch, "\tlis r3,1\n\tsldi r3,r3,16\n\tori r3,r3,0x100\n\tmtlr r3\n\tblr", {}, 1)
    for _s, r in outs:
        assert r.kind == "no-code" and "0x100000100" in r.message


@pytest.mark.parametrize("sf", [0, 1])
def test_the_next_address_wraps_at_4_gib_in_32_bit_mode(tmp_path, monkeypatch, sf):
    # the code at 0xFFFF_FFF8 .. 0x1_0000_0004: in 32-bit mode the instruction after 0xFFFF_FFFC is at 0
    outs = runs(tmp_path, monkeypatch, "\tnop\n\tnop\n\tli r3,1\n\tli r4,2", {}, sf, base=0xFFFF_FFF8)
    for _s, r in outs:
        assert (r.kind, r.steps) == (("no-code", 2) if not sf else ("end-of-code", 4))
    assert each(outs, "r3", "r4") == ((0, 0) if not sf else (1, 2))


@pytest.mark.parametrize("sf", [0, 1])
def test_link_branch_saves_the_32_bit_return_address(tmp_path, monkeypatch, sf):
    # code at 0x1_0010_0000: bl's target and return address lose their high word in 32-bit mode
    outs = runs(tmp_path, monkeypatch, "\tbl 1f\n\tnop\n1:\tli r3,1", {}, sf, base=0x1_0010_0000)
    for _s, r in outs:
        assert r.kind == ("no-code" if not sf else "end-of-code")
        assert not sf or r.steps == 2
    assert each(outs, "lr") == (0x1_0010_0004 if sf else 0x0010_0004,)
    if not sf:
        assert "jumped to 0x100008" in outs[0][1].message


@pytest.mark.parametrize("sf", [0, 1])
def test_bdnz_tests_the_low_word_of_ctr(tmp_path, monkeypatch, sf):
    # CTR = 0x1_0000_0001, decremented to 0x1_0000_0000 (all 64 bits) in either mode; bdnz: its low word is 0 in
    # 32-bit mode (not taken) and CTR is not 0 in 64-bit mode (taken); bdz the other way round
    body = "\tbdnz 1f\n\tli r3,1\n1:\tmtctr r9\n\tbdz 2f\n\tli r4,1\n2:\tmfctr r5"
    outs = runs(tmp_path, monkeypatch, body, {"ctr": 0x1_0000_0001, "r9": 0x1_0000_0001}, sf)
    assert each(outs, "r3", "r4", "r5") == ((1, 0, HIGH) if not sf else (0, 1, HIGH))


def test_a_bdnz_loop_counts_the_low_word(tmp_path, monkeypatch):
    # a loop that blocks run as a counted loop: 3 iterations from CTR = 0xFFFF_FFFF_0000_0003 in 32-bit mode
    body = "\tli r3,0\n1:\taddi r3,r3,1\n\tbdnz 1b\n\tmfctr r4"
    outs = runs(tmp_path, monkeypatch, body, {"ctr": 0xFFFF_FFFF_0000_0003}, 0)
    assert each(outs, "r3", "r4") == (3, 0xFFFF_FFFF_0000_0000)
    for _s, r in outs:
        assert r.steps == 1 + 3 * 2 + 1


def test_a_bdnz_loop_from_a_low_word_of_0_runs_past_the_budget(tmp_path, monkeypatch):
    # CTR = 2**32 in 32-bit mode: its low word is 0, so bdnz decrements it 2**32 times before falling through
    outs = runs(tmp_path, monkeypatch, "1:\taddi r3,r3,1\n\tbdnz 1b", {"ctr": HIGH}, 0, max_steps=1000)
    for _s, r in outs:
        assert r.kind == "step-limit" and r.steps == 1000
    assert each(outs, "r3", "ctr") == (500, HIGH - 500)


@pytest.mark.parametrize("insn, srr", [("rfid", "srr"), ("hrfid", "hsrr")])
@pytest.mark.parametrize("new_sf", [0, 1])
def test_context_return_to_32_bit_mode_drops_the_target_high_word(tmp_path, monkeypatch, insn, srr, new_sf):
    # the new MSR (from SRR1) decides: to 32-bit mode the target is 0x500, to 64-bit mode 0x1_0000_0500
    msr = (SF if new_sf else 0) | HV | ME
    outs = runs(tmp_path, monkeypatch, f"\t{insn}", {f"{srr}0": HIGH | 0x500, f"{srr}1": msr}, 1)
    for s, r in outs:
        assert r.kind == "return" and r.detail.target == (HIGH | 0x500 if new_sf else 0x500)
        assert s.get("msr") == msr


# ---------------------------------------------------------------- CR0, CA, OV

@pytest.mark.parametrize("sf, cr0", [(0, 0b1000), (1, 0b0100)])
def test_record_forms_set_cr0_from_the_low_word(tmp_path, monkeypatch, sf, cr0):
    # 0x0000_0000_8000_0000: negative as a word (LT), positive as a doubleword (GT); 2**32: EQ / GT
    body = "\tadd. r5,r3,r4\n\tmfcr r6\n\tor. r7,r8,r8\n\tmfcr r9\n\trlwinm. r10,r3,0,0,31\n\tmfcr r11"
    outs = runs(tmp_path, monkeypatch, body, {"r3": 0x8000_0000, "r4": 0, "r8": HIGH}, sf)
    assert each(outs, "r5", "r7", "r10") == (0x8000_0000, HIGH, 0x8000_0000)
    assert each(outs, "r6", "r9", "r11") == (cr0 << 28, (0b0010 if not sf else 0b0100) << 28, cr0 << 28)


@pytest.mark.parametrize("sf", [0, 1])
def test_addc_carries_out_of_bit_32_in_32_bit_mode(tmp_path, monkeypatch, sf):
    # 0xFFFF_FFFF + 1 = 0x1_0000_0000 in both modes; the carry out of the low word: CA = 1 in 32-bit mode only
    outs = runs(tmp_path, monkeypatch, "\taddc r5,r3,r4\n\tadde r6,r0,r0", {"r3": 0xFFFF_FFFF, "r4": 1}, sf)
    assert each(outs, "r5", "xer.ca", "r6") == (HIGH, 0, 1 - sf)


@pytest.mark.parametrize("sf", [0, 1])
def test_addo_overflows_at_bit_32_in_32_bit_mode(tmp_path, monkeypatch, sf):
    # 0x7FFF_FFFF + 1: a signed word overflows (OV, SO); a signed doubleword does not
    outs = runs(tmp_path, monkeypatch, "\taddo r5,r3,r4\n\tnego r6,r7", {"r3": 0x7FFF_FFFF, "r4": 1,
                                                                        "r7": 0x8000_0000}, sf)
    assert each(outs, "r5", "r6", "xer.ov", "xer.so") == (0x8000_0000, 0xFFFF_FFFF_8000_0000, 1 - sf, 1 - sf)


def test_shift_right_algebraic_ca_is_the_same_in_both_modes(tmp_path, monkeypatch):
    # sraw's CA: the word negative and 1 bits shifted out; srad's: the doubleword (the mode does not matter)
    body = "\tsraw r5,r3,r4\n\tmfxer r6\n\tsrad r7,r8,r4\n\tmfxer r9"
    state = {"r3": 0x8000_0001, "r4": 1, "r8": 0x0000_0000_8000_0001}
    outs = runs(tmp_path, monkeypatch, body, state, 0)
    assert each(outs, "r5", "r6", "r7", "r9") == (0xFFFF_FFFF_C000_0000, 1 << 29, 0x4000_0000, 0)


def test_compares_are_the_same_in_both_modes(tmp_path, monkeypatch):
    # L=0 compares words, L=1 doublewords, whatever the mode
    body = "\tcmpw r3,r4\n\tcmpd cr1,r3,r4\n\tcmplw cr2,r3,r4\n\tcmpld cr3,r3,r4\n\tmfcr r5"
    outs = runs(tmp_path, monkeypatch, body, {"r3": 0x1_8000_0000, "r4": 0x0_7FFF_FFFF}, 0)
    assert each(outs, "r5") == (0x8444_0000,)


# ---------------------------------------------------------------- switching modes

SWITCH = """\tadd. r5,r3,r3
\tmfmsr r10
\tclrldi r11,r10,1
\tmtmsrd r11
\tadd. r6,r3,r3
\tlwz r7,0x1000(r4)
\tmfcr r8
\tmtmsrd r10
\tadd. r9,r3,r3
\tlwz r12,0x1000(r4)
"""


def test_mtmsrd_switches_mode_at_the_next_instruction(tmp_path, monkeypatch):
    """64-bit, then mtmsrd clears SF (32-bit: CR0 LT, the load's high word dropped), then mtmsrd sets it again:
    the same load faults at its 64-bit address."""
    outs = runs(tmp_path, monkeypatch, SWITCH, {"r3": 0x4000_0000, "r4": HIGH | RAM,
                                                "mem32[0x1001000]": 0x5555}, 1)
    for s, r in outs:
        assert r.kind == "fault" and r.pc == s.address_of("start") + 36 and "0x101001000" in r.message
    assert each(outs, "r5", "r6", "r7", "r8", "r9") == (0x8000_0000, 0x8000_0000, 0x5555, 0x8000_0000, 0x8000_0000)
    assert each(outs, "cr0", "msr") == (0b0100, SF | HV | ME)


def test_mode_switch_in_a_loop(tmp_path, monkeypatch):
    """A loop whose body toggles SF each iteration: its blocks run in both modes, each iteration in the right one
    (the add. after the switch sees LT in 32-bit mode, GT in 64-bit mode; the CR fields are shifted out)."""
    body = ("\tli r9,4\n\tmtctr r9\n\tli r6,1\n\tsldi r6,r6,63\n1:\tmfmsr r10\n\txor r10,r10,r6\n\tmtmsrd r10\n"
            "\tadd. r5,r3,r3\n\tmfcr r7\n\tsldi r8,r8,4\n\tsrwi r7,r7,28\n\tor r8,r8,r7\n\tbdnz 1b")
    outs = runs(tmp_path, monkeypatch, body, {"r3": 0x4000_0000, "r8": 0}, 1)
    assert each(outs, "r8", "msr") == (0x8484, SF | HV | ME)


# ---------------------------------------------------------------- properties

_BINARY = ["add", "subf", "addc", "subfc", "adde", "subfe"]
_UNARY = ["addme", "addze", "subfme", "subfze", "neg"]
M32, M64 = 0xFFFF_FFFF, (1 << 64) - 1
_SESSIONS: dict[str, Session] = {}


def session_of(tmp_path_factory, text: str) -> Session:
    """One Session per one-instruction program (from `start`), shared by the examples, reset for each."""
    s = _SESSIONS.get(text)
    if s is None:
        src = tmp_path_factory.mktemp("mode32") / "t.S"
        src.write_text(f"\t.text\nstart:\n\t{text}\n")
        s = _SESSIONS[text] = Session(str(src))
    s.reset()
    return s


def _expected_32(op: str, a: int, b: int, ca: int) -> tuple[int, int, int]:
    """(result, CA, OV) of the XO-form op in 32-bit mode, from the ISA's definitions: the sum x + y + c of the
    64-bit operands; CA the carry out of the low word; OV when the low words' signs agree and the sum's differs."""
    x, y, c = {"add": (a, b, 0), "subf": (~a & M64, b, 1), "addc": (a, b, 0), "subfc": (~a & M64, b, 1),
               "adde": (a, b, ca), "subfe": (~a & M64, b, ca), "addme": (a, M64, ca), "addze": (a, 0, ca),
               "subfme": (~a & M64, M64, ca), "subfze": (~a & M64, 0, ca), "neg": (~a & M64, 0, 1)}[op]
    r = (x + y + c) & M64
    carry = ((x & M32) + (y & M32) + c) >> 32
    sx, sy, sr = (x >> 31) & 1, (y >> 31) & 1, (r >> 31) & 1
    return r, carry, int(sx == sy and sr != sx)


_EDGES = [0, 0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, 0x8000_0001, 1]


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(_BINARY + _UNARY), st.integers(0, M64), st.integers(0, M64), st.integers(0, 1),
       st.sampled_from(_EDGES), st.sampled_from(_EDGES), st.booleans())
def test_carrying_forms_in_32_bit_mode(tmp_path_factory, op, a, b, ca, lo_a, lo_b, edges):
    """RT, CA, OV and CR0 of every XO-form add/subtract (the 'o.' form) in 32-bit mode; `edges`: low words at
    the edges of the signed and unsigned ranges."""
    if edges:
        a, b = (a & ~M32) | lo_a, (b & ~M32) | lo_b
    s = session_of(tmp_path_factory, f"{op}o. r5,r3" + (",r4" if op in _BINARY else ""))
    for name, value in (("msr.sf", 0), ("r3", a), ("r4", b), ("xer.ca", ca)):
        s.set(name, value)
    s.run("start")
    r, carry, ov = _expected_32(op, a, b, ca)
    word = r & M32
    cr0 = (8 if word >> 31 else 4 if word else 2) | ov            # SO: set by this OV (it was clear)
    assert (s.get("r5"), s.get("xer.ov"), s.get("cr0")) == (r, ov, cr0)
    assert s.get("xer.ca") == (carry if op not in ("add", "subf", "neg") else ca)


_SAME = ["add. r5,r3,r4", "subf. r5,r3,r4", "and. r5,r3,r4", "or. r5,r3,r4", "xor. r5,r3,r4", "nor. r5,r3,r4",
         "mullw. r5,r3,r4", "mulld. r5,r3,r4", "divw. r5,r3,r4", "divdu. r5,r3,r4", "extsw. r5,r3",
         "rlwinm. r5,r3,3,0,31", "rldicl. r5,r3,36,0", "slw. r5,r3,r4", "srd. r5,r3,r4", "sraw. r5,r3,r4",
         "cntlzd. r5,r3", "addic. r5,r3,-1", "neg. r5,r3", "andi. r5,r3,0xffff", "subfic r5,r3,7",
         "rlwimi. r5,r3,8,4,27", "srawi. r5,r3,5", "sradi. r5,r3,40", "mulhw. r5,r3,r4", "extsh. r5,r3"]


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(_SAME), st.integers(0, M64), st.integers(0, M64), st.integers(0, M64))
def test_results_are_the_same_in_both_modes_and_cr0_is_the_low_words(tmp_path_factory, text, a, b, old):
    """In 32-bit mode a result register holds the same 64 bits as in 64-bit mode (the ISA computes them alike)
    and so do CA of the shifts; CR0 of a record form compares the low word, signed, with 0."""
    s = session_of(tmp_path_factory, text)
    out = {}
    for sf in (1, 0):
        s.reset()
        for name, value in (("msr.sf", sf), ("r3", a), ("r4", b), ("r5", old)):
            s.set(name, value)
        s.run("start")
        out[sf] = s.get("r5"), s.get("cr0")
        if not text.startswith(("subfic", "addic")):
            out[sf] += (s.get("xer"),)
    assert out[0][0] == out[1][0]
    assert out[0][2:] == out[1][2:]
    if "." in text.split()[0]:
        word = out[0][0] & M32
        assert out[0][1] == (8 if word >> 31 else 4 if word else 2)


def test_a_stand_in_returns_to_the_low_word_of_lr_in_32_bit_mode(tmp_path, monkeypatch):
    # As blr: 32-bit mode drops LR's high word from the next instruction's address; 64-bit mode keeps it (no code).
    src = tmp_path / "t.S"
    src.write_text("\t.text\n\t.extern helper\nstart:\n\tlis r4, 1\n\tsldi r4, r4, 16\n\tori r4, r4, back@h\n"
                   "\tsldi r4, r4, 16\n\tori r4, r4, back@l\n\tmtlr r4\n\tb helper\nback:\n\tli r5, 7\n")
    for blocks, journal, path in WAYS:
        monkeypatch.setattr(Engine, "use_blocks", blocks)
        for sf in (0, 1):
            s = Session(str(src))
            s.stand_in("helper", lambda args: 42)
            s.set("msr.sf", sf)
            r = s.run("start", journal=journal, path=path)
            want = ("end-of-code", 42, 7) if sf == 0 else ("no-code", 42, 0)     # on at `back`, or at no code
            assert (r.kind, s.get("r3"), s.get("r5")) == want, r.message
