"""Kernel structures the assembly reaches through asm-offsets symbols, with fields named from the same table.

An asm-offsets.h (ours, or a kernel tree's generated one) carries the C expression of every value in a
comment: `#define VCPU_SLB_MAX 2944 /* offsetof(struct kvm_vcpu, arch.slb_max) */`. Each `offsetof(struct
S, PATH)` row is a field of S; `sizeof(struct S)` is its size; `STACK_FRAME_OVERHEAD+offsetof(struct pt_regs,
PATH)` a field of a stack frame. A field's size is known (below) or the widest aligned integer that fits
before the next field. Arrays are fields too: `arch.gpr` (VCPU_GPRS) is `arch.gpr[0..31]`, so VCPU_GPR(5)'s
address is named `vcpu.arch.gpr[5]`; `arch.slb[2].origv` names a field of an element.

Objects in memory are StructRegions: `count` copies of one struct `stride` bytes apart (one per thread, say),
named `OBJ.PATH` (or `OBJ[N].PATH` when there are several, or always for the PACA).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ppcinterp.machine.memory import Ram

# The objects a name can start with, and the struct each holds ("frame" is the host's stack frame).
FRAME = "stack frame"
OBJECTS: dict[str, str] = {"paca": "paca_struct", "vcpu": "kvm_vcpu", "vcore": "kvmppc_vcore", "kvm": "kvm",
                           "lppaca": "lppaca", "vpa": "lppaca", "slb_shadow": "slb_shadow", "frame": FRAME}
SYMBOL_PREFIX = {"paca_struct": "PACA*/HSTATE_*", "kvm_vcpu": "VCPU_*", "kvmppc_vcore": "VCORE_*",
                 "kvm": "KVM_*", "lppaca": "LPPACA_*", "slb_shadow": "SLBSHADOW_*", FRAME: "GPR*, _NIP, ..."}

# Field sizes the gap rule would get wrong (a u8 followed by padding, say), by struct and C path.
# struct kvmppc_host_state (FACTS.md §1), inside the PACA as kvm_hstate.
HSTATE_SIZES = {"host_r1": 8, "host_r2": 8, "host_msr": 8, "vmhandler": 8, "scratch0": 8, "scratch1": 8,
                "in_guest": 1, "restore_hid5": 1, "napping": 1, "hwthread_req": 1, "hwthread_state": 1,
                "host_ipi": 1, "kvm_vcpu": 8, "kvm_vcore": 8, "xics_phys": 8, "saved_xirr": 4, "dabr": 8,
                "host_purr": 8, "host_spurr": 8, "host_dscr": 8, "dec_expires": 8, "cfar": 8}
KNOWN_SIZES: dict[str, dict[str, int]] = {
    "paca_struct": {f"kvm_hstate.{k}": v for k, v in HSTATE_SIZES.items()},
    "kvm_vcpu": {"arch.ceded": 1, "arch.prodded": 1, "arch.vpa.dirty": 1, "vcpu_id": 4, "arch.ptid": 4,
                 "arch.slb_max": 4, "arch.slb_nr": 4, "arch.trap": 4, "arch.last_inst": 4},
    "kvmppc_vcore": {"entry_exit_count": 4, "nap_count": 4, "napping_threads": 4, "in_guest": 1},
    "lppaca": {"yield_count": 4, "pmcregs_in_use": 1},
}
# Array fields: (element size or the element's struct, element count or None for "up to the next field").
ARRAYS: dict[str, dict[str, tuple[int | str, int | None]]] = {
    "kvm_vcpu": {"arch.gpr": (8, 32), "arch.fpr": (8, 32), "arch.vr": (16, 32), "arch.vsr": (8, 64),
                 "arch.mmcr": (8, None), "arch.pmc": (4, 8), "arch.slb": ("kvmppc_slb", 64)},
    "paca_struct": {"kvm_hstate.host_mmcr": (8, 3), "kvm_hstate.host_pmc": (4, 8)},
    "slb_shadow": {"save_area": ("slb_shadow entry", 3)},          # SLB_NUM_BOLTED entries
    "kvm": {"arch.need_tlb_flush.bits": (8, None)},
}
# Element structs no asm-offsets row describes: (size, {field: (offset, size)}).
ELEMENTS = {"slb_shadow entry": (16, {"esid": (0, 8), "vsid": (8, 8)})}
MIN_SIZES = {"kvm_vcpu": 4096}     # the table names a few of its fields; code may touch the rest

_DEFINE = re.compile(r"^#define\s+(\w+)\s+(-?(?:0x[0-9a-fA-F]+|\d+))\s*(?:/\*\s*(.*?)\s*\*/)?", re.M)
_OFFSETOF = re.compile(r"offsetof\(\s*struct\s+(\w+)\s*,(.+)\)")
_SIZEOF = re.compile(r"sizeof\(\s*struct\s+(\w+)\s*\)")
_FRAME_FIELD = re.compile(r"STACK_FRAME_OVERHEAD\s*\+\s*offsetof\(\s*struct\s+pt_regs\s*,(.+)\)")
_FRAME_TAIL = re.compile(r"STACK_FRAME_OVERHEAD\s*\+\s*sizeof\(\s*struct\s+pt_regs\s*\)(\s*\+\s*\d+)?")
_INDEX = re.compile(r"(.+)\[(\d+)\]")
_ELEMENT = re.compile(r"(.+?)\[(0x[0-9a-fA-F]+|\d+)\](.*)")
# An ELFv1 frame starts with the back chain and the CR and LR save words (the ABI, not asm-offsets).
FRAME_HEADER = [("", "back_chain", 0), ("", "cr_save", 8), ("", "lr_save", 16)]


@dataclass(frozen=True, slots=True)
class Field:
    symbol: str       # HSTATE_HOST_IPI ('' for a field no symbol names)
    path: str         # kvm_hstate.host_ipi
    offset: int
    size: int         # of the whole field (an array: all its elements)
    elem: int = 0     # an array's element size
    of: StructLayout | None = None     # an array's element struct, when its fields are known


def natural_size(offset: int, gap: int) -> int:
    """A field of unknown type: the widest naturally aligned integer (1, 2, 4 or 8 bytes) that fits the gap
    before the next field, so that reading it never runs into its neighbour (the gap may be padding)."""
    size = 8
    while size > 1 and (size > gap or offset % size):
        size //= 2
    return size


class StructLayout:
    """The named fields of one struct for one kernel config."""

    def __init__(self, struct: str, size: int, fields: list[Field], aliases: Sequence[Field] = ()):
        self.struct = struct
        self.size = size
        self.fields = sorted(fields, key=lambda f: (f.offset, -f.size))
        self.by_name: dict[str, Field] = {}
        for f in [*aliases, *self.fields]:        # a field's own path wins over an alias spelling it
            if f.symbol:
                self.by_name[f.symbol] = f
            self.by_name[f.path] = f

    def field(self, name: str) -> Field | None:
        """A field by asm-offsets symbol or C path exactly as the table has it."""
        return self.by_name.get(name) or self.by_name.get(name.upper())

    def locate(self, name: str) -> tuple[str, int, int] | None:
        """(canonical path, offset, size) of a field, an array element (`arch.gpr[3]`, `VCPU_GPRS[3]`) or a
        field of one (`arch.slb[2].origv`); None if the struct has no such field. Raises LookupError for an
        index past the end of an array."""
        f = self.field(name)
        if f is not None:           # an alias (save_area[SLB_NUM_BOLTED-1].vsid) by the name output uses
            return (f.path if f in self.fields else self.name_at(f.offset) or f.path), f.offset, f.size
        m = _ELEMENT.fullmatch(name.replace(" ", ""))
        if m is None:
            return None
        arr = self.field(m.group(1))
        if arr is None or not arr.elem:
            return None
        i, rest = int(m.group(2), 0), m.group(3)
        count = arr.size // arr.elem
        if i >= count:
            raise LookupError(f"{arr.path} has {count} elements ({arr.path}[0] to {arr.path}[{count - 1}])")
        base = arr.offset + i * arr.elem
        here = f"{arr.path}[{i}]"
        if not rest:
            return here, base, arr.elem
        inner = arr.of.locate(rest[1:]) if arr.of is not None and rest.startswith(".") else None
        if inner is None:
            return None
        return f"{here}.{inner[0]}", base + inner[1], inner[2]

    def field_at(self, offset: int) -> Field | None:
        """The field covering a byte offset (the most specific one)."""
        best = None
        for f in self.fields:
            if f.offset <= offset < f.offset + f.size and (best is None or f.size < best.size):
                best = f
        return best

    def name_at(self, offset: int) -> str | None:
        """`arch.gpr[3]`, `arch.slb[2].origv`, `arch.dscr+4` for a byte offset; None between fields."""
        f = self.field_at(offset)
        if f is None:
            return None
        rel = offset - f.offset
        if not f.elem:
            return f.path + (f"+{rel}" if rel else "")
        i, rel = divmod(rel, f.elem)
        inner = f.of.name_at(rel) if f.of is not None else None
        return f"{f.path}[{i}]" + (f".{inner}" if inner else f"+{rel}" if rel else "")

    def paths(self) -> list[str]:
        return [f.path for f in self.fields]


# OffsetTable.from_file's, by (path as given, the file it names, mtime, size)
_TABLES: dict[tuple[str, str, int, int], OffsetTable] = {}


class OffsetTable:
    """Every row of an asm-offsets header, and the struct layouts they describe."""

    def __init__(self, path: str, rows: list[tuple[str, int, str]]):
        self.path = path
        self.rows = rows
        self.values = {name: value for name, value, _ in rows}
        self.layouts = _layouts(rows)

    @classmethod
    def from_file(cls, path: str | Path) -> OffsetTable:
        """The header's table, shared while the file is unchanged (every Session reads one; it is never changed)."""
        st = os.stat(path)
        key = (str(path), os.path.realpath(path), st.st_mtime_ns, st.st_size)
        table = _TABLES.get(key)
        if table is None:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
            table = cls(str(path), [(m.group(1), int(m.group(2), 0), m.group(3) or "")
                                    for m in _DEFINE.finditer(text)])
            if len(_TABLES) >= 64:
                _TABLES.clear()
            _TABLES[key] = table
        return table

    def layout(self, struct: str) -> StructLayout | None:
        return self.layouts.get(struct)


