"""Architected state of one hardware thread: GPRs, CR fields, SPRs (XER, LR and CTR among them), MSR,
and the FP/VMX/VSX state (FPRs, FPSCR, VRs, VSCR; VRSAVE is SPR 256).

Semantics closures write straight into these containers. Journaling costs nothing when off: the containers
are plain list/dict subclasses, and turning the journal on swaps their class for one whose __setitem__
also records (what, old, new) into the current step.
"""

from __future__ import annotations

from typing import Any

M64 = (1 << 64) - 1
XER, LR, CTR = 1, 8, 9
XER_SO, XER_OV, XER_CA = 1 << 31, 1 << 30, 1 << 29

# SPR numbers by kernel name (reg.h); an SPR without a name is still held and shown by number.
SPR_NAMES: dict[int, str] = {
    1: "XER", 8: "LR", 9: "CTR", 17: "DSCR", 18: "DSISR", 19: "DAR", 22: "DEC", 25: "SDR1", 26: "SRR0",
    27: "SRR1", 28: "CFAR", 29: "AMR", 136: "CTRLF", 152: "CTRLT", 157: "UAMOR", 256: "VRSAVE",
    268: "TB", 269: "TBU", 272: "SPRG0", 273: "SPRG1", 274: "SPRG2", 275: "SPRG3", 287: "PVR",
    304: "HSPRG0", 305: "HSPRG1", 306: "HDSISR", 307: "HDAR", 308: "SPURR", 309: "PURR", 310: "HDEC",
    312: "RMOR", 313: "HRMOR", 314: "HSRR0", 315: "HSRR1", 318: "LPCR", 319: "LPID", 336: "HMER",
    339: "HEIR", 349: "AMOR", 786: "MMCRA", 787: "PMC1", 788: "PMC2", 789: "PMC3", 790: "PMC4",
    791: "PMC5", 792: "PMC6", 793: "PMC7", 794: "PMC8", 795: "MMCR0", 798: "MMCR1", 1008: "HID0",
    1009: "HID1", 1012: "HID4", 1013: "DABR", 1014: "HID5", 1015: "DABRX", 1023: "PIR",
}
SPR_NUMBERS = {v: k for k, v in SPR_NAMES.items()}

# MSR bits by name (LSB-0 bit numbers), and LPCR bits the handler uses.
MSR_BITS = {"sf": 63, "hv": 60, "vec": 25, "vsx": 23, "ee": 15, "pr": 14, "fp": 13, "me": 12, "fe0": 11,
            "se": 10, "be": 9, "fe1": 8, "ir": 5, "dr": 4, "pmm": 2, "ri": 1, "le": 0}
LPCR_BITS = {"mer": 11, "pece0": 14, "pece1": 13, "pece2": 12, "lpes0": 3, "lpes1": 2, "hdice": 0}
SPR_BITS = {"MSR": MSR_BITS, "LPCR": LPCR_BITS}
# Every thread's MSR at reset: 64-bit (SF), hypervisor (HV), machine checks on (ME), as the real-mode
# hypervisor handlers run (an interrupt leaves these set). With SF = 0 the thread runs in 32-bit mode.
RESET_MSR = (1 << MSR_BITS["sf"]) | (1 << MSR_BITS["hv"]) | (1 << MSR_BITS["me"])


# FP/VMX/VSX. The 64 VSX registers overlay the others: VSR i (i < 32) is FPR i (doubleword 0) followed by
# vsr_lo[i] (doubleword 1); VSR 32+i is VR i. Only vsr_lo is stored apart, so the views cannot disagree.
# FPSCR is 64 bits as in ISA 2.06: DRN in bits 29:31, the classic 32-bit FPSCR in 32:63 (mffs reads it whole).
FPSCR_DRN = 0x7 << 32
FPSCR_WRITABLE = FPSCR_DRN | (0xFFFFFFFF & ~(1 << 11))      # bit 52 and bits 0:28 are reserved
VSCR_NJ, VSCR_SAT = 1 << 16, 1                               # the only VSCR bits the ISA defines
M128 = (1 << 128) - 1


