/* Test tree: an object with an instruction no assembler knows (the census says where). */
	.text
	frobnicate	3
