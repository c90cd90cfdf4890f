# The host-IPI race that the seed patch handles, in the debugger.
#   ppcinterp debug asm/scenarios/race_host_ipi.toml --batch -x asm/debug/race.gdb
#
# The scenario: the handler (hunk 3) accepts a KVM IPI, and the host sends a real IPI to the same thread
# (host_ipi = 1, then MFRR = IPI_PRIORITY) just before the handler clears the MFRR at upstream line 725.
# The scenario's events play the host; they fire when the run arrives at upstream 725.

# Stop at the re-check of host_ipi, after the MFRR clear and the EOI.
break upstream 733
run

# The host's flag is set: the re-check will see it.
print paca.kvm_hstate.host_ipi

# Back three instructions (sync, the EOI), to the MFRR clear itself (the stbcix at upstream 725).
reverse-stepi 3
# MFRR still holds IPI_PRIORITY, written by the host just before: the clear is about to erase it.
info icp
print/x icp.mfrr

# Forward again: this replays the recorded history (the host's writes included) exactly.
stepi
disable 1
# On to the re-raise of the IPI at upstream 752, and over it: MFRR <- 0x04 again.
advance upstream 752
stepi
info icp

# To the end of the run: the IPI goes to the host, still presented.
continue
# SPDX-License-Identifier: MIT
