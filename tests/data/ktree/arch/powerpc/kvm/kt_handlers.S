/*
 * A test source of our own in the shape of a kernel .S: kbuild's include path and defines, CONFIG_ tests
 * through IS_ENABLED, and GNU cpp's variadic macros.
 */
#include <linux/stringify.h>
#include <asm/asm-offsets.h>
#include <asm/kt_regs.h>
#include <asm/cputable.h>
#include <asm/kt_asm.h>

	.text
kt_entry:
#if IS_ENABLED(CONFIG_KT_HV) && defined(CONFIG_PPC64) && KT_KBUILD
	li	KT_R3, KT_PACA_FIELD
#else
	trap
#endif
#if IS_ENABLED(CONFIG_KT_MOD)
	addi	KT_SCRATCH, KT_SCRATCH, IS_ENABLED(CONFIG_NR_CPUS) + __LINE__ - 17
#endif
#ifdef CONFIG_KT_OFF
	trap
	trap
#elif IS_BUILTIN(CONFIG_KT_MOD)
	trap
#endif
	KT_OP(ld, KT_R5, KT_PACA(FIELD, KT_PACA_REG))
	blr
kt_table:
	.long	KT_LIST(1)
	.long	KT_LIST(2, 3)
kt_name:
	.asciz	__stringify(kt_entry KT_R3, x)
