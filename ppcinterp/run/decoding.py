"""What decoding gives an instruction's semantics (DecodeCtx), and its 32-bit mode made when first needed.

A semantics factory or template is called at pre-decode time with a DecodeCtx for 64-bit mode. A templated
instruction's closure runs its 64-bit text when MSR[SF] = 1 and otherwise returns Narrow(addr): the closure of
its 32-bit text (the template asked again with `sf` False, the fall-through and return addresses' high 32 bits
0), made on the first call; blocks compiled for 32-bit mode read Narrow.template. So a program that stays in
64-bit mode never asks its templates for the other text, and decoding keeps nothing per instruction for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ppcinterp.asm.fixup import Image
from ppcinterp.asm.program import Program
from ppcinterp.isa.context import MemoryAccess
from ppcinterp.isa.sem import M32
from ppcinterp.isa.table import InsnDef, decode, field_values
from ppcinterp.isa.templates import Tmpl, closure, template_of
from ppcinterp.machine.core import Machine
from ppcinterp.machine.state import Regs, Sprs, Thread

SENTINEL = 1 << 64              # pcs at and above this are exits, never real addresses


@dataclass(slots=True)
class DecodeCtx:
    """What a semantics factory may capture when it builds an instruction's closure."""

    addr: int
    nxt: int                     # fall-through successor (a sentinel past the end of a hunk)
    ret: int                     # addr + 4: the return address a link branch saves
    insn: InsnDef
    thread: Thread
    machine: Machine
    target: Callable[[int], int]
    resolve: Callable[[int], int]
    memory: MemoryAccess | None = None   # what loads and stores use (CodeGuard: stores into code are refused)
    sf: bool = True              # the computation mode a template is asked for: 64-bit (MSR[SF] = 1) or 32-bit

    @property
    def g(self) -> Regs:
        return self.thread.gpr

    @property
    def cr(self) -> Regs:
        return self.thread.cr

    @property
    def spr(self) -> Sprs:
        return self.thread.spr

    @property
    def mem(self) -> MemoryAccess:
        return self.memory if self.memory is not None else self.machine.memory


def context(program: Program, machine: Machine, memory: MemoryAccess | None, addr: int, d: InsnDef, nxt: int,
            thread: Thread, sf: bool = True) -> DecodeCtx:
    """The DecodeCtx of the instruction at addr, for the mode MSR[SF] = sf (32-bit mode: the return address's high
    32 bits 0; `nxt` is the mode's fall-through)."""
    ai = program.insns.get(addr)
    h = program.hunk_of(ai.pos) if ai is not None else None
    h = h if h is not None and not h.located else None
    end = h.end if h else None
    sentinel = SENTINEL + h.number if h else 0     # read only when there is a hunk end

    def target(a: int) -> int:
        # A branch to the label written at the end of its own hunk leaves the hunk there.
        return sentinel if end is not None and a == end else a

    ret = addr + 4 if sf else (addr + 4) & M32
    return DecodeCtx(addr, nxt, ret, d, thread, machine, target, lambda a: a, memory, sf)


class Narrow:
    """The 32-bit mode of a decoded program's templated instructions (their addresses in `templated`). It holds
    the image and the program, never the engine: an engine's closures make no reference cycle with it."""

    def __init__(self, image: Image, machine: Machine, memory: MemoryAccess, thread: Thread, nxt32_at: dict[int, int]):
        self.image, self.machine, self.memory, self.thread = image, machine, memory, thread
        self.nxt32_at = nxt32_at                  # each instruction's fall-through in 32-bit mode (the engine's)
        self.templated: set[int] = set()
        self.tmpl_at: dict[int, Tmpl] = {}
        self.closures: dict[int, Callable[[], int]] = {}

    def _decoded(self, addr: int) -> tuple[DecodeCtx, dict[str, int]]:
        word = self.image.word(addr)
        d = decode(word)
        assert d is not None                    # only decoded instructions are templated
        ctx = context(self.image.program, self.machine, self.memory, addr, d, self.nxt32_at[addr], self.thread, False)
        return ctx, field_values(d, word)

    def template(self, addr: int) -> Tmpl | None:
        """The 32-bit text of the instruction at addr (None: it has no template)."""
        t = self.tmpl_at.get(addr)
        if t is None and addr in self.templated:
            ctx, f = self._decoded(addr)
            t = template_of(ctx.insn, ctx, f)
            if t is None:
                raise ValueError(f"the template of {ctx.insn.name} covers 64-bit mode but not 32-bit mode")
            self.tmpl_at[addr] = t
        return t

    def __call__(self, addr: int) -> int:
        """Execute the instruction at addr in 32-bit mode (what its closure does when MSR[SF] = 0)."""
        fn = self.closures.get(addr)
        if fn is None:
            t = self.template(addr)
            assert t is not None                # only templated instructions reach here
            fn = self.closures[addr] = closure(self._decoded(addr)[0], t)
        return fn()
