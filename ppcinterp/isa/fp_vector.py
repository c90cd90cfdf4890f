"""The FP, VMX and VSX families, imported together (the instruction table loads this module):
fp (lfd/stfd, mffs/mtfsf), vector (VMX loads/stores, lvsl/lvsr, mfvscr/mtvscr), vmx_int (integer arithmetic and
compares), vmx_perm (logical, permute, merge, splat, shift, pack), vsx (lxvd2x/stxvd2x)."""

from ppcinterp.isa import fp, vector, vmx_int, vmx_perm, vsx  # noqa: F401
