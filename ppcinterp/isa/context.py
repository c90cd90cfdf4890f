"""The types of what a semantics factory or template is given at pre-decode time, as Protocols: the thread, the
memory and the machine belong to machine/, the decode context to run/, both above this stage (run/decoding.py's
DecodeCtx, machine/state.py's Thread, machine/memory.py's Memory and machine/core.py's Machine satisfy them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:                  # table imports the families, which import this module: no cycle at run time
    from ppcinterp.isa.table import InsnDef

# An instruction's closure: executes it and returns the next pc.
Step = Callable[[], int]
# An instruction's field values by field name ("RT", "SI", ...).
Fields = dict[str, int]


class ThreadState(Protocol):
    """One hardware thread's registers, as the semantics read and write them."""

    @property
    def gpr(self) -> list[int]: ...
    @property
    def cr(self) -> list[int]: ...
    @property
    def spr(self) -> dict[int, int]: ...
    @property
    def fpr(self) -> list[int]: ...
    @property
    def vr(self) -> list[int]: ...
    _msr: int                      # MSR without the journaling property (the closures read MSR[SF] from it)
    msr: int
    reservation: int | None
    fpscr: int
    vscr: int

    def vsr(self, i: int) -> int: ...
    def set_vsr(self, i: int, v: int) -> None: ...
    def set_fpr(self, i: int, v: int) -> None: ...


class MemoryAccess(Protocol):
    """Loads and stores (the machine's memory, or a guard in front of it)."""

    def read(self, addr: int, size: int, ci: bool = False) -> int: ...
    def write(self, addr: int, size: int, value: int, ci: bool = False) -> None: ...


class MachineState(Protocol):
    """What the semantics read of the whole machine: the SLB and the time base."""

    @property
    def slb(self) -> list[tuple[int, int]]: ...
    def set_slb(self, index: int, entry: tuple[int, int]) -> None: ...
    def timebase(self) -> int: ...


class Ctx(Protocol):
    """What a semantics factory may capture when it builds an instruction's closure."""

    @property
    def addr(self) -> int: ...
    @property
    def nxt(self) -> int: ...     # fall-through successor (a sentinel past the end of a hunk)
    @property
    def ret(self) -> int: ...     # the return address a link branch saves
    @property
    def insn(self) -> InsnDef: ...
    @property
    def thread(self) -> ThreadState: ...
    @property
    def machine(self) -> MachineState: ...
    @property
    def target(self) -> Callable[[int], int]: ...
    @property
    def sf(self) -> bool: ...     # the computation mode asked for: 64-bit (MSR[SF] = 1) or 32-bit
    @property
    def g(self) -> list[int]: ...
    @property
    def cr(self) -> list[int]: ...
    @property
    def spr(self) -> dict[int, int]: ...
    @property
    def mem(self) -> MemoryAccess: ...
