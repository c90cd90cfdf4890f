"""A part of Session (api.py): calling a function as C does, bulk memory, buffers in RAM by name.

    s = Session("memcpy.S", ram_size=64 << 20)
    dst, src = s.alloc("dst", 4096), s.alloc("src", 4096)
    s.write(src, data)
    s.call("memcpy", "dst", "src", len(data))      # -> r3 (an int); s.last: the CallResult with the run's Result
    s.read(dst, len(data))

RAM is one region (`ram`, at 0x0100_0000, 1 MiB unless ram_size says otherwise): alloc() hands it out from its
base up; a call's stack and the bytes passed as arguments sit at its top (at least STACK_MIN bytes of stack).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ppcinterp.diagnostics import PpcError
from ppcinterp.machine.core import MAX_RAM_SIZE, MIN_RAM_SIZE
from ppcinterp.machine.memory import MemoryFault
from ppcinterp.machine.names import StateNameError, resolve
from ppcinterp.run.engine import DEFAULT_STEP_LIMIT, Result
from ppcinterp.run.outside import RETURN_ADDRESS

M64 = (1 << 64) - 1
LR = 8
MIN_FRAME = 112                 # ELFv1: the smallest stack frame (back chain, CR, LR, 2 reserved, TOC, 8 params)
STACK_MIN = 64 << 10            # the stack a call gets at least, between the buffers and the arguments' bytes
MAX_ARGS = 8                    # r3..r10
MAX_IO = MAX_RAM_SIZE           # bytes one read() or write() moves


@dataclass
class CallResult:
    """A call's outcome: the run's Result, and r3 when the function returned to its caller."""

    function: str
    entry: int                   # the code entry the call ran from
    toc: int | None              # r2 as the call set it (None: left as it was)
    args: tuple[int, ...]        # r3.. as the call set them (bytes arguments: the addresses they were put at)
    result: Result
    r3: int

    @property
    def returned(self) -> bool:
        return self.result.kind == "return" and self.result.exit == "return"

    @property
    def value(self) -> int:
        """r3 as the function returned it; a call that did not return raises its CallError."""
        if not self.returned:
            raise CallError(self)
        return self.r3

    @property
    def steps(self) -> int:
        return self.result.steps


class CallError(PpcError):
    """A call that did not return to its caller (a step limit, a fault, an exit to another object...)."""

    def __init__(self, call: CallResult):
        r = call.result
        super().__init__(f"{call.function} did not return: it ended ({r.kind}) after {r.steps} "
                         f"step{'s' * (r.steps != 1)}: {r.message}")
        self.call, self.result = call, r


def parse_size(text: str | int) -> int:
    """A byte count: an integer, or a number with K, M or G (binary: 64M = 64 MiB)."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    m = re.fullmatch(r"\s*(0x[0-9a-fA-F]+|\d+)\s*(?:([KMG])(?:i?B)?)?\s*", str(text)[:100], re.I)
    if m is None:
        raise PpcError(f"'{str(text)[:80]}' is not a size (a number of bytes, or with K, M or G: 64M)")
    return int(m.group(1), 0) << {None: 0, "K": 10, "M": 20, "G": 30}[(m.group(2) or "").upper() or None]


def check_ram_size(size: object) -> int:
    if not isinstance(size, int) or isinstance(size, bool) or not MIN_RAM_SIZE <= size <= MAX_RAM_SIZE \
            or size % 4096:
        shown = f"{size:#x}" if isinstance(size, int) else repr(size)[:80]
        raise PpcError(f"ram_size {shown} is not a multiple of 4 KiB from {MIN_RAM_SIZE >> 10} KiB to "
                       f"{MAX_RAM_SIZE >> 30} GiB")
    return size


