/*
 * A file of our own with the shapes of the whole upstream book3s_hv_rmhandlers.S (not its code): the
 * includes, an ELFv1 _GLOBAL function, LOAD_REG_ADDR through the GOT, a .toc entry for a lock defined
 * elsewhere, calls and branches into other objects, a real-mode table of offsets to handlers in other
 * objects, the .long-encoded instruction macros, VCPU_GPR(Rn), HMT hints, RFI, CONFIG_ conditionals and
 * a .rept loop over `reg = reg + 1`.
 */
#include <asm/ppc_asm.h>
#include <asm/reg.h>
#include <asm/asm-offsets.h>
#include <asm/kvm_book3s_asm.h>

#pragma ppcinterp extern .shape_c_helper "C: a helper in another object"
#pragma ppcinterp extern shape_lock "C: a lock word in another object"

_GLOBAL(shape_entry)
	LOAD_REG_ADDR(r5, shape_table)
	ld	r6, HSTATE_KVM_VCPU(r13)
	ld	r14, VCPU_GPR(R14)(r6)
	std	r15, VCPU_GPR(R15)(r6)
	HMT_LOW
	HMT_MEDIUM
	.section ".toc","aw"
shape_toc_lock:
	.tc	shape_lock[TC],shape_lock
	.previous
	ld	r3, shape_toc_lock@toc(2)
	lwz	r0, 0(r3)
	cmpwi	r0, 0
	bne	1f
	PPC_SLBFEE_DOT(R5, R0)
	PPC_POPCNTW(R7, R4)
	bl	.shape_c_helper
	nop
1:	lwz	r8, 0(r5)
	add	r8, r8, r5
	mtctr	r8
	bctrl
	b	shape_far_away
	RFI

shape_table:
	.long	0
	.long	.shape_c_helper - shape_table
	.long	shape_exit - shape_table
shape_table_end:

shape_exit:
	li	r3, 1
	blr

_GLOBAL(shape_save)
#ifdef CONFIG_VSX
	li	r6, 16
	reg = 0
	.rept	32
	STXVD2X(reg, R6, R3)
	addi	r6, r6, 16
	reg = reg + 1
	.endr
#endif
#ifdef CONFIG_PPCINTERP_NEVER_SET
	li	r3, 99
	li	r4, 99
#endif
	mffs	fr0
	MTFSF_L(fr0)
	blr
