/* Test tree: kbuild does not build this one here (CONFIG_KT_OFF is not set). */
	.text
	nop
