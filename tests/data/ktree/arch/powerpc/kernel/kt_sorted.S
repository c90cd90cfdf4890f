/* Test tree: an object of the census (our own). */
	.text
kt_sorted:
	li	3,6
	blr
