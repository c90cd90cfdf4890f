/* ppcinterp kernel environment: exception-entry helpers the handler file uses. */
#ifndef PPCINTERP_EXCEPTION_64S_H
#define PPCINTERP_EXCEPTION_64S_H

#include <asm/reg.h>
#include <asm/cputable.h>
#include <asm/feature-fixups.h>

/* Read the exception scratch SPR: SPRG2 when the kernel is not the hypervisor, HSPRG1 when it is
 * (an alternative feature section on CPU_FTR_HVMODE, nested label 66). */
#define GET_SCRATCH0(reg)						\
	BEGIN_FTR_SECTION_NESTED(66);					\
	mfspr	reg,SPRN_SPRG_SCRATCH0;					\
	FTR_SECTION_ELSE_NESTED(66);					\
	mfspr	reg,SPRN_SPRG_HSCRATCH0;				\
	ALT_FTR_SECTION_END_NESTED_IFCLR(CPU_FTR_HVMODE, 66)

#endif /* PPCINTERP_EXCEPTION_64S_H */
