"""A core of N hardware threads sharing memory: RAM for the program image, the PACA array, one ICP page per
thread, and whatever else a preset or a scenario maps (the vcpu, vcore, kvm structs as named objects, plain
RAM). One thread is current (the one executing); the others are state the code reads and writes."""

from __future__ import annotations

from ppcinterp.machine.memory import PAGE_SHIFT, PAGE_SIZE, Memory, Ram
from ppcinterp.machine.paca import PacaArray, PacaLayout
from ppcinterp.machine.state import Log, Thread, ThreadSnapshot
from ppcinterp.machine.structs import OffsetTable, StructLayout, StructRegion
from ppcinterp.machine.xics import PAGE, Icp, IcpState

DEFAULT_PACA_BASE = 0x0200_0000
DEFAULT_ICP_BASE = 0x3_FFFE_0000_0000     # real address of the first thread's ICP page (stride one page)
DEFAULT_RAM = (0x0100_0000, 0x0010_0000)  # 1 MiB of scratch RAM for vcpu structs, stacks, user data
MIN_RAM_SIZE, MAX_RAM_SIZE = 64 << 10, 1 << 30   # what a session may ask for (the RAM is as much host memory)
OBJECT_BASE = 0x0300_0000                 # where presets put named objects (the first free pages from here)

# Machine.snapshot: the current thread, each thread's registers, each Ram's bytes, each ICP, the SLB, the time base.
Snapshot = tuple[int, list[ThreadSnapshot], "list[bytes | Pages]", list[IcpState], list[tuple[int, int]], int]


def check_icp_base(base: int, threads: int) -> None:
    """Where the ICPs go: thread i's page at base + i * 4 KiB (each PACA's xics_phys points there), so the base
    is page-aligned with room for every thread's page below 2**64 (ValueError otherwise)."""
    if not isinstance(base, int) or base % PAGE or not 0 <= base <= (1 << 64) - threads * PAGE:
        shown = f"{base:#x}" if isinstance(base, int) else repr(base)
        raise ValueError(f"icp_base {shown} is not a 4 KiB-aligned address with room for {threads} ICP "
                         f"page{'s' * (threads != 1)} below 2**64")


