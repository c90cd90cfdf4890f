/* Test tree: an object of the census (our own). */
	.text
kt_if:
	li	3,2
	blr