class Calls:
    """Session's calls, buffers and bulk memory (it reads the session's machine, program, image and engine)."""

    last: CallResult | None = None

    # ---- buffers ----
    @property
    def buffers(self) -> dict[str, tuple[int, int]]:
        """Buffers alloc() made since the session started or was reset: name -> (address, size)."""
        return self.__dict__.setdefault("_buffers", {})

    def alloc(self, name: str, size: int, align: int = 16) -> int:
        """`size` zeroed bytes of RAM named `name` (a value wherever numbers go: s.set("r3", "buf"), a call's
        argument, a scenario's state), `align`-aligned; returns the address. reset() frees every buffer."""
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_]\w{0,99}", name):
            raise PpcError(f"buffer name {name!r:.80} is not a name (a letter or _, then letters, digits, _)")
        if name in self.buffers:
            raise PpcError(f"there is already a buffer named '{name}' (at {self.buffers[name][0]:#x})")
        if self._names_something(name):
            raise PpcError(f"'{name}' already names a register, state or constant: give the buffer another name")
        return self._carve(name, size, align)

    def _names_something(self, name: str) -> bool:
        try:
            resolve(self.machine, name)
            return True
        except StateNameError:
            return self.program.preprocessed.macro_value(name) is not None

    def _carve(self, name: str, size: int, align: int) -> int:
        for what, v in (("size", size), ("align", align)):
            if not isinstance(v, int) or isinstance(v, bool) or v < (what == "align"):
                raise PpcError(f"buffer '{name}': {what} {v!r:.40} is not a "
                               f"{'positive' if what == 'align' else 'non-negative'} integer")
        if align & (align - 1) or align > 1 << 20:
            raise PpcError(f"buffer '{name}': align {align:#x} is not a power of 2 up to 1 MiB")
        ram = self.machine.ram
        addr = -(-self._heap_top() // align) * align
        room = ram.limit - STACK_MIN - addr
        if size > room:
            raise PpcError(f"buffer '{name}' of {size:#x} bytes does not fit: RAM ({ram.size >> 10} KiB at "
                           f"{ram.base:#x}) has {max(room, 0):#x} bytes left beside the {STACK_MIN >> 10} KiB stack "
                           "(Session(..., ram_size=...), scenario ram_size, --ram-size)")
        lo = addr - ram.base
        if ram.data.count(0, lo, lo + size) != size:       # zeroed where it is not (no page made dirty for nothing)
            ram.data[lo:lo + size] = bytes(size)
        self.buffers[name] = (addr, size)
        return addr

    def _heap_top(self) -> int:
        return max((a + n for a, n in self.buffers.values()), default=self.machine.ram.base)

    def buffer(self, name: str) -> int | None:
        """The address of buffer `name` (also as `&name`), None if there is none."""
        got = self.buffers.get(name.removeprefix("&").strip())
        return got[0] if got is not None else None

    # ---- bulk memory ----
    def read(self, addr: int | str, n: int) -> bytes:
        """n bytes of memory from addr (a number, or a buffer's or constant's name), as the code sees them;
        RAM only: a device page is read by its registers' names (icp.xirr...), never in bulk."""
        a = self._io_address(addr, n, "read")
        try:
            return self.machine.memory.read_bytes(a, n)
        except MemoryFault as e:
            raise PpcError(f"read of {n:#x} bytes at {a:#x}: {_fault(e)}") from None

    def write(self, addr: int | str, data: bytes | bytearray | memoryview) -> None:
        """Write data into memory at addr (RAM only; not into the code, which runs as assembled)."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise PpcError(f"write() takes bytes, not {type(data).__name__}")
        data = bytes(data)
        a = self._io_address(addr, len(data), "write")
        if data and self.engine.guard.covers(a, len(data)):
            raise PpcError(f"write of {len(data):#x} bytes at {a:#x} reaches into the code, which runs as "
                           "assembled: the interpreter does not execute modified code")
        try:
            self.machine.memory.write_bytes(a, data)
        except MemoryFault as e:
            raise PpcError(f"write of {len(data):#x} bytes at {a:#x}: {_fault(e)}") from None

    def _io_address(self, addr: int | str, n: int, what: str) -> int:
        a = self.value(addr) if isinstance(addr, str) else addr
        if not isinstance(a, int) or isinstance(a, bool) or not 0 <= a <= M64:
            raise PpcError(f"{what}(): address {a!r:.40} is not a 64-bit address")
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= MAX_IO:
            raise PpcError(f"{what}(): {n!r:.40} bytes is not a count from 0 to {MAX_IO:#x}")
        if a + n > M64 + 1:
            raise PpcError(f"{what}() of {n:#x} bytes at {a:#x} goes past the end of the address space")
        return a

    # ---- calls ----
    def call(self, fn: str | int, *args: int | str | bytes, max_steps: int = DEFAULT_STEP_LIMIT,
             journal: bool = False, path: bool = True, hooks: dict | None = None, step_hooks: dict | None = None,
             events: Mapping[str, Mapping[str, object]] | None = None) -> int:
        """Call `fn` as C does and return r3. fn: a function's name (its ELFv1 descriptor `memcpy` or its code
        `.memcpy`; a plain code label) or a code address. args go to r3..r10: integers, strings (a buffer's name,
        a constant, a number) or bytes (put in RAM for this call: their addresses are in s.last.args until the
        next call). r1 gets a stack frame in RAM (112 bytes, back chain 0), r2 the descriptor's TOC (or the
        program's), LR a return address with no code: reaching it is the return (kind `return`). The other
        state is the session's as it stands. A run that does not return raises CallError (its .result says how it
        ended); s.last is the CallResult either way. Options are Session.run's."""
        name, entry, toc, values = self.prepare_call(fn, *args)
        res = self.run(entry, max_steps=max_steps, journal=journal, path=path, hooks=hooks, step_hooks=step_hooks,
                       events=events)
        self.last = CallResult(name, entry, toc, tuple(values), res, self.machine.thread.gpr[3])
        return self.last.value

    def prepare_call(self, fn: str | int, *args: int | str | bytes) -> tuple[str, int, int | None, list[int]]:
        """What call() sets before it runs (the arguments, r1, r2, LR); returns (name, code entry, TOC, r3..).
        A run from the entry then returns to the caller as call()'s does (scenarios with `call` use this)."""
        name, entry, toc = self.function(fn)
        if len(args) > MAX_ARGS:
            raise PpcError(f"{name}: {len(args)} arguments; a call passes at most {MAX_ARGS} (r3..r10)")
        if self.program.section_of(RETURN_ADDRESS) is not None:
            raise PpcError(f"the program has code at {RETURN_ADDRESS:#x}, the address a call returns to")
        values, sp = self._arguments(name, args)
        t = self.machine.thread
        for i, v in enumerate(values):
            t.gpr[3 + i] = v
        t.gpr[1] = sp
        if toc is not None:
            t.gpr[2] = toc
        t.spr[LR] = RETURN_ADDRESS
        return name, entry, toc, values

    def function(self, fn: str | int) -> tuple[str, int, int | None]:
        """(name, code entry, TOC) of a function: an ELFv1 descriptor in .opd (Program.descriptor: its code entry
        and TOC), its code label `.name` (the descriptor's TOC), another code label or a code address (the
        program's TOC base)."""
        p = self.program
        if isinstance(fn, int) and not isinstance(fn, bool):
            if fn not in self.engine.insn_at:
                raise PpcError(f"there is no instruction at {fn:#x} to call")
            return f"{fn:#x}", fn, p.toc_base
        if not isinstance(fn, str):
            raise PpcError(f"a function is a name or an address, not {type(fn).__name__}")
        bare = fn.strip().removeprefix(".")
        desc = p.descriptor(bare)
        toc = (desc[1] if desc is not None else 0) or p.toc_base
        for cand in (fn.strip(), bare, "." + bare):
            if cand not in p.symbols:
                continue
            entry = desc[0] if cand == bare and desc is not None else p.symbols[cand]
            if entry in p.outside:
                raise PpcError(f"'{cand}' is defined in another object, not in {p.path}")
            if entry not in self.engine.insn_at:
                where = "the descriptor's code entry" if cand == bare and desc is not None else "it"
                raise PpcError(f"'{cand}' is not code: there is no instruction at {where} ({entry:#x})")
            return cand, entry, toc
        raise PpcError(f"'{fn[:80]}' is not a function of {p.path} (functions: {', '.join(self.functions()[:40])})")

    def functions(self) -> list[str]:
        """The names call() takes: descriptors in .opd, then the other code labels."""
        p = self.program
        desc = [n for n in p.symbols if p.descriptor(n) is not None]
        code = [n for n, a in p.symbols.items() if (s := p.section_of(a)) is not None and s.is_code
                and a not in p.outside and not n.startswith(".L") and n.removeprefix(".") not in desc]
        return sorted(desc) + sorted(code)

    def _arguments(self, name: str, args: tuple) -> tuple[list[int], int]:
        """r3.. for args, and r1: bytes arguments are put at the top of RAM (16-aligned, the first highest),
        the caller's minimum frame below them, its back chain 0. Nothing is written unless every argument is good."""
        ram = self.machine.ram
        top = ram.limit & ~15
        values: list[int] = []
        put: list[tuple[int, bytes]] = []
        for i, a in enumerate(args):
            if isinstance(a, bytes | bytearray | memoryview):
                top = (top - len(a)) & ~15
                if top - MIN_FRAME - STACK_MIN < self._heap_top():
                    raise PpcError(f"{name}: the bytes arguments ({len(a):#x} bytes for r{3 + i}) do not fit in "
                                   f"RAM beside the buffers and a {STACK_MIN >> 10} KiB stack (ram_size)")
                put.append((top, bytes(a)))
                values.append(top)
            elif isinstance(a, int):
                if not -(1 << 63) <= a <= M64:
                    raise PpcError(f"{name}: argument {i + 1} ({a:#x}) does not fit in 64 bits")
                values.append(int(a) & M64)
            elif isinstance(a, str):
                values.append(self.value(a) & M64)
            else:
                raise PpcError(f"{name}: argument {i + 1} is {type(a).__name__}; an argument is an integer, a "
                               "name (a buffer, a constant) or bytes")
        sp = top - MIN_FRAME
        for addr, data in put + [(sp, bytes(MIN_FRAME))]:        # the frame: back chain 0, empty save areas
            ram.data[addr - ram.base:addr - ram.base + len(data)] = data
        return values, sp


def _fault(e: MemoryFault) -> str:
    return f"address {e.addr:#x} is outside every mapped region" if e.why == "unmapped" else e.why
