/* SPDX-License-Identifier: MIT
 * ppcinterp kernel environment: <asm/mmu-hash64.h>, segment lookaside buffer (SLB) constants.
 * Written for ppcinterp from asm/kernel-facts/constants.tsv; not kernel text.
 */
#ifndef PPCINTERP_ASM_MMU_HASH64_H
#define PPCINTERP_ASM_MMU_HASH64_H

#define SLB_ESID_V	0x8000000	/* valid bit of an SLB entry's ESID word */
#define SLB_NUM_BOLTED	3		/* SLB entries the host keeps loaded at all times */

#endif /* PPCINTERP_ASM_MMU_HASH64_H */
