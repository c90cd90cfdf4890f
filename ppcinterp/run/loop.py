"""The run loop: the one loop every run takes (Session.run, paths, interleave, scenarios, the debugger).

It executes compiled blocks (run/blocks.py) where it can and single instructions through their closures where
it cannot (an exit, a stand-in's call, the debugger's single steps at no block), and records what the run asks
for: nothing (untraced), a Trail (path-only: the blocks entered and how far) or a Journal (every change). At
every instruction boundary it fires the hooks due there (by step number, then by address) before the
instruction runs; blocks never span a hook's address or step, a break address, or the step budget.

`Engine.use_blocks = False` executes every instruction through its closure (the journal recording through the
register containers): the reference the agreement tests hold the blocks to.

Blocks are compiled per computation mode (MSR[SF]: 64-bit or 32-bit); the loop runs the blocks of the thread's
mode, looking at MSR[SF] before each block here, and in the lean loop (`_plain`) after each single step: the
instructions that may change the MSR run alone, never in a block (run/blocks.py).
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, Any

from ppcinterp.machine.core import Machine
from ppcinterp.machine.memory import MemoryFault
from ppcinterp.machine.state import Log
from ppcinterp.run.blocks import MISSING as _MISSING
from ppcinterp.run.events import Hook, fire
from ppcinterp.run.journal import Journal, Step, Trail, change
from ppcinterp.run.record import Writer
from ppcinterp.run.results import NOT_STEPS
from ppcinterp.run.stops import Stop

if TYPE_CHECKING:
    from ppcinterp.isa.context import Step as StepFn
    from ppcinterp.run.blocks import BlockTables
    from ppcinterp.run.engine import Engine

_NONE: frozenset[int] = frozenset()
_NO_TABLES: BlockTables = ({}, {})      # what an uncompiled run has (it never reads them)
FAR = 1 << 62


class NoCode(Exception):
    """The run jumped to an address with no code (pc is where)."""


def execute(engine: Engine, pc: int, n: int, end: int, rec: Trail | None = None,
            hooks: dict[int, list[Hook]] | None = None, step_hooks: dict[int, list[Hook]] | None = None,
            breaks: frozenset[int] = _NONE, arrive: bool = True,
            hooks_at_end: bool = False) -> tuple[int, int, Stop | MemoryFault | NoCode | None]:
    """Run from pc, instruction number n, until instruction number `end`, a break address (after at least one
    instruction) or a stop. Returns (pc, n, exception): where it stopped (for an exception an instruction
    raised, that instruction's pc), instructions executed before it, and the Stop / MemoryFault / NoCode that
    ended it, or None. `arrive`: fire the hooks at the first boundary too; `hooks_at_end`: and at the last
    (the debugger's chunks: a stop shows what happened on arrival)."""
    if not (hooks or step_hooks or breaks or hooks_at_end or isinstance(rec, Journal)) and engine.use_blocks and (
            engine.machine.memory.log is None):
        return _plain(engine, pc, n, end, rec.recs if rec is not None else None)
    hooks = hooks or {}
    step_hooks = step_hooks or {}
    machine, code, use_blocks = engine.machine, engine.code, engine.use_blocks
    journal = rec if isinstance(rec, Journal) else None
    recs = rec.recs if rec is not None else None
    compiled = use_blocks and (journal is not None or machine.memory.log is None)  # inline RAM: unobserved
    log: Log | None = None
    writer: Writer | None = None
    if journal is not None:
        log = []
        machine.attach(log, registers=not compiled)
        if compiled:
            writer = Writer(journal, engine.guard.read, engine.guard.write, machine.attach_registers, log)
    stops = frozenset(hooks) | breaks if hooks or breaks else _NONE
    tables = engine.blocks_for(code, stops, journal is not None) if compiled else _NO_TABLES
    th = engine.thread
    at_steps = sorted(step_hooks)
    nh = _next_at(at_steps, n)
    first, fire_now = n, arrive
    b = None
    thread = machine.current
    try:
        while True:
            b = None                    # the block running, when an exception arrives
            if n >= end and not hooks_at_end:
                break
            if fire_now:
                if n in step_hooks:
                    fire(engine, step_hooks[n], n, journal, log, compiled)
                if pc in hooks:
                    fire(engine, hooks[pc], n, journal, log, compiled)
            fire_now = True
            if n >= end or (n > first and pc in breaks):
                break
            if nh <= n:
                nh = _next_at(at_steps, n)
            limit = end if end < nh else nh
            if compiled:
                sf = th._msr >> 63                          # the mode: a hook or a single step may change it
                blocks = tables[sf]
                b = blocks.get(pc, _MISSING)
                if b is _MISSING:
                    b = blocks[pc] = engine.compile(pc, code, stops, journal is not None, sf)
                if b is not None and n + b.n > limit:       # journaled: a block cut to the budget, else a step
                    b = engine.short_block(pc, code, stops, limit - n, sf) if journal is not None else None
                if b is not None:
                    if writer is not None:
                        fpos = len(writer.flat)
                        pc, c = b.run(limit - n, writer)
                        # A writer records for a journal: recs is the journal's list.
                        recs.extend((b, fpos, c, pc))  # type: ignore[union-attr]
                    else:
                        pc, c = b.run(limit - n)
                        if recs is not None:
                            recs.extend((b, 0, c, pc))
                    n += c
                    continue
            fn = code.get(pc)
            if fn is None:
                raise NoCode(pc)
            stop = _exit_of(fn, engine.stand_ins)   # an exit: its Stop, not raised
            if stop is not None:
                return pc, n, stop
            if journal is None:
                try:
                    nxt = fn()
                except (Stop, MemoryFault) as e:
                    if recs is not None and not isinstance(e, NOT_STEPS):
                        recs.extend((pc, 0, 1, None))
                    raise
                if recs is not None:
                    recs.extend((pc, 0, 1, nxt))
            else:
                # A journal records into a log (made above with it).
                nxt = _journaled_step(machine, journal, fn, pc, n, thread, log, compiled)  # type: ignore[arg-type]
            n += 1
            pc = nxt
    except (Stop, MemoryFault, NoCode) as e:
        if b is not None and b is not _MISSING:     # raised inside a block: at its instruction at[0]
            k, done = b.at
            pc, c = b.addrs[k], done + k
            if recs is not None:
                recs.extend((b, fpos if journal is not None else 0, c + 1, None))
            n += c
        return pc, n, e
    finally:
        if journal is not None:
            machine.attach(None)
    return pc, n, None


def _plain(engine: Engine, pc: int, n: int, end: int,
           recs: list[Any] | None) -> tuple[int, int, Stop | MemoryFault | NoCode | None]:
    """execute() without hooks, breaks or journal: blocks back to back (the common case, kept lean)."""
    code = engine.code
    tables = engine.blocks_for(code, _NONE, False)
    th = engine.thread                  # whose MSR[SF] picks the mode (_msr: the MSR without the property)
    sf = th._msr >> 63
    blocks = tables[sf]
    get = blocks.get
    b = None
    try:
        while n < end:
            b = get(pc, _MISSING)
            if b is _MISSING:
                b = blocks[pc] = engine.compile(pc, code, _NONE, False, sf)
            if b is not None and n + b.n <= end:
                pc, c = b.run(end - n)
                if recs is not None:
                    recs.extend((b, 0, c, pc))
                n += c
                continue
            b = None
            fn = code.get(pc)
            if fn is None:
                raise NoCode(pc)
            stop = _exit_of(fn, engine.stand_ins)   # an exit: its Stop, not raised (raising costs)
            if stop is not None:
                return pc, n, stop
            try:
                nxt = fn()
            except (Stop, MemoryFault) as e:
                if recs is not None and not isinstance(e, NOT_STEPS):
                    recs.extend((pc, 0, 1, None))
                raise
            if recs is not None:
                recs.extend((pc, 0, 1, nxt))
            n += 1
            pc = nxt
            if th._msr >> 63 != sf:       # an mtmsrd (they run alone, as single steps) switched the mode
                sf = th._msr >> 63
                blocks = tables[sf]
                get = blocks.get
    except (Stop, MemoryFault, NoCode) as e:
        if b is not None and b is not _MISSING:     # raised inside a block: at its instruction at[0]
            k, done = b.at
            pc, c = b.addrs[k], done + k
            if recs is not None:
                recs.extend((b, 0, c + 1, None))
            n += c
        return pc, n, e
    return pc, n, None


def _exit_of(fn: StepFn, stand_ins: dict[str, Any]) -> Stop | None:
    """The Stop a code-table exit would raise, when it is not an instruction's doing (NOT_STEPS: nothing to
    record): engine.py's raisers, an outside symbol without a stand-in."""
    stop: Stop | None = getattr(fn, "stop", None)
    if stop is None:
        out = getattr(fn, "exit", None)
        if out is not None and out[0] not in stand_ins:
            stop = out[1]
    return stop if isinstance(stop, NOT_STEPS) else None


def _journaled_step(machine: Machine, journal: Journal, fn: StepFn, pc: int, n: int, thread: int, log: Log,
                    attach: bool) -> int:
    """One instruction through its closure, its changes recorded by the containers and memory into a Step."""
    if attach:
        machine.attach_registers(log)
    try:
        nxt = fn()
    except (Stop, MemoryFault) as e:
        if not isinstance(e, NOT_STEPS):
            journal.append(Step(n, thread, pc, None, [change(c) for c in log]))
        raise
    finally:
        if attach:
            machine.attach_registers(None)
    journal.append(Step(n, thread, pc, nxt, [change(c) for c in log]))
    log.clear()
    return nxt


def _next_at(at_steps: list[int], n: int) -> int:
    """The first step hook after step n (a block must end before it); past every step: no limit."""
    i = bisect_right(at_steps, n)
    return at_steps[i] if i < len(at_steps) else FAR
