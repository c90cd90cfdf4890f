"""`ppcinterp check --features-list`: every bit of each feature word, its kernel name and whether the CPU has it.

The names come from the source's own headers (a kernel tree's cputable.h and mmu.h, or our environment's); a
bit no header names is shown as '-'. The model's names the headers do not define are listed after the bits.
"""

from __future__ import annotations

from ppcinterp.asm.cpus import FAMILY_WORD, PREFIX, FamilyWord
from ppcinterp.asm.fixup import Image
from ppcinterp.source.preprocess import Preprocessed

WIDTH = {"CPU": 64, "MMU": 32, "FW": 64}       # v3.10: unsigned long cpu_features, unsigned int mmu_features


def bit_names(pre: Preprocessed, family: str) -> dict[int, list[str]]:
    """Bit number (LSB 0) -> the single-bit macros of the family that name it, as the headers define them."""
    out: dict[int, list[str]] = {}
    for name in pre.macro_names():
        if name.startswith(PREFIX[family]):
            v = pre.macro_value(name)
            if v is not None and v > 0 and v & (v - 1) == 0:
                out.setdefault(v.bit_length() - 1, []).append(name)
    return out


def _family(pre: Preprocessed, cpu: str, w: FamilyWord) -> list[str]:
    word = FAMILY_WORD[w.family]
    names = bit_names(pre, w.family)
    how = ("given by --features" if w.forced else f"{cpu}'s names, each bit from this source's headers" if w.has
           or w.undefined else f"{cpu} has none of them")
    if not names and not w.value:
        have = ", ".join(w.undefined) or "none"
        return [f"{word} = 0: the headers this source reads define no {PREFIX[w.family]} name "
                f"({cpu} has: {have})"]
    width = max(WIDTH[w.family], *(b + 1 for b in names), w.value.bit_length())
    digits = width // 4
    out = [f"{word} = {w.value:#0{digits + 2}x}  ({how})", f"  bit  {'mask':<{digits + 2}}  {cpu:<6}  name"]
    for bit in range(width):
        has = "yes" if w.value >> bit & 1 else "no"
        out.append(f"  {bit:3}  {1 << bit:#0{digits + 2}x}  {has:<6}  {' = '.join(sorted(names.get(bit, ['-'])))}")
    if w.undefined:
        out.append(f"  {cpu}'s names these headers do not define (a feature this kernel does not know, left out): "
                   + ", ".join(w.undefined))
    return out


def feature_words(img: Image) -> str:
    pre = img.program.preprocessed
    paths = img.program.paths or [img.program.path]
    out = [f"{', '.join(paths)}: feature words of CPU {img.cpu.name} ({img.cpu.description})"]
    for w in img.cpu.words(pre).values():
        out += _family(pre, img.cpu.name, w)
    return "\n".join(out)
