/* Linked with callee.S: a second definition of its global times_four (an error naming both). */
	.text
	.globl	times_four
times_four:
	blr
