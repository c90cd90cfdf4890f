"""The kernel environment under asm/include: our own headers, checked against the kernel facts and GNU as."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GAS, SHARED_FACTS, need_binutils, need_cpp, need_gas, needs_shared_facts

ROOT = Path(__file__).resolve().parent.parent
INCLUDE = ROOT / "asm" / "include"
FACTS = ROOT / "asm" / "kernel-facts"
FRAGMENT = ROOT / "asm" / "book3s_hv_rmhandlers.S"
CONFIGS = ("pseries_defconfig", "ppc64_defconfig")
OBJDUMP = "powerpc64-linux-gnu-objdump"
LD = "powerpc64-linux-gnu-ld"
OBJCOPY = "powerpc64-linux-gnu-objcopy"
GAS_FLAGS = ["-a64", "-mpower7", "-mregnames"]

DEFINE = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)(\(.*?\))?(?:[ \t]+(.*?))?\s*$")
NUMBER = re.compile(r"^(-1|0|[1-9][0-9]*|0x[0-9a-f]+)$")


def tsv(name: str) -> dict[str, int]:
    with (FACTS / name).open(encoding="utf-8", newline="") as f:
        return {r["name"]: int(r["value"]) for r in csv.DictReader(f, delimiter="\t")}


def strip_comments(text: str) -> str:
    return re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)


def object_defines(path: Path) -> list[tuple[str, str]]:
    """(name, value text) of each object-like #define with a value in a header (continuations joined)."""
    text = strip_comments(path.read_text(encoding="utf-8")).replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        m = DEFINE.match(line)
        if m and not m.group(2) and m.group(3):
            out.append((m.group(1), m.group(3)))
    return out


REGISTER_NUMBER = re.compile(r"__REG_R\d+|fr\d+|vr\d+|vs\d+")


def header_set(config: str) -> list[Path]:
    """The headers one build sees: the common ones and one config's generated asm-offsets.h."""
    common = sorted(p for p in INCLUDE.rglob("*.h") if "config" not in p.relative_to(INCLUDE).parts)
    return [*common, INCLUDE / "config" / config / "asm" / "asm-offsets.h"]


def gen_asm_offsets():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import gen_asm_offsets
    finally:
        sys.path.pop(0)
    return gen_asm_offsets


# ---------------------------------------------------------------------------------------------- asm-offsets

@needs_shared_facts
def test_kernel_facts_copied_unchanged():
    shared = SHARED_FACTS
    for name in ("constants.tsv", "asm-offsets.pseries_defconfig.tsv", "asm-offsets.ppc64_defconfig.tsv"):
        assert (FACTS / name).read_bytes() == (shared / name).read_bytes(), name


def test_generated_asm_offsets_are_current():
    outputs = gen_asm_offsets().outputs()
    assert sorted(p.parent.parent.name for p in outputs) == sorted(CONFIGS)
    for path, text in outputs.items():
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run tools/gen_asm_offsets.py"
    res = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_asm_offsets.py"), "--check"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize(("config", "host_ipi", "xics_phys", "saved_xirr", "paca_size"), [
    ("pseries_defconfig", 789, 808, 816, 1024),
    ("ppc64_defconfig", 725, 744, 752, 896),
])
def test_asm_offsets_values(config, host_ipi, xics_phys, saved_xirr, paca_size):
    path = INCLUDE / "config" / config / "asm" / "asm-offsets.h"
    defs = dict(object_defines(path))
    assert defs["HSTATE_HOST_IPI"] == str(host_ipi)
    assert defs["HSTATE_XICS_PHYS"] == str(xics_phys)
    assert defs["HSTATE_SAVED_XIRR"] == str(saved_xirr)
    assert defs["PACA_SIZE"] == str(paca_size)
    assert defs["IPI_PRIORITY"] == "4"
    rows = tsv(f"asm-offsets.{config}.tsv")
    assert {k: int(v) for k, v in defs.items()} == rows
    text = path.read_text(encoding="utf-8")
    assert "do not edit" in text and "#ifndef PPCINTERP_ASM_ASM_OFFSETS_H" in text