def spr_name(n: int) -> str:
    return SPR_NAMES.get(n, f"SPR{n}")


# One recorded change, (what, key, old, new[, thread]) for the registers (other shapes for memory, devices, the
# time base and the SLB): the journal (run/journal.py) reads them by their first element. A log is their list.
Change = tuple[Any, ...]
Log = list[Change]


class Regs(list[int]):
    """GPRs (32 x 64-bit) or CR fields (8 x 4-bit)."""

    _log: Log | None        # set by Thread.attach (the recording class reads them)
    _what: str
    _thread: int


class Sprs(dict[int, int]):
    """SPRs by number."""

    _log: Log | None
    _what: str
    _thread: int


# While a journal is attached the containers become these; instances carry `_log`, `_what` and `_thread`.
# A thread's changes name the thread (a 5th element): an event may set another thread's registers.
class RecRegs(Regs):
    _log: Log
    # Only ever indexed by a register number, so int rather than list's SupportsIndex-or-slice overloads.
    def __setitem__(self, i: int, v: int) -> None:  # type: ignore[override]
        old = list.__getitem__(self, i)
        if old != v:
            self._log.append((self._what, i, old, v, self._thread))
        list.__setitem__(self, i, v)


class RecSprs(Sprs):
    _log: Log
    def __setitem__(self, k: int, v: int) -> None:
        old = dict.get(self, k, 0)
        if old != v:
            self._log.append(("spr", k, old, v, self._thread))
        dict.__setitem__(self, k, v)


# Thread.snapshot: GPRs, CR fields, SPRs, FPRs, VRs, MSR, reservation, (VSR doubleword 1s, FPSCR, VSCR).
ThreadSnapshot = tuple[tuple[int, ...], tuple[int, ...], dict[int, int], tuple[int, ...], tuple[int, ...], int,
                       int | None, tuple[tuple[int, ...], int, int]]


