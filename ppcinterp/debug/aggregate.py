"""Whole structures and arrays for `print`: `p paca.kvm_hstate`, `p paca[1]`, `p vcpu.arch`, `p icp`,
`p paca.kvm_hstate.host_pmc`, in gdb's shape: `{host_ipi = 0 '\\000', xics_phys = 0x3fffe00000000, ...}`,
nested structures in braces, arrays as `{0, 0, 0}` (`0 <repeats 12 times>` for a run of ten or more), p/x makes
every member hex.

The asm-offsets table gives a field's place and size, not its C type, so a field is typed by its size: 1 byte
an `unsigned char` (gdb's `u8`), 2, 4 and 8 bytes unsigned integers, and a field that holds an address (a
`*_ptr`, `*_phys`, a saved stack or TOC pointer, the vcpu and vcore pointers) a pointer, shown in hex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ppcinterp.debug.ctype import FIELD_TYPES, UCHAR, UINT, ULONG, VECTOR, VOID_P, CType, pointer, scalar
from ppcinterp.debug.expr import Val

if TYPE_CHECKING:
    from ppcinterp.debug.values import Values
    from ppcinterp.machine.structs import Field, StructLayout

REPEAT_THRESHOLD = 10          # gdb's `print repeats`
ELEMENT_LIMIT = 200            # gdb's `print elements`
POINTER_FIELDS = {"kvm_hstate.kvm_vcpu": "struct kvm_vcpu", "kvm_hstate.kvm_vcore": "struct kvmppc_vcore",
                  "lppaca_ptr": "struct lppaca", "slb_shadow_ptr": "struct slb_shadow",
                  "__current": "struct task_struct"}
ADDRESS_LIKE = re.compile(r"(^|\.)(\w+_ptr|\w+_phys|\w*_sp|host_r[12]|saved_r1|kstack|kernel_toc|kernelbase|vmhandler"
                          r"|stab_real|stab_addr)$")
OBJECT = re.compile(r"(\w+)(?:\[(\d+)\])?(?:\.(.+))?")


@dataclass
class Agg:
    """A structure (named members) or an array (members named None), with its size in bytes."""
    members: list[tuple[str | None, Val]] = field(default_factory=list)
    size: int = 0


def field_type(path: str, size: int) -> CType:
    """A field's type from its C path and size (see the module's note)."""
    if size == 8 and path in POINTER_FIELDS:
        return pointer(CType(POINTER_FIELDS[path], 0, kind="struct"))
    if size == 8 and ADDRESS_LIKE.search(path):
        return VOID_P
    return FIELD_TYPES.get(size, ULONG)


def lookup(values: Values, name: str) -> Val | None:
    """The structure or array a name means (paca, paca[1], paca.kvm_hstate, vcpu.arch, icp, icp[1],
    paca.kvm_hstate.host_pmc); None when it names no aggregate (a single field, a register...)."""
    m = OBJECT.fullmatch(name.strip())
    if m is None:
        return None
    obj, idx, path = m.group(1).lower(), m.group(2), m.group(3) or ""
    machine = values.machine
    if obj == "icp" and not path:
        n = values.thread_index(obj, idx)
        return _icp(values, n)
    region = machine.objects.get(obj)
    if region is None:
        return None
    n = values.thread_index(obj, idx, region.count)
    base = region.address(n)
    layout: StructLayout = region.layout
    whole = layout.field(path) if path else None
    if whole is not None and whole.elem:
        return _array(values, base, whole)
    if whole is not None:
        return None
    fields = [f for f in layout.fields if not path or f.path.startswith(path + ".")]
    if not fields:
        return None
    start = min(f.offset for f in fields) if path else 0
    end = max(f.offset + f.size for f in fields) if path else layout.size
    label = region.label(n) + (f".{path}" if path else "")
    st = CType(f"struct {layout.struct}" if not path else label, end - start, kind="struct")
    return Val(base + start, st, base + start, _struct(values, base, fields, len(path) + 1 if path else 0, end - start))


def _struct(values: Values, base: int, fields: list[Field], cut: int, size: int) -> Agg:
    """Members from fields whose paths (less `cut` characters) are `a`, `b.c`, ...: `b` becomes a member
    structure."""
    tree: dict = {}
    for f in fields:
        parts = f.path[cut:].split(".")
        node = tree
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                break
        else:
            node.setdefault(parts[-1], f)
    return _build(values, base, tree, size)


def _build(values: Values, base: int, tree: dict, size: int) -> Agg:
    agg = Agg(size=size)
    for name, item in tree.items():
        if isinstance(item, dict):
            agg.members.append((name, Val(0, CType(name, 0, kind="struct"), None, _build(values, base, item, 0))))
        else:
            agg.members.append((name, _member(values, base, item)))
    return agg


def _member(values: Values, base: int, f: Field) -> Val:
    if f.elem or f.size not in (1, 2, 4, 8):
        return _array(values, base, f)
    t = field_type(f.path, f.size)
    return Val(values.peek(base + f.offset, f.size), t, base + f.offset)


def _array(values: Values, base: int, f: Field) -> Val:
    elem = f.elem or (8 if f.size % 8 == 0 else 1)
    count = min(f.size // elem, ELEMENT_LIMIT + 1)
    agg = Agg(size=f.size)
    for i in range(count):
        at = base + f.offset + i * elem
        if f.of is not None:
            sub = _struct(values, at, f.of.fields, 0, elem)
            agg.members.append((None, Val(at, CType(f"struct {f.of.struct}", elem, kind="struct"), at, sub)))
        else:
            t = FIELD_TYPES.get(elem) or (VECTOR if elem == 16 else ULONG)      # vr[]: 128-bit registers
            agg.members.append((None, Val(values.peek(at, min(elem, t.size)), t, at)))
    return Val(base + f.offset, CType(f.path, f.size, kind="struct"), base + f.offset, agg)


def _icp(values: Values, n: int) -> Val:
    icp = values.machine.icps[n]
    pending = Agg([(None, Val(0, CType("pair", 0, kind="struct"), None,
                              Agg([("source", Val(s, UINT)), ("priority", Val(p, UCHAR))])))
                   for s, p in icp.pending])
    agg = Agg([("xirr", Val(icp.xirr(), UINT)), ("cppr", Val(icp.cppr, UCHAR)), ("mfrr", Val(icp.mfrr, UCHAR)),
               ("pending", Val(0, CType("pending", 0, kind="struct"), None, pending))], 16)
    return Val(icp.base, CType("struct icp", 16, kind="struct"), icp.base, agg)


def show(values: Values, x: Val, fmt: str | None) -> str:
    """An aggregate's members in gdb's shape."""
    agg: Agg = x.agg
    if not agg.members:
        return "{}"
    if agg.members[0][0] is None:
        return "{" + ", ".join(_runs(values, [v for _, v in agg.members], fmt)) + "}"
    return "{" + ", ".join(f"{name} = {_one(values, v, fmt)}" for name, v in agg.members) + "}"


def _one(values: Values, v: Val, fmt: str | None) -> str:
    if v.agg is not None:
        return show(values, v, fmt)
    sym = values.dbg.symbols.symbol(v.v) if v.t.kind == "ptr" and v.v and fmt in (None, "a") else ""
    return scalar(v.v, v.t, fmt, sym, top=False)


def _runs(values: Values, items: list[Val], fmt: str | None) -> list[str]:
    """Elements, a run of REPEAT_THRESHOLD or more equal ones as `X <repeats N times>`, ELEMENT_LIMIT at most."""
    texts = [_one(values, v, fmt) for v in items[:ELEMENT_LIMIT]]
    out, i = [], 0
    while i < len(texts):
        j = i
        while j < len(texts) and texts[j] == texts[i]:
            j += 1
        if j - i >= REPEAT_THRESHOLD:
            out.append(f"{texts[i]} <repeats {j - i} times>")
        else:
            out += texts[i:j]
        i = j
    if len(items) > ELEMENT_LIMIT:
        out[-1] += "..."
    return out
