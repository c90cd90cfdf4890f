/* Test tree: an object of the census (our own). */
	.text
kt_each2:
	li	3,5
	blr
