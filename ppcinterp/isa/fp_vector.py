"""The FP, VMX and VSX families, imported together (the instruction table loads this module):
fp (lfd/stfd, mffs/mtfsf), vector (lvx/stvx, mfvscr/mtvscr), vsx (lxvd2x/stxvd2x)."""

from ppcinterp.isa import fp, vector, vsx  # noqa: F401
