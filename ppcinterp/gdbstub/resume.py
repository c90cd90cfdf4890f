"""Moving for gdb: continue, step and their reverse over the engine, gdb's breakpoints and watchpoints (Z0-Z4) in
the engine's table, and the stop reply that says why it stopped (gdb's manual, "Stop Reply Packets").

PowerPC watchpoints are "non-steppable" in gdb (rs6000): a data breakpoint traps before the access, so after a
watchpoint stop gdb takes the watchpoints out, steps one instruction in the direction it is going and then looks
at the value. The engine stops after the instruction (and the events on arriving after it) that changed the
value, so the stop gdb is told about is one instruction earlier in that direction: backward by one after a
forward stop, forward by one after a reverse stop. gdb's own step then lands where our debugger stops.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.points import Breakpoint, Watchpoint
from ppcinterp.debug.report import exit_text
from ppcinterp.gdbstub.target import EINVAL, TargetError
from ppcinterp.run.journal import Span

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine
    from ppcinterp.debug.stops import Stop
    from ppcinterp.run.results import Result

MAX_WATCH = 64              # bytes one Z2-Z4 may cover (a write watch is checked at every instruction)
MAX_POINTS = 1024           # gdb's points at once
WATCH_KINDS = {2: "watch", 3: "rwatch", 4: "awatch"}


@dataclass(frozen=True)
class GdbPoint:
    type: int                # 0 software breakpoint, 1 hardware breakpoint, 2 write, 3 read, 4 access watchpoint
    addr: int
    length: int


class GdbPoints:
    """gdb's points as the engine's: each Z adds breakpoints or watchpoints to the one table (so `monitor info
    breakpoints` lists them and the code is never patched), each z takes them out."""

    def __init__(self, dbg: DebugEngine):
        self.dbg = dbg
        self.numbers: dict[GdbPoint, list[int]] = {}

    def insert(self, p: GdbPoint) -> None:
        if p in self.numbers:
            return                                          # gdb may insert again: the same point
        if len(self.numbers) >= MAX_POINTS:
            raise TargetError(EINVAL, "too many breakpoints and watchpoints")
        dbg = self.dbg
        if p.type in (0, 1):
            if p.addr not in dbg.session.engine.code:
                raise TargetError(EINVAL, f"no instruction at {p.addr:#x}")
            b = Breakpoint(dbg.points.new_number(), p.addr, f"*{p.addr:#x}")
            self.numbers[p] = [dbg.points.add(b).number]
            return
        if not 1 <= p.length <= MAX_WATCH:
            raise TargetError(EINVAL, f"a watchpoint covers 1 to {MAX_WATCH} bytes, not {p.length}")
        made: list[int] = []
        try:
            for addr, size in _pieces(p) if p.type == 2 else [(p.addr, 1)]:
                said = dbg.execute(f"{WATCH_KINDS[p.type]} mem{8 * size}[{addr:#x}]")
                if not dbg.last_ok:
                    raise TargetError(EINVAL, said)
                made.append(dbg.points.next - 1)
                if p.type != 2:                             # a read or access watch covers the whole range
                    dbg.points.get(made[-1]).region = Span(p.addr, p.length)
        except TargetError:
            for n in made:
                dbg.points.delete(n)
            raise
        self.numbers[p] = made

    def remove(self, p: GdbPoint) -> None:
        for n in self.numbers.pop(p, []):
            if n in self.dbg.points.items:                  # `monitor delete` may have taken it already
                self.dbg.points.delete(n)

    def clear(self) -> None:
        for p in list(self.numbers):
            self.remove(p)

    def hits(self) -> dict[int, int]:
        return {n: w.hits for n, w in self.dbg.points.items.items() if isinstance(w, Watchpoint)}

    def fired(self, before: dict[int, int]) -> GdbPoint | None:
        """gdb's watchpoint that stopped the last movement (its hit count went up), if any."""
        now = self.hits()
        for p, numbers in self.numbers.items():
            if p.type >= 2 and any(now.get(n, 0) > before.get(n, 0) for n in numbers):
                return p
        return None

    def breakpoint_type(self, stop: Stop) -> int | None:
        hit = {b.number for b in stop.breakpoints}
        return next((p.type for p, numbers in self.numbers.items() if p.type < 2 and hit & set(numbers)), None)


def _pieces(p: GdbPoint) -> list[tuple[int, int]]:
    """A range as naturally aligned pieces of 1, 2, 4 or 8 bytes (each a memN[] watch expression)."""
    out, a, end = [], p.addr, p.addr + p.length
    while a < end:
        size = 8
        while size > 1 and (a % size or a + size > end):
            size //= 2
        out.append((a, size))
        a += size
    return out


@dataclass
class Stopped:
    reply: bytes                 # the stop reply packet's data
    said: list[str]              # text for gdb's console (O packets), before the reply


def move(dbg: DebugEngine, points: GdbPoints, how: str, run: Callable[[Callable[[], Stop]], Stop]) -> Stopped:
    """Resume as gdb asked (c, s, bc, bs); `run` runs the movement (the server polls for Ctrl-C meanwhile)."""
    backward = how.startswith("b")
    count = 1 if how.endswith("s") else None
    if not backward and dbg.exited is not None and not dbg.exit.ok:
        # on from the fault gdb was shown (a signal): the process dies of it, as a real one would
        return Stopped(b"X%02x" % _signal(dbg.exit), [])
    before = points.hits()
    try:
        stop = run(lambda: (dbg.backward if backward else dbg.forward)(count))
    except DebugError as e:
        return Stopped(b"E01", [str(e)])
    fired = points.fired(before) if stop.reason in ("watchpoint", "breakpoint") else None
    if fired is not None:
        # one instruction back toward where we came from: gdb steps over it itself (the module's docstring)
        if backward:
            dbg.forward(1)
        else:
            dbg.backward(1)
    return stop_reply(dbg, points, stop, fired)


def stop_reply(dbg: DebugEngine, points: GdbPoints, stop: Stop | None, fired: GdbPoint | None = None) -> Stopped:
    """Why the target stopped, as gdb reads it; None: the reply to `?` (where it stands)."""
    said: list[str] = []
    reason = stop.reason if stop is not None else ("exit" if dbg.exited is not None else "")
    signal, info = 5, ""
    if reason == "exit":
        res = dbg.exit
        if stop is not None:
            said.append(exit_text(dbg, res))
        if not res.ok:                  # a fault stops as a signal: its state can still be looked at, reversed
            signal = _signal(res)
        elif dbg.run_index >= dbg.run_count:
            return Stopped(b"W00", said)
    elif stop is not None and stop.message and reason in ("run-start", "breakpoint"):
        said.append(stop.message)
    if reason == "interrupted":
        signal = 2
    elif reason == "history-start":
        info = "replaylog:begin;"
    elif reason == "limit":
        said.append(f"Stopped after {stop.moved} instructions, the step limit of one command (a scenario's "
                    "max_steps); the code may loop. Continue to go on.")
    elif fired is not None:
        info = f"{WATCH_KINDS[fired.type]}:{fired.addr:x};"
    elif reason == "breakpoint" and (kind := points.breakpoint_type(stop)) is not None:
        info = "swbreak:;" if kind == 0 else "hwbreak:;"
    tid = dbg.machine.current + 1
    return Stopped(f"T{signal:02x}{info}thread:{tid:x};".encode(), said)


def _signal(res: Result) -> int:
    """The signal a run's failure is shown as: SIGSEGV for a fault, SIGTRAP for a trap, else SIGILL."""
    return {"fault": 11, "trap": 5}.get(res.kind, 4)
