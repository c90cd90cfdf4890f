/* SPDX-License-Identifier: MIT
 * ppcinterp kernel environment: <asm/feature-fixups.h>, feature sections. Written for ppcinterp from the
 * record format described in the kernel facts (FACTS.md section 2); not kernel text.
 *
 * A feature section is code the kernel patches once, at boot, according to its CPU, MMU or firmware
 * feature word. Each section leaves one record of six doublewords in a fixup table section:
 *   mask, value, then the offsets from the record itself to: body start, body end, alternative start,
 *   alternative end.
 * If (features & mask) == value the body stays. Otherwise the alternative (assembled out of line in
 * section __ftr_alt_N, so it is never reached by falling through) is copied over the start of the body
 * and the rest of the body becomes nops. ppcinterp's fixup stage reads the records back, as the kernel
 * does, so a kernel tree's own headers making the same records work too.
 *
 * N is the label number: 97 for the plain macros, the caller's for the _NESTED ones (so sections can nest
 * and the scratch-register macro can use its own). Local labels used: N1 body start, N2 body end,
 * N3 alternative start, N4 alternative end, N5 the record. Every macro expands to one logical line of
 * statements separated by ';', which both GNU as and ppcinterp accept. Assembly fails if an alternative
 * is longer than its body.
 */
#ifndef PPCINTERP_ASM_FEATURE_FIXUPS_H
#define PPCINTERP_ASM_FEATURE_FIXUPS_H

/* The three building blocks (internal) */
#define PPCINTERP_FTR_START(n)							\
	n##1:
#define PPCINTERP_FTR_ELSE(n)							\
	n##2: .pushsection __ftr_alt_##n,"a"; .align 2; n##3:
