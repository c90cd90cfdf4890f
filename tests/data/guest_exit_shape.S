/*
 * A file of our own with the shape of the whole upstream book3s_hv_rmhandlers.S's guest-exit path (not its
 * code): the vcpu and vcore reached through the PACA, the host's lppaca, the DSCR save whose base register
 * holds a DSCR value instead of the vcpu pointer, a call into C for an HPT fault, and an hcall dispatched
 * through a table of offsets to handlers in other objects.
 */
#include <asm/ppc_asm.h>
#include <asm/reg.h>
#include <asm/asm-offsets.h>
#include <asm/kvm_book3s_asm.h>

#pragma ppcinterp extern .kvmppc_hpte_hv_fault "C: resolve a guest HPT fault"
#pragma ppcinterp extern .kvmppc_h_enter "C: hcall H_ENTER"
#pragma ppcinterp extern .kvmppc_h_remove "C: hcall H_REMOVE"
#pragma ppcinterp outside hcall_done "the rest of the exit path"

guest_exit_shape:
	ld	r9, HSTATE_KVM_VCPU(r13)	/* the vcpu that was running */
	std	r4, VCPU_GPR(R4)(r9)
	li	r0, KVM_GUEST_MODE_NONE
	stb	r0, HSTATE_IN_GUEST(r13)
	lwz	r5, VCPU_SLB_MAX(r9)		/* guest SLB entries to save */
	stw	r5, VCPU_SLB_NR(r9)
	ld	r6, HSTATE_KVM_VCORE(r13)
	lwz	r3, VCORE_ENTRY_EXIT(r6)
	addi	r3, r3, 0x100			/* one more thread on its way out */
	stw	r3, VCORE_ENTRY_EXIT(r6)
	ld	r8, PACALPPACAPTR(r13)
	lbz	r10, LPPACA_PMCINUSE(r8)
dscr_save:
	mfspr	r8, SPRN_DSCR
	ld	r7, HSTATE_DSCR(r13)
	std	r8, VCPU_DSCR(r7)		/* the base is the host's DSCR, not the vcpu */
	mtspr	SPRN_DSCR, r7
hpte_fault:
	mr	r3, r9
	mfspr	r4, SPRN_HDAR
	bl	.kvmppc_hpte_hv_fault
	ld	r9, HSTATE_KVM_VCPU(r13)
	std	r3, VCPU_GPR(R5)(r9)		/* what C said */
hcall:
	ld	r3, VCPU_GPR(R3)(r9)		/* the hcall number */
	LOAD_REG_ADDR(r4, hcall_table)
	lwax	r3, r3, r4
	cmpwi	r3, 0
	beq	no_handler
	add	r3, r3, r4
	mtctr	r3
	mr	r3, r9
	bctrl
	ld	r4, HSTATE_KVM_VCPU(r13)
	std	r3, VCPU_GPR(R3)(r4)
	b	hcall_done
no_handler:
	li	r3, -1
	b	hcall_done

hcall_table:
	.long	0
	.long	.kvmppc_h_remove - hcall_table
	.long	.kvmppc_h_enter - hcall_table
hcall_table_end:
