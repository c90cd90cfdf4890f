/* Test tree: an object of the census (our own). */
	.text
kt_pat:
	li	3,3
	blr
