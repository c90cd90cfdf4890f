/*
 * ppcinterp kernel environment: <asm/mmu.h>. Nothing the handler file uses comes from it yet; it exists
 * so that the upstream #include list resolves.
 */
#ifndef PPCINTERP_ASM_MMU_H
#define PPCINTERP_ASM_MMU_H

#endif /* PPCINTERP_ASM_MMU_H */
