"""The PACA array: one `struct paca_struct` per thread, with fields named from the asm-offsets table.

A field is known by its asm-offsets symbol (HSTATE_HOST_IPI) and by its C path (kvm_hstate.host_ipi); output
names it `paca[1].kvm_hstate.host_ipi`, not an address. The layout is the generic one of structs.py (sizes
from the kvmppc_host_state layout in the kernel facts where known, otherwise the widest aligned integer that
fits before the next field); this module adds what is particular to the PACA: PACA_SIZE is required, and
the array is always indexed by thread.
"""

from __future__ import annotations

from ppcinterp.diagnostics import PpcError
from ppcinterp.machine.structs import HSTATE_SIZES, Field, OffsetTable, StructLayout, StructRegion, natural_size

__all__ = ["HSTATE_SIZES", "Field", "PacaArray", "PacaLayout", "paca_layout", "natural_size"]

PacaLayout = StructLayout            # the PACA's layout is a StructLayout of struct paca_struct
_natural_size = natural_size


def paca_layout(table: OffsetTable) -> StructLayout:
    """struct paca_struct from an asm-offsets table; its size (PACA_SIZE) is the stride of the array, so a
    table without it cannot lay out the PACAs."""
    layout = table.layout("paca_struct")
    if "PACA_SIZE" not in table.values or layout is None:
        raise PpcError(f"{table.path} does not define PACA_SIZE (sizeof(struct paca_struct)), so the PACA "
                       "cannot be laid out")
    return layout


class PacaArray(StructRegion):
    """RAM holding one PACA per thread, stride PACA_SIZE."""

    def __init__(self, base: int, threads: int, layout: StructLayout):
        super().__init__("paca", "paca", base, layout, count=threads, indexed=True)
        self.threads = threads

    def addr_of(self, thread: int, name: str) -> int:
        f = self.layout.field(name)
        if f is None:
            return super().addr_of(thread, name)
        return self.base + thread * self.layout.size + f.offset
