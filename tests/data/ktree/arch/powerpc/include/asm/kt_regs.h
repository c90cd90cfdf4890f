/* Test tree: an arch header that adds to the uapi header of the same name (#include_next). */
#ifndef KT_ASM_KT_REGS_H
#define KT_ASM_KT_REGS_H

#include_next <asm/kt_regs.h>

#define KT_SCRATCH	KT_R4
#define KT_PACA_REG	KT_R13

#endif
