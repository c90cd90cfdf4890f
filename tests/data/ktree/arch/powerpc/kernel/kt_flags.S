/* Test tree: builds only with its Makefile's AFLAGS_kt_flags.o (-I kt_inc, -DKT_FLAG=7). */
#include <kt_flags.h>
	.text
kt_flags:
	li	3,KT_FLAG + KT_FROM_INC
	blr