#define PPCINTERP_FTR_RECORD(msk, val, n, table)				\
	n##4: .popsection; .pushsection table,"a"; .align 3; n##5:		\
	.llong (msk); .llong (val);						\
	.llong n##1b-n##5b; .llong n##2b-n##5b;					\
	.llong n##3b-n##5b; .llong n##4b-n##5b;					\
	.popsection;								\
	.ifgt (n##4b-n##3b)-(n##2b-n##1b);					\
	.error "feature section alternative is longer than its body";		\
	.endif

/*
 * CPU features (the cpu_features word, CPU_FTR_* in <asm/cputable.h>), table __ftr_fixup.
 *   BEGIN_FTR_SECTION body END_FTR_SECTION_IFSET(F)     body runs if all bits of F are set, else nops
 *   BEGIN_FTR_SECTION body END_FTR_SECTION_IFCLR(F)     body runs if all bits of F are clear, else nops
 *   BEGIN_FTR_SECTION body END_FTR_SECTION(M, V)        body runs if (features & M) == V, else nops
 *   BEGIN_FTR_SECTION body FTR_SECTION_ELSE alt ALT_FTR_SECTION_END_IFSET(F)   alt replaces body if not
 */
#define BEGIN_FTR_SECTION_NESTED(n)		PPCINTERP_FTR_START(n)
#define BEGIN_FTR_SECTION			PPCINTERP_FTR_START(97)
#define FTR_SECTION_ELSE_NESTED(n)		PPCINTERP_FTR_ELSE(n)
#define FTR_SECTION_ELSE			PPCINTERP_FTR_ELSE(97)
#define END_FTR_SECTION_NESTED(msk, val, n)					\
	PPCINTERP_FTR_ELSE(n) PPCINTERP_FTR_RECORD(msk, val, n, __ftr_fixup)
#define END_FTR_SECTION(msk, val)		END_FTR_SECTION_NESTED(msk, val, 97)
#define END_FTR_SECTION_IFSET(msk)		END_FTR_SECTION((msk), (msk))
#define END_FTR_SECTION_IFCLR(msk)		END_FTR_SECTION((msk), 0)
#define END_FTR_SECTION_NESTED_IFSET(msk, n)	END_FTR_SECTION_NESTED((msk), (msk), n)
#define END_FTR_SECTION_NESTED_IFCLR(msk, n)	END_FTR_SECTION_NESTED((msk), 0, n)
#define ALT_FTR_SECTION_END_NESTED(msk, val, n)					\
	PPCINTERP_FTR_RECORD(msk, val, n, __ftr_fixup)
#define ALT_FTR_SECTION_END(msk, val)		ALT_FTR_SECTION_END_NESTED(msk, val, 97)
#define ALT_FTR_SECTION_END_IFSET(msk)		ALT_FTR_SECTION_END((msk), (msk))
#define ALT_FTR_SECTION_END_IFCLR(msk)		ALT_FTR_SECTION_END((msk), 0)
#define ALT_FTR_SECTION_END_NESTED_IFSET(msk, n)				\
	ALT_FTR_SECTION_END_NESTED((msk), (msk), n)
#define ALT_FTR_SECTION_END_NESTED_IFCLR(msk, n)				\
	ALT_FTR_SECTION_END_NESTED((msk), 0, n)

/* MMU features (the mmu_features word), table __mmu_ftr_fixup; same forms as above */
#define BEGIN_MMU_FTR_SECTION_NESTED(n)		PPCINTERP_FTR_START(n)
#define BEGIN_MMU_FTR_SECTION			PPCINTERP_FTR_START(97)
#define MMU_FTR_SECTION_ELSE_NESTED(n)		PPCINTERP_FTR_ELSE(n)
#define MMU_FTR_SECTION_ELSE			PPCINTERP_FTR_ELSE(97)
#define END_MMU_FTR_SECTION_NESTED(msk, val, n)					\
	PPCINTERP_FTR_ELSE(n) PPCINTERP_FTR_RECORD(msk, val, n, __mmu_ftr_fixup)
#define END_MMU_FTR_SECTION(msk, val)		END_MMU_FTR_SECTION_NESTED(msk, val, 97)
#define END_MMU_FTR_SECTION_IFSET(msk)		END_MMU_FTR_SECTION((msk), (msk))
#define END_MMU_FTR_SECTION_IFCLR(msk)		END_MMU_FTR_SECTION((msk), 0)
#define END_MMU_FTR_SECTION_NESTED_IFSET(msk, n)				\
	END_MMU_FTR_SECTION_NESTED((msk), (msk), n)
#define END_MMU_FTR_SECTION_NESTED_IFCLR(msk, n)				\
	END_MMU_FTR_SECTION_NESTED((msk), 0, n)
#define ALT_MMU_FTR_SECTION_END_NESTED(msk, val, n)				\
	PPCINTERP_FTR_RECORD(msk, val, n, __mmu_ftr_fixup)
#define ALT_MMU_FTR_SECTION_END(msk, val)	ALT_MMU_FTR_SECTION_END_NESTED(msk, val, 97)
#define ALT_MMU_FTR_SECTION_END_IFSET(msk)	ALT_MMU_FTR_SECTION_END((msk), (msk))
#define ALT_MMU_FTR_SECTION_END_IFCLR(msk)	ALT_MMU_FTR_SECTION_END((msk), 0)
#define ALT_MMU_FTR_SECTION_END_NESTED_IFSET(msk, n)				\
	ALT_MMU_FTR_SECTION_END_NESTED((msk), (msk), n)
#define ALT_MMU_FTR_SECTION_END_NESTED_IFCLR(msk, n)				\
	ALT_MMU_FTR_SECTION_END_NESTED((msk), 0, n)

/* Firmware features (the firmware feature word), table __fw_ftr_fixup; same forms as above */
#define BEGIN_FW_FTR_SECTION_NESTED(n)		PPCINTERP_FTR_START(n)
#define BEGIN_FW_FTR_SECTION			PPCINTERP_FTR_START(97)
#define FW_FTR_SECTION_ELSE_NESTED(n)		PPCINTERP_FTR_ELSE(n)
#define FW_FTR_SECTION_ELSE			PPCINTERP_FTR_ELSE(97)
#define END_FW_FTR_SECTION_NESTED(msk, val, n)					\
	PPCINTERP_FTR_ELSE(n) PPCINTERP_FTR_RECORD(msk, val, n, __fw_ftr_fixup)
#define END_FW_FTR_SECTION(msk, val)		END_FW_FTR_SECTION_NESTED(msk, val, 97)
#define END_FW_FTR_SECTION_IFSET(msk)		END_FW_FTR_SECTION((msk), (msk))
#define END_FW_FTR_SECTION_IFCLR(msk)		END_FW_FTR_SECTION((msk), 0)
#define END_FW_FTR_SECTION_NESTED_IFSET(msk, n)					\
	END_FW_FTR_SECTION_NESTED((msk), (msk), n)
#define END_FW_FTR_SECTION_NESTED_IFCLR(msk, n)					\
	END_FW_FTR_SECTION_NESTED((msk), 0, n)
#define ALT_FW_FTR_SECTION_END_NESTED(msk, val, n)				\
	PPCINTERP_FTR_RECORD(msk, val, n, __fw_ftr_fixup)
#define ALT_FW_FTR_SECTION_END(msk, val)	ALT_FW_FTR_SECTION_END_NESTED(msk, val, 97)
#define ALT_FW_FTR_SECTION_END_IFSET(msk)	ALT_FW_FTR_SECTION_END((msk), (msk))
#define ALT_FW_FTR_SECTION_END_IFCLR(msk)	ALT_FW_FTR_SECTION_END((msk), 0)
#define ALT_FW_FTR_SECTION_END_NESTED_IFSET(msk, n)				\
	ALT_FW_FTR_SECTION_END_NESTED((msk), (msk), n)
#define ALT_FW_FTR_SECTION_END_NESTED_IFCLR(msk, n)				\
	ALT_FW_FTR_SECTION_END_NESTED((msk), 0, n)

#endif /* PPCINTERP_ASM_FEATURE_FIXUPS_H */
