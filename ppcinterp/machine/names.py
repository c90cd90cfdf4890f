"""State by name: the one resolver that scenarios, the Python API and the debugger share.

  r0..r31, f0..f31, v0..v31 and vs0..vs63 (128 bits; vs0-31 overlay f0-31, vs32-63 are v0-31), fpscr, vscr,
  vrsave, cr (32 bits), cr0..cr7, cr1.eq, xer, xer.so|ov|ca, lr, ctr, msr, msr.ee, any SPR by kernel
  name (lpcr, hsrr0, sprg2, ...) or number (spr318), lpcr.mer
  paca.FIELD / paca[N].FIELD         FIELD as a C path (kvm_hstate.host_ipi) or asm-offsets symbol
  vcpu.FIELD vcore.FIELD kvm.FIELD lppaca.FIELD vpa.FIELD slb_shadow.FIELD frame.FIELD (mapped by a preset or
                                     a scenario's [[memory]]): vcpu.arch.slb_max, vcpu.arch.gpr[3],
                                     vcpu.arch.slb[2].origv, VCPU_DSCR; OBJ[N].FIELD when there is one per thread
  icp.cppr|mfrr|xirr|pending / icp[N]....
  mem8[ADDR] mem16[ADDR] mem32[ADDR] mem64[ADDR]
  thread[N].NAME                     a register of another thread (default: the current thread)
Writes to ICP registers go through the device, so an MFRR write presents an IPI exactly as a store would.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ppcinterp.machine.core import Machine
from ppcinterp.machine.state import FPSCR_WRITABLE, M128, MSR_BITS, SPR_BITS, SPR_NUMBERS, VSCR_NJ, VSCR_SAT
from ppcinterp.machine.structs import OBJECTS, SYMBOL_PREFIX, StructRegion
from ppcinterp.machine.xics import IPI_SOURCE, MFRR, XIRR

CR_BITS = {"lt": 8, "gt": 4, "eq": 2, "so": 1}
XER_BITS = {"so": 31, "ov": 30, "ca": 29}
SPR_ALIASES = {"lr": 8, "ctr": 9, "xer": 1}


MAX_PENDING = 1024        # external sources pending at one ICP: far more than a test needs, few enough to be quick


class StateNameError(LookupError):
    """An unknown or malformed state name (the message says what is accepted)."""


class StateValueError(ValueError):
    """A value of the wrong kind or range for a name (the message says what the name takes)."""


def pending_pairs(value: object, number: Callable[[object], int] | None = None) -> tuple[tuple[int, int], ...]:
    """`icp.pending`'s value checked: a list of [source, priority] pairs of integers (`number` turns anything
    else in a pair -- a constant's name -- into one, or raises), 24-bit sources other than 0 (nothing) and 2
    (the IPI), 8-bit priorities, at most MAX_PENDING pairs."""
    if not isinstance(value, list | tuple):
        raise StateValueError(f"needs a list of [source, priority] pairs, not {kind_of(value)}")
    if len(value) > MAX_PENDING:
        raise StateValueError(f"has {len(value)} pairs; an ICP takes at most {MAX_PENDING} pending sources")
    out: list[tuple[int, int]] = []
    for i, pair in enumerate(value):
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise StateValueError(f"entry {i} must be a [source, priority] pair, not {kind_of(pair)}")
        src, prio = (x if _is_int(x) or number is None else number(x) for x in pair)
        if not (_is_int(src) and _is_int(prio)):
            raise StateValueError(f"entry {i} must be a pair of integers, not [{kind_of(pair[0])}, {kind_of(pair[1])}]")
        if not 0 < src <= 0xFFFFFF or src == IPI_SOURCE:
            raise StateValueError(f"entry {i}: source {src:#x} is not a device source (1 to 0xffffff; 0 means "
                                  f"nothing and {IPI_SOURCE} is the IPI: set icp.mfrr for that)")
        if not 0 <= prio <= 0xFF:
            raise StateValueError(f"entry {i}: priority {prio:#x} is not 0 to 0xff")
        out.append((src, prio))
    return tuple(out)


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def kind_of(v: object) -> str:
    """A value's kind as messages name it (TOML's words)."""
    return {bool: "a boolean", int: "an integer", str: "a string", list: "a list", tuple: "a list",
            dict: "a table", float: "a float"}.get(type(v), type(v).__name__)


@dataclass
class Ref:
    """A resolved name: read and write functions, and the width in bits (for display and checks)."""

    name: str
    get: Callable[[], Any]        # an int; icp.pending's (bits 0) a tuple of (source, priority) pairs
    set: Callable[[Any], None]    # takes what get gives
    bits: int = 64
    addr: int | None = None       # the memory behind the name (None: a register or device)


_THREAD = re.compile(r"thread\[(\d+)\]\.(.+)")
_INDEXED = re.compile(r"(paca|icp)(?:\[(\d+)\])?\.(.+)")
_MEM = re.compile(r"mem(8|16|32|64)\[(.+)\]")
_OBJECT = re.compile(r"([a-z_]+)(?:\[(\d+)\])?\.(.+)")


def spr_number(name: str) -> int | None:
    n = name.lower()
    if n in SPR_ALIASES:
        return SPR_ALIASES[n]
    if n.startswith("spr") and n[3:].isdigit():
        return int(n[3:])
    return SPR_NUMBERS.get(name.upper())


def resolve(m: Machine, name: str) -> Ref:
    if len(name) > 1000:
        raise StateNameError(f"'{name[:40]}...' is {len(name)} characters: too long for a state name")
    text = name.strip().lstrip("$")
    key = text.lower()
    t = m.thread
    mt = _THREAD.fullmatch(key)
    if mt:
        thread = int(mt.group(1))
        if thread >= len(m.threads):
            raise StateNameError(f"thread {thread} does not exist (the core has {len(m.threads)})")
        saved, m.current = m.current, thread
        try:
            return resolve(m, mt.group(2))
        finally:
            m.current = saved
    mi = _INDEXED.fullmatch(text) or _INDEXED.fullmatch(key)
    if mi:
        which, idx, rest = mi.group(1).lower(), mi.group(2), mi.group(3)
        n = int(idx) if idx is not None else m.current
        if n >= len(m.threads):
            raise StateNameError(f"{which}[{n}] does not exist (the core has {len(m.threads)} threads)")
        return _paca(m, n, rest) if which == "paca" else _icp(m, n, rest.lower())
    mo = _OBJECT.fullmatch(text)
    if mo and mo.group(1) in OBJECTS:
        return _object(m, mo.group(1), mo.group(2), mo.group(3))
    mm = _MEM.fullmatch(key)
    if mm:
        size = int(mm.group(1)) // 8
        try:
            addr = int(mm.group(2), 0)
        except ValueError:
            raise StateNameError(f"'{mm.group(2)}' is not an address") from None
        mask = (1 << (8 * size)) - 1
        return Ref(text, lambda: m.memory.read(addr, size), lambda v: m.memory.write(addr, size, v & mask), 8 * size,
                   addr)
    if re.fullmatch(r"r([0-9]|[12][0-9]|3[01])", key):
        i = int(key[1:])
        return Ref(key, lambda: t.gpr[i], lambda v: t.gpr.__setitem__(i, v & (2**64 - 1)))
    if re.fullmatch(r"f([0-9]|[12][0-9]|3[01])", key):
        i = int(key[1:])
        return Ref(key, lambda: t.fpr[i], lambda v: t.fpr.__setitem__(i, v & (2**64 - 1)))
    if re.fullmatch(r"v([0-9]|[12][0-9]|3[01])", key):
        i = int(key[1:])
        return Ref(key, lambda: t.vr[i], lambda v: t.vr.__setitem__(i, v & M128), 128)
    if re.fullmatch(r"vs([0-9]|[1-5][0-9]|6[0-3])", key):
        i = int(key[2:])
        return Ref(key, lambda: t.vsr(i), lambda v: t.set_vsr(i, v & M128), 128)
    if key == "fpscr":         # reserved bits read as 0 (as mtfsf leaves them)
        return Ref(key, lambda: t.fpscr, lambda v: setattr(t, "fpscr", v & FPSCR_WRITABLE))
    if key == "vscr":
        return Ref(key, lambda: t.vscr, lambda v: setattr(t, "vscr", v & (VSCR_NJ | VSCR_SAT)), 32)
    if key == "cr":
        def set_cr(v: int) -> None:
            for i in range(8):
                t.cr[i] = (v >> (28 - 4 * i)) & 0xF
        return Ref(key, lambda: t.cr_word, set_cr, 32)
    if re.fullmatch(r"cr[0-7]", key):
        i = int(key[2])
        return Ref(key, lambda: t.cr[i], lambda v: t.cr.__setitem__(i, v & 0xF), 4)
    mc = re.fullmatch(r"cr([0-7])\.(lt|gt|eq|so)", key)
    if mc:
        i, crb = int(mc.group(1)), CR_BITS[mc.group(2)]
        return Ref(key, lambda: int(bool(t.cr[i] & crb)),
                   lambda v: t.cr.__setitem__(i, (t.cr[i] | crb) if v else (t.cr[i] & ~crb)), 1)
    if key == "msr":
        return Ref(key, lambda: t.msr, lambda v: setattr(t, "msr", v & (2**64 - 1)))
    base, _, bit = key.partition(".")
    if bit:
        return _bit(m, key, base, bit)
    spr = spr_number(key)
    if spr is not None:
        mask = 0xFFFFFFFF if spr == 1 else 2**64 - 1
        return Ref(key, lambda: t.spr.get(spr, 0), lambda v: t.spr.__setitem__(spr, v & mask))
    raise StateNameError(f"unknown name '{name}' (expected a register such as r3, f0, v2, vs33, fpscr, cr0, xer.ca, "
                     "msr.ee, lpcr.mer, an SPR name, paca.FIELD, vcpu.FIELD, icp.mfrr or mem64[ADDR])")


def _bit(m: Machine, key: str, base: str, bit: str) -> Ref:
    table: dict[str, int] | None
    if base == "xer":
        table = XER_BITS
    elif base == "msr":
        table = MSR_BITS
    else:
        table = SPR_BITS.get(base.upper())
    if table is None or bit not in table:
        known = ", ".join(sorted(table)) if table else "none"
        raise StateNameError(f"unknown bit '{bit}' of {base} (known: {known})")
    whole = resolve(m, base)
    b = table[bit]
    return Ref(key, lambda: (whole.get() >> b) & 1,
               lambda v: whole.set((whole.get() | (1 << b)) if v else (whole.get() & ~(1 << b))), 1)


def _paca(m: Machine, n: int, field: str) -> Ref:
    return _field(m, m.paca, n, field, "the PACA")


def _object(m: Machine, obj: str, idx: str | None, field: str) -> Ref:
    """vcpu.arch.slb_max, vcpu[1].VCPU_DSCR, frame.gpr[3]: a field of a named object in memory."""
    region = m.objects.get(obj)
    if region is None:
        struct = OBJECTS[obj]
        why = ""
        if m.offsets is not None and m.offsets.layout(struct) is None:
            why = f"; besides, {m.offsets.path} has no {SYMBOL_PREFIX[struct]} rows (struct {struct})"
        raise StateNameError(f"there is no {obj} in memory: use preset = \"guest-running\" or map one with "
                             f"[[memory]] name = \"{obj}\"{why}")
    n = int(idx) if idx is not None else m.current if region.count > 1 else 0
    if n >= region.count:
        raise StateNameError(f"{obj}[{n}] does not exist (there {'is' if region.count == 1 else 'are'} "
                             f"{region.count})")
    return _field(m, region, n, field, f"the {obj} (struct {region.layout.struct})")


def _field(m: Machine, region: StructRegion, n: int, field: str, what: str) -> Ref:
    layout = region.layout
    try:
        where = layout.locate(field)
    except LookupError as e:
        raise StateNameError(f"{what}: {e}") from None
    if where is None:
        leaf = field.split(".")[-1].split("[")[0]
        close = difflib.get_close_matches(field, layout.paths(), 3, 0.7) or [
            p.path for p in layout.fields if leaf and leaf in p.path][:5]
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise StateNameError(f"{what} has no field '{field}'{hint}")
    path, offset, size = where
    addr = region.address(n) + offset
    size = size if size in (1, 2, 4, 8) else 8
    return Ref(f"{region.label(n)}.{path}", lambda: m.memory.read(addr, size),
               lambda v: m.memory.write(addr, size, v & ((1 << (8 * size)) - 1)), 8 * size, addr)


def _icp(m: Machine, n: int, reg: str) -> Ref:
    icp = m.icps[n]

    def store(offset: int, size: int) -> Callable[[int], None]:
        return lambda v: icp.write(icp.base + offset, size, v & ((1 << (8 * size)) - 1), True, m.memory)

    if reg == "mfrr":
        return Ref(f"icp[{n}].mfrr", lambda: icp.mfrr, store(MFRR, 1), 8)
    if reg == "cppr":
        return Ref(f"icp[{n}].cppr", lambda: icp.cppr, store(XIRR, 1), 8)
    if reg == "xirr":
        return Ref(f"icp[{n}].xirr", icp.xirr, store(XIRR, 4), 32)
    if reg == "pending":                 # bits 0: a list of pairs, not a number
        return Ref(f"icp[{n}].pending", lambda: icp.pending, lambda v: icp.set_pending(pending_pairs(v)), 0)
    raise StateNameError(f"unknown ICP register '{reg}' (known: cppr, mfrr, xirr, pending)")
