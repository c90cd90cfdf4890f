/* Test tree: CPU feature bits (our own values) for the feature words of ppcinterp's CPU models. */
#ifndef KT_ASM_CPUTABLE_H
#define KT_ASM_CPUTABLE_H

#ifdef __ASSEMBLY__
#define KT_CONST(x)	x
#else
#define KT_CONST(x)	x##UL
#endif

#define CPU_FTR_ARCH_201	KT_CONST(0x0000000200000000)
#define CPU_FTR_ARCH_206	KT_CONST(0x0000000400000000)
#define CPU_FTR_CFAR		KT_CONST(0x0100000000000000)
#define CPU_FTR_HVMODE		KT_CONST(0x0000000100000000)
#define CPU_FTR_ALTIVEC		KT_CONST(0x0000000000100000)
#define CPU_FTR_VSX		KT_CONST(0x0000000000000080)

#if CPU_FTR_CFAR >> 56 != 1 || -1 < 0u
#error the #if arithmetic is wrong
#endif

#endif
