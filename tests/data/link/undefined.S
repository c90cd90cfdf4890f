/* Linked with callee.S: symbols no object defines. A call is left to another object (a warning); a
   value no header, .set or label defines is an error at its place. */
	.text
	.globl	calls_nowhere
calls_nowhere:
	bl	times_four
	bl	nowhere
#ifdef WITH_CONSTANT
	li	r3,NO_SUCH_CONSTANT
#endif
	blr