def count_rows(path: str | Path) -> int:
    """How many `#define NAME VALUE` rows a header has (a wrapper that only #includes another has none)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 0
    return sum(1 for m in _DEFINE.finditer(text) if m.group(3))


def _layouts(rows: list[tuple[str, int, str]]) -> dict[str, StructLayout]:
    entries: dict[str, list[tuple[str, str, int]]] = {FRAME: list(FRAME_HEADER)}
    sizes: dict[str, int] = {}
    for sym, value, what in rows:
        w = " ".join(what.split())
        if m := _OFFSETOF.fullmatch(w):
            entries.setdefault(m.group(1), []).append((sym, m.group(2).replace(" ", ""), value))
        elif m := _SIZEOF.fullmatch(w):
            sizes.setdefault(m.group(1), value)
        elif m := _FRAME_FIELD.fullmatch(w):
            entries[FRAME].append((sym, m.group(1).replace(" ", ""), value))
        elif _FRAME_TAIL.fullmatch(w) and sym.startswith("_"):     # _SRR0, _SRR1 (not SWITCH_FRAME_SIZE)
            entries[FRAME].append((sym, sym.lstrip("_").lower(), value))
    values = {name: value for name, value, _ in rows}
    if "PACA_SIZE" in values:
        sizes.setdefault("paca_struct", values["PACA_SIZE"])
    if "INT_FRAME_SIZE" in values:
        sizes[FRAME] = values["INT_FRAME_SIZE"]
    out: dict[str, StructLayout] = {}
    for name, (size, fields) in ELEMENTS.items():
        out[name] = StructLayout(name, size, [Field("", p, o, s) for p, (o, s) in fields.items()])
    for struct in sorted(entries, key=lambda s: s in ARRAYS):     # element structs before their arrays
        out[struct] = _layout(struct, entries[struct], sizes.get(struct), out)
    return out


def _layout(struct: str, entries: list[tuple[str, str, int]], size: int | None,
            done: dict[str, StructLayout]) -> StructLayout:
    arrays = ARRAYS.get(struct, {})
    plain: list[tuple[str, str, int]] = []
    aliases: list[tuple[str, str, int]] = []
    members: dict[str, list[tuple[int, str, int]]] = {}
    for sym, path, off in entries:
        if m := _INDEX.fullmatch(path):
            members.setdefault(m.group(1), []).append((int(m.group(2)), sym, off))
        elif "[" in path:
            aliases.append((sym, path, off))          # save_area[SLB_NUM_BOLTED-1].vsid: named via the array
        else:
            plain.append((sym, path, off))
    # An array: a known one (arch.gpr), or `gpr[0]`, `gpr[1]`... of one stride (a lone `fpr[0]`: elements of
    # natural size). starts: base -> (offset of element 0, symbol, element size or 0, count or None)
    starts: dict[str, tuple[int, str, int, int | None]] = {}
    for base, ms in members.items():
        ms.sort()
        (k0, sym0, off0), (k1, _, off1) = ms[0], ms[-1]
        elem, count = arrays.get(base, (0, None))
        width = _width(elem, done) or ((off1 - off0) // (k1 - k0) if k1 != k0 else 0)
        if k1 != k0 and (width <= 0 or any(o != off0 + (k - k0) * width for k, _, o in ms)):
            plain += [(s, f"{base}[{k}]", o) for k, s, o in ms]       # no common stride: separate fields
            continue
        starts[base] = (off0 - k0 * width, sym0, width, count)
        aliases += [(s, f"{base}[{k}]", o) for k, s, o in ms]
    for sym, path, off in plain:
        if path in arrays and path not in starts:
            elem, count = arrays[path]
            starts[path] = (off, sym, _width(elem, done), count)
    plain = [p for p in plain if p[1] not in starts]
    offsets = sorted({off for _, _, off in plain} | {s[0] for s in starts.values()} | ({size} if size else set()))

    tail = size or max([o + 8 for _, _, o in aliases], default=0)     # an alias may lie past the last field

    def gap(off: int) -> int:
        nxt = next((o for o in offsets if o > off), None)
        return nxt - off if nxt is not None else max(8, tail - off)

    known = KNOWN_SIZES.get(struct, {})
    fields = [Field(sym, path, off, known.get(path) or natural_size(off, gap(off))) for sym, path, off in plain]
    for base, (off, sym, width, count) in starts.items():
        elem = arrays.get(base, (0, None))[0]
        of = done.get(elem) if isinstance(elem, str) else None
        width = width or natural_size(off, gap(off))
        room = max(1, gap(off) // width)
        fields.append(Field(sym, base, off, width * (min(count, room) if count else room), width, of))
    alias_fields = [Field(sym, path, off, natural_size(off, gap(off))) for sym, path, off in aliases]
    end = max((f.offset + f.size for f in fields), default=0)
    if size is None:
        size = max(math.ceil(end / 8) * 8, MIN_SIZES.get(struct, 0))
    return StructLayout(struct, size, fields, alias_fields)


def _width(elem: int | str, done: dict[str, StructLayout]) -> int:
    """An array element's size: given, or its struct's (0 when unknown)."""
    if isinstance(elem, str):
        layout = done.get(elem)
        return layout.size if layout is not None else 0
    return elem


class StructRegion(Ram):
    """RAM holding `count` objects of one struct, `stride` bytes apart, each `at` bytes into its slot (a stack
    frame sits at the top of its thread's stack). Addresses are named `obj.arch.slb_max`, `obj[1]...`."""

    def __init__(self, name: str, obj: str, base: int, layout: StructLayout, count: int = 1,
                 stride: int | None = None, at: int = 0, indexed: bool | None = None):
        stride = stride or layout.size
        super().__init__(name, base, stride * count)
        self.obj, self.layout, self.count, self.stride, self.at = obj, layout, count, stride, at
        self.indexed = count > 1 if indexed is None else indexed

    def label(self, index: int) -> str:
        return f"{self.obj}[{index}]" if self.indexed else self.obj

    def address(self, index: int = 0) -> int:
        """The address of object `index` (what a pointer to it holds)."""
        return self.base + index * self.stride + self.at

    def addr_of(self, index: int, name: str) -> int:
        where = self.layout.locate(name)
        if where is None:
            raise KeyError(name)
        return self.address(index) + where[1]

    def name_of(self, addr: int) -> str:
        """`vcpu.arch.gpr[3]`, `paca[1].kvm_hstate.host_ipi`, `frame.gpr[3]`, or region+offset."""
        index, off = divmod(addr - self.base, self.stride)
        rel = off - self.at
        if 0 <= rel < self.layout.size:
            name = self.layout.name_at(rel)
            return f"{self.label(index)}." + name if name else f"{self.label(index)}+{rel:#x}"
        where = f"{self.name}[{index}]" if self.indexed else self.name
        return f"{where}+{off:#x}"
