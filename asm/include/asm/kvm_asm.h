/* SPDX-License-Identifier: MIT
 * ppcinterp kernel environment: <asm/kvm_asm.h>, interrupt numbers and priorities KVM uses.
 * Written for ppcinterp from asm/kernel-facts/constants.tsv; not kernel text.
 */
#ifndef PPCINTERP_ASM_KVM_ASM_H
#define PPCINTERP_ASM_KVM_ASM_H

/* Trap numbers: the interrupt vector offset that brought the CPU out of the guest (kept in r12 on exit) */
#define BOOK3S_INTERRUPT_MACHINE_CHECK		0x200
#define BOOK3S_INTERRUPT_DATA_STORAGE		0x300
#define BOOK3S_INTERRUPT_INST_STORAGE		0x400
#define BOOK3S_INTERRUPT_EXTERNAL		0x500	/* external interrupt (POWER7 raises it at 0x502) */
#define BOOK3S_INTERRUPT_DECREMENTER		0x900
#define BOOK3S_INTERRUPT_HV_DECREMENTER		0x980
#define BOOK3S_INTERRUPT_SYSCALL		0xc00	/* sc: a hypercall from the guest */
#define BOOK3S_INTERRUPT_H_DATA_STORAGE		0xe00
#define BOOK3S_INTERRUPT_H_INST_STORAGE		0xe20
#define BOOK3S_INTERRUPT_H_EMUL_ASSIST		0xe40

/* Bit numbers in the vcpu's pending-interrupt word */
#define BOOK3S_IRQPRIO_EXTERNAL			13	/* external interrupt, edge */
#define BOOK3S_IRQPRIO_EXTERNAL_LEVEL		16	/* external interrupt, level */

#endif /* PPCINTERP_ASM_KVM_ASM_H */
