"""Naming feature masks with the kernel environment's own macro names (CPU_FTR_ARCH_206, not 0x400000000)."""

from __future__ import annotations

from ppcinterp.asm.fixup import FeatureSection
from ppcinterp.source.preprocess import Preprocessed

PREFIX = {"CPU": "CPU_FTR_", "MMU": "MMU_FTR_", "FW": "FW_FEATURE_"}


def mask_names(pre: Preprocessed, family: str, mask: int) -> str:
    """`CPU_FTR_ARCH_206|CPU_FTR_HVMODE` for a mask, using single-bit macros of the family; hex for the rest."""
    names, left = [], mask
    for name in pre.macro_names():
        if not name.startswith(PREFIX[family]):
            continue
        v = pre.macro_value(name)
        if v and v > 0 and v & (v - 1) == 0 and left & v:
            names.append(name)
            left &= ~v
    if left:
        names.append(hex(left))
    return "|".join(names) or "0"


def describe(pre: Preprocessed, fs: FeatureSection) -> str:
    m = mask_names(pre, fs.family, fs.mask)
    if fs.value == fs.mask:
        return f"IFSET({m})"
    if fs.value == 0:
        return f"IFCLR({m})"
    return f"({m}, {mask_names(pre, fs.family, fs.value)})"
