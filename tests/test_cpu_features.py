"""The CPU models' feature words are the kernel's: cpu_features as FACTS.md section 8 gives them for v3.10
(pseries_defconfig), mmu_features as ppcinterp/asm/cpus.py derives them, each bit from the source's own headers.
Feature sections on CPU_FTR_VMX_COPY (memcpy_64.S's branch to memcpy_power7), CPU_FTR_NOEXECUTE (MTOCRF) and an
MMU feature take, on every model, the branch the real CPU takes; `check --features-list` names every bit.

With PPCINTERP_KERNEL_TREE naming a configured v3.10 tree, the words are also derived independently from the
tree's own CPU_FTRS_<cpu> and MMU_FTRS_<cpu> (GNU cpp, C side of its headers) and compared.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, need_cpp

from ppcinterp.api import Session
from ppcinterp.build import BuildOptions, build_image
from ppcinterp.cli import main

CPU_WORDS = {"POWER6": 0x090D1AE018500049, "POWER7": 0x0B7E7AE518500049, "POWER8": 0x07FC7AED18500249,
             "PPC970": 0x0804806318100448}                                       # FACTS.md section 8
MMU_WORDS = {"POWER6": 0x5E000001, "POWER7": 0x5E000001, "POWER8": 0x5E000001, "PPC970": 0x0E000001}
VMX_COPY = {"POWER6": False, "POWER7": True, "POWER8": True, "PPC970": False}
ONE_T = {"POWER6": True, "POWER7": True, "POWER8": True, "PPC970": False}       # MMU_FTR_1T_SEGMENT
# A section on an MMU feature; MTOCRF (ppc_asm.h); memcpy_64.S's shape: the generic copy unless CPU_FTR_VMX_COPY,
# where the alternative branches to the VMX copy.
SOURCE = """\t.text
memcpy:
BEGIN_MMU_FTR_SECTION
\tli r6,1
END_MMU_FTR_SECTION_IFSET(MMU_FTR_1T_SEGMENT)
\tMTOCRF(0x01,r5)
BEGIN_FTR_SECTION
\tli r3,1
FTR_SECTION_ELSE
\tb memcpy_power7
ALT_FTR_SECTION_END_IFCLR(CPU_FTR_VMX_COPY)
\tblr
memcpy_power7:
\tli r3,2
\tblr
"""


@pytest.fixture
def src(tmp_path) -> Path:
    p = tmp_path / "ftr.S"
    p.write_text(SOURCE)
    return p


def check(capsys, *args: str) -> str:
    assert main(["check", *args]) == 0, capsys.readouterr().err
    return capsys.readouterr().out


@pytest.mark.parametrize("cpu", list(CPU_WORDS))
def test_each_model_has_the_kernels_words(cpu, src):
    img = build_image(str(src), BuildOptions(), cpu)
    assert img.features == {"CPU": CPU_WORDS[cpu], "MMU": MMU_WORDS[cpu], "FW": 0}


@pytest.mark.parametrize("cpu", list(CPU_WORDS))
def test_feature_sections_take_the_real_cpus_branch(cpu, src, capsys):
    s = Session(str(src), cpu=cpu)
    r = s.run("memcpy")
    assert (r.kind, s.get("r3"), s.get("r6")) == ("return", 2 if VMX_COPY[cpu] else 1, 1 if ONE_T[cpu] else 0)
    out = check(capsys, str(src), "--cpu", cpu)
    assert f"feature sections: 3 (cpu_features {CPU_WORDS[cpu]:#x}, mmu_features {MMU_WORDS[cpu]:#x} on {cpu};" in out
    alt = f"patched: alternative copied over the body on {cpu}"
    vmx, mtocrf, mmu = (next(ln for ln in out.splitlines() if key in ln)
                        for key in ("CPU_FTR_VMX_COPY", "CPU_FTR_NOEXECUTE", "MMU_FTR_1T_SEGMENT"))
    assert vmx.endswith(alt if VMX_COPY[cpu] else f"active (body runs) on {cpu}")
    assert mtocrf.endswith(alt)                     # every model has NOEXECUTE: mtocrf
    assert mmu.endswith(f"active (body runs) on {cpu}" if ONE_T[cpu] else f"patched: body is nops on {cpu}")


def test_mtocrf_is_mtcrf_without_noexecute(src, capsys):
    out = check(capsys, str(src), "--features", "0")
    assert "IFCLR(CPU_FTR_NOEXECUTE), body 1 word, alternative 1 words -> active (body runs)" in out
    assert main(["disasm", str(src), "--features", "0"]) == 0
    # a one-field mtcrf is the mtocrf word (GNU as, POWER4 and later), so both branches have 7cb01120
    assert "7cb01120" in capsys.readouterr().out


@pytest.mark.parametrize("cpu", list(CPU_WORDS))
def test_features_list_names_every_bit(cpu, src, capsys):
    lines = check(capsys, str(src), "--cpu", cpu, "--features-list").splitlines()
    assert f"cpu_features = {CPU_WORDS[cpu]:#018x}  (" in lines[1]
    cpu_part = lines[:next(k for k, ln in enumerate(lines) if ln.startswith("mmu_features"))]
    rows = (re.match(r"\s+(\d+)\s+0x\w+\s+(yes|no)\s+(.*)", ln) for ln in cpu_part)
    bits = {int(m.group(1)): (m.group(2), m.group(3)) for m in rows if m}
    assert len(bits) == 64
    assert bits[54] == ("yes" if VMX_COPY[cpu] else "no", "CPU_FTR_VMX_COPY")
    assert bits[28] == ("yes", "CPU_FTR_NOEXECUTE") and bits[31] == ("no", "-")
    assert sum(yes == "yes" for yes, _ in bits.values()) == CPU_WORDS[cpu].bit_count()
    assert f"mmu_features = {MMU_WORDS[cpu]:#010x}  (" in "\n".join(lines)
    one_t = next(ln for ln in lines if ln.endswith("MMU_FTR_1T_SEGMENT"))
    assert one_t.split()[2] == ("yes" if ONE_T[cpu] else "no")


def test_features_list_of_a_forced_word(src, capsys):
    out = check(capsys, str(src), "--features", "0x40000000000008", "--features-list")
    assert "cpu_features = 0x0040000000000008  (given by --features)" in out


def test_the_sources_own_headers_number_the_bits(tmp_path, capsys):
    """A kernel whose cputable.h numbers CPU_FTR_VMX_COPY as bit 0 and lacks most names: POWER7's word is what
    that header gives its names (VMX_COPY and ALTIVEC), the others are left out and listed."""
    p = tmp_path / "own.S"
    p.write_text("#include <asm/cputable.h>\n#include <asm/feature-fixups.h>\n\t.text\n"
                 + SOURCE.split("\tMTOCRF(0x01,r5)\n")[1])
    args = [str(p), "--no-kernel-env", "-I", str(ROOT / "tests" / "data" / "ftr_renumbered")]
    assert build_image(str(p), BuildOptions(include_dirs=args[3:], kernel_env=False)).features["CPU"] == 0x101
    assert "alternative copied over the body on POWER7" in check(capsys, *args)
    assert "active (body runs) on PPC970" in check(capsys, *args, "--cpu", "PPC970")
    out = check(capsys, *args, "--features-list")
    assert "cpu_features = 0x0000000000000101" in out
    assert re.search(r"\n\s+0\s+0x0+1\s+yes\s+CPU_FTR_VMX_COPY\n\s+1\s+0x0+2\s+no\s+CPU_FTR_NOT_A_MODEL_NAME\n", out)
    assert "do not define (a feature this kernel does not know, left out): CPU_FTR_ARCH_206, CPU_FTR_USE_TB" in out


def test_without_any_feature_name_a_section_is_an_error_naming_a_few(tmp_path, capsys):
    p = tmp_path / "bare.S"
    p.write_text("1:\tnop\n2:\n\t.section __ftr_fixup,\"a\"\n3:\t.llong 1, 1, 1b-3b, 2b-3b, 0, 0\n\t.previous\n")
    assert main(["check", str(p), "--no-kernel-env", "--cpu", "POWER8"]) == 1
    err = capsys.readouterr().err
    assert "but CPU_FTR_ARCH_206, CPU_FTR_ARCH_207S, CPU_FTR_USE_TB and 25 more are not defined" in err


# ---------------------------------------------------------------- a real v3.10 tree, when one is given

TREE = os.environ.get("PPCINTERP_KERNEL_TREE")
KBUILD_DIRS = ("arch/powerpc/include", "arch/powerpc/include/generated", "include", "arch/powerpc/include/uapi",
               "arch/powerpc/include/generated/uapi", "include/uapi", "include/generated/uapi")


def tree_sets(tree: Path) -> dict[str, int]:
    """CPU_FTRS_<cpu> and MMU_FTRS_<cpu> as the tree's C headers define them, evaluated by GNU cpp."""
    need_cpp()
    names = ("CPU_FTRS_POWER6", "CPU_FTRS_POWER7", "CPU_FTRS_POWER8", "CPU_FTRS_PPC970", "MMU_FTRS_POWER6",
             "MMU_FTRS_POWER7", "MMU_FTRS_POWER8", "MMU_FTRS_PPC970", "CPU_FTR_ALTIVEC", "CPU_FTR_VSX",
             "MMU_FTR_1T_SEGMENT")
    text = "#include <asm/cputable.h>\n#include <asm/mmu.h>\n" + "".join(f"@{k} = {n}\n" for k, n in enumerate(names))
    gcc_include = subprocess.run(["cpp", "-print-file-name=include"], capture_output=True, text=True).stdout.strip()
    out = subprocess.run(["cpp", "-undef", "-nostdinc", "-isystem", gcc_include, "-P",
                          *(f"-I{tree / d}" for d in KBUILD_DIRS), "-include", str(tree / "include/linux/kconfig.h"),
                          "-D__KERNEL__", "-D__powerpc64__", "-D__powerpc__", "-D__PPC64__", "-"],
                         input=text, capture_output=True, text=True, check=True).stdout
    found = dict(re.findall(r"^@(\d+) = (.*)$", out, re.M))
    return {n: eval(re.sub(r"(0x[0-9a-fA-F]+|\d+)UL", r"\1", found[str(k)])) for k, n in enumerate(names)}  # noqa: S307


@pytest.mark.skipif(not TREE, reason="PPCINTERP_KERNEL_TREE names no configured kernel tree")
def test_a_v3_10_tree_gives_the_same_words(tmp_path):
    tree = Path(TREE)
    sets = tree_sets(tree)
    vmx, vsx, one_t = sets["CPU_FTR_ALTIVEC"], sets["CPU_FTR_VSX"], sets["MMU_FTR_1T_SEGMENT"]
    p = tmp_path / "t.S"
    p.write_text("#include <asm/ppc_asm.h>\n#include <asm/mmu.h>\n\tblr\n")
    for cpu, vector, seg in (("POWER6", vmx, one_t), ("POWER7", vmx | vsx, one_t), ("POWER8", vmx | vsx, one_t),
                             ("PPC970", 0, 0)):
        want = {"CPU": sets[f"CPU_FTRS_{cpu}"] | vector, "MMU": sets[f"MMU_FTRS_{cpu}"] | seg}
        assert want["CPU"] == CPU_WORDS[cpu] and want["MMU"] == MMU_WORDS[cpu], cpu
        img = build_image(str(p), BuildOptions(kernel_tree=str(tree)), cpu)
        assert {k: img.features[k] for k in want} == want, cpu
