"""The kernel environment under GNU as: the host's cpp and GNU as on the fragment and our headers, and the
feature-fixup sections laid out as GNU as lays them out."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import GAS, need_binutils, need_cpp, need_gas
from test_kernel_env import CONFIGS, FRAGMENT, INCLUDE

OBJDUMP = "powerpc64-linux-gnu-objdump"
LD = "powerpc64-linux-gnu-ld"
OBJCOPY = "powerpc64-linux-gnu-objcopy"
GAS_FLAGS = ["-a64", "-mpower7", "-mregnames"]


# ---------------------------------------------------------------------------------------------- GNU as

def cpp(src: Path, out: Path, config: str = "pseries_defconfig", env: bool = True) -> str:
    cmd = ["cpp", "-P", "-x", "assembler-with-cpp"]
    if env:
        cmd += ["-include", "ppcinterp/env.h"]
    cmd += ["-I", str(INCLUDE / "config" / config), "-I", str(INCLUDE), str(src), "-o", str(out)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return out.read_text()


def gas(src: Path, obj: Path) -> subprocess.CompletedProcess:
    return subprocess.run([GAS, *GAS_FLAGS, str(src), "-o", str(obj)], capture_output=True, text=True)


OUTSIDE_FOR_GAS = ("\t.text\nhcall_try_real_mode: .long 0\nbounce_ext_interrupt: .long 0\n"
                   "fast_guest_return: .long 0\n27: .long 0\n")


@pytest.mark.parametrize("config", CONFIGS)
def test_fragment_preprocesses_and_assembles_with_gnu_tools(tmp_path: Path, config: str):
    """The host's GNU cpp as a second preprocessor of the fragment and our headers: GNU as assembles its output
    without a word of complaint, into the words ours makes of the fragment."""
    need_binutils(OBJCOPY)
    need_cpp()
    s = tmp_path / "frag.s"
    text = cpp(FRAGMENT, s, config)
    for name in ("HSTATE_", "XICS_", "BOOK3S_", "MSR_EE", "LPCR_MER", "IPI_PRIORITY", "PACA_SIZE",
                 "BEGIN_FTR", "END_FTR", "CPU_FTR", "ppcinterp: this"):
        assert name not in text, f"{name} left after preprocessing"
    s.write_text(text + OUTSIDE_FOR_GAS)
    res = gas(s, tmp_path / "frag.o")
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    subprocess.run([OBJCOPY, "-O", "binary", "--only-section=.text", str(tmp_path / "frag.o"),
                    str(tmp_path / "frag.bin")], check=True)
    from ppcinterp.build import BuildOptions, load_program

    prog = load_program(str(FRAGMENT), BuildOptions(base=0, config=config))
    words = len(prog.insns)
    assert words == 65 and (tmp_path / "frag.bin").read_bytes()[:4 * words] == bytes(prog.text.data)[:4 * words]


FTR_TEST = """\
\t.text
start:
\tli\tr3,1
BEGIN_FTR_SECTION
\tli\tr4,2
\tli\tr5,3
END_FTR_SECTION_IFSET(CPU_FTR_ARCH_206)
\tli\tr6,4
BEGIN_FTR_SECTION
\tb\t1f
END_FTR_SECTION_IFCLR(CPU_FTR_ARCH_206 | CPU_FTR_CFAR)
1:\tnop
BEGIN_FTR_SECTION
\tli\tr7,5
\tli\tr8,6
\tli\tr9,7
FTR_SECTION_ELSE
\tli\tr7,8
ALT_FTR_SECTION_END_IFSET(CPU_FTR_VSX)
BEGIN_FTR_SECTION_NESTED(55)
\tli\tr10,9
BEGIN_FTR_SECTION
\tli\tr11,10
END_FTR_SECTION_IFSET(CPU_FTR_ALTIVEC)
END_FTR_SECTION_NESTED(CPU_FTR_HVMODE, 0, 55)
\tGET_SCRATCH0(r12)
BEGIN_MMU_FTR_SECTION
\tnop
END_MMU_FTR_SECTION_IFSET(0x40)
BEGIN_FW_FTR_SECTION
\tnop
FW_FTR_SECTION_ELSE
ALT_FW_FTR_SECTION_END_IFCLR(0x1)
\tblr
"""

# (table, mask, value, body start, body end (offsets in .text), alternative section, alternative words)
FTR_EXPECTED = [
    ("__ftr_fixup", 0x400000000, 0x400000000, 0x04, 0x0C, None, []),
    ("__ftr_fixup", 0x0100000400000000, 0, 0x10, 0x14, None, []),
    ("__ftr_fixup", 0x200000000000, 0x200000000000, 0x18, 0x24, "__ftr_alt_97", [0x38E00008]),  # li r7,8
    ("__ftr_fixup", 0x8, 0x8, 0x28, 0x2C, None, []),                         # inner, closes first
    ("__ftr_fixup", 0x100000000, 0, 0x24, 0x2C, None, []),                   # nested label 55
    ("__ftr_fixup", 0x100000000, 0, 0x2C, 0x30, "__ftr_alt_66", [0x7D914AA6]),  # GET_SCRATCH0: HSPRG1
    ("__mmu_ftr_fixup", 0x40, 0x40, 0x30, 0x34, None, []),
    ("__fw_ftr_fixup", 0x1, 0, 0x34, 0x38, None, []),
]
FTR_TEXT_WORDS = [0x38600001, 0x38800002, 0x38A00003, 0x38C00004, 0x48000004, 0x60000000, 0x38E00005,
                  0x39000006, 0x39200007, 0x39400009, 0x3960000A, 0x7D9242A6, 0x60000000, 0x60000000,
                  0x4E800020]


def decode_records(sections: dict[str, tuple[int, bytes]]) -> list[tuple]:
    """The fixup records of every table, read the way the kernel's boot-time patching reads them: body
    start and end as offsets in .text, and the alternative's section and words (None, [] if empty)."""
    def containing(addr: int, size: int) -> tuple[str, int]:
        for name, (base, data) in sections.items():
            if base <= addr and addr + size <= base + len(data) and len(data):
                return name, addr - base
        raise AssertionError(f"record points at {addr:#x}+{size}, outside every section")

    out = []
    for table in ("__ftr_fixup", "__mmu_ftr_fixup", "__fw_ftr_fixup"):
        if table not in sections:
            continue
        base, data = sections[table]
        assert len(data) % 48 == 0, f"{table}: {len(data)} bytes is not a whole number of 48-byte records"
        for off in range(0, len(data), 48):
            mask, val, b0, b1, a0, a1 = (
                int.from_bytes(data[off + 8 * k: off + 8 * k + 8], "big", signed=k >= 2) for k in range(6))
            rec = base + off
            assert b1 > b0 and a1 >= a0, (table, off)
            text, body = containing(rec + b0, b1 - b0)
            assert text == ".text", (table, off, text)
            alt_section, words = None, []
            if a1 > a0:
                alt_section, start = containing(rec + a0, a1 - a0)
                alt = sections[alt_section][1][start:start + a1 - a0]
                words = [int.from_bytes(alt[i:i + 4], "big") for i in range(0, len(alt), 4)]
            out.append((table, mask, val, body, body + b1 - b0, alt_section, words))
    return out


