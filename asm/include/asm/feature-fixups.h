/*
 * ppcinterp kernel environment: feature sections.
 *
 * A feature section is code the kernel patches once at boot according to CPU, MMU or firmware feature
 * bits. Each section leaves a record of six doublewords in a fixup table section:
 *   mask, value, then the offsets from the record of: body start, body end, alternative start,
 *   alternative end.
 * If (features & mask) == value the body stays; otherwise the alternative (assembled out of line in
 * section __ftr_alt_N, so it is never reached by falling through) is copied over the start of the body
 * and the rest of the body becomes nops. ppcinterp's fixup stage reads these records back, as the kernel
 * does, so kernel headers that make the same records work too.
 *
 * N is the label number: 97 for the plain macros, the caller's for the _NESTED ones. The labels used are
 * N1 (body start), N2 (body end), N3 (alternative start), N4 (alternative end), N5 (the record).
 */
#ifndef PPCINTERP_FEATURE_FIXUPS_H
#define PPCINTERP_FEATURE_FIXUPS_H

#define PPCINTERP_FTR_START(n)		n##1:
#define PPCINTERP_FTR_ELSE(n)						\
	n##2: .pushsection __ftr_alt_##n,"a"; .align 2; n##3:
#define PPCINTERP_FTR_RECORD(msk, val, n, table)				\
	n##4: .popsection; .pushsection table,"a"; .align 3; n##5:	\
	.llong (msk); .llong (val);					\
	.llong n##1b-n##5b; .llong n##2b-n##5b;				\
	.llong n##3b-n##5b; .llong n##4b-n##5b;				\
	.popsection;							\
	.ifgt (n##4b-n##3b)-(n##2b-n##1b);				\
	.error "feature section alternative is longer than its body";	\
	.endif

/* CPU features (tested against cpu_features), table __ftr_fixup */
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
#define ALT_FTR_SECTION_END_NESTED_IFSET(msk, n)	ALT_FTR_SECTION_END_NESTED((msk), (msk), n)
#define ALT_FTR_SECTION_END_NESTED_IFCLR(msk, n)	ALT_FTR_SECTION_END_NESTED((msk), 0, n)

/* MMU features (tested against mmu_features), table __mmu_ftr_fixup */
#define BEGIN_MMU_FTR_SECTION_NESTED(n)		PPCINTERP_FTR_START(n)
#define BEGIN_MMU_FTR_SECTION			PPCINTERP_FTR_START(97)
#define MMU_FTR_SECTION_ELSE_NESTED(n)		PPCINTERP_FTR_ELSE(n)
#define MMU_FTR_SECTION_ELSE			PPCINTERP_FTR_ELSE(97)
#define END_MMU_FTR_SECTION_NESTED(msk, val, n)					\
	PPCINTERP_FTR_ELSE(n) PPCINTERP_FTR_RECORD(msk, val, n, __mmu_ftr_fixup)
#define END_MMU_FTR_SECTION(msk, val)		END_MMU_FTR_SECTION_NESTED(msk, val, 97)
#define END_MMU_FTR_SECTION_IFSET(msk)		END_MMU_FTR_SECTION((msk), (msk))
#define END_MMU_FTR_SECTION_IFCLR(msk)		END_MMU_FTR_SECTION((msk), 0)
#define ALT_MMU_FTR_SECTION_END_NESTED(msk, val, n)				\
	PPCINTERP_FTR_RECORD(msk, val, n, __mmu_ftr_fixup)
#define ALT_MMU_FTR_SECTION_END(msk, val)	ALT_MMU_FTR_SECTION_END_NESTED(msk, val, 97)
#define ALT_MMU_FTR_SECTION_END_IFSET(msk)	ALT_MMU_FTR_SECTION_END((msk), (msk))
#define ALT_MMU_FTR_SECTION_END_IFCLR(msk)	ALT_MMU_FTR_SECTION_END((msk), 0)

/* Firmware features (tested against the firmware feature word), table __fw_ftr_fixup */
#define BEGIN_FW_FTR_SECTION_NESTED(n)		PPCINTERP_FTR_START(n)
#define BEGIN_FW_FTR_SECTION			PPCINTERP_FTR_START(97)
#define FW_FTR_SECTION_ELSE_NESTED(n)		PPCINTERP_FTR_ELSE(n)
#define FW_FTR_SECTION_ELSE			PPCINTERP_FTR_ELSE(97)
#define END_FW_FTR_SECTION_NESTED(msk, val, n)					\
	PPCINTERP_FTR_ELSE(n) PPCINTERP_FTR_RECORD(msk, val, n, __fw_ftr_fixup)
#define END_FW_FTR_SECTION(msk, val)		END_FW_FTR_SECTION_NESTED(msk, val, 97)
#define END_FW_FTR_SECTION_IFSET(msk)		END_FW_FTR_SECTION((msk), (msk))
#define END_FW_FTR_SECTION_IFCLR(msk)		END_FW_FTR_SECTION((msk), 0)
#define ALT_FW_FTR_SECTION_END_NESTED(msk, val, n)				\
	PPCINTERP_FTR_RECORD(msk, val, n, __fw_ftr_fixup)
#define ALT_FW_FTR_SECTION_END(msk, val)	ALT_FW_FTR_SECTION_END_NESTED(msk, val, 97)
#define ALT_FW_FTR_SECTION_END_IFSET(msk)	ALT_FW_FTR_SECTION_END((msk), (msk))
#define ALT_FW_FTR_SECTION_END_IFCLR(msk)	ALT_FW_FTR_SECTION_END((msk), 0)

#endif /* PPCINTERP_FEATURE_FIXUPS_H */