# ---------------------------------------------------------------------------------------------- constants

def test_constant_headers_match_the_facts():
    constants = tsv("constants.tsv")
    feature_bits = tsv("../feature-bits.tsv")         # every CPU_FTR_/MMU_FTR_ bit (tests/test_cpu_features.py)
    for config in CONFIGS:
        offsets = tsv(f"asm-offsets.{config}.tsv")
        seen: dict[str, tuple[int, Path]] = {}
        homes: dict[str, set[Path]] = {}
        for header in header_set(config):
            for name, value in object_defines(header):
                if not NUMBER.match(value):
                    continue                           # a macro made of other macros, not a constant
                number = int(value, 0)
                if REGISTER_NUMBER.fullmatch(name):
                    assert number == int(re.sub(r"\D", "", name)), f"{header}: {name} = {value}"
                    continue                           # a register's number: the name says it
                if name in seen:
                    assert seen[name][0] == number, f"{name} defined as {seen[name][0]} and {number}"
                seen[name] = (number, header)
                homes.setdefault(name, set()).add(header)
                if name in offsets:
                    assert number == offsets[name], f"{header}: {name} = {value}, facts say {offsets[name]}"
                elif name in feature_bits:
                    assert number == feature_bits[name], f"{header}: {name} = {value}, feature-bits.tsv says other"
                else:
                    assert name in constants, f"{header}: {name} is not in the kernel facts"
                    # 64-bit patterns (MSR_SF) are negative in the table and written unsigned in hex
                    assert number % 2**64 == constants[name] % 2**64, \
                        f"{header}: {name} = {value}, facts say {constants[name]}"
        for name in constants:
            assert name in homes, f"{name} (constants.tsv) is not defined by any header"
            assert len(homes[name]) == 1, f"{name} is defined in {sorted(map(str, homes[name]))}"
    # IPI_PRIORITY reaches assembly only through asm-offsets.h, as in the kernel
    assert not any(n == "IPI_PRIORITY" for h in header_set(CONFIGS[0])[:-1] for n, _ in object_defines(h))


def test_headers_are_plain_for_gnu_as():
    """No C in the headers: only directives, comments and blank lines; numbers without suffixes."""
    for header in INCLUDE.rglob("*.h"):
        text = strip_comments(header.read_text(encoding="utf-8")).replace("\\\n", " ")
        lines = [ln for ln in text.splitlines() if ln.strip()]
        assert lines, f"{header} has no include guard"
        for line in lines:
            assert line.lstrip().startswith("#"), f"{header}: not a directive: {line!r}"
            assert not re.search(r"\b(0x[0-9a-fA-F]+|\d+)[uUlL]+\b", line), f"{header}: suffix in {line!r}"
        first = [ln.split() for ln in lines[:2]]
        assert first[0][0] == "#ifndef" and first[1][:2] == ["#define", first[0][1]], f"{header}: guard"
        assert lines[-1].startswith("#endif")


