/* Test tree: named from the Makefile by a path through ../../../virt and back. */
	.text
kt_back:
	li	3,KT_DIR_FLAG + 1
	blr
