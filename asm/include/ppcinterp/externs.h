/* SPDX-License-Identifier: MIT
 * ppcinterp kernel environment: symbols that other objects of the kernel define, which the whole upstream
 * book3s_hv_rmhandlers.S uses (C functions, the hcall handlers of its real-mode table, a lock), as the linker
 * would find them. Only pragmas: it is force-included with --kernel-tree too, where it changes nothing the
 * kernel's own headers say.
 *
 * `#pragma ppcinterp extern SYMBOL "what"` declares one: calls to a function end a run with its name (or
 * run a registered stand-in), a data symbol gets zeroed memory of its own. Undeclared symbols are left to
 * other objects only where GNU as would leave them (branch targets, data, @got/@toc), with a warning.
 */
#ifndef PPCINTERP_EXTERNS_H
#define PPCINTERP_EXTERNS_H

#pragma ppcinterp extern .kvmppc_hpte_hv_fault "C, book3s_hv_rm_mmu.c: real-mode hashed page table fault"
#pragma ppcinterp extern .kvmppc_realmode_machine_check "C, book3s_hv_ras.c: real-mode machine check handling"
#pragma ppcinterp extern .kvmppc_h_remove "C, book3s_hv_rm_mmu.c: H_REMOVE in real mode"
#pragma ppcinterp extern .kvmppc_h_enter "C, book3s_hv_rm_mmu.c: H_ENTER in real mode"
#pragma ppcinterp extern .kvmppc_h_read "C, book3s_hv_rm_mmu.c: H_READ in real mode"
#pragma ppcinterp extern .kvmppc_h_protect "C, book3s_hv_rm_mmu.c: H_PROTECT in real mode"
#pragma ppcinterp extern .kvmppc_h_bulk_remove "C, book3s_hv_rm_mmu.c: H_BULK_REMOVE in real mode"
#pragma ppcinterp extern .kvmppc_h_put_tce "C, book3s_64_vio_hv.c: H_PUT_TCE in real mode"
#pragma ppcinterp extern native_tlbie_lock "C, mm/hash_native_64.c: the host's tlbie lock (a word)"
#pragma ppcinterp extern machine_check_fwnmi "exceptions-64s.S: the host's machine check handler"

#endif /* PPCINTERP_EXTERNS_H */