class Thread:
    """One hardware thread's registers. `index` is its thread number within the core."""

    def __init__(self, index: int):
        self.index = index
        self.gpr = Regs([0] * 32)
        self.cr = Regs([0] * 8)
        self.spr = Sprs()
        self.fpr = Regs([0] * 32)
        self.vr = Regs([0] * 32)
        self.vsr_lo = Regs([0] * 32)        # doubleword 1 of VSR 0-31; written only through set_vsr
        self._fpscr = 0
        self._vscr = 0
        self._msr = RESET_MSR
        self._reservation: int | None = None
        self._log: Log | None = None
        # what attach() switches: each container, its plain class and its recording class (made once: a
        # journaled run attaches and detaches every thread)
        self._swaps: tuple[tuple[Regs | Sprs, type, type], ...] = (
            (self.gpr, Regs, RecRegs), (self.cr, Regs, RecRegs), (self.fpr, Regs, RecRegs),
            (self.vr, Regs, RecRegs), (self.spr, Sprs, RecSprs))
        named: tuple[tuple[Regs | Sprs, str], ...] = ((self.gpr, "gpr"), (self.cr, "cr"), (self.fpr, "fpr"),
                                                     (self.vr, "vr"), (self.spr, "spr"))
        for reg, what in named:
            reg._log, reg._what, reg._thread = None, what, index

    # MSR is an attribute so that mtmsrd/rfid-style writes are journaled like the containers. The run loop and the
    # closures read `_msr` directly (MSR[SF], its top bit, picks the computation mode): it is always 64 bits.
    @property
    def msr(self) -> int:
        return self._msr

    @msr.setter
    def msr(self, v: int) -> None:
        v &= M64
        if self._log is not None and v != self._msr:
            self._log.append(("msr", None, self._msr, v, self.index))
        self._msr = v

    @property
    def reservation(self) -> int | None:
        """The address lwarx/ldarx reserved (None: no reservation); stwcx./stdcx. test and clear it."""
        return self._reservation

    @reservation.setter
    def reservation(self, v: int | None) -> None:
        if self._log is not None and v != self._reservation:
            self._log.append(("reservation", None, self._reservation, v, self.index))
        self._reservation = v

    @property
    def fpscr(self) -> int:
        return self._fpscr

    @fpscr.setter
    def fpscr(self, v: int) -> None:
        if self._log is not None and v != self._fpscr:
            self._log.append(("fpscr", None, self._fpscr, v, self.index))
        self._fpscr = v

    @property
    def vscr(self) -> int:
        return self._vscr

    @vscr.setter
    def vscr(self, v: int) -> None:
        if self._log is not None and v != self._vscr:
            self._log.append(("vscr", None, self._vscr, v, self.index))
        self._vscr = v

    def vsr(self, i: int) -> int:
        """VSX register i (0-63), 128 bits, from the FPR/VR it overlays."""
        if i < 32:
            return (list.__getitem__(self.fpr, i) << 64) | list.__getitem__(self.vsr_lo, i)
        return list.__getitem__(self.vr, i - 32)

    def set_vsr(self, i: int, v: int) -> None:
        """Write VSX register i; journaled as one ("vsr", i, old, new) change, so a trace names it vs<i>."""
        if self._log is not None:
            old = self.vsr(i)
            if old != v:
                self._log.append(("vsr", i, old, v, self.index))
        self._put_vsr(i, v)

    def set_fpr(self, i: int, v: int) -> None:
        """A scalar FP instruction's write of FPR i. Doubleword 1 of VSR i becomes 0: ISA 2.06 leaves it
        undefined, hardware writes 0, ISA 3.1 and QEMU define 0. Journaled as f<i>, or as vs<i> if that
        doubleword was not already 0."""
        if list.__getitem__(self.vsr_lo, i):
            self.set_vsr(i, v << 64)
        else:
            self.fpr[i] = v

    def _put_vsr(self, i: int, v: int) -> None:
        if i < 32:
            list.__setitem__(self.fpr, i, v >> 64)
            list.__setitem__(self.vsr_lo, i, v & M64)
        else:
            list.__setitem__(self.vr, i - 32, v)

    def attach(self, log: Log | None) -> None:
        """Start (log is a list) or stop (None) recording changes into `log`."""
        self._log = log
        for reg, plain, rec in self._swaps:
            reg.__class__ = plain if log is None else rec
            reg._log = log

    def undo(self, what: str, key: Any, old: Any) -> None:
        """Put back one recorded change (for reverse stepping); not itself recorded."""
        if what == "msr":
            self._msr = old
        elif what == "vsr":
            self._put_vsr(key, old)
        elif what in ("fpscr", "vscr"):
            setattr(self, "_" + what, old)
        elif what == "reservation":
            self._reservation = old
        elif what == "spr":
            if old == 0:
                dict.pop(self.spr, key, None)
            else:
                dict.__setitem__(self.spr, key, old)
        else:
            list.__setitem__(getattr(self, what), key, old)

    def reset(self) -> None:
        for reg in (self.gpr, self.fpr, self.vr, self.vsr_lo):
            list.__setitem__(reg, slice(None), [0] * 32)
        list.__setitem__(self.cr, slice(None), [0] * 8)
        dict.clear(self.spr)
        self._fpscr = self._vscr = 0
        self._msr = RESET_MSR
        self._reservation = None

    def snapshot(self) -> ThreadSnapshot:
        return (tuple(self.gpr), tuple(self.cr), dict(self.spr), tuple(self.fpr), tuple(self.vr), self._msr,
                self._reservation, (tuple(self.vsr_lo), self._fpscr, self._vscr))

    def restore(self, snap: ThreadSnapshot) -> None:
        gpr, cr, spr, fpr, vr, msr, res, (vsr_lo, self._fpscr, self._vscr) = snap
        list.__setitem__(self.vsr_lo, slice(None), vsr_lo)
        list.__setitem__(self.gpr, slice(None), gpr)
        list.__setitem__(self.cr, slice(None), cr)
        list.__setitem__(self.fpr, slice(None), fpr)
        list.__setitem__(self.vr, slice(None), vr)
        dict.clear(self.spr)
        dict.update(self.spr, spr)
        self._msr, self._reservation = msr, res

    @property
    def cr_word(self) -> int:
        c = 0
        for f in self.cr:
            c = (c << 4) | f
        return c
