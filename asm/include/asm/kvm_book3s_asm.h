/* SPDX-License-Identifier: MIT
 * ppcinterp kernel environment: <asm/kvm_book3s_asm.h>, the assembly-level constants of Book3S KVM.
 * Written for ppcinterp from asm/kernel-facts/constants.tsv; not kernel text.
 */
#ifndef PPCINTERP_ASM_KVM_BOOK3S_ASM_H
#define PPCINTERP_ASM_KVM_BOOK3S_ASM_H

/* Byte offsets in a hardware thread's XICS interrupt presenter (ICP) page, reached cache-inhibited at
 * the physical address HSTATE_XICS_PHYS(r13) + offset */
#define XICS_XIRR		4	/* 32-bit XIRR: a load accepts the pending interrupt, a store EOIs it */
#define XICS_MFRR		0xc	/* 8-bit MFRR: IPI request priority, 0xff = no IPI (was XICS_QIRR) */
#define XICS_IPI		2	/* the interrupt source number (XISR) of an IPI */

/* kvm_hstate.in_guest: what the hardware thread is running */
#define KVM_GUEST_MODE_NONE	0	/* the host */
#define KVM_GUEST_MODE_GUEST	1	/* a guest */
#define KVM_GUEST_MODE_SKIP	2	/* switching to/from a guest: an interrupt skips the interrupted instruction */

/* The instruction word recorded when fetching the guest's instruction failed */
#define KVM_INST_FETCH_FAILED	-1

/* kvm_hstate.hwthread_state: what a secondary hardware thread is doing */
#define KVM_HWTHREAD_IN_KERNEL	0	/* running the host kernel */
#define KVM_HWTHREAD_IN_NAP	1	/* napping, available for KVM */
#define KVM_HWTHREAD_IN_KVM	2	/* running KVM code */

#endif /* PPCINTERP_ASM_KVM_BOOK3S_ASM_H */
