/* Small C-callable routines of our own for the tests of Session.call (ELFv1: _GLOBAL makes the .opd
 * descriptor `name` and the code `.name`). Each is written plainly, the way a C compiler might. */

/* void *bytecopy(void *dst, const void *src, size_t n): byte by byte; returns dst. */
_GLOBAL(bytecopy)
	mr	r6,r3
	cmpdi	r5,0
	beqlr
	mtctr	r5
	addi	r4,r4,-1
	addi	r6,r6,-1
1:	lbzu	r0,1(r4)
	stbu	r0,1(r6)
	bdnz	1b
	blr

/* size_t bytelen(const char *s): the bytes before the first 0. */
_GLOBAL(bytelen)
	addi	r4,r3,-1
1:	lbzu	r0,1(r4)
	cmpwi	r0,0
	bne	1b
	subf	r3,r3,r4
	blr

/* unsigned int sum32(const void *buf, size_t words, unsigned int sum): 32-bit big-endian words added with
 * end-around carry (adde/addze) into a 64-bit accumulator, folded to 32 bits. */
_GLOBAL(sum32)
	mr	r6,r5
	cmpdi	r4,0
	beq	2f
	mtctr	r4
	addi	r3,r3,-4
	addic	r0,r0,0		/* clear CA */
1:	lwzu	r7,4(r3)
	adde	r6,r6,r7
	bdnz	1b
	addze	r6,r6
2:	rldicl	r7,r6,32,32	/* fold the high half in */
	rldicl	r6,r6,0,32
	add	r6,r6,r7
	rldicl	r7,r6,32,32
	add	r3,r6,r7
	rldicl	r3,r3,0,32
	blr

/* long spin(void): never returns (for the step limit). */
_GLOBAL(spin)
1:	b	1b

/* long deref(long *p): loads through its argument (a fault for a bad pointer). */
_GLOBAL(deref)
	ld	r3,0(r3)
	blr

/* long twice_via_frame(long x): a non-leaf shape: saves LR in the caller's frame, makes its own, calls a
 * local helper, and returns 2x. */
_GLOBAL(twice_via_frame)
	mflr	r0
	std	r0,16(r1)
	stdu	r1,-112(r1)
	bl	.double_it
	addi	r1,r1,112
	ld	r0,16(r1)
	mtlr	r0
	blr

_GLOBAL(double_it)
	add	r3,r3,r3
	blr

/* long toc_of(void): r2 as the call set it. */
_GLOBAL(toc_of)
	mr	r3,r2
	blr
