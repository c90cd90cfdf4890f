/*
 * The default kernel environment, force-included before the source (like `cc -include`) because the
 * seed fragment has no #include lines of its own. Replace it with --no-kernel-env and your own -I/-include.
 */
#ifndef PPCINTERP_ENV_H
#define PPCINTERP_ENV_H

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
#include <asm/cputable.h>
#include <asm/feature-fixups.h>

/*
 * Where the seed's hunks go that they do not define themselves. A label declared here and never defined
 * by the file is an exit of a run; if the file defines it (the whole upstream file does), the
 * definition wins. Any other undefined symbol is an error.
 */
#pragma ppcinterp outside hcall_try_real_mode "upstream line 1367: real-mode hcall dispatch through hcall_real_table"
#pragma ppcinterp outside bounce_ext_interrupt "upstream line 1482: deliver an external interrupt to the guest's 0x500 vector"
#pragma ppcinterp outside fast_guest_return "upstream line 530: restore guest registers and hrfid into the guest (r4 = vcpu)"
#pragma ppcinterp outside 27 "upstream line 132: kvm_start_guest continues: reload the vcpu, nap again, end a cede, or enter the guest"

#endif /* PPCINTERP_ENV_H */
