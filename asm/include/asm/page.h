/* SPDX-License-Identifier: MIT
 * ppcinterp kernel environment: <asm/page.h>. Nothing the handler file uses comes from it yet; it exists
 * so that the upstream #include list resolves.
 */
#ifndef PPCINTERP_ASM_PAGE_H
#define PPCINTERP_ASM_PAGE_H

#endif /* PPCINTERP_ASM_PAGE_H */
