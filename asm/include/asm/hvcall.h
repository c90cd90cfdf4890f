/* SPDX-License-Identifier: MIT
 * ppcinterp kernel environment: <asm/hvcall.h>, hypercall return codes.
 * Written for ppcinterp from asm/kernel-facts/constants.tsv; not kernel text.
 */
#ifndef PPCINTERP_ASM_HVCALL_H
#define PPCINTERP_ASM_HVCALL_H

#define H_SUCCESS	0	/* the call completed */
#define H_TOO_HARD	9999	/* a real-mode handler gives up: redo the call in virtual mode */

#endif /* PPCINTERP_ASM_HVCALL_H */
