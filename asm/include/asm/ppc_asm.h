/* SPDX-License-Identifier: MIT
 * ppcinterp kernel environment: <asm/ppc_asm.h>, the assembler helpers of 64-bit (ELFv1) kernel code.
 * Written for ppcinterp from the kernel facts (FACTS.md section 4); not kernel text.
 */
#ifndef PPCINTERP_ASM_PPC_ASM_H
#define PPCINTERP_ASM_PPC_ASM_H

#include <asm/ppc-opcode.h>
#include <asm/feature-fixups.h>
#include <asm/cputable.h>

#define PPCINTERP_CAT(a, b)	a##b
#define PPCINTERP_XCAT(a, b)	PPCINTERP_CAT(a, b)

/*
 * _GLOBAL(name): a global function of the ELFv1 ABI. `name` is its function descriptor in .opd (entry
 * address, TOC base, environment pointer: three doublewords); `.name` is the code, which follows in .text.
 */
#define _GLOBAL(name)								\
	.section ".text"; .align 2;						\
	.globl name; .globl PPCINTERP_XCAT(., name);				\
	.section ".opd","aw";							\
name:	.quad PPCINTERP_XCAT(., name); .quad .TOC.@tocbase; .quad 0;		\
	.previous;								\
	.type PPCINTERP_XCAT(., name),@function;				\
PPCINTERP_XCAT(., name):

/* The address of a symbol, through its GOT entry, addressed from the TOC pointer (r2). */
#define LOAD_REG_ADDR(reg, name)	ld reg,name@got(r2)

/*
 * MTOCRF(FXM, RS): RS into the one CR field that FXM selects. A feature section: mtcrf on processors without
 * CPU_FTR_NOEXECUTE (before ISA 2.00), the faster mtocrf where it is set (label number 848, as the kernel's).
 */
#define MTOCRF(FXM, RS)							\
	BEGIN_FTR_SECTION_NESTED(848); mtcrf (FXM), RS;			\
	FTR_SECTION_ELSE_NESTED(848); mtocrf (FXM), RS;			\
	ALT_FTR_SECTION_END_NESTED_IFCLR(CPU_FTR_NOEXECUTE, 848)

/* Return from interrupt: rfid on 64-bit. */
#define RFI		rfid

/* Hardware multithreading priority hints: or rN,rN,rN with no effect on the registers. */
#define HMT_LOW		or 1,1,1
#define HMT_MEDIUM	or 2,2,2

/* A vcpu's saved GPR n (R0..R31 stand for the numbers 0..31 through __REG_Rn, see ppc-opcode.h). */
#define VCPU_GPR(n)	(VCPU_GPRS + (__REG_##n * 8))

/* Register numbers of the FP, vector and VSX registers, as plain numbers. */
#define fr0 0
#define fr1 1
#define fr2 2
#define fr3 3
#define fr4 4
#define fr5 5
#define fr6 6
#define fr7 7
#define fr8 8
#define fr9 9
#define fr10 10
#define fr11 11
#define fr12 12
#define fr13 13
#define fr14 14
#define fr15 15
#define fr16 16
#define fr17 17
#define fr18 18
#define fr19 19
#define fr20 20
#define fr21 21
#define fr22 22
#define fr23 23
#define fr24 24
#define fr25 25
#define fr26 26
#define fr27 27
#define fr28 28
#define fr29 29
#define fr30 30
#define fr31 31
#define vr0 0
#define vr1 1
#define vr2 2
#define vr3 3
#define vr4 4
#define vr5 5
#define vr6 6
#define vr7 7
#define vr8 8
#define vr9 9
#define vr10 10
#define vr11 11
#define vr12 12
#define vr13 13
#define vr14 14
#define vr15 15
#define vr16 16
#define vr17 17
#define vr18 18
#define vr19 19
#define vr20 20
#define vr21 21
#define vr22 22
#define vr23 23
#define vr24 24
#define vr25 25
#define vr26 26
#define vr27 27
#define vr28 28
#define vr29 29
#define vr30 30
#define vr31 31
#define vs0 0
#define vs1 1
#define vs2 2
#define vs3 3
#define vs4 4
#define vs5 5
#define vs6 6
#define vs7 7
#define vs8 8
#define vs9 9
#define vs10 10
#define vs11 11
#define vs12 12
#define vs13 13
#define vs14 14
#define vs15 15
#define vs16 16
#define vs17 17
#define vs18 18
#define vs19 19
#define vs20 20
#define vs21 21
#define vs22 22
#define vs23 23
#define vs24 24
#define vs25 25
#define vs26 26
#define vs27 27
#define vs28 28
#define vs29 29
#define vs30 30
#define vs31 31
#define vs32 32
#define vs33 33
#define vs34 34
#define vs35 35
#define vs36 36
#define vs37 37
#define vs38 38
#define vs39 39
#define vs40 40
#define vs41 41
#define vs42 42
#define vs43 43
#define vs44 44
#define vs45 45
#define vs46 46
#define vs47 47
#define vs48 48
#define vs49 49
#define vs50 50
#define vs51 51
#define vs52 52
#define vs53 53
#define vs54 54
#define vs55 55
#define vs56 56
#define vs57 57
#define vs58 58
#define vs59 59
#define vs60 60
#define vs61 61
#define vs62 62
#define vs63 63

#endif /* PPCINTERP_ASM_PPC_ASM_H */
