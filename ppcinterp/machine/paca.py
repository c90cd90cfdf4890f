"""The PACA array: one `struct paca_struct` per thread, with fields named from the asm-offsets table.

A field is known by its asm-offsets symbol (HSTATE_HOST_IPI) and by its C path (kvm_hstate.host_ipi); output
names it `paca[1].kvm_hstate.host_ipi`, not an address. Sizes come from the kvmppc_host_state layout in the
kernel facts where known, otherwise the widest aligned integer that fits before the next field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ppcinterp.machine.memory import Ram

# struct kvmppc_host_state field sizes (FACTS.md §1), by C field name.
HSTATE_SIZES = {"host_r1": 8, "host_r2": 8, "host_msr": 8, "vmhandler": 8, "scratch0": 8, "scratch1": 8,
                "in_guest": 1, "restore_hid5": 1, "napping": 1, "hwthread_req": 1, "hwthread_state": 1,
                "host_ipi": 1, "kvm_vcpu": 8, "kvm_vcore": 8, "xics_phys": 8, "saved_xirr": 4, "dabr": 8,
                "host_mmcr": 24, "host_pmc": 32, "host_purr": 8, "host_spurr": 8, "host_dscr": 8,
                "dec_expires": 8, "cfar": 8}
_PACA_FIELD = re.compile(r"offsetof\(struct paca_struct,\s*([\w.\[\]]+)\)")
_DEFINE = re.compile(r"^#define\s+(\w+)\s+(-?(?:0x[0-9a-fA-F]+|\d+))\s*(?:/\*\s*(.*?)\s*\*/)?", re.M)


@dataclass(frozen=True, slots=True)
class Field:
    symbol: str       # HSTATE_HOST_IPI
    path: str         # kvm_hstate.host_ipi
    offset: int
    size: int


def _natural_size(offset: int, gap: int) -> int:
    """A field of unknown type: the widest naturally aligned integer (1, 2, 4 or 8 bytes) that fits the gap
    before the next field, so that reading it never runs into its neighbour (the gap may be padding)."""
    size = 8
    while size > 1 and (size > gap or offset % size):
        size //= 2
    return size


class PacaLayout:
    """The named fields of struct paca_struct for one kernel config."""

    def __init__(self, size: int, fields: list[Field]):
        self.size = size
        self.fields = sorted(fields, key=lambda f: (f.offset, -f.size))
        self.by_name: dict[str, Field] = {}
        for f in self.fields:
            self.by_name[f.symbol] = f
            self.by_name[f.path] = f

    @classmethod
    def from_header(cls, path: Path) -> PacaLayout:
        """Read the fields from an asm-offsets.h (ours, or a kernel tree's generated one: both carry the
        `/* offsetof(struct paca_struct, FIELD) */` comment after each value)."""
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        rows = [(m.group(1), int(m.group(2), 0), m.group(3) or "") for m in _DEFINE.finditer(text)]
        size = next((v for n, v, _ in rows if n == "PACA_SIZE"), None)
        if size is None:
            raise ValueError(f"{path} does not define PACA_SIZE")
        found = []
        for name, value, what in rows:
            m = _PACA_FIELD.fullmatch(what.strip())
            if m:
                found.append((name, m.group(1), value))
        offsets = sorted({off for _, _, off in found} | {size})
        fields = []
        for sym, cpath, off in found:
            leaf = cpath.split(".")[-1]
            nxt = next(o for o in offsets if o > off)
            fsize = HSTATE_SIZES.get(leaf) if cpath.startswith("kvm_hstate.") else None
            fields.append(Field(sym, cpath, off, fsize or _natural_size(off, nxt - off)))
        return cls(size, fields)

    def field(self, name: str) -> Field | None:
        return self.by_name.get(name)

    def field_at(self, offset: int) -> Field | None:
        """The field covering a byte offset (the most specific one)."""
        best = None
        for f in self.fields:
            if f.offset <= offset < f.offset + f.size and (best is None or f.size < best.size):
                best = f
        return best


class PacaArray(Ram):
    """RAM holding one PACA per thread, stride PACA_SIZE."""

    def __init__(self, base: int, threads: int, layout: PacaLayout):
        super().__init__("paca", base, layout.size * threads)
        self.layout = layout
        self.threads = threads

    def addr_of(self, thread: int, name: str) -> int:
        f = self.layout.field(name)
        if f is None:
            raise KeyError(name)
        return self.base + thread * self.layout.size + f.offset

    def name_of(self, addr: int) -> str:
        """`paca[1].kvm_hstate.host_ipi` (with `+N` inside a wider field) for an address in the array."""
        t, off = divmod(addr - self.base, self.layout.size)
        f = self.layout.field_at(off)
        if f is None:
            return f"paca[{t}]+{off:#x}"
        extra = off - f.offset
        return f"paca[{t}].{f.path}" + (f"+{extra}" if extra else "")
