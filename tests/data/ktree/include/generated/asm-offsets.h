#ifndef __ASM_OFFSETS_H__
#define __ASM_OFFSETS_H__
/* Test tree: kbuild's asm-offsets.h format (our own values). */

#define KT_PACA_FIELD 64 /* offsetof(struct paca_struct, kt_field) */
#define KT_PACA_OTHER 72 /* offsetof(struct paca_struct, kt_other) */
#define PACA_SIZE 128 /* sizeof(struct paca_struct) */

#endif
