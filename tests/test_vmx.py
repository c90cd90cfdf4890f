"""VMX through the Python API and the command line, each expectation derived by hand from the Power ISA (the
random comparison with QEMU is tests/test_vmx_qemu.py, the encodings tests/test_gas_table.py): the unaligned copy
that memcpy_power7.S does (lvsl, lvx, vperm, stvx), the permute controls, CR6 of the compares, VSCR[SAT] of the
saturating forms, single-element accesses, and 32-bit mode's effective addresses."""

from __future__ import annotations

import pytest
from conftest import ppc

from ppcinterp.api import Session
from ppcinterp.run.engine import Engine

RAM = 0x0100_0000
HIGH = 0xFFFF_FFFF_0000_0000
M128 = 2**128 - 1
# Copy r5 quadwords from r4 (any alignment) to r3 (16-byte aligned) the way memcpy_power7.S does: lvsl makes
# the control vector from the source's misalignment once, then each step loads the next aligned quadword and
# vperm joins it with the previous one.
COPY = """\t.text
copy:\tlvsl v16,0,r4
\tlvx v0,0,r4
\taddi r4,r4,16
\tmtctr r5
1:\tlvx v1,0,r4
\tvperm v8,v0,v1,v16
\tstvx v8,0,r3
\tvor v0,v1,v1
\taddi r4,r4,16
\taddi r3,r3,16
\tbdnz 1b
\tblr
"""


def session(tmp_path, text: str, **state) -> Session:
    src = tmp_path / "v.S"
    src.write_text("\t.text\nstart:\n" + text + "\n" if not text.startswith("\t.text") else text)
    s = Session(str(src), kernel_env=False)
    for name, value in state.items():
        s.set(name, value)
    return s


def vr(value_bytes: bytes) -> int:
    return int.from_bytes(value_bytes, "big")


@pytest.mark.parametrize("blocks", [True, False])
def test_the_vperm_copy_of_memcpy_power7_copies_from_every_alignment(tmp_path, monkeypatch, blocks):
    monkeypatch.setattr(Engine, "use_blocks", blocks)
    data = bytes((7 * i + 3) & 0xFF for i in range(128))
    for shift in range(16):
        s = session(tmp_path, COPY, r3=RAM + 0x400, r4=RAM + shift, r5=4)
        for i in range(0, 128, 8):
            s.set(f"mem64[{RAM + i:#x}]", int.from_bytes(data[i:i + 8], "big"))
        r = s.run("copy", journal=shift % 2 == 0)
        copied = b"".join(s.get(f"mem64[{RAM + 0x400 + i:#x}]").to_bytes(8, "big") for i in range(0, 64, 8))
        assert (r.exit, copied) == ("return", data[shift:shift + 64]), shift
        assert s.get("v16") == vr(bytes(range(shift, shift + 16)))          # lvsl's control vector


def test_lvsl_and_lvsr_depend_only_on_the_low_4_bits_of_the_address(tmp_path):
    s = session(tmp_path, "\tlvsl v1,r3,r4\n\tlvsr v2,r3,r4\n\tlvsl v3,0,r5", r3=0x1234_5678_9ABC_DEF0,
                r4=0x5, r5=0x10)            # EA 0x...DEF5: sh = 5; and sh = 0
    s.run("start")
    assert s.get("v1") == vr(bytes(range(5, 21)))
    assert s.get("v2") == vr(bytes(range(11, 27)))                             # 16 - sh .. 31 - sh
    assert s.get("v3") == vr(bytes(range(16)))


def test_vperm_vsldoi_and_splats(tmp_path):
    a, b = vr(bytes(range(0x10, 0x20))), vr(bytes(range(0x20, 0x30)))
    control = vr(bytes([31, 0, 16, 15] * 4))        # byte 31 of a||b, byte 0, byte 16, byte 15; high bits ignored
    s = session(tmp_path, "\tvperm v4,v1,v2,v3\n\tvsldoi v5,v1,v2,3\n\tvspltb v6,v1,15\n\tvspltish v7,-2\n"
                "\tvsplth v8,v2,7\n\tvspltisw v9,15", v1=a, v2=b, v3=control | vr(bytes([0xE0] * 16)))
    s.run("start")
    assert s.get("v4") == vr(bytes([0x2F, 0x10, 0x20, 0x1F] * 4))
    assert s.get("v5") == vr(bytes(range(0x13, 0x23)))
    assert s.get("v6") == vr(bytes([0x1F] * 16))
    assert s.get("v7") == vr(b"\xff\xfe" * 8)
    assert s.get("v8") == vr(b"\x2e\x2f" * 8)
    assert s.get("v9") == vr(b"\x00\x00\x00\x0f" * 4)


