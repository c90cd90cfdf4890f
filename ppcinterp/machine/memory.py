"""Physical memory: big-endian, sparse, made of regions (RAM, the PACA array, device pages).

Lookup is by 4 KiB page so that a load costs one dict probe and one struct unpack. Device regions receive
the access size and whether the access was cache-inhibited; every device access is described in the journal.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

PAGE_SHIFT = 12
_FMT = {1: struct.Struct(">B"), 2: struct.Struct(">H"), 4: struct.Struct(">I"), 8: struct.Struct(">Q")}
_UNPACK = {n: s.unpack_from for n, s in _FMT.items()}


class MemoryFault(Exception):
    """An access to an address no region maps (or that a device refuses)."""

    def __init__(self, addr: int, size: int, write: bool, why: str = "unmapped"):
        super().__init__(f"{'store' if write else 'load'} of {size} byte{'s' * (size > 1)} at {addr:#x}: {why}")
        self.addr, self.size, self.write, self.why = addr, size, write, why


class Region:
    name: str
    base: int
    size: int

    @property
    def end(self) -> int:
        return self.base + self.size


@dataclass
class Ram(Region):
    name: str
    base: int
    size: int

    def __post_init__(self) -> None:
        self.data = bytearray(self.size)
        self.limit = self.base + self.size      # plain attributes: read on every access
        self.plain = True

    def read(self, addr: int, size: int, ci: bool, mem: Memory) -> int:
        v = _FMT[size].unpack_from(self.data, addr - self.base)[0]
        if mem.log is not None:
            mem.log.append(("load", (addr, size), ci, v))
        return v

    def write(self, addr: int, size: int, value: int, ci: bool, mem: Memory) -> None:
        off = addr - self.base
        if mem.log is not None:
            old = _FMT[size].unpack_from(self.data, off)[0]
            if old != value:
                mem.log.append(("mem", (addr, size), old, value))
        _FMT[size].pack_into(self.data, off, value)


class Device(Region):
    """A memory-mapped device: subclasses implement load/store at an offset with a size."""

    plain = False

    @property
    def limit(self) -> int:
        return self.base + self.size

    def read(self, addr: int, size: int, ci: bool, mem: Memory) -> int:
        value, meaning = self.load(addr - self.base, size)
        if mem.log is not None:
            mem.log.append(("mmio", self, (addr, size, ci, False, value), meaning))
        return value

    def write(self, addr: int, size: int, value: int, ci: bool, mem: Memory) -> None:
        meaning = self.store(addr - self.base, size, value)
        if mem.log is not None:
            mem.log.append(("mmio", self, (addr, size, ci, True, value), meaning))

    def load(self, offset: int, size: int) -> tuple[int, str]:
        raise NotImplementedError

    def store(self, offset: int, size: int, value: int) -> str:
        raise NotImplementedError


class Memory:
    def __init__(self) -> None:
        self.regions: list[Region] = []
        self.pages: dict[int, Region] = {}
        self.log: list | None = None

    def map(self, region: Region) -> Region:
        for r in self.regions:
            if region.base < r.base + r.size and r.base < region.base + region.size:
                raise ValueError(f"region {region.name} at {region.base:#x} overlaps {r.name} at {r.base:#x}")
        self.regions.append(region)
        for page in range(region.base >> PAGE_SHIFT, (region.base + region.size - 1 >> PAGE_SHIFT) + 1):
            self.pages[page] = region
        return region

    def region_at(self, addr: int) -> Region | None:
        r = self.pages.get(addr >> PAGE_SHIFT)
        return r if r is not None and r.base <= addr < r.base + r.size else None

    def read(self, addr: int, size: int, ci: bool = False) -> int:
        r = self.pages.get(addr >> PAGE_SHIFT)
        if r is None or addr + size > r.limit or addr < r.base:
            raise MemoryFault(addr, size, False)
        if r.plain and self.log is None:          # RAM, nothing observing: no method call
            return _UNPACK[size](r.data, addr - r.base)[0]
        return r.read(addr, size, ci, self)

    def write(self, addr: int, size: int, value: int, ci: bool = False) -> None:
        r = self.pages.get(addr >> PAGE_SHIFT)
        if r is None or addr + size > r.limit or addr < r.base:
            raise MemoryFault(addr, size, True)
        r.write(addr, size, value, ci, self)

    def read_bytes(self, addr: int, n: int) -> bytes:
        return bytes(self.read(addr + i, 1) if not isinstance(self.region_at(addr + i), Device) else 0
                     for i in range(n))
