"""Physical memory: big-endian, sparse, made of regions (RAM, the PACA array, device pages).

Lookup is by 4 KiB page so that a load costs one dict probe and one struct unpack. Device regions receive
the access size and whether the access was cache-inhibited; every device access is described in the journal.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ppcinterp.machine.state import Log

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
_FMT = {1: struct.Struct(">B"), 2: struct.Struct(">H"), 4: struct.Struct(">I"), 8: struct.Struct(">Q")}
_UNPACK: dict[int, Callable[[bytes | bytearray, int], tuple[int]]] = {n: s.unpack_from for n, s in _FMT.items()}


class MemoryFault(Exception):
    """An access to an address no region maps (or that a device refuses)."""

    def __init__(self, addr: int, size: int, write: bool, why: str = "unmapped"):
        super().__init__(f"{self.access(addr, size, write)}: {why}")
        self.addr, self.size, self.write, self.why = addr, size, write, why

    @staticmethod
    def access(addr: int, size: int, write: bool) -> str:
        return f"{'store' if write else 'load'} of {size} byte{'s' * (size > 1)} at {addr:#x}"


class Region:
    name: str
    base: int
    size: int

    @property
    def end(self) -> int:
        return self.base + self.size

    if TYPE_CHECKING:
        # What Memory reads of every region (Ram and Device define them).
        limit: int                                 # base + size
        plain: bool                                # RAM: a load may read its bytes directly
        def read(self, addr: int, size: int, ci: bool, mem: Memory) -> int: ...
        def write(self, addr: int, size: int, value: int, ci: bool, mem: Memory) -> None: ...


R = TypeVar("R", bound=Region)


class TrackedBytes(bytearray):
    """RAM contents that remember which 4 KiB pages (by offset) were written since the machine last took or
    restored a snapshot, so that a restore copies back only those. Item and slice assignment (the journal's
    undo, image loading) mark pages here; writers through the buffer protocol (struct.pack_into, memoryview)
    must call mark() themselves, as Ram.write does."""

    __slots__ = ("dirty",)

    def __init__(self, size: int):
        super().__init__(size)
        self.dirty: set[int] = set()

    def mark(self, off: int, size: int) -> None:
        self.dirty.update(range(off >> PAGE_SHIFT, ((off + size - 1) >> PAGE_SHIFT) + 1))

    # Indexed by an int or a slice only (not any SupportsIndex): bytearray's two overloads as one signature, the
    # value as either overload takes it.
    def __setitem__(self, key: int | slice, value: Any) -> None:  # type: ignore[override]
        if isinstance(key, slice):
            start, stop, step = key.indices(len(self))
            if step != 1:
                self.mark(0, len(self))
            elif stop > start:
                self.mark(start, stop - start)
        else:
            self.mark(key % len(self), 1)
        super().__setitem__(key, value)


@dataclass
class Ram(Region):
    name: str
    base: int
    size: int

    def __post_init__(self) -> None:
        self.data = TrackedBytes(self.size)
        self.dirty = self.data.dirty            # pages written since the last snapshot/restore (Machine)
        self.limit = self.base + self.size      # plain attributes: read on every access
        self.plain = True
        # what a compiled block accesses it through (run/blocks.py CodeGuard.region): made once
        self.inline = (self.data, self.base, self.dirty.add, self.dirty.update)

    def read(self, addr: int, size: int, ci: bool, mem: Memory) -> int:
        v: int = _FMT[size].unpack_from(self.data, addr - self.base)[0]
        if mem.log is not None:
            mem.log.append(("load", (addr, size), ci, v))
        return v

    def write(self, addr: int, size: int, value: int, ci: bool, mem: Memory) -> None:
        off = addr - self.base
        if mem.log is not None:
            old = _FMT[size].unpack_from(self.data, off)[0]
            if old != value:
                mem.log.append(("mem", (addr, size), old, value))
        dirty = self.dirty
        dirty.add(off >> PAGE_SHIFT)
        dirty.add((off + size - 1) >> PAGE_SHIFT)
        _FMT[size].pack_into(self.data, off, value)


class Device(Region):
    """A memory-mapped device: subclasses implement load/store at an offset with a size."""

    plain = False
    limit: int                  # base + size: a subclass sets it with them (read on every access)

    def read(self, addr: int, size: int, ci: bool, mem: Memory) -> int:
        log = mem.log
        value, meaning = self.load(addr - self.base, size, log is not None)
        if log is not None:
            log.append(("mmio", self, (addr, size, ci, False, value), meaning))
        return value

    def write(self, addr: int, size: int, value: int, ci: bool, mem: Memory) -> None:
        log = mem.log
        meaning = self.store(addr - self.base, size, value, log is not None)
        if log is not None:
            log.append(("mmio", self, (addr, size, ci, True, value), meaning))

    def load(self, offset: int, size: int, say: bool = True) -> tuple[int, str | None]:
        """The value a load reads, and (say) what it meant: the text only when a journal keeps it."""
        raise NotImplementedError

    def store(self, offset: int, size: int, value: int, say: bool = True) -> str | None:
        raise NotImplementedError


class Memory:
    def __init__(self) -> None:
        self.regions: list[Region] = []
        self.pages: dict[int, Region] = {}
        self.shared: dict[int, list[Region]] = {}   # pages several small regions share (.text and a table)
        self.log: Log | None = None

    def map(self, region: R) -> R:
        if region.size <= 0:
            raise ValueError(f"region {region.name} at {region.base:#x} has no bytes")
        for r in self.regions:
            if region.base < r.base + r.size and r.base < region.base + region.size:
                raise ValueError(f"region {region.name} at {region.base:#x} overlaps {r.name} at {r.base:#x}")
        self.regions.append(region)
        for page in range(region.base >> PAGE_SHIFT, (region.base + region.size - 1 >> PAGE_SHIFT) + 1):
            other = self.pages.setdefault(page, region)
            if other is not region:
                self.shared.setdefault(page, [other]).append(region)
        return region

    def region_at(self, addr: int) -> Region | None:
        r = self.pages.get(addr >> PAGE_SHIFT)
        if r is not None and r.base <= addr < r.base + r.size:
            return r
        return next((r for r in self.shared.get(addr >> PAGE_SHIFT, ()) if r.base <= addr < r.limit), None)

    def _other(self, addr: int, size: int, write: bool) -> Region:
        """The region of an access the page's first region does not hold: another on a shared page, or a fault."""
        for r in self.shared.get(addr >> PAGE_SHIFT, ()):
            if r.base <= addr and addr + size <= r.limit:
                return r
        raise MemoryFault(addr, size, write)

    def read(self, addr: int, size: int, ci: bool = False) -> int:
        r = self.pages.get(addr >> PAGE_SHIFT)
        if r is None or addr + size > r.limit or addr < r.base:
            r = self._other(addr, size, False)
        if self.log is None:                      # nothing observing: no method call for RAM, one for a device
            if r.plain:                           # a plain region is a Ram: no isinstance test on every load
                return _UNPACK[size](r.data, addr - r.base)[0]  # type: ignore[attr-defined]
            value: int = r.load(addr - r.base, size, False)[0]  # type: ignore[attr-defined]  # a Device
            return value
        return r.read(addr, size, ci, self)

    def write(self, addr: int, size: int, value: int, ci: bool = False) -> None:
        r = self.pages.get(addr >> PAGE_SHIFT)
        if r is None or addr + size > r.limit or addr < r.base:
            r = self._other(addr, size, True)
        if self.log is None and not r.plain:      # a device, nothing observing: its store, without the meaning
            r.store(addr - r.base, size, value, False)  # type: ignore[attr-defined]
        else:
            r.write(addr, size, value, ci, self)

    def free_base(self, size: int, start: int, align: int = 1 << PAGE_SHIFT) -> int:
        """The lowest `align`-aligned address at or above `start` where `size` bytes overlap no region."""
        a = -(-start // align) * align
        for r in sorted(self.regions, key=lambda r: r.base):
            if a < r.base + r.size and r.base < a + size:
                a = -(-(r.base + r.size) // align) * align
        return a

    def read_bytes(self, addr: int, n: int) -> bytes:
        """n bytes from addr, RAM only and unjournaled (a device page or an unmapped byte is a MemoryFault)."""
        return b"".join(bytes(r.data[a - r.base:b - r.base]) for r, a, b in self._spans(addr, n, False))

    def write_bytes(self, addr: int, data: bytes) -> None:
        """Write data at addr, RAM only (journaled byte by byte while a journal is attached); nothing is written
        if any byte is not RAM."""
        for r, a, b in self._spans(addr, len(data), True):
            if self.log is None:
                r.data[a - r.base:b - r.base] = data[a - addr:b - addr]     # TrackedBytes marks the pages dirty
            else:
                for i in range(a, b):
                    r.write(i, 1, data[i - addr], False, self)

    def _spans(self, addr: int, n: int, write: bool) -> list[tuple[Ram, int, int]]:
        """(region, start, end) pieces of addr..addr+n, each within one RAM region."""
        out, a, end = [], addr, addr + n
        while a < end:
            r = self.region_at(a)
            if not isinstance(r, Ram):
                raise MemoryFault(a, 1, write, "unmapped" if r is None else f"{r.name} is a device page")
            out.append((r, a, min(end, r.limit)))
            a = out[-1][2]
        return out
