/* Test tree: an object of the census (our own). */
	.text
kt_wide:
	li	3,4
	blr
