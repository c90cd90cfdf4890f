/* A whole file of our own, shaped like the upstream handler: code before, between and after two hunks of
 * tests/data/minipatch/mini.patch (a patch of our own to this file). */
#include <asm/ppc_asm.h>
#include <asm/reg.h>
#include <asm/asm-offsets.h>
#include <asm/kvm_book3s_asm.h>

#pragma ppcinterp outside mini_done "where a real handler would go on"

mini_entry:
	li	r12, 0
	b	mini_check

2:	nop
mini_check:
	lbz	r0, HSTATE_HOST_IPI(r13)
	cmpwi	r0, 0
	bne	mini_to_host
	ld	r5, HSTATE_XICS_PHYS(r13)
	cmpdi	r5, 0
	beq-	mini_to_host
	li	r7, XICS_XIRR
	lwzcix	r3, r5, r7
	rlwinm.	r0, r3, 0, 0xffffff
	beq	1f
	stw	r3, HSTATE_SAVED_XIRR(r13)
mini_to_host:

mini_exit_cont:
	li	r3, 1
	li	r4, 2
	b	mini_bounce

1:	li	r3, 3
	blr

mini_bounce:
	mfspr	r5, SPRN_LPCR
	ori	r5, r5, LPCR_MER
	mtspr	SPRN_LPCR, r5
	b	mini_done
