"""--kernel-tree: a .S read as kbuild reads it in a configured tree (tests/data/ktree, a tiny tree of our own),
through the command line and the Python API; the words against GNU cpp + GNU as; unusable trees refused."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GAS, ROOT, gas_assemble, need_cpp, need_gas, ppc

from ppcinterp.api import Session
from ppcinterp.build import BuildOptions, build_image, load_program
from ppcinterp.cli import main
from ppcinterp.diagnostics import PpcError
from ppcinterp.source.cpp_lines import tokenize

TREE = ROOT / "tests" / "data" / "ktree"
SRC = TREE / "arch" / "powerpc" / "kvm" / "kt_handlers.S"
# li r3,64; addi r4,r4,2; ld r5,64(r13); blr; .long 1, 2, 3; .asciz "kt_entry 3, x"
WORDS = [0x38600040, 0x38840002, 0xE8AD0040, 0x4E800020, 1, 2, 3]
NAME = b"kt_entry 3, x\0"


def text_bytes(path: Path = SRC, **opts) -> bytes:
    img = build_image(str(path), BuildOptions(kernel_tree=str(TREE), **opts))
    return bytes(img.data[".text"])


def words(data: bytes) -> list[int]:
    return [int.from_bytes(data[i:i + 4], "big") for i in range(0, 4 * len(WORDS), 4)]


def test_the_tree_s_file_assembles_to_the_right_words():
    data = text_bytes()
    assert words(data) == WORDS and data[4 * len(WORDS):].rstrip(b"\0") + b"\0" == NAME


def test_nothing_of_our_environment_is_read_and_config_skips_are_counted():
    prog = load_program(str(SRC), BuildOptions(kernel_tree=str(TREE)))
    files = [str(Path(f).resolve()) for f in prog.preprocessed.files]
    # Of ours, only the pragmas naming what other kernel objects define (no macro, no constant).
    ours = [f for f in files if not f.startswith(str(TREE))]
    assert [Path(f).name for f in ours] == ["externs.h"], files
    assert all(line.text.startswith("#pragma ppcinterp extern") for line in prog.preprocessed.lines
               if line.pos.file in ours)
    assert str(TREE / "include" / "linux" / "kconfig.h") in files
    assert str(TREE / "arch" / "powerpc" / "include" / "uapi" / "asm" / "kt_regs.h") in files   # #include_next
    assert prog.preprocessed.skipped_by_config == {"CONFIG_KT_HV": 1, "CONFIG_PPC64": 1, "CONFIG_KT_OFF": 3,
                                                   "CONFIG_KT_MOD": 1}


def kbuild_cpp(src: Path, tree: Path) -> str:
    """GNU cpp with kbuild's flags for a 64-bit powerpc .S (what --kernel-tree stands for)."""
    dirs = ["arch/powerpc/include", "arch/powerpc/include/generated", "include", "arch/powerpc/include/uapi",
            "arch/powerpc/include/generated/uapi", "include/uapi", "include/generated/uapi", "arch/powerpc"]
    args = ["cpp", "-undef", "-nostdinc", "-P", "-x", "assembler-with-cpp", *(f"-I{tree / d}" for d in dirs),
            "-include", str(tree / "include/linux/kconfig.h"), "-D__KERNEL__", "-D__ASSEMBLY__",
            "-D__powerpc64__", "-D__powerpc__", "-D__PPC64__", "-D__BIG_ENDIAN__", str(src)]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def token_lines(lines: list[str]) -> list[str]:
    return [" ".join(t.text for t in tokenize(line) if t.kind != "ws") for line in lines if line.strip()]


def test_same_text_and_words_as_gnu_cpp_and_gnu_as(tmp_path):
    need_cpp()
    prog = load_program(str(SRC), BuildOptions(kernel_tree=str(TREE)))
    gnu = kbuild_cpp(SRC, TREE)
    ours = [ln.text for ln in prog.preprocessed.lines if not ln.text.startswith("#pragma ppcinterp")]
    assert token_lines(ours) == token_lines(gnu.splitlines())
    need_gas()
    gas_text, _ = gas_assemble(gnu, tmp_path)
    ours = bytes(prog.sections[".text"].data)
    assert gas_text.rstrip(b"\0") == ours.rstrip(b"\0") and shutil.which(GAS)      # ours ends word-aligned


def test_check_and_disasm_on_the_command_line(capsys):
    r = ppc("check", str(SRC), "--kernel-tree", str(TREE))
    assert r.returncode == 0 and ": ok (" in r.stdout, r.stderr
    assert main(["disasm", str(SRC), "--kernel-tree", str(TREE)]) == 0
    out = capsys.readouterr().out
    assert "38600040" in out and "e8ad0040   ld 5, 64(13)" in out


def test_user_dirs_come_first_and_asm_offsets_replaces_the_tree_s(tmp_path):
    (tmp_path / "asm").mkdir()
    (tmp_path / "asm" / "kt_regs.h").write_text("#include_next <asm/kt_regs.h>\n#undef KT_R3\n#define KT_R3 6\n")
    assert words(text_bytes(include_dirs=[str(tmp_path)]))[0] == 0x38C00040            # li r6,64
    offsets = tmp_path / "my-offsets.h"
    offsets.write_text("#define KT_PACA_FIELD 128 /* offsetof(struct paca_struct, kt_field) */\n"
                       "#define PACA_SIZE 256 /* sizeof(struct paca_struct) */\n")
    w = words(text_bytes(asm_offsets=str(offsets)))
    assert w[0] == 0x38600080 and w[2] == 0xE8AD0080
    r = ppc("disasm", str(SRC), "--kernel-tree", str(TREE), "--asm-offsets", str(offsets))
    assert r.returncode == 0 and "e8ad0080" in r.stdout


