/* SPDX-License-Identifier: MIT
 * ppcinterp kernel environment: <asm/exception-64s.h>, helpers of the 64-bit Book3S exception code that
 * the handler file uses. Written for ppcinterp from the kernel facts (FACTS.md section 2); not kernel text.
 */
#ifndef PPCINTERP_ASM_EXCEPTION_64S_H
#define PPCINTERP_ASM_EXCEPTION_64S_H

#include <asm/reg.h>
#include <asm/cputable.h>
#include <asm/feature-fixups.h>

/*
 * GET_SCRATCH0(reg): load reg from the exception scratch SPR. A kernel that is not the hypervisor keeps
 * it in SPRG2 (SPRN_SPRG_SCRATCH0); one running as the hypervisor in HSPRG1 (SPRN_SPRG_HSCRATCH0).
 * It is an alternative feature section with its own label number 66, in the IFCLR form on
 * CPU_FTR_HVMODE: the body (SPRG2) stays when HVMODE is clear, the alternative (HSPRG1) replaces it when
 * HVMODE is set.
 */
#define GET_SCRATCH0(reg)							\
	BEGIN_FTR_SECTION_NESTED(66);						\
	mfspr	reg,SPRN_SPRG_SCRATCH0;						\
	FTR_SECTION_ELSE_NESTED(66);						\
	mfspr	reg,SPRN_SPRG_HSCRATCH0;					\
	ALT_FTR_SECTION_END_NESTED_IFCLR(CPU_FTR_HVMODE, 66)

#endif /* PPCINTERP_ASM_EXCEPTION_64S_H */
