/* SPDX-License-Identifier: MIT
 * ppcinterp kernel environment: <asm/ptrace.h>, stack frame layout.
 * Written for ppcinterp from asm/kernel-facts/constants.tsv; not kernel text.
 */
#ifndef PPCINTERP_ASM_PTRACE_H
#define PPCINTERP_ASM_PTRACE_H

#define STACK_FRAME_OVERHEAD	112	/* bytes a 64-bit caller reserves at the bottom of its frame */

#endif /* PPCINTERP_ASM_PTRACE_H */