class Machine:
    def __init__(self, layout: PacaLayout, threads: int = 1, current: int = 0,
                 paca_base: int = DEFAULT_PACA_BASE, icp_base: int = DEFAULT_ICP_BASE,
                 ram: tuple[int, int] = DEFAULT_RAM, offsets: OffsetTable | None = None):
        if not 1 <= threads <= 64:
            raise ValueError("a core has 1 to 64 threads")
        if not 0 <= current < threads:
            raise ValueError(f"current thread {current} is not one of the {threads} threads")
        check_icp_base(icp_base, threads)
        self.memory = Memory()
        self.threads = [Thread(i) for i in range(threads)]
        self.current = current
        self.ram = self.memory.map(Ram("ram", *ram))
        if paca_base == DEFAULT_PACA_BASE and self.ram.limit > paca_base:    # a RAM of more than 16 MiB
            paca_base = -(-self.ram.limit // 0x10000) * 0x10000
        self.paca = self.memory.map(PacaArray(paca_base, threads, layout))
        self.offsets = offsets                  # the asm-offsets table the layouts come from
        self.objects: dict[str, StructRegion] = {"paca": self.paca}     # by the name state names start with
        try:
            self.icps = [self.memory.map(Icp(i, icp_base + i * PAGE)) for i in range(threads)]
        except ValueError as e:
            raise ValueError(f"the ICP pages at icp_base {icp_base:#x} (to {icp_base + threads * PAGE - 1:#x}, one "
                             f"per thread) overlap the machine's memory: {e}") from None
        self.log: Log | None = None
        self.slb: list[tuple[int, int]] = [(0, 0)] * 64
        self.tb = 0
        # The snapshot RAM equals except for the pages each Ram's dirty set names (None: unknown), and how many
        # Ram regions there were then: restoring that snapshot copies only those pages back.
        self._clean: Snapshot | None = None
        self._clean_rams = 0
        self._ever: dict[int, set[int]] = {}    # by id of a large RAM region: the pages ever written (_saved)
        self._power_on()

    def timebase(self) -> int:
        """The time base: a scenario-settable value that advances by one at every read."""
        self.tb += 1
        if self.log is not None:
            self.log.append(("tb", None, self.tb - 1, self.tb))
        return self.tb

    def set_slb(self, index: int, entry: tuple[int, int]) -> None:
        """Write one SLB entry (ESID word, VSID word), journaled like any other state."""
        if not 0 <= index < len(self.slb):
            raise IndexError(index)
        if self.log is not None and self.slb[index] != entry:
            self.log.append(("slb", index, self.slb[index], entry))
        self.slb[index] = entry

    @property
    def thread(self) -> Thread:
        return self.threads[self.current]

    def _power_on(self) -> None:
        """Power-on state: registers zero, ICPs idle, each PACA's xics_phys pointing at its ICP, r13 of every
        thread at its own PACA (memory is zero as mapped)."""
        for t in self.threads:
            t.reset()
            t.gpr[13] = self.paca.base + t.index * self.paca.layout.size
        for icp in self.icps:
            icp.reset()
        self.slb = [(0, 0)] * 64
        self.tb = 0
        if self.paca.layout.field("kvm_hstate.xics_phys"):
            for i, icp in enumerate(self.icps):
                self.memory.write(self.paca.addr_of(i, "kvm_hstate.xics_phys"), 8, icp.base)

    def map_ram(self, name: str, base: int, size: int) -> Ram:
        """Map `size` bytes of zeroed RAM at `base` (ValueError if it overlaps a region)."""
        if any(r.name == name for r in self.memory.regions):
            raise ValueError(f"there is already a region named '{name}'")
        return self.memory.map(Ram(name, base, size))

    def map_object(self, obj: str, layout: StructLayout, base: int | None = None, count: int = 1,
                   stride: int | None = None, at: int = 0, region: str | None = None) -> StructRegion:
        """Map `count` objects of a struct (one per thread, say) as a named region: its fields are then state
        names (`vcpu.arch.slb_max`) and traces name their addresses. Without a base, the first free pages
        from OBJECT_BASE; each object starts a page of its own unless `stride` says otherwise."""
        if obj in self.objects:
            raise ValueError(f"{obj} is already mapped at {self.objects[obj].base:#x}")
        stride = stride or -(-(layout.size + at) // 4096) * 4096
        if base is None:
            base = self.memory.free_base(stride * count, OBJECT_BASE)
        r = StructRegion(region or obj, obj, base, layout, count, stride, at)
        self.memory.map(r)
        self.objects[obj] = r
        return r

    def snapshot(self) -> Snapshot:
        """Everything a run can change, cheap to take and to restore (exploration resets thousands of times)."""
        rams = [r for r in self.memory.regions if isinstance(r, Ram)]
        snap = (self.current, [t.snapshot() for t in self.threads], [self._saved(r) for r in rams],
                [i.state() for i in self.icps], list(self.slb), self.tb)
        self._set_clean(snap, rams)
        return snap

    def restore(self, snap: Snapshot) -> None:
        """Put a snapshot back; RAM mapped after it was taken (regions are only ever added) is zeroed. Restoring
        the snapshot last taken or restored copies back only the RAM pages written since (FULL_RESTORE: all)."""
        current, threads, rams, icps, slb, tb = snap
        self.current = current
        for t, s in zip(self.threads, threads, strict=True):
            t.restore(s)
        regions = [r for r in self.memory.regions if isinstance(r, Ram)]
        if snap is self._clean and len(regions) == self._clean_rams and not FULL_RESTORE:
            for i, r in enumerate(regions):
                if r.dirty:
                    _copy_pages(r, rams[i] if i < len(rams) else None)
        else:
            for i, r in enumerate(regions):
                saved = rams[i] if i < len(rams) else None
                if r.size >= SPARSE_FROM:
                    assert saved is None or isinstance(saved, Pages)    # a large Ram is kept by its pages
                    self._put_pages(r, saved if saved is not None else Pages(r.size, {}))
                else:
                    r.data[:] = saved if saved is not None else bytes(len(r.data))
        self._set_clean(snap, regions)
        for icp, state in zip(self.icps, icps, strict=True):
            icp.restore(state)
        self.slb, self.tb = list(slb), tb        # a copy: the snapshot may be restored again

    def _saved(self, r: Ram) -> bytes | Pages:
        """A RAM region's bytes for a snapshot; a large one's by the pages ever written (the others are zero)."""
        if r.size < SPARSE_FROM:
            return bytes(r.data)
        d = r.data
        return Pages(r.size, {p: bytes(d[p << PAGE_SHIFT:p + 1 << PAGE_SHIFT]) for p in self._written(r) | r.dirty})

    def _written(self, r: Ram) -> set[int]:
        return self._ever.setdefault(id(r), set())

    def _put_pages(self, r: Ram, saved: Pages) -> None:
        for p in (self._written(r) | r.dirty) - saved.pages.keys():
            r.data[p << PAGE_SHIFT:p + 1 << PAGE_SHIFT] = _ZERO_PAGE[:min(PAGE_SIZE, r.size - (p << PAGE_SHIFT))]
        for p, page in saved.pages.items():
            r.data[p << PAGE_SHIFT:(p << PAGE_SHIFT) + len(page)] = page

    def _set_clean(self, snap: Snapshot, rams: list[Ram]) -> None:
        for r in rams:
            if r.size >= SPARSE_FROM:
                self._written(r).update(r.dirty)
            r.dirty.clear()
        self._clean, self._clean_rams = snap, len(rams)

    def attach(self, log: Log | None, registers: bool = True) -> None:
        """Record every change into `log` (or stop recording with None). registers=False: only memory, devices,
        the time base and the SLB (a journaled block records its registers itself; attach_registers turns the
        containers' recording on around what it calls)."""
        self.log = log
        self.memory.log = log
        for icp in self.icps:
            icp.log = log
        if registers or log is None:
            self.attach_registers(log)

    def attach_registers(self, log: Log | None) -> None:
        for t in self.threads:
            t.attach(log)


FULL_RESTORE = False     # True: every restore copies all RAM (the equivalence tests compare both ways)
_ZERO_PAGE = bytes(PAGE_SIZE)
SPARSE_FROM = 4 << 20    # a RAM region this large is snapshotted by its written pages: a 1 GiB RAM is not copied


class Pages:
    """A large RAM region as a snapshot holds it: the pages ever written, by page number; every other page is
    zero. Slices and compares like the bytes it stands for."""

    __slots__ = ("size", "pages")

    def __init__(self, size: int, pages: dict[int, bytes]):
        self.size, self.pages = size, pages

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, key: slice) -> bytes:
        start, stop, _ = key.indices(self.size)
        out = bytearray(max(0, stop - start))
        for p in range(start >> PAGE_SHIFT, (stop - 1 >> PAGE_SHIFT) + 1) if stop > start else ():
            page = self.pages.get(p)
            if page is not None:
                a = p << PAGE_SHIFT
                lo, hi = max(a, start), min(a + len(page), stop)
                out[lo - start:hi - start] = page[lo - a:hi - a]
        return bytes(out)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, bytes | bytearray | Pages):
            return NotImplemented
        return len(other) == self.size and self[:] == (other[:] if isinstance(other, Pages) else bytes(other))

    # Unhashable, as its equality with bytes requires (typeshed declares __hash__ a method, hence the ignore).
    __hash__ = None      # type: ignore[assignment]


def _copy_pages(r: Ram, saved: bytes | Pages | None) -> None:
    """Copy the dirty pages of `r` back from `saved` (None: the region was zero then)."""
    data, size = r.data, len(r.data)
    put = bytearray.__setitem__                # not TrackedBytes': the pages are clean afterwards
    for page in r.dirty:
        a = page << PAGE_SHIFT
        b = min(a + PAGE_SIZE, size)
        put(data, slice(a, b), saved[a:b] if saved is not None else _ZERO_PAGE[:b - a])