def gas_sections(src_text: str, tmp: Path) -> dict[str, tuple[int, bytes]]:
    """Assemble and link at 0x10000 with GNU tools, so that the self-relative offsets are resolved."""
    s, o, elf = tmp / "ftr.s", tmp / "ftr.o", tmp / "ftr.elf"
    s.write_text(src_text)
    res = gas(s, o)
    assert res.returncode == 0, res.stderr
    res = subprocess.run([LD, "-Ttext=0x10000", "-e", "0x10000", str(o), "-o", str(elf)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    heads = subprocess.run([OBJDUMP, "-h", str(elf)], capture_output=True, text=True, check=True).stdout
    out = {}
    for m in re.finditer(r"^\s*\d+\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s", heads, flags=re.M):
        name, size, vma = m.group(1), int(m.group(2), 16), int(m.group(3), 16)
        binf = tmp / f"sec{len(out)}.bin"
        subprocess.run([OBJCOPY, "-O", "binary", f"--only-section={name}", str(elf), str(binf)], check=True)
        data = binf.read_bytes() if size else b""
        assert len(data) == size, name
        out[name] = (vma, data)
    return out


def test_feature_sections_with_gnu_as(tmp_path: Path):
    need_binutils(LD, OBJDUMP, OBJCOPY)
    need_cpp()
    src = tmp_path / "ftr.S"
    src.write_text(FTR_TEST)
    text = cpp(src, tmp_path / "ftr.i")
    assert "__ftr_fixup" in text and "__mmu_ftr_fixup" in text and "__fw_ftr_fixup" in text
    sections = gas_sections(text, tmp_path)
    words = sections[".text"][1]
    assert [int.from_bytes(words[i:i + 4], "big") for i in range(0, len(words), 4)] == FTR_TEXT_WORDS
    assert len(sections["__ftr_fixup"][1]) == 6 * 48
    assert sections["__ftr_alt_97"][1] == bytes.fromhex("38e00008")        # li r7,8: the VSX alternative
    assert decode_records(sections) == FTR_EXPECTED
    obj = str(tmp_path / "ftr.o")
    dump = subprocess.run([OBJDUMP, "-dr", "-s", obj], capture_output=True, text=True, check=True).stdout
    assert "Contents of section __ftr_fixup:" in dump and "Contents of section __ftr_alt_66:" in dump
    relocs = subprocess.run([OBJDUMP, "-r", obj], capture_output=True, text=True, check=True).stdout
    assert "RELOCATION RECORDS FOR [__ftr_fixup]" in relocs and "R_PPC64_REL64" in relocs


def test_feature_sections_ours_equal_gnu_as(tmp_path: Path):
    """Our assembler lays out the same code and the same records as GNU as does from the same headers."""
    need_binutils(LD, OBJDUMP, OBJCOPY)
    need_cpp()
    from ppcinterp.build import BuildOptions, load_program

    src = tmp_path / "ftr.S"
    src.write_text(FTR_TEST)
    prog = load_program(str(src), BuildOptions(base=0))
    ours = {name: (sec.base, bytes(sec.data)) for name, sec in prog.sections.items()}
    assert ours[".text"][1] == gas_sections(cpp(src, tmp_path / "ftr.i"), tmp_path)[".text"][1]
    assert decode_records(ours) == FTR_EXPECTED


def test_alternative_longer_than_body_fails(tmp_path: Path):
    need_gas()
    need_cpp()
    src = tmp_path / "bad.S"
    src.write_text("BEGIN_FTR_SECTION\n\tnop\nFTR_SECTION_ELSE\n\tnop\n\tnop\n"
                   "ALT_FTR_SECTION_END_IFCLR(CPU_FTR_ARCH_206)\n")
    s = tmp_path / "bad.s"
    cpp(src, s)
    res = gas(s, tmp_path / "bad.o")
    assert res.returncode != 0
    assert "feature section alternative is longer than its body" in res.stderr
