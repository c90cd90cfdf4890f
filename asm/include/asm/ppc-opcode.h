/* SPDX-License-Identifier: MIT
 * ppcinterp kernel environment: <asm/ppc-opcode.h>, instructions the kernel emits with .long because old
 * assemblers lack them: a base word (all operand fields zero) and the fields ORed into it.
 * Written for ppcinterp from asm/kernel-facts/constants.tsv and the Power ISA field layout; not kernel text.
 */
#ifndef PPCINTERP_ASM_PPC_OPCODE_H
#define PPCINTERP_ASM_PPC_OPCODE_H

#define PPC_INST_NOP		0x60000000	/* ori 0,0,0 */
#define PPC_INST_POPCNTW	0x7c0002f4	/* popcntw RA,RS */
#define PPC_INST_SLBFEE		0x7c0007a7	/* slbfee. RT,RB */
#define PPC_INST_LXVD2X		0x7c000698	/* lxvd2x XT,RA,RB */
#define PPC_INST_STXVD2X	0x7c000798	/* stxvd2x XS,RA,RB */

/* R0..R31 name GPR numbers in these macros: __REG_##R5 is 5. */
#define __REG_R0	0
#define __REG_R1	1
#define __REG_R2	2
#define __REG_R3	3
#define __REG_R4	4
#define __REG_R5	5
#define __REG_R6	6
#define __REG_R7	7
#define __REG_R8	8
#define __REG_R9	9
#define __REG_R10	10
#define __REG_R11	11
#define __REG_R12	12
#define __REG_R13	13
#define __REG_R14	14
#define __REG_R15	15
#define __REG_R16	16
#define __REG_R17	17
#define __REG_R18	18
#define __REG_R19	19
#define __REG_R20	20
#define __REG_R21	21
#define __REG_R22	22
#define __REG_R23	23
#define __REG_R24	24
#define __REG_R25	25
#define __REG_R26	26
#define __REG_R27	27
#define __REG_R28	28
#define __REG_R29	29
#define __REG_R30	30
#define __REG_R31	31

/* Operand fields (IBM bit numbering: RS/RT at 6-10, RA at 11-15, RB at 16-20). */
#define PPCINTERP_RS(s)		(((s) & 0x1f) << 21)
#define PPCINTERP_RA(a)		(((a) & 0x1f) << 16)
#define PPCINTERP_RB(b)		(((b) & 0x1f) << 11)
/* A VSX register number (0-63) is split: its low five bits in RS/RT, its high bit (SX/TX) in bit 31. */
#define PPCINTERP_XS(s)		((((s) & 0x1f) << 21) | (((s) & 0x20) >> 5))

/* The argument registers are written R0..R31; the VSX register is a number or an assembler symbol. */
#define PPC_POPCNTW(a, s)	.long PPC_INST_POPCNTW | PPCINTERP_RA(__REG_##a) | PPCINTERP_RS(__REG_##s)
#define PPC_SLBFEE_DOT(t, b)	.long PPC_INST_SLBFEE | PPCINTERP_RS(__REG_##t) | PPCINTERP_RB(__REG_##b)
#define STXVD2X(s, a, b)	.long PPC_INST_STXVD2X | PPCINTERP_XS(s) | PPCINTERP_RA(__REG_##a) | \
				      PPCINTERP_RB(__REG_##b)
#define LXVD2X(s, a, b)		.long PPC_INST_LXVD2X | PPCINTERP_XS(s) | PPCINTERP_RA(__REG_##a) | \
				      PPCINTERP_RB(__REG_##b)

#endif /* PPCINTERP_ASM_PPC_OPCODE_H */
