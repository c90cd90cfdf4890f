/* Test tree: an object of a subdirectory. */
	.text
kt_deep:
	li	3,4
	blr
