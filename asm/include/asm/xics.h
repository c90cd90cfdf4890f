/* SPDX-License-Identifier: MIT
 * ppcinterp kernel environment: <asm/xics.h>, XICS interrupt numbers and priorities.
 * Written for ppcinterp from asm/kernel-facts/constants.tsv; not kernel text.
 * Priorities: a smaller number is more favoured; 0xff is the least favoured (masked).
 * IPI_PRIORITY (4) is not here: assembly gets it from the generated <asm/asm-offsets.h>, as in the kernel.
 */
#ifndef PPCINTERP_ASM_XICS_H
#define PPCINTERP_ASM_XICS_H

#define XICS_IRQ_SPURIOUS	0	/* XISR value meaning "nothing pending" */
#define DEFAULT_PRIORITY	5	/* priority Linux gives device interrupts */
#define LOWEST_PRIORITY		0xff	/* least favoured priority; an MFRR of 0xff requests no IPI */

#endif /* PPCINTERP_ASM_XICS_H */
