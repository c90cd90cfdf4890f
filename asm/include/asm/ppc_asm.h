/*
 * ppcinterp kernel environment: <asm/ppc_asm.h>. The handler file includes it first; nothing the seed
 * fragment uses comes from it yet, so it only pulls in the headers an assembly file usually expects.
 * (Later: _GLOBAL, LOAD_REG_ADDR, RFI, HMT_LOW/HMT_MEDIUM, register names for the whole upstream file.)
 */
#ifndef PPCINTERP_ASM_PPC_ASM_H
#define PPCINTERP_ASM_PPC_ASM_H

#include <asm/ppc-opcode.h>
#include <asm/feature-fixups.h>

#endif /* PPCINTERP_ASM_PPC_ASM_H */
