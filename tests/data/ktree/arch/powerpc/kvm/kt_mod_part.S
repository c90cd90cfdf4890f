/* Test tree: part of the module kvm.o, so kbuild defines MODULE; the directory's asflags-y define KT_DIR_FLAG. */
#ifndef MODULE
#error built as part of a module, MODULE is defined
#endif
	.text
kt_mod_part:
	li	3,KT_DIR_FLAG
	blr
