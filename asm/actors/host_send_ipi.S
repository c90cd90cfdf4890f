/* SPDX-License-Identifier: MIT
 * The host sending an IPI to another CPU, v3.10 with a native XICS (asm/kernel-facts FACTS.md section 7):
 * smp_muxed_ipi_message_pass() followed by icp_native_cause_ipi(). Our own assembly written from those
 * facts, not kernel code; a race study (docs/scenarios.md, [[race]]) runs it on a thread of its own.
 *
 *   r3  the target CPU's PACA (kvmppc_set_host_ipi writes its kvm_hstate.host_ipi)
 *   r4  the real address of the target's ICP page (icp_native_regs[cpu], mapped cache-inhibited)
 *   r5  the target's message word (the per-cpu cpu_messages.messages)
 *   r6  the message number (the byte of the word it sets)
 *
 * host_send_ipi         as 3.10: smp_mb(); message[msg] = 1; host_ipi = 1; out_8(MFRR, IPI_PRIORITY), whose
 *                       sync orders the host_ipi store before the MFRR store
 * host_send_ipi_nosync  the mutant: the MFRR store without out_8's sync (MP with no barrier on the writer)
 * host_send_ipi_mb      as 3.10 plus the smp_mb() before setting host_ipi that commit 3a83f677a6ee (2019)
 *                       added: a sync between the message store and the host_ipi store
 * All three return with blr to the LR they started with.
 */

	.macro	send_ipi with_sync, mb_before_set=0
	sync				/* smp_mb(): earlier accesses before the message */
	li	r0, 1
	stbx	r0, r5, r6		/* message[msg] = 1 */
	.if \mb_before_set
	sync				/* 3a83f677a6ee: smp_mb() in kvmppc_set_host_ipi(cpu, 1) */
	.endif
	stb	r0, HSTATE_HOST_IPI(r3)	/* kvmppc_set_host_ipi(cpu, 1): a plain store */
	.if \with_sync
	sync				/* out_8(): sync, then the store */
	.endif
	li	r0, IPI_PRIORITY
	li	r7, XICS_MFRR
	stbcix	r0, r4, r7		/* MFRR = IPI_PRIORITY: the ICP raises the IPI */
	blr
	.endm

	.text
	.globl	host_send_ipi
host_send_ipi:
	send_ipi 1

	.globl	host_send_ipi_nosync
host_send_ipi_nosync:
	send_ipi 0

	.globl	host_send_ipi_mb
host_send_ipi_mb:
	send_ipi 1, 1
