/* Test tree: an object of the census (our own). */
	.text
kt_subst:
	li	3,5
	blr
