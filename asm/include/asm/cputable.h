/*
 * ppcinterp kernel environment: <asm/cputable.h>, the CPU feature bits that feature sections test
 * (cpu_features). Written for ppcinterp from asm/kernel-facts/constants.tsv; not kernel text.
 * POWER7 has ARCH_206, CFAR and HVMODE (HVMODE is cleared at boot when not running as hypervisor);
 * PPC970 has ARCH_201 and HVMODE.
 */
#ifndef PPCINTERP_ASM_CPUTABLE_H
#define PPCINTERP_ASM_CPUTABLE_H

#define CPU_FTR_ALTIVEC		0x8			/* vector (AltiVec) unit */
#define CPU_FTR_HVMODE		0x100000000		/* the kernel runs as the hypervisor */
#define CPU_FTR_ARCH_201	0x200000000		/* architecture 2.01 (PPC970) */
#define CPU_FTR_ARCH_206	0x400000000		/* architecture 2.06 (POWER7 and later) */
#define CPU_FTR_VSX		0x200000000000		/* VSX unit */
#define CPU_FTR_CFAR		0x100000000000000	/* has the CFAR register */

#endif /* PPCINTERP_ASM_CPUTABLE_H */
