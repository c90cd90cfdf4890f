"""The XICS interrupt presentation controller (ICP) of one hardware thread, as a memory-mapped device.

Registers (FACTS.md §3, big-endian, reached with cache-inhibited accesses):
  0x0 XIRR_POLL  4-byte load: CPPR<<24 | XISR of what is presented, no side effect
  0x4 XIRR       4-byte load: accept (returns old CPPR<<24 | XISR; CPPR := its priority; it stops being
                 presented). 4-byte store: EOI (CPPR := top byte; the source in the low 24 bits is done).
                 1-byte store: set CPPR only.
  0xc MFRR       1 byte: the IPI's priority; 0xff = no IPI. An IPI (source 2) is presented when MFRR < CPPR.

The ICP remembers what it presents (`shown`: XISR and its priority), as QEMU's xirr/pending_priority and
KVM's xisr/pending_pri do. Every change (a source arriving, an MFRR, CPPR or EOI store, an accept) settles
it: what is presented stays unless it stopped being presentable (accepted, withdrawn, its MFRR changed,
CPPR raised to it) or something strictly more favoured became presentable -- a newcomer at the same priority
is rejected and stays pending (FACTS.md §3: "unless something at least as favoured is already pending";
QEMU's icp_irq and icp_check_ipi, KVM's icp_try_to_deliver). With nothing presented the most favoured
presentable one is chosen, the IPI first on a tie (both models check MFRR before the sources resend), then
the lowest source number. A presented IPI whose MFRR is withdrawn (0xff) stops being presented (this model's
choice: QEMU and KVM leave a stale XISR 2 until the next accept; the seed's code accepts before withdrawing).
Accepting with nothing presented returns CPPR<<24 | 0 and leaves CPPR as it is (KVM's emulation; QEMU
would set CPPR to 0xff, and the real-mode code never stores it back in that case).
"""

from __future__ import annotations

from collections.abc import Iterable

from ppcinterp.machine.memory import Device, MemoryFault
from ppcinterp.machine.state import Log

XIRR_POLL, XIRR, MFRR = 0x0, 0x4, 0xC
IPI_SOURCE = 2
PAGE = 0x1000
_REGISTERS = {(XIRR_POLL, 4, False), (XIRR, 4, False), (MFRR, 1, False), (XIRR, 1, False),
              (MFRR, 1, True), (XIRR, 4, True), (XIRR, 1, True)}


# Icp.state: CPPR, MFRR, the pending sources (number, priority), what it presents (source, priority).
IcpState = tuple[int, int, tuple[tuple[int, int], ...], tuple[int, int] | None]


class Icp(Device):
    def __init__(self, thread: int, base: int):
        self.name = f"icp[{thread}]"
        self.thread = thread
        self.base = base
        self.size = PAGE
        self.limit = base + PAGE
        self.cppr = 0xFF
        self.mfrr = 0xFF
        self.pending: tuple[tuple[int, int], ...] = ()      # external sources: (number, priority)
        self.shown: tuple[int, int] | None = None           # what it presents: (source, priority)
        self.log: Log | None = None

    # ---- state ----
    def presented(self) -> tuple[int, int] | None:
        """(source, priority) of the interrupt the ICP presents now, or None."""
        return self.shown

    def _presentable(self, p: tuple[int, int]) -> bool:
        src, prio = p
        if prio >= self.cppr:
            return False
        return self.mfrr == prio if src == IPI_SOURCE else p in self.pending

    def _settle(self) -> None:
        """After any change: keep what is presented unless it stopped being presentable or something strictly
        more favoured is; else present the most favoured (the IPI first on a tie, then the lowest source)."""
        best = (IPI_SOURCE, self.mfrr) if self.mfrr < self.cppr else None
        for p in self.pending:                  # sorted by source: the lowest wins a tie among sources
            if p[1] < self.cppr and (best is None or p[1] < best[1]):
                best = p
        cur = self.shown
        if cur is not None and best is not None and cur[1] <= best[1] and self._presentable(cur):
            return
        self._set("shown", best)

    def xirr(self) -> int:
        p = self.presented()
        return (self.cppr << 24) | (p[0] if p else 0)

    def _set(self, field: str, value: object) -> None:
        old = getattr(self, field)
        if old != value:
            if self.log is not None:
                self.log.append(("icp", (self, field), old, value))
            setattr(self, field, value)

    def undo(self, field: str, old: object) -> None:
        setattr(self, field, old)

    def raise_source(self, source: int, priority: int) -> None:
        """A device interrupt arrives at this ICP (used by scenarios and events)."""
        self._set("pending", tuple(sorted({*self.pending, (source, priority)})))
        self._settle()

    def set_pending(self, pairs: Iterable[tuple[int, int]]) -> None:
        """The external sources pending become exactly `pairs` ((source, priority) each, checked by the caller);
        one that was presented and is still pending stays presented."""
        self._set("pending", tuple(sorted(set(pairs))))
        self._settle()

    # ---- MMIO: a handler per (offset, size); the meaning's text is made only when asked (say) ----
    @staticmethod
    def register(offset: int, size: int, store: bool) -> bool:
        """Whether an access of this size at this offset reaches a register (else load/store fault)."""
        return (offset, size, store) in _REGISTERS

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
            self._settle()
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
            self._settle()
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
        self._set("shown", None)
        self._settle()
        return value, say and f"accept -> {value:#010x} ({self._what(src)}, CPPR {old:#04x} -> {prio:#04x})" or None

    def _eoi(self, value: int, say: bool) -> str | None:
        src = value & 0xFFFFFF
        self._set("cppr", (value >> 24) & 0xFF)
        self._settle()
        if not say:
            return None
        again = self.presented()
        after = f", {self._what(again[0])} presented" if again else ""
        return f"EOI {value:#010x} ({self._what(src)}; CPPR -> {self.cppr:#04x}{after})"

    @staticmethod
    def _what(src: int) -> str:
        return "nothing" if src == 0 else "IPI" if src == IPI_SOURCE else f"source {src:#x}"

    def reset(self, cppr: int = 0xFF, mfrr: int = 0xFF, pending: Iterable[tuple[int, int]] = ()) -> None:
        self.cppr, self.mfrr, self.pending, self.shown = cppr, mfrr, tuple(sorted(pending)), None
        log, self.log = self.log, None
        self._settle()
        self.log = log

    def state(self) -> IcpState:
        """What a snapshot keeps (restore puts it back)."""
        return self.cppr, self.mfrr, self.pending, self.shown

    def restore(self, state: IcpState) -> None:
        self.cppr, self.mfrr, self.pending, self.shown = state

    def describe(self) -> str:
        p = self.presented()
        pend = ", ".join(f"{s:#x}@{pr:#04x}" for s, pr in self.pending) or "none"
        shown = f"{self._what(p[0])} at {p[1]:#04x}" if p else "nothing"
        return f"CPPR {self.cppr:#04x}  MFRR {self.mfrr:#04x}  pending sources: {pend}  presenting: {shown}"