@pytest.mark.parametrize("name, a, b, value, cr6", [
    ("vcmpequb.", bytes(range(16)), bytes(range(16)), b"\xff" * 16, 0b1000),          # all equal
    ("vcmpequb.", bytes(range(16)), bytes(range(1, 17)), bytes(16), 0b0010),          # none
    ("vcmpequh.", b"\x00\x01" * 8, b"\x00\x01" * 4 + b"\x00\x02" * 4, b"\xff" * 8 + bytes(8), 0),
    ("vcmpgtsb.", b"\x01" * 16, b"\xff" * 16, b"\xff" * 16, 0b1000),                  # 1 > -1
    ("vcmpgtub.", b"\x01" * 16, b"\xff" * 16, bytes(16), 0b0010),                     # 1 < 255
    ("vcmpequw", bytes(16), bytes(16), b"\xff" * 16, 0b0101),                         # no record: CR6 kept
])
def test_compares_set_elements_and_cr6(tmp_path, name, a, b, value, cr6):
    s = session(tmp_path, f"\t{name} v3,v1,v2", v1=vr(a), v2=vr(b), cr6=0b0101)
    s.run("start")
    assert (s.get("v3"), s.get("cr6")) == (vr(value), cr6)


def test_saturating_forms_set_vscr_sat_and_keep_it(tmp_path):
    s = session(tmp_path, "\tvaddubm v3,v1,v2\n\tvspltisb v4,0\n\tmtvscr v4\n\tvaddubs v5,v1,v2\n"
                "\tvsubsbs v6,v2,v2\n\tmfvscr v7", v1=vr(b"\xf0" * 16), v2=vr(b"\x20" * 16))
    s.run("start")
    assert s.get("v3") == vr(b"\x10" * 16)                        # modulo: no SAT
    assert s.get("v5") == vr(b"\xff" * 16)                        # clamped: SAT set ...
    assert s.get("v6") == 0 and s.get("v7") == 1 == s.get("vscr")  # ... and kept by a later exact result


def test_element_loads_replace_one_element_and_stores_write_only_it(tmp_path):
    s = session(tmp_path, "\tlvebx v1,r3,r4\n\tlvehx v2,0,r5\n\tstvewx v3,0,r6", r3=RAM, r4=0x13, r5=RAM + 0x27,
                r6=RAM + 0x4B, v1=M128, v2=0, v3=vr(bytes(range(0x40, 0x50))),
                **{"mem64[0x1000010]": 0x0011_2233_4455_6677, "mem64[0x1000020]": 0x8899_AABB_CCDD_EEFF,
                   "mem64[0x1000048]": 0})
    s.run("start")
    assert s.get("v1") == M128 & ~(0xFF << 8 * 12) | 0x33 << 8 * 12            # byte 3 of v1 <- mem[0x13]
    assert s.get("v2") == 0xEEFF << 64                                         # EA 0x27 -> 0x26: bytes 6-7
    assert s.get("mem64[0x1000048]") == 0x4849_4A4B << 32                      # EA 0x4B -> 0x48: word 2


def test_vector_accesses_drop_the_high_word_of_the_address_in_32_bit_mode(tmp_path, monkeypatch):
    body = "\tlvx v1,r3,r4\n\tstvx v1,r3,r5\n\tlvewx v2,r3,r6\n\tstvebx v2,r3,r7\n\tlvsr v3,r3,r6"
    for blocks in (True, False):
        monkeypatch.setattr(Engine, "use_blocks", blocks)
        s = session(tmp_path, body, r3=HIGH | RAM, r4=0x7, r5=0x20, r6=0x14, r7=0x33,
                    **{"mem64[0x1000000]": 0x0102_0304_0506_0708, "mem64[0x1000010]": 0xAABB_CCDD})
        s.set("msr.sf", 0)
        r = s.run("start")
        assert r.kind == "end-of-code", r.message
        assert (s.get("mem64[0x1000020]"), s.get("mem64[0x1000028]")) == (0x0102_0304_0506_0708, 0)
        assert s.get("v2") >> 64 & 0xFFFF_FFFF == 0xAABB_CCDD                  # word 1 of v2 <- mem[0x14]
        assert s.get("mem8[0x1000033]") == 0                                   # byte 3 of v2: EA & 15 = 3
        assert s.get("v3") == vr(bytes(range(12, 28)))
        s.set("msr.sf", 1)                                     # 64-bit mode: the same program faults up there
        assert s.run("start").kind == "fault"


def test_an_out_of_range_vmx_operand_is_a_positioned_error(tmp_path):
    src = tmp_path / "bad.S"
    src.write_text("\tvspltw v1,v2,3\n\tvsldoi v1,v2,v3,16\n")
    r = ppc("check", str(src), "--no-kernel-env")
    assert r.returncode == 1
    assert r.stderr.startswith(f"{src}:2:18: error: operand out of range: 16 is not between 0 and 15")


def test_vcmpequd_written_as_a_long_runs(tmp_path):
    """v4.19's memcmp_64.S writes the POWER8 compare as .long (VCMPEQUD_RC): the word decodes and runs."""
    word = 0x1000_0000 | 3 << 21 | 1 << 16 | 2 << 11 | 0x4C7          # vcmpequd. v3,v1,v2
    s = session(tmp_path, f"\t.long {word:#x}", v1=5 << 64 | 7, v2=5 << 64 | 8)
    assert s.run("start").kind == "end-of-code"
    assert (s.get("v3"), s.get("cr6")) == (2**64 - 1 << 64, 0)     # first doubleword equal, second not
