"""The XICS interrupt presentation controller (ICP) of one hardware thread, as a memory-mapped device.

Registers (FACTS.md §3, big-endian, reached with cache-inhibited accesses):
  0x0 XIRR_POLL  4-byte load: CPPR<<24 | XISR of what is presented, no side effect
  0x4 XIRR       4-byte load: accept (returns old CPPR<<24 | XISR; CPPR := its priority; it stops being
                 presented). 4-byte store: EOI (CPPR := top byte; the source in the low 24 bits is done).
                 1-byte store: set CPPR only.
  0xc MFRR       1 byte: the IPI's priority; 0xff = no IPI. An IPI (source 2) is presented when MFRR < CPPR.

What is presented is derived from the state: the most favoured (numerically smallest) priority among the
pending external sources and the IPI that is strictly more favoured than CPPR; on a tie an external source
wins (it was "already pending"). Accepting with nothing presented returns CPPR<<24 | 0 and leaves CPPR as it
is (KVM's emulation; QEMU would set CPPR to 0xff, and the real-mode code never stores it back in that case).
"""

from __future__ import annotations

from ppcinterp.machine.memory import Device, MemoryFault

XIRR_POLL, XIRR, MFRR = 0x0, 0x4, 0xC
IPI_SOURCE = 2
PAGE = 0x1000


class Icp(Device):
    def __init__(self, thread: int, base: int):
        self.name = f"icp[{thread}]"
        self.thread = thread
        self.base = base
        self.size = PAGE
        self.cppr = 0xFF
        self.mfrr = 0xFF
        self.pending: tuple[tuple[int, int], ...] = ()      # external sources: (number, priority)
        self.log: list | None = None

    # ---- state ----
    def presented(self) -> tuple[int, int] | None:
        """(source, priority) of the interrupt the ICP presents now, or None."""
        best = None
        for src, prio in self.pending:
            if prio < self.cppr and (best is None or prio < best[1]):
                best = (src, prio)
        if self.mfrr < self.cppr and (best is None or self.mfrr < best[1]):
            best = (IPI_SOURCE, self.mfrr)
        return best

    def xirr(self) -> int:
        p = self.presented()
        return (self.cppr << 24) | (p[0] if p else 0)

    def _set(self, field: str, value) -> None:
        old = getattr(self, field)
        if old != value:
            if self.log is not None:
                self.log.append(("icp", (self, field), old, value))
            setattr(self, field, value)

    def undo(self, field: str, old) -> None:
        setattr(self, field, old)

    def raise_source(self, source: int, priority: int) -> None:
        """A device interrupt arrives at this ICP (used by scenarios and events)."""
        self._set("pending", tuple(sorted({*self.pending, (source, priority)})))

    # ---- MMIO: a handler per (offset, size); the meaning's text is made only when asked (say) ----
    def load(self, offset: int, size: int, say: bool = True) -> tuple[int, str | None]:
        if offset == XIRR and size == 4:
            return self._accept(say)
        if offset == XIRR_POLL and size == 4:
            v = self.xirr()
            return v, say and f"poll -> {v:#010x} ({self._what(v & 0xFFFFFF)})" or None
        if offset == MFRR and size == 1:
            return self.mfrr, say and f"MFRR -> {self.mfrr:#04x}" or None
        if offset == XIRR and size == 1:
            return self.cppr, say and f"CPPR -> {self.cppr:#04x}" or None
        raise MemoryFault(self.base + offset, size, False, f"no {size}-byte ICP register at offset {offset:#x}")

    def store(self, offset: int, size: int, value: int, say: bool = True) -> str | None:
        if offset == MFRR and size == 1:
            value &= 0xFF
            self._set("mfrr", value)
            if not say:
                return None
            if value == 0xFF:
                return "MFRR <- 0xff (IPI withdrawn)"
            state = "IPI presented" if self.presented() == (IPI_SOURCE, value) else "IPI not presented"
            return f"MFRR <- {value:#04x} ({state}, CPPR {self.cppr:#04x})"
        if offset == XIRR and size == 4:
            return self._eoi(value, say)
        if offset == XIRR and size == 1:
            old = self.cppr
            self._set("cppr", value & 0xFF)
            return say and f"CPPR <- {value & 0xFF:#04x} (was {old:#04x})" or None
        raise MemoryFault(self.base + offset, size, True, f"no {size}-byte ICP register at offset {offset:#x}")

    def _accept(self, say: bool) -> tuple[int, str | None]:
        p = self.presented()
        old = self.cppr
        value = (old << 24) | (p[0] if p else 0)
        if p is None:
            return value, say and f"accept -> {value:#010x} (nothing pending, CPPR stays {old:#04x})" or None
        src, prio = p
        self._set("cppr", prio)
        if src != IPI_SOURCE:
            self._set("pending", tuple(s for s in self.pending if s != p))
        return value, say and f"accept -> {value:#010x} ({self._what(src)}, CPPR {old:#04x} -> {prio:#04x})" or None

    def _eoi(self, value: int, say: bool) -> str | None:
        src = value & 0xFFFFFF
        self._set("cppr", (value >> 24) & 0xFF)
        if not say:
            return None
        again = self.presented()
        after = f", {self._what(again[0])} presented" if again else ""
        return f"EOI {value:#010x} ({self._what(src)}; CPPR -> {self.cppr:#04x}{after})"

    @staticmethod
    def _what(src: int) -> str:
        return "nothing" if src == 0 else "IPI" if src == IPI_SOURCE else f"source {src:#x}"

    def reset(self, cppr: int = 0xFF, mfrr: int = 0xFF, pending=()) -> None:
        self.cppr, self.mfrr, self.pending = cppr, mfrr, tuple(sorted(pending))

    def describe(self) -> str:
        p = self.presented()
        pend = ", ".join(f"{s:#x}@{pr:#04x}" for s, pr in self.pending) or "none"
        shown = f"{self._what(p[0])} at {p[1]:#04x}" if p else "nothing"
        return f"CPPR {self.cppr:#04x}  MFRR {self.mfrr:#04x}  pending sources: {pend}  presenting: {shown}"