def test_expected_names_per_header():
    def names(rel: str) -> set[str]:
        return {n for n, _ in object_defines(INCLUDE / "asm" / rel)}

    reg = {"MSR_SF", "MSR_HV", "MSR_HV_LG", "MSR_EE", "SPRN_LPCR", "SPRN_SPRG_SCRATCH0",
           "SPRN_SPRG_HSCRATCH0", "LPCR_MER", "HID0_HDICE_SH", "DSISR_NOHPTE", "SRR1_ISI_NOPT"}
    assert reg <= names("reg.h")
    assert {"BOOK3S_INTERRUPT_EXTERNAL", "BOOK3S_INTERRUPT_SYSCALL", "BOOK3S_IRQPRIO_EXTERNAL"} <= names(
        "kvm_asm.h")
    assert {"XICS_XIRR", "XICS_MFRR", "XICS_IPI", "KVM_GUEST_MODE_GUEST", "KVM_HWTHREAD_IN_NAP"} <= names(
        "kvm_book3s_asm.h")
    assert "CPU_FTR_ARCH_206" in names("cputable.h")
    assert {"H_SUCCESS", "H_TOO_HARD"} <= names("hvcall.h")
    assert {"SLB_ESID_V", "SLB_NUM_BOLTED"} <= names("mmu-hash64.h")
    assert {"PPC_INST_SLBFEE", "PPC_INST_POPCNTW"} <= names("ppc-opcode.h")
    assert names("ptrace.h") == {"STACK_FRAME_OVERHEAD"}
    assert names("xics.h") == {"XICS_IRQ_SPURIOUS", "LOWEST_PRIORITY", "DEFAULT_PRIORITY"}
    assert dict(object_defines(INCLUDE / "asm" / "kvm_book3s_asm.h"))["KVM_INST_FETCH_FAILED"] == "-1"
    assert dict(object_defines(INCLUDE / "asm" / "reg.h"))["MSR_SF"] == "0x8000000000000000"
    assert {"MMU_FTR_SLB", "MMU_FTR_1T_SEGMENT"} <= names("mmu.h")
    assert names("page.h") == set()


# ---------------------------------------------------------------------------------------------- env.h

def outside_pragmas() -> dict[str, str]:
    text = (INCLUDE / "ppcinterp" / "env.h").read_text(encoding="utf-8")
    return dict(re.findall(r'^#pragma ppcinterp outside (\S+) "([^"]+)"$', text, flags=re.M))


def test_env_includes_the_upstream_headers():
    text = (INCLUDE / "ppcinterp" / "env.h").read_text(encoding="utf-8")
    included = re.findall(r"^#include <([^>]+)>", text, flags=re.M)
    assert included == ["generated/autoconf.h", "asm/ppc_asm.h", "asm/kvm_asm.h", "asm/reg.h", "asm/mmu.h",
                        "asm/page.h", "asm/ptrace.h", "asm/hvcall.h", "asm/asm-offsets.h", "asm/exception-64s.h",
                        "asm/kvm_book3s_asm.h", "asm/mmu-hash64.h", "asm/cputable.h", "asm/feature-fixups.h",
                        "ppcinterp/externs.h"]
    for inc in included:
        assert (INCLUDE / inc).is_file() or all((INCLUDE / "config" / c / inc).is_file() for c in CONFIGS)


def test_env_declares_every_place_the_fragment_leaves_to():
    """Every branch target of the five hunks that the fragment does not define is declared outside."""
    lines = [ln.split("/*")[0] for ln in FRAGMENT.read_text(encoding="utf-8").splitlines()]
    labels = {m.group(1) for ln in lines for m in re.finditer(r"^\s*([A-Za-z_.$][\w.$]*|\d+):", ln)}
    missing = set()
    for i, ln in enumerate(lines):
        m = re.match(r"^\s*(?:\d+:)?\s*(b[a-z]*[+-]?)\s+(?:cr\d,\s*)?([\w.$]+)\s*$", ln)
        if not m:
            continue
        target = m.group(2)
        local = re.fullmatch(r"(\d+)([fb])", target)
        if local:
            num, way = local.groups()
            rest = lines[i + 1:] if way == "f" else lines[:i]
            if not any(re.match(rf"^\s*{num}:", x) for x in rest):
                missing.add(num)
        elif target not in labels:
            missing.add(target)
    assert missing == {"hcall_try_real_mode", "bounce_ext_interrupt", "fast_guest_return", "27"}
    declared = outside_pragmas()
    assert set(declared) == missing
    assert declared["hcall_try_real_mode"].startswith("upstream line 1367:")
    assert declared["bounce_ext_interrupt"].startswith("upstream line 1482:")
    assert declared["fast_guest_return"].startswith("upstream line 530:")
    assert declared["27"].startswith("upstream line 132:")
    assert {"guest_exit_cont", "ext_interrupt_to_host", "ext_stash_for_host"} <= labels


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
