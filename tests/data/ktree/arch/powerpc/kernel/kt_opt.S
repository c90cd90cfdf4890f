/* Test tree: an object of the census (our own). */
	.text
kt_opt:
	li	3,3
	blr
