/* Test tree: lib-y. */
	.text
kt_lib:
	li	3,2
	blr
