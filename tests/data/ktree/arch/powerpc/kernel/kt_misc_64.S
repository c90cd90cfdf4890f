/* Test tree: an object with fields GNU as leaves to the linker (a call, a conditional branch and data that name
   other objects' symbols, and data that names its own): the census compares the rest of each word. */
	.text
kt_misc_64:
	li	3,7
	bl	.kt_c_function
	nop
	cmpdi	3,0
	beq	kt_elsewhere
	blr
	.data
kt_misc_ptrs:
	.llong	kt_misc_64, kt_c_data
	.long	0x12345678