def test_asm_offsets_without_a_tree(tmp_path):
    offsets = tmp_path / "offsets.h"
    offsets.write_text("#define MY_OFF 40 /* offsetof(struct x, y) */\n")
    src = tmp_path / "t.S"
    src.write_text("#include <asm/asm-offsets.h>\n\tli r3, MY_OFF\n")
    prog = load_program(str(src), BuildOptions(asm_offsets=str(offsets)))
    assert str(offsets) in prog.preprocessed.files and prog.preprocessed.macro_value("MY_OFF") == 40


def copy_tree(tmp_path: Path, *drop: str) -> Path:
    tree = tmp_path / "ktree"
    shutil.copytree(TREE, tree)
    for d in drop:
        (tree / d).unlink()
    return tree


def test_gen_asm_offsets_makes_a_tree_usable(tmp_path):
    tree = copy_tree(tmp_path, "include/generated/asm-offsets.h")
    src = tree / "arch/powerpc/kvm/kt_handlers.S"
    src.write_text(src.read_text().replace("KT_PACA_FIELD", "PACAHWCPUID").replace("KT_PACA(FIELD, KT_PACA_REG)",
                                                                                    "PACAHWCPUID(KT_PACA_REG)"))
    gen = [sys.executable, str(ROOT / "tools" / "gen_asm_offsets.py"), "--tree", str(tree)]
    assert subprocess.run(gen, capture_output=True).returncode == 0
    header = (tree / "include/generated/asm-offsets.h").read_text()
    assert header.startswith("#ifndef __ASM_OFFSETS_H__") and "#define PACA_SIZE 1024 /* sizeof(" in header
    r = subprocess.run(gen, capture_output=True, text=True)            # ours: written again
    assert r.returncode == 0
    (tree / "include/generated/asm-offsets.h").write_text("#define PACA_SIZE 1\n")        # a build's: kept
    r = subprocess.run(gen, capture_output=True, text=True)
    assert r.returncode == 1 and "--force" in r.stderr
    assert subprocess.run([*gen, "--force", "--config", "ppc64_defconfig"], capture_output=True).returncode == 0
    s = Session(str(src), kernel_tree=str(tree))
    assert s.program.preprocessed.macro_value("PACA_SIZE") == 896                      # ppc64_defconfig's
    s.set("r13", "&paca[0]")
    s.set("paca.hw_cpu_id", 5)
    s.run("kt_entry")
    assert (s.get("r3"), s.get("r5")) == (72, 5 << 48)          # ld of a 16-bit field, big-endian


def test_session_and_scenario_with_a_kernel_tree(tmp_path):
    tree = copy_tree(tmp_path)
    s = Session(str(tree / "arch/powerpc/kvm/kt_handlers.S"), kernel_tree=str(tree))
    s.set("r13", "&paca[0]")
    s.set("paca.kt_field", 0x1234)
    s.run("kt_entry")
    assert (s.get("r3"), s.get("r4"), s.get("r5")) == (64, 2, 0x1234)
    sc = tmp_path / "sc" / "kt.toml"
    sc.parent.mkdir()
    sc.write_text('source = "../ktree/arch/powerpc/kvm/kt_handlers.S"\nkernel_tree = "../ktree"\n'
                  'entry = "kt_entry"\n[state]\nr13 = "&paca[0]"\n"paca.kt_field" = 7\n'
                  '[expect]\nkind = "return"\n[expect.state]\nr3 = 64\nr5 = 7\n')
    r = ppc("run", str(sc))
    assert r.returncode == 0, r.stdout + r.stderr
    r = ppc("run", str(sc), "--asm-offsets", str(tmp_path / "nope.h"))
    assert r.returncode == 1 and "--asm-offsets" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("drop, make, message", [
    ((), "file", "not a directory"),
    (("include/linux/kconfig.h",), None, "not a kernel tree (no include/linux/kconfig.h)"),
    (("include/generated/autoconf.h",), None, "make ARCH=powerpc pseries_defconfig silentoldconfig"),
    (("include/generated/asm-offsets.h",), None, "pass --asm-offsets FILE or run 'python tools/gen_asm_offsets.py "
                                                 "--tree"),
])
def test_unusable_trees_are_refused_in_one_line(tmp_path, drop, make, message):
    tree = copy_tree(tmp_path, *drop)
    if make == "file":
        tree = tmp_path / "plain"
        tree.write_text("")
    for cmd in ("check", "disasm"):
        r = ppc(cmd, str(SRC), "--kernel-tree", str(tree))
        assert r.returncode == 1 and message in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    with pytest.raises(PpcError):
        load_program(str(SRC), BuildOptions(kernel_tree=str(tree)))


def test_missing_asm_offsets_file_is_refused(tmp_path):
    r = ppc("check", str(SRC), "--kernel-tree", str(TREE), "--asm-offsets", str(tmp_path / "nope.h"))
    assert r.returncode == 1 and "--asm-offsets" in r.stderr and "no such file" in r.stderr
    assert "Traceback" not in r.stderr
