/* Test tree: an object that includes another .S (which is then no object of its own). */
	.text
kt_head:
	b	kt_after
#include "kt_vectors.S"
kt_after:
	blr
