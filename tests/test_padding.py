"""Alignment padding in code, word for word as GNU as makes it (-a64 -mpower7, and -mpower8, which pads alike):
`.align`, `.p2align` (with and without a maximum skip) and `.balign` of 4 to 128 bytes after every offset below
the alignment, and the same in a data section and with an explicit fill."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import GAS, OBJCOPY, need_binutils

from ppcinterp.build import BuildOptions, load_program

BRANCH, NOP, GROUP_NOP = 0x48000000, 0x60000000, 0x60420000


def cases(section: str, directive, fill: str = "") -> str:
    """Every alignment 2**2..2**7 after every offset below it, each case from a 256-byte boundary, ended by a
    .long (data: it needs no alignment, so a refused skip leaves the offset as it was)."""
    out = [f"\t{section}\n"]
    for n in range(2, 8):
        for k in range(1 << n):
            out.append(f"\t.p2align 8{fill}\n\t.skip {k}, 0x5a\n\t{directive(n, k)}\n\t.long 0x12345678\n")
    return "".join(out)


DIRECTIVES = {
    ".align": lambda n, k: f".align {n}",
    ".p2align": lambda n, k: f".p2align {n}",
    ".balign": lambda n, k: f".balign {1 << n}",
    ".p2align max": lambda n, k: f".p2align {n},,{k % 41 - 1}",  # a maximum above, at, below the padding, 0, -1
}


def gas_text(text: str, tmp: Path, cpu: str) -> bytes:
    src, obj, out = tmp / f"pad-{cpu}.s", tmp / f"pad-{cpu}.o", tmp / f"pad-{cpu}.bin"
    src.write_text(text)
    subprocess.run([GAS, "-a64", f"-m{cpu}", str(src), "-o", str(obj)], check=True, capture_output=True)
    section = ".text" if "\t.text" in text else ".data"
    subprocess.run([OBJCOPY, "-O", "binary", f"--only-section={section}", str(obj), str(out)], check=True)
    return out.read_bytes()


def ours(text: str, tmp: Path) -> bytes:
    path = tmp / "pad.S"
    path.write_text(text)
    prog = load_program(str(path), BuildOptions(kernel_env=False, base=0))
    return bytes(prog.sections[".text" if "\t.text" in text else ".data"].data)


def first_difference(a: bytes, b: bytes) -> str:
    at = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
    return f"at +{at:#x}: ours {a[at & ~3:(at & ~3) + 16].hex()}, GNU as {b[at & ~3:(at & ~3) + 16].hex()}"


@pytest.mark.parametrize("name", DIRECTIVES)
def test_code_padding_equals_gnu_as(tmp_path, name):
    need_binutils(OBJCOPY)
    text = cases(".text", DIRECTIVES[name])
    mine = ours(text, tmp_path)
    for cpu in ("power7", "power8"):
        theirs = gas_text(text, tmp_path, cpu)
        assert mine == theirs, f"-m{cpu}: {first_difference(mine, theirs)}"


@pytest.mark.parametrize(("section", "fill"), [(".data", ""), (".text", ", 0x11")])
def test_data_and_explicit_fill_padding_equals_gnu_as(tmp_path, section, fill):
    need_binutils(OBJCOPY)
    text = cases(section, lambda n, k: f".p2align {n}{fill}", fill)
    mine = ours(text, tmp_path)
    assert mine == gas_text(text, tmp_path, "power7"), first_difference(mine, gas_text(text, tmp_path, "power7"))


def test_long_padding_branches_over_its_nops(tmp_path):
    # By hand: 7 words to a 32-byte boundary after one instruction: b .+28, five nops, ori 2,2,0; 3 words: two
    # nops and ori 2,2,0; 1 word: ori 2,2,0 alone.
    words = ours("\t.text\n\tnop\n\t.p2align 5\n\tnop\n\t.p2align 4\n\tnop\n\t.p2align 3\n\tblr\n", tmp_path)
    got = [int.from_bytes(words[i:i + 4], "big") for i in range(0, len(words), 4)]
    assert got == [NOP, BRANCH | 28, *[NOP] * 5, GROUP_NOP,
                   NOP, NOP, NOP, GROUP_NOP,
                   NOP, GROUP_NOP, 0x4E800020]
