"""Presets: the machine laid out and linked the way the kernel has it at a given moment.

`guest-running`: HV KVM has entered a guest on every thread of the core (the moment the guest takes an
interrupt into kvmppc_interrupt, say). Objects, each a named region on pages of its own (addresses from
0x0300_0000 upward, the first free pages; `info regions` and trace headers list them):

| object        | struct       | how many     | linked from                                             |
|---------------|--------------|--------------|---------------------------------------------------------|
| vcpu[t]       | kvm_vcpu     | one a thread | paca[t].kvm_hstate.kvm_vcpu                             |
| vcore         | kvmppc_vcore | one          | paca[t].kvm_hstate.kvm_vcore, vcpu.arch.vcore (if known) |
| kvm           | kvm          | one          | vcpu.kvm (VCPU_KVM), vcore.kvm (if known)               |
| lppaca[t]     | lppaca       | one a thread | paca[t].lppaca_ptr (the host's)                         |
| vpa[t]        | lppaca       | one a vcpu   | vcpu.arch.vpa.pinned_addr (the guest's registered VPA)  |
| slb_shadow[t] | slb_shadow   | one a thread | paca[t].slb_shadow_ptr                                  |
| frame[t]      | stack frame  | one a thread | r1, kvm_hstate.host_r1 (region "stack": 16 KiB, 1 KiB below the top) |

(`vcpu[t]` is named `vcpu` when there is one thread; "if known": if the asm-offsets table has the field.)

Values (a scenario's [state] is applied after the preset, so it states only what differs):

| state                                   | value                                                  |
|-----------------------------------------|--------------------------------------------------------|
| r1, paca.kvm_hstate.host_r1             | &frame[t]                                              |
| r2, paca.kernel_toc, kvm_hstate.host_r2 | the program's TOC base (.toc + 0x8000), if it has one  |
| paca.emergency_sp                       | the middle of thread t's stack region                  |
| paca.kvm_hstate.in_guest                | KVM_GUEST_MODE_GUEST                                   |
| paca.kvm_hstate.host_msr                | SF | HV | EE | ME | IR | DR | RI (the host kernel's)  |
| paca.kvm_hstate.vmhandler               | 0xc000000000008000 (the host resumes there; not modelled) |
| msr                                     | SF | HV | ME (the host's, as the interrupt leaves it)  |
| hsprg0                                  | &paca[t]                                               |
| lpid                                    | kvm.arch.lpid = 1 (the guest's partition)             |
| vcpu.vcpu_id, vcpu.arch.ptid, vcpu.cpu  | t                                                      |
| vcpu.arch.slb_nr / slb_max              | 32 (POWER7's SLB) / 0 (no guest SLB entries)           |
| vcpu.arch.shregs.msr                    | SF | EE | ME | IR | DR | RI (a guest kernel running)   |
| vcore.entry_exit_count                  | N threads entered, none exited (N in the low byte)     |
| vcore.in_guest                          | 1                                                      |
| kvm.arch.host_lpid                      | 0                                                      |
| slb_shadow.save_area[0], [2]            | bolted: linear map (ESID 0xc...), the stack's segment; VSIDs made up |

Only the paca, vcpu, vcore and kvm layouts are required (a missing one, or a missing link field, is an error
naming it); objects and fields the asm-offsets table lacks are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, overload

from ppcinterp.diagnostics import PpcError
from ppcinterp.machine.core import Machine
from ppcinterp.machine.state import MSR_BITS, RESET_MSR, SPR_NUMBERS
from ppcinterp.machine.structs import SYMBOL_PREFIX, StructLayout, StructRegion

STACK_SIZE = 16 * 1024          # THREAD_SIZE on ppc64
FRAME_AT = STACK_SIZE - 1024    # the host frame, with room above for its caller's and below for callees'
GUEST_LPID = 1
SLB_ENTRIES = 32                # POWER7
ESID_V = 0x0800_0000            # SLB_ESID_V
KERNEL_ESID = 0xC000_0000_0000_0000


def _bits(*names: str) -> int:
    return sum(1 << MSR_BITS[n] for n in names)


HOST_MSR = RESET_MSR                                    # SF | HV | ME, as the interrupt leaves it: real mode
HOST_KERNEL_MSR = _bits("sf", "hv", "ee", "me", "ir", "dr", "ri")   # the host kernel's, saved at guest entry
VMHANDLER = 0xC000_0000_0000_8000      # the host's return point after a guest exit (a kernel text address)
GUEST_MSR = _bits("sf", "ee", "me", "ir", "dr", "ri")


class _Writer:
    """Writes fields of mapped objects; a required field the table lacks is an error naming it."""

    def __init__(self, m: Machine, preset: str, table: str):
        self.m, self.preset, self.table = m, preset, table

    def put(self, region: StructRegion, index: int, path: str, value: int, required: bool = False) -> None:
        where = region.layout.locate(path)
        if where is None:
            if required:
                raise PpcError(f"preset {self.preset} needs {region.obj}.{path} ({region.layout.struct}), which "
                               f"{self.table} does not define")
            return
        _, off, size = where
        size = size if size in (1, 2, 4, 8) else 8
        self.m.memory.write(region.address(index) + off, size, value & ((1 << 8 * size) - 1))


def guest_running(m: Machine, constant: Callable[[str], int | None], toc: int | None) -> None:
    table = m.offsets
    path = table.path if table is not None else "the asm-offsets table"

    @overload
    def layout(struct: str, required: Literal[True]) -> StructLayout: ...
    @overload
    def layout(struct: str, required: Literal[False]) -> StructLayout | None: ...

    def layout(struct: str, required: bool) -> StructLayout | None:
        lay = table.layout(struct) if table is not None else None
        if lay is None and required:
            raise PpcError(f"preset guest-running needs struct {struct} ({SYMBOL_PREFIX.get(struct, struct)} rows), "
                           f"which {path} does not define")
        return lay

    n = len(m.threads)
    w = _Writer(m, "guest-running", path)
    try:
        vcpu = m.map_object("vcpu", layout("kvm_vcpu", True), count=n)
        vcore = m.map_object("vcore", layout("kvmppc_vcore", True))
        kvm = m.map_object("kvm", layout("kvm", True))
        lppaca = m.map_object("lppaca", lay, count=n) if (lay := layout("lppaca", False)) else None
        vpa = m.map_object("vpa", lay, count=n) if lay else None
        shadow = m.map_object("slb_shadow", lay, count=n) if (lay := layout("slb_shadow", False)) else None
        stack = m.map_object("frame", layout("stack frame", True), count=n, stride=STACK_SIZE, at=FRAME_AT,
                             region="stack")
    except ValueError as e:
        raise PpcError(f"preset guest-running: {e}") from None
    guest = constant("KVM_GUEST_MODE_GUEST")
    paca = m.paca
    for t, th in enumerate(m.threads):
        r1 = stack.address(t)
        w.put(paca, t, "kvm_hstate.kvm_vcpu", vcpu.address(t), True)
        w.put(paca, t, "kvm_hstate.kvm_vcore", vcore.address(), True)
        w.put(paca, t, "kvm_hstate.in_guest", 1 if guest is None else guest, True)
        w.put(paca, t, "kvm_hstate.host_r1", r1, True)
        w.put(paca, t, "kvm_hstate.host_msr", HOST_KERNEL_MSR)
        w.put(paca, t, "kvm_hstate.vmhandler", VMHANDLER)
        if lppaca is not None:
            w.put(paca, t, "lppaca_ptr", lppaca.address(t))
        if shadow is not None:
            w.put(paca, t, "slb_shadow_ptr", shadow.address(t))
            w.put(shadow, t, "save_area[0].esid", KERNEL_ESID | ESID_V | 0)
            w.put(shadow, t, "save_area[0].vsid", 0x0000_0000_0040_0400)
            w.put(shadow, t, "save_area[2].esid", (r1 & ~0xFFF_FFFF) | ESID_V | 2)
            w.put(shadow, t, "save_area[2].vsid", 0x0000_0000_0080_0400)
        w.put(paca, t, "emergency_sp", stack.base + t * STACK_SIZE + STACK_SIZE // 2)
        if toc is not None:
            w.put(paca, t, "kernel_toc", toc)
            w.put(paca, t, "kvm_hstate.host_r2", toc)
            th.gpr[2] = toc
        th.gpr[1] = r1
        th.msr = HOST_MSR
        th.spr[SPR_NUMBERS["HSPRG0"]] = paca.address(t)
        th.spr[SPR_NUMBERS["LPID"]] = GUEST_LPID
        w.put(vcpu, t, "kvm", kvm.address(), True)
        w.put(vcpu, t, "arch.vcore", vcore.address())
        w.put(vcpu, t, "vcpu_id", t)
        w.put(vcpu, t, "arch.ptid", t)
        w.put(vcpu, t, "cpu", t)
        w.put(vcpu, t, "arch.slb_nr", SLB_ENTRIES)
        w.put(vcpu, t, "arch.shregs.msr", GUEST_MSR)
        if vpa is not None:
            w.put(vcpu, t, "arch.vpa.pinned_addr", vpa.address(t))
    w.put(vcore, 0, "kvm", kvm.address())
    w.put(vcore, 0, "entry_exit_count", n)
    w.put(vcore, 0, "in_guest", 1)
    w.put(kvm, 0, "arch.lpid", GUEST_LPID)
    w.put(kvm, 0, "arch.host_lpid", 0)


PRESETS: dict[str, Callable[[Machine, Callable[[str], int | None], int | None], None]] = {
    "guest-running": guest_running,
}


def apply(m: Machine, name: str, constant: Callable[[str], int | None], toc: int | None) -> None:
    fn = PRESETS.get(name)
    if fn is None:
        raise PpcError(f"unknown preset '{name}' (known: {', '.join(PRESETS)})")
    fn(m, constant, toc)
