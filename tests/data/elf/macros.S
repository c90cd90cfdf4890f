/* tests/test_elf.py: code through an #include, a C macro of several instructions on one line, a GNU as
   .macro, and a feature section with an alternative (its code in a section of its own). */
#include <asm/ppc_asm.h>
#include <asm/feature-fixups.h>
#include "inc.S"

#define TWICE(r)	addi r, r, 1; addi r, r, 1

	.macro	CLEAR reg
	li	\reg, 0
	xor	\reg, \reg, \reg
	.endm

	.text
	.globl	start
start:
	TWICE(r3)
	CLEAR	r4
	bl	helper
1:	cmpdi	r3, 2
	bne	1b
BEGIN_FTR_SECTION
	li	r5, 1
	li	r6, 2
FTR_SECTION_ELSE
	li	r5, 3
ALT_FTR_SECTION_END_IFCLR(CPU_FTR_ARCH_206)
.Ldone:
	blr
