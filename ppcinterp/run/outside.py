"""Where a run meets what the file does not hold: calls into other objects (C functions, reached by `bl` or
through a table and `bctrl`) and accesses outside every mapped region.

A call to a symbol another object defines ends the run as a named exit, unless Python stands in for the
function: it gets r3..r10, its result (if not None) goes to r3, and the run goes on at LR as if the function
had returned. The other volatile registers (r0, r4-r12, CTR, XER, CR0/1/5/6/7) are left as they were, which
a C function may do too. The call is one journaled step: `call .kvmppc_h_enter(r3=0x8, r4=0x1) -> r3=0x0
(stand-in)`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING

from ppcinterp.diagnostics import PpcError, source_line
from ppcinterp.machine.memory import MemoryFault
from ppcinterp.run.stops import ReachedOutside

if TYPE_CHECKING:
    from ppcinterp.machine.state import Thread
    from ppcinterp.run.engine import Engine
    from ppcinterp.run.results import Results

M64 = (1 << 64) - 1
# The return address Session.call puts in LR: no code and no memory are ever there, so the callee's return lands
# on no code at the LR the run started with, which ends the run as kind `return` (Results._result_nocode).
RETURN_ADDRESS = 0x7FFF_FFFF_FFFF_0000
StandIn = Callable[[tuple[int, ...]], int | None]


def closure(engine: Engine, name: str, thread: Thread) -> Callable[[], int]:
    """The code at an outside symbol's slot. The stand-in is looked up when the slot is reached, so one
    registered later needs no re-decoding (and copies of the code table see it too)."""
    stop, stand_ins, machine = ReachedOutside(name), engine.stand_ins, engine.machine
    g, spr = thread.gpr, thread.spr

    def reach() -> int:
        fn = stand_ins.get(name)
        if fn is None:
            raise stop.with_traceback(None)     # a shared instance: no frames of earlier runs kept
        args = tuple(g[3:11])
        ret = fn(args)
        if ret is not None:
            if isinstance(ret, bool) or not isinstance(ret, int):
                raise PpcError(f"the stand-in for {name} returned {ret!r}, not an integer or None")
            g[3] = ret & M64
        if machine.log is not None:
            machine.log.append(("note", "call", (name, args, ret), call_text(name, args, ret)))
        lr = spr.get(8, 0) & ~3
        return lr if thread._msr >> 63 else lr & 0xFFFFFFFF     # blr's NIA: 32-bit mode drops the high word
    reach.exit = (name, stop)  # type: ignore[attr-defined]  # the run loop ends here without raising
    return reach


def adapt(fn: Callable[..., int | None], session: object) -> StandIn:
    """fn(args), or fn(args, session) when it takes two arguments."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return fn
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in params):
        return lambda args: fn(args, session)
    return fn


def call_text(name: str, args: tuple[int, ...], ret: int | None) -> str:
    """`call .kvmppc_h_enter(r3=0x8, r4=0x1) -> r3=0x0 (stand-in)`; arguments after the last nonzero one are
    left out (the C function's arity is not known here)."""
    shown = list(args)
    while len(shown) > 1 and shown[-1] == 0:
        shown.pop()
    result = "r3 unchanged" if ret is None else f"r3={ret & M64:#x}"
    return f"call {name}({', '.join(f'r{i + 3}={v:#x}' for i, v in enumerate(shown))}) -> {result} (stand-in)"


def fault_message(engine: Results, e: MemoryFault, pc: int) -> str:
    """`file:1048: std r8, VCPU_DSCR(r7): store of 8 bytes at 0x... (r7 = 0x...) is outside every mapped
    region`: the instruction as written, the access, and the registers its address came from."""
    access = MemoryFault.access(e.addr, e.size, e.write)
    what = "is outside every mapped region" if e.why == "unmapped" else f"is refused: {e.why}"
    ai = engine.program.insns.get(pc)
    if ai is None:
        name = engine.outside_names.get(pc)
        return f"{access} {what}" + (f" (in the stand-in for {name})" if name else f" (at {pc:#x})")
    text = " ".join((source_line(ai.pos) or ai.stmt.text).split("/*")[0].split())
    regs = address_registers(engine, pc)
    return f"{engine.where(pc)}: {text}: {access}" + (f" ({regs})" if regs else "") + f" {what}"


def address_registers(engine: Results, pc: int) -> str:
    """`r7 = 0x...` for each register an access's address came from (RA unless it reads as 0, and RB)."""
    d = engine.insn_at.get(pc)
    if d is None:
        return ""
    word, g = engine.image.word(pc), engine.machine.thread.gpr
    out: list[str] = []
    for o in d.operands:
        f = o.base or (o.field if o.field.name in ("RA", "RA0", "RB") else None)
        if f is None:
            continue
        r = f.extract(word)
        text = f"r{r} = {g[r]:#x}"
        if not (f.name == "RA0" and r == 0) and text not in out:
            out.append(text)
    return ", ".join(out)
