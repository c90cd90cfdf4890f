/* Test tree: assembler macros in the kernel's style, with GNU cpp's variadic forms. */
#ifndef KT_ASM_KT_ASM_H
#define KT_ASM_KT_ASM_H

#if !__has_include(<linux/stringify.h>) || __has_include(<linux/no_such_header.h>)
#error the test tree is incomplete
#endif

#ident "kt_asm.h (a test header)"

/* An instruction with any operands; a list whose tail may be left out (the comma goes with it). */
#define KT_OP(op, args...)	op args
#define KT_LIST(first, ...)	first , ## __VA_ARGS__
#define KT_PACA(field, base)	KT_PACA_##field(base)

#if 0
#kt_not_a_directive in a skipped group
#warning never reached
#endif

#if defined(__KERNEL__) && defined(__ASSEMBLY__) && __BIG_ENDIAN__ && defined __PPC64__ && __powerpc__
#define KT_KBUILD 1
#endif

#endif
