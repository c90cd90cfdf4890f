"""The kernel environment under asm/include: our own headers, checked against the kernel facts (GNU as on
them: test_kernel_env_gas.py)."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SHARED_FACTS, needs_shared_facts

ROOT = Path(__file__).resolve().parent.parent
INCLUDE = ROOT / "asm" / "include"
FACTS = ROOT / "asm" / "kernel-facts"
FRAGMENT = ROOT / "asm" / "book3s_hv_rmhandlers.S"
CONFIGS = ("pseries_defconfig", "ppc64_defconfig")

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
