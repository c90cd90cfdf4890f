/*
 * ppcinterp kernel environment: <asm/ppc-opcode.h>, base instruction words (all operand fields zero) for
 * instructions the kernel emits with .long because old assemblers lack them.
 * Written for ppcinterp from asm/kernel-facts/constants.tsv; not kernel text.
 */
#ifndef PPCINTERP_ASM_PPC_OPCODE_H
#define PPCINTERP_ASM_PPC_OPCODE_H

#define PPC_INST_NOP		0x60000000	/* ori 0,0,0 */
#define PPC_INST_POPCNTW	0x7c0002f4	/* popcntw RA,RS */
#define PPC_INST_SLBFEE		0x7c0007a7	/* slbfee. RT,RB */
#define PPC_INST_LXVD2X		0x7c000698	/* lxvd2x XT,RA,RB */
#define PPC_INST_STXVD2X	0x7c000798	/* stxvd2x XS,RA,RB */

#endif /* PPCINTERP_ASM_PPC_OPCODE_H */
