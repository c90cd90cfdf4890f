/* SPDX-License-Identifier: MIT
 * The host taking an IPI on its own CPU, v3.10 with a native XICS (asm/kernel-facts FACTS.md section 7):
 * icp_native_ipi_action() followed by smp_ipi_demux(). Our own assembly written from those facts, not kernel
 * code; a race study (docs/scenarios.md, [[race]]) runs it on a thread of its own.
 *
 *   r13 this CPU's PACA (the power-on value)
 *   r4  the real address of this CPU's ICP page
 *   r5  this CPU's message word (cpu_messages.messages)
 * On return r9 holds the OR of the message words it took (the messages it handled).
 *
 * host_ipi_handler         as 3.10: host_ipi = 0; out_8(MFRR, 0xff) (sync, then the store); smp_ipi_demux:
 *                          mb(), then xchg(messages, 0) (lwsync; lwarx/stwcx. loop; isync) while the word is
 *                          non-zero
 * host_ipi_handler_nosync  the mutant: no barrier between clearing host_ipi and taking the messages (no
 *                          out_8 sync, no mb()), as with a doorbell's msgclr; what commit 3a83f677a6ee's
 *                          smp_mb() after clearing host_ipi orders
 */

	.macro	ipi_action with_sync
	li	r9, 0
	li	r0, 0
	stb	r0, HSTATE_HOST_IPI(r13)	/* kvmppc_set_host_ipi(cpu, 0): a plain store */
	.if \with_sync
	sync				/* out_8(): sync, then the store */
	.endif
	li	r0, 0xff
	li	r7, XICS_MFRR
	stbcix	r0, r4, r7		/* MFRR = 0xff: the IPI is withdrawn */
	.if \with_sync
	sync				/* smp_ipi_demux's mb() */
	.endif
1:	lwsync				/* xchg(&messages, 0) */
2:	lwarx	r8, 0, r5
	li	r0, 0
	stwcx.	r0, 0, r5
	bne-	2b
	isync
	or	r9, r9, r8		/* handle every message bit taken */
	lwz	r8, 0(r5)		/* while (info->messages) */
	cmpwi	r8, 0
	bne	1b
	blr
	.endm

	.text
	.globl	host_ipi_handler
host_ipi_handler:
	ipi_action 1

	.globl	host_ipi_handler_nosync
host_ipi_handler_nosync:
	ipi_action 0
