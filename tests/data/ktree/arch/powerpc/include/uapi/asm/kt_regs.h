/* Test tree: the uapi half of asm/kt_regs.h. */
#ifndef KT_UAPI_ASM_KT_REGS_H
#define KT_UAPI_ASM_KT_REGS_H

#define KT_R3	3
#define KT_R4	4
#define KT_R5	5
#define KT_R13	13

#endif
