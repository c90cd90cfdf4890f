"""The Session's machine beyond the registers: presets, more memory, C functions in Python, the memory map.

A part of Session (api.py), kept apart to keep each module small; it reads the session's machine, program,
image and engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ppcinterp.diagnostics import PpcError
from ppcinterp.machine.memory import PAGE_SIZE, Ram
from ppcinterp.machine.presets import apply as apply_preset
from ppcinterp.machine.structs import OBJECTS

MAX_MAP = 16 << 20          # bytes one map() may add: RAM is allocated and snapshotted whole
MAX_RAM = 64 << 20          # ... and all of it together (the RAM of ram_size apart)
M64 = 1 << 64


class MachineSetup:
    # ---- the machine beyond the registers: presets, more memory, C functions in Python ----
    def preset(self, name: str) -> None:
        """Lay out and link the kernel's objects as `name` has them (see machine/presets.py). The state it
        makes becomes the one reset() returns to."""
        apply_preset(self.machine, name, self.program.preprocessed.macro_value, self.program.toc_base)
        self._initial = self.machine.snapshot()

    def map(self, name: str, base: int | None = None, size: int | None = None) -> int:
        """Map memory: a kernel object by name (vcpu, vcore, kvm, lppaca, vpa, slb_shadow, frame: its fields
        are then state names; base: the first free pages if None) or `size` bytes of plain RAM at `base`.
        Returns the base. The memory is zeroed and becomes part of the state reset() returns to."""
        m = self.machine
        if size is not None and not 0 < size <= MAX_MAP:
            raise PpcError(f"memory '{name}': size {size:#x} is not 1 to {MAX_MAP:#x} bytes")
        if base is not None and not 0 <= base < M64 - (size or 0):
            raise PpcError(f"memory '{name}': base {base:#x} is not a 64-bit address with room for its size")
        if sum(r.size for r in m.memory.regions if isinstance(r, Ram) and r is not m.ram) + (size or 0) > MAX_RAM:
            raise PpcError(f"memory '{name}': the machine would have more than {MAX_RAM >> 20} MiB of memory "
                           "besides its RAM")
        try:
            if name in OBJECTS:
                layout = m.offsets.layout(OBJECTS[name]) if m.offsets is not None else None
                if layout is None:
                    raise PpcError(f"{m.offsets.path if m.offsets else 'the asm-offsets table'} has no rows for "
                                   f"struct {OBJECTS[name]}, so there is no {name} layout to map")
                if layout.size > MAX_MAP:
                    raise PpcError(f"struct {OBJECTS[name]} is {layout.size:#x} bytes: more than {MAX_MAP:#x}")
                region = m.map_object(name, layout, base, stride=size)
            else:
                if base is None or size is None:
                    raise PpcError(f"memory '{name}' needs a base and a size (or the name of a kernel object: "
                                   f"{', '.join(OBJECTS)})")
                if not re.fullmatch(r"[A-Za-z_][\w.:-]*", name):
                    raise PpcError(f"'{name}' is not a region name (letters, digits, _ . : -)")
                region = m.map_ram(name, base, size)
        except ValueError as e:
            raise PpcError(f"cannot map {name}: {e}") from None
        return region.base      # reset() zeroes it: RAM mapped after a snapshot is restored as zeroes

    def stand_in(self, symbol: str, fn: Callable | None) -> None:
        """Run `fn` in place of a function defined in another object (`.kvmppc_hpte_hv_fault`): a call
        to it no longer ends the run; fn(args) gets r3..r10 as a tuple (fn(args, session) if it takes
        two arguments) and returns the new r3 (None: r3 unchanged); the run goes on at LR. None removes it."""
        self.engine.set_stand_in(self._outside_symbol(symbol), fn, self)

    def _outside_symbol(self, symbol: str) -> str:
        names = set(self.engine.outside_names.values())
        for cand in (symbol, "." + symbol, symbol.lstrip(".")):
            if cand in names:
                return cand
        raise PpcError(f"'{symbol}' is not a function the file leaves to another object (those it calls: "
                       f"{', '.join(sorted(names)) or 'none'})")

    def regions(self) -> list[tuple[str, int, int, str]]:
        """The memory map: (name, base, size, what) for every region, by address."""
        out = []
        for r in sorted(self.machine.memory.regions, key=lambda r: r.base):
            lay = getattr(r, "layout", None)
            if lay is not None:
                desc = f"struct {lay.struct}" + (f" x {r.count}" if r.count > 1 else "")
                if r.obj != r.name:
                    desc = f"{r.count} x {r.stride // 1024} KiB; {r.obj} at +{r.at:#x} ({lay.struct})"
            else:
                desc = ("device" if not hasattr(r, "data") else "program image" if r.name.startswith("image:")
                        else "RAM")
            out.append((r.name, r.base, r.size, desc))
        return out

    def _map_image(self) -> None:
        """The program's own bytes are memory too (tables, TOC, .long data the code loads), mapped by 4 KiB pages
        as the kernel's image is: sections whose pages touch are one region, with zeroes between them, so a load
        that straddles two sections or reads the padding after one (the aligned doubleword or quadword that holds
        a buffer's last bytes) reads what the machine would."""
        for names, base, size in _page_runs(self.program.sections.values()):
            r = Ram("image:" + (",".join(names) if len(names) <= 3 else f"{names[0]},...,{names[-1]}"), base, size)
            for name in names:
                sec = self.program.sections[name]
                r.data[sec.base - base:sec.end - base] = self.image.data[name]
            try:
                self.machine.memory.map(r)
            except ValueError as e:
                regions = self.machine.memory.regions
                secs = [self.program.sections[n] for n in names]
                hit = next((x for x in secs if any(x.base < o.end and o.base < x.end for o in regions)), secs[0])
                raise PpcError(f"the program's section {hit.name} overlaps the machine's memory map: {e} (the ICPs "
                               "may be moved with icp_base, the code with base)") from None


def _page_runs(sections) -> list[tuple[list[str], int, int]]:
    """(section names, base, size) of each run of whole pages the sections with bytes cover, by address."""
    runs: list[tuple[list[str], int, int]] = []
    for sec in sorted((s for s in sections if s.data), key=lambda s: s.base):
        lo, hi = sec.base & -PAGE_SIZE, -(-sec.end // PAGE_SIZE) * PAGE_SIZE
        if runs and lo <= runs[-1][1] + runs[-1][2]:
            names, base, size = runs[-1]
            runs[-1] = (names + [sec.name], base, max(size, hi - base))
        else:
            runs.append(([sec.name], lo, hi - lo))
    return runs
