"""Memory and registers as gdb reads and writes them, over a DebugEngine.

Reads never disturb the machine: memory through Values.peek_bytes, as the debugger's own `x` (RAM and the PACA as
bytes, an ICP page as its registers' state, so reading XIRR never accepts). Writes go into the history as one
event each, as `set var` does (in the past, the recorded future is forgotten first). The code is not writable:
it runs as assembled (compiled blocks are made from it), so a changed word would silently not take effect; gdb
does not need to write it, since breakpoints are kept in the engine's table (Z0), never as trap words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ppcinterp.debug.errors import DebugError
from ppcinterp.gdbstub.regs import PC, Reg, state_value
from ppcinterp.machine.memory import Device, MemoryFault
from ppcinterp.run.journal import Step, change

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine

M64 = (1 << 64) - 1


class TargetError(Exception):
    """A request the target refuses: the reply is an error packet."""

    def __init__(self, code: int, why: str):
        super().__init__(why)
        self.code = code


EFAULT, EINVAL, EACCES = 0x0E, 0x16, 0x0D          # errno values as gdbserver's `E NN` replies use them


def read_memory(dbg: DebugEngine, addr: int, length: int) -> bytes:
    """Up to `length` bytes from addr: the readable prefix (empty when addr itself cannot be read)."""
    mem = dbg.machine.memory
    out = bytearray()
    a, end = addr, min(addr + length, M64 + 1)
    while a < end:
        r = mem.region_at(a)
        if r is None:
            break
        stop = min(end, r.base + r.size)
        try:
            out += dbg.values.peek_bytes(a, stop - a)
        except DebugError:                 # a device that cannot be read without side effects
            break
        a = stop
    return bytes(out)


def write_memory(dbg: DebugEngine, addr: int, data: bytes) -> None:
    """Write data at addr as one event of the history. RAM and the PACA take any bytes; a device page one
    aligned store of 1, 2, 4 or 8 bytes (an MFRR write presents an IPI, as a store would); the code none."""
    if not data:
        return
    n = len(data)
    if addr + n > M64 + 1:
        raise TargetError(EFAULT, "past the end of the address space")
    if dbg.session.engine.guard.covers(addr, n):
        raise TargetError(EACCES, f"{addr:#x} is in the code, which runs as assembled")
    mem = dbg.machine.memory
    r = mem.region_at(addr)
    device = isinstance(r, Device)
    if device and (n not in (1, 2, 4, 8) or addr % n):
        raise TargetError(EINVAL, f"a device page takes one aligned store of 1, 2, 4 or 8 bytes, not {n} at {addr:#x}")
    if not device:
        try:
            mem.read_bytes(addr, n)        # every byte RAM, or nothing is written
        except MemoryFault as e:
            raise TargetError(EFAULT, str(e)) from None
    dbg.leave_past()
    log: list = []
    dbg.machine.attach(log)
    try:
        if device:
            mem.write(addr, n, int.from_bytes(data, "big"), True)
        else:
            mem.write_bytes(addr, data)
    except MemoryFault as e:
        raise TargetError(EFAULT, str(e)) from None
    finally:
        dbg.machine.attach(None)
    if log:
        h = dbg.history
        h.record(Step(h.count, dbg.machine.current, None, None, [change(c) for c in log],
                      f"gdb wrote {n} byte{'s' * (n > 1)} at {addr:#x}"))
    dbg.refresh_watches()


def read_register(dbg: DebugEngine, thread: int, reg: Reg) -> bytes:
    value = dbg.pc if reg.regnum == PC else reg.get(dbg.machine.threads[thread])
    return value.to_bytes(reg.bits // 8, "big")


def write_register(dbg: DebugEngine, thread: int, reg: Reg, data: bytes) -> None:
    """Set a register as `set var` does (the pc is the core's: the thread that executes runs from it)."""
    if len(data) != reg.bits // 8:
        raise TargetError(EINVAL, f"{reg.name} takes {reg.bits // 8} bytes, not {len(data)}")
    if read_register(dbg, thread, reg) == data:
        return                              # unchanged: nothing to forget in the past
    value = int.from_bytes(data, "big")
    t = dbg.machine.threads[thread]
    target = "pc" if reg.regnum == PC else f"thread[{thread}].{reg.state}"
    try:
        dbg.assign(target, hex(state_value(reg, t, value)))
    except DebugError as e:
        raise TargetError(EINVAL, str(e)) from None
