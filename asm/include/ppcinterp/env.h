/* SPDX-License-Identifier: MIT
 * ppcinterp kernel environment: the default environment of a source file, force-included before it
 * (like `cc -include`) because the seed fragment has no #include lines of its own. Turn it off with
 * --no-kernel-env when a file includes what it needs itself; see asm/include/README.md.
 */
#ifndef PPCINTERP_ENV_H
#define PPCINTERP_ENV_H

/* The kernel configuration (CONFIG_*), as kbuild's forced include of kconfig.h brings it in. */
#include <generated/autoconf.h>

/* What the upstream book3s_hv_rmhandlers.S includes, in its order ... */
#include <asm/ppc_asm.h>
#include <asm/kvm_asm.h>
#include <asm/reg.h>
#include <asm/mmu.h>
#include <asm/page.h>
#include <asm/ptrace.h>
#include <asm/hvcall.h>
#include <asm/asm-offsets.h>
#include <asm/exception-64s.h>
#include <asm/kvm_book3s_asm.h>
#include <asm/mmu-hash64.h>
/* ... and what those bring in on the way in the kernel: CPU feature bits and feature sections. */
#include <asm/cputable.h>
#include <asm/feature-fixups.h>

/*
 * The places the seed's five hunks branch to without defining them (the rest of the upstream file).
 * `#pragma ppcinterp outside LABEL "what"` declares one: a label declared outside that the file references
 * but never defines is an exit of a run, reported with this text; if the file does define it (the whole
 * upstream file does), the definition wins. A numeric LABEL is a local label reached as LABELf.
 */
#pragma ppcinterp outside hcall_try_real_mode "upstream line 1367: real-mode hcall dispatch: look the hcall up in hcall_real_table, run its real-mode handler, else exit to the host"
#pragma ppcinterp outside bounce_ext_interrupt "upstream line 1482: deliver an external interrupt to the guest: guest PC/MSR into SRR0/SRR1, resume it at its 0x500 vector"
#pragma ppcinterp outside fast_guest_return "upstream line 530: load the guest's registers (r4 = vcpu) and hrfid into the guest"
#pragma ppcinterp outside 27 "upstream line 132: kvm_start_guest goes on: reload the vcpu pointer, then nap again, end a cede, or enter the guest"

/* Symbols other objects of the kernel define (also read with --kernel-tree, which uses no other header here). */
#include <ppcinterp/externs.h>

#endif /* PPCINTERP_ENV_H */
