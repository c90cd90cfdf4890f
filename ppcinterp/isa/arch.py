"""Architected register facts the semantics need (Power ISA 2.06): the FPSCR's and VSCR's defined bits and the
width of a vector register. The machine (machine/state.py) holds the registers; the ISA says what they are."""

from __future__ import annotations

# FPSCR is 64 bits as in ISA 2.06: DRN in bits 29:31, the classic 32-bit FPSCR in 32:63 (mffs reads it whole).
FPSCR_DRN = 0x7 << 32
FPSCR_WRITABLE = FPSCR_DRN | (0xFFFFFFFF & ~(1 << 11))      # bit 52 and bits 0:28 are reserved
VSCR_NJ, VSCR_SAT = 1 << 16, 1                               # the only VSCR bits the ISA defines
M128 = (1 << 128) - 1
