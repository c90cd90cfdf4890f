"""The registers gdb sees: gdb's powerpc64 numbering and sizes (r0-r31 0-31, f0-f31 32-63, pc 64, msr 65, cr 66,
lr 67, ctr 68, xer 69, fpscr 70), then the AltiVec and VSX registers and our own feature with the hypervisor and
supervisor SPRs. The numbers are the `regnum`s of the target description (tdesc.py), so `g`, `p` and `P` use
them. Values are read straight from a thread's state; writes go through the engine (target.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ppcinterp.machine.state import CTR, LR, SPR_NAMES, XER, Thread

CORE, FPU, ALTIVEC, VSX = "org.gnu.gdb.power.core", "org.gnu.gdb.power.fpu", "org.gnu.gdb.power.altivec", \
    "org.gnu.gdb.power.vsx"
HV = "org.ppcinterp.hv"
VRSAVE = 256
# SPRs shown in their own features, or not plain state (the time base advances when read).
_NOT_HV = {XER, LR, CTR, VRSAVE, 268, 269}
M32 = (1 << 32) - 1


@dataclass(frozen=True)
class Reg:
    regnum: int
    name: str                        # gdb's name ($lpcr, info registers hsrr0)
    bits: int
    feature: str
    type: str                        # a target description type
    group: str | None
    get: Callable[[Thread], int]     # the value, from the thread's state (pc: the engine's)
    state: str                       # the engine's state name for a write (machine/names.py)


def _table() -> list[Reg]:
    regs: list[Reg] = []

    def add(name: str, bits: int, feature: str, type_: str, group: str | None, get: Callable[[Thread], int],
            state: str | None = None) -> None:
        regs.append(Reg(len(regs), name, bits, feature, type_, group, get, state or name))

    for i in range(32):
        add(f"r{i}", 64, CORE, "uint64", "general", lambda t, i=i: t.gpr[i])
    for i in range(32):
        add(f"f{i}", 64, FPU, "ieee_double", "float", lambda t, i=i: t.fpr[i])
    add("pc", 64, CORE, "code_ptr", "general", lambda t: 0)          # the engine's pc: see target.read_register
    add("msr", 64, CORE, "uint64", "general", lambda t: t.msr)
    add("cr", 32, CORE, "uint32", "general", lambda t: t.cr_word)
    add("lr", 64, CORE, "code_ptr", "general", lambda t: t.spr.get(LR, 0))
    add("ctr", 64, CORE, "uint64", "general", lambda t: t.spr.get(CTR, 0))
    add("xer", 32, CORE, "uint32", "general", lambda t: t.spr.get(XER, 0) & M32)
    add("fpscr", 64, FPU, "uint64", "float", lambda t: t.fpscr)
    for i in range(32):
        add(f"vr{i}", 128, ALTIVEC, "vec128", "vector", lambda t, i=i: t.vr[i], f"v{i}")
    add("vscr", 32, ALTIVEC, "uint32", "vector", lambda t: t.vscr)
    add("vrsave", 32, ALTIVEC, "uint32", "vector", lambda t: t.spr.get(VRSAVE, 0) & M32)
    for i in range(32):          # doubleword 1 of VSR i (doubleword 0 is f<i>): gdb joins them as $vs<i>
        add(f"vs{i}h", 64, VSX, "uint64", "vector", lambda t, i=i: t.vsr_lo[i], f"vs{i}")
    for n, name in sorted(SPR_NAMES.items(), key=lambda kv: kv[1]):
        if n not in _NOT_HV:
            add(name.lower(), 64, HV, "uint64", "system", lambda t, n=n: t.spr.get(n, 0))
    return regs


REGS = _table()
PC = next(r.regnum for r in REGS if r.name == "pc")
G_BYTES = sum(r.bits // 8 for r in REGS)      # a `g` reply's size in bytes


def state_value(reg: Reg, t: Thread, value: int) -> int:
    """What to write to the engine's state name for gdb's new value of reg (vs<i>h is half of vs<i>; xer and
    vrsave keep their upper half)."""
    if reg.feature == VSX:
        i = int(reg.name[2:-1])
        return (t.fpr[i] << 64) | value
    if reg.name == "xer":
        return (t.spr.get(XER, 0) & ~M32) | value
    if reg.name == "vrsave":
        return (t.spr.get(VRSAVE, 0) & ~M32) | value
    return value
