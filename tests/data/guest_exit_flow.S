/*
 * A guest exit of our own, shaped like the whole upstream handler's (not its code): the interrupt entry
 * saves the guest's state into the vcpu, the external-interrupt fast path stashes a device interrupt, the
 * guest SLB is saved and the host's bolted entries reloaded from the SLB shadow, the partition is switched
 * back to the host, the FP/VSX state is saved by a _GLOBAL function, the PMU is saved, and the interrupt is
 * handed to the host's own vector at 0x500 with HSRR0/HSRR1 set as the host expects. Its labels have the
 * upstream names, so asm/scenarios/whole-file/ runs on it as on the upstream file; like upstream line 1048,
 * it saves the guest's DSCR through a register that holds the host's DSCR value.
 */
#include <asm/ppc_asm.h>
#include <asm/reg.h>
#include <asm/kvm_asm.h>
#include <asm/asm-offsets.h>
#include <asm/kvm_book3s_asm.h>
#include <asm/mmu-hash64.h>

	.globl	kvmppc_interrupt
kvmppc_interrupt:
	/* r12 = trap, r13 = PACA: keep the guest's r9-r12 in the vcpu */
	std	r9, HSTATE_SCRATCH1(r13)
	ld	r9, HSTATE_KVM_VCPU(r13)
	std	r10, VCPU_GPR(R10)(r9)
	std	r11, VCPU_GPR(R11)(r9)
	mfspr	r10, SPRN_HSRR0
	mfspr	r11, SPRN_HSRR1
	clrrdi	r12, r12, 2			/* 0x502 -> 0x500 */
	std	r10, VCPU_PC(r9)
	std	r11, VCPU_MSR(r9)
	stw	r12, VCPU_TRAP(r9)

	/* external interrupt: accept it; a device interrupt is stashed for the host */
	cmpwi	r12, BOOK3S_INTERRUPT_EXTERNAL
	bne	guest_exit_cont
	lbz	r0, HSTATE_HOST_IPI(r13)
	cmpwi	r0, 0
	bne	guest_exit_cont
	ld	r5, HSTATE_XICS_PHYS(r13)
	li	r7, XICS_XIRR
	lwzcix	r3, r5, r7
	rlwinm.	r0, r3, 0, 0xffffff
	beq	guest_exit_cont
	stw	r3, HSTATE_SAVED_XIRR(r13)

guest_exit_cont:
	li	r0, KVM_GUEST_MODE_NONE
	stb	r0, HSTATE_IN_GUEST(r13)

	/* the guest's DSCR, saved through the host's DSCR value (the store a later fix corrected) */
	mfspr	r8, SPRN_DSCR
	ld	r7, HSTATE_DSCR(r13)
	std	r8, VCPU_DSCR(r7)
	mtspr	SPRN_DSCR, r7

	/* save the guest SLB: valid entries only */
	lwz	r0, VCPU_SLB_NR(r9)
	mtctr	r0
	li	r6, 0
	addi	r7, r9, VCPU_SLB
	li	r5, 0
1:	slbmfee	r8, r6
	andis.	r0, r8, SLB_ESID_V@h
	beq	2f
	add	r8, r8, r6
	slbmfev	r3, r6
	std	r8, VCPU_SLB_E(r7)
	std	r3, VCPU_SLB_V(r7)
	addi	r7, r7, VCPU_SLB_SIZE
	addi	r5, r5, 1
2:	addi	r6, r6, 1
	bdnz	1b
	stw	r5, VCPU_SLB_MAX(r9)

	/* reload the host's bolted entries from its SLB shadow */
	slbia
	ptesync
	ld	r8, PACA_SLBSHADOWPTR(r13)
	.rept	SLB_NUM_BOLTED
	ld	r5, SLBSHADOW_SAVEAREA(r8)
	ld	r6, SLBSHADOW_SAVEAREA+8(r8)
	andis.	r7, r5, SLB_ESID_V@h
	beq	1f
	slbmte	r6, r5
1:	addi	r8, r8, 16
	.endr

	/* switch the partition back to the host */
	ld	r4, VCPU_KVM(r9)
	lwz	r7, KVM_HOST_LPID(r4)
	ld	r6, KVM_HOST_LPCR(r4)
	mtspr	SPRN_LPID, r7
	isync
	mtspr	SPRN_LPCR, r6
	isync

	/* the guest's FP/VSX state */
	mr	r3, r9
	bl	.kvmppc_save_fp

	/* the guest's PMU state */
	mfspr	r4, SPRN_MMCR0
	mfspr	r5, SPRN_MMCR1
	std	r4, VCPU_MMCR(r9)
	std	r5, VCPU_MMCR + 8(r9)

	/* to the host: its own vector for an external interrupt, HSRR0/1 as the host's handler returns */
	ld	r8, HSTATE_VMHANDLER(r13)
	ld	r7, HSTATE_HOST_MSR(r13)
	cmpwi	r12, BOOK3S_INTERRUPT_EXTERNAL
	bne	3f
	mtspr	SPRN_HSRR0, r8
	mtspr	SPRN_HSRR1, r7
	ba	0x500
3:	mtsrr0	r8
	mtsrr1	r7
	RFI

_GLOBAL(kvmppc_save_fp)
	mfmsr	r5
	ori	r8, r5, MSR_FP
	oris	r8, r8, (MSR_VEC | MSR_VSX)@h
	mtmsrd	r8
	isync
	addi	r3, r3, VCPU_VSRS
	li	r6, 0
	reg = 0
	.rept	32
	STXVD2X(reg, R6, R3)
	addi	r6, r6, 16
	reg = reg + 1
	.endr
	mffs	fr0
	stfd	fr0, VCPU_FPSCR - VCPU_VSRS(r3)
	mtmsrd	r5
	isync
	blr
