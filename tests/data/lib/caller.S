/* Callers of routines.S's functions from another object (tests of several-source programs through
 * Session.call): a non-leaf function with its own frame and saved registers, and a tail call. */

/* size_t copy_and_measure(char *dst, const char *src): copies the string at src, its 0 too, into dst with
 * bytecopy and returns bytelen(dst). */
_GLOBAL(copy_and_measure)
	mflr	r0
	std	r31,-8(r1)
	std	r30,-16(r1)
	std	r0,16(r1)
	stdu	r1,-128(r1)
	mr	r31,r3
	mr	r30,r4
	mr	r3,r4
	bl	.bytelen
	nop
	addi	r5,r3,1
	mr	r4,r30
	mr	r3,r31
	bl	.bytecopy
	nop
	bl	.bytelen
	nop
	addi	r1,r1,128
	ld	r0,16(r1)
	ld	r30,-16(r1)
	ld	r31,-8(r1)
	mtlr	r0
	blr

/* unsigned int sum32_from_zero(const void *buf, size_t words): sum32 with a zero start, as a tail call. */
_GLOBAL(sum32_from_zero)
	li	r5,0
	b	.sum32
