"""Commands that move: run, starti, continue, stepi, nexti, step, next, finish, until, advance, and the
reverse ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.present import frame_line, full_stop, source_of
from ppcinterp.debug.registry import command, count_arg
from ppcinterp.debug.runs import run_to, started

if TYPE_CHECKING:
    from ppcinterp.debug.commands import Commands
    from ppcinterp.debug.engine import Stop


@command("run", "r", "restart", usage="run [N]")
def _run(c: Commands, arg: str, fmt: str | None) -> str:
    """Start over and continue to a breakpoint or the end of the run.
    The machine goes back to its initial state (the scenario's [state]) at the entry, and the recorded history
    starts afresh. A scenario with [[then]] runs has several runs, played in turn: at the end of one,
    `continue` starts the next (`info runs` lists them); `run N` starts over and stops at the start of run N
    (breakpoints on the way are passed by). `restart` is the same as `run`."""
    if arg:
        said = run_to(c.dbg, count_arg(arg)) or started(c.dbg, 1)
        return f"{said}\n{full_stop(c.dbg, c.dbg.pc)}"
    stop = c.dbg.run()
    which = f"run 1 of {c.dbg.run_count}: " if c.dbg.run_count > 1 else "run: "
    return c.moved(stop, f"Starting {which}{c.dbg.title} (entry {c.dbg.entry} at {c.dbg.entry_pc:#x})")


@command("starti", "start", usage="starti")
def _starti(c: Commands, arg: str, fmt: str | None) -> str:
    """Start the run over and stop before its first instruction (where the debugger starts)."""
    ended = c.dbg.restart()
    if ended:
        return c.moved(ended)
    return f"Starting run: {c.dbg.title}\n\nProgram stopped.\n{full_stop(c.dbg, c.dbg.pc)}"


@command("continue", "c", "cont", "fg", repeat=True, usage="continue [N]")
def _continue(c: Commands, arg: str, fmt: str | None) -> str:
    """Continue to the next breakpoint, watchpoint, or the end of the run. With N, ignore the breakpoint
    stopped at N-1 more times. In the past, it replays the recorded history and goes on live at its end.
    Without watchpoints, breakpoints are the only cost per instruction."""
    n = count_arg(arg)
    dbg = c.dbg
    dbg.check_can_run()
    head = "Continuing."
    here = dbg.points.at(dbg.pc)
    if n > 1 and here:
        here[0].ignore = n - 1
        head = f"Will ignore next {n - 1} crossings of breakpoint {here[0].number}.  Continuing."
    return c.moved(dbg.forward(), head)


@command("stepi", "si", repeat=True, usage="stepi [N]")
def _stepi(c: Commands, arg: str, fmt: str | None) -> str:
    """Execute one instruction (N instructions).
    Shows what a single instruction changed, with the events that happen on arriving after it, then where it
    stopped."""
    return c.moved(c.dbg.forward(count_arg(arg)))


@command("nexti", "ni", repeat=True, usage="nexti [N]")
def _nexti(c: Commands, arg: str, fmt: str | None) -> str:
    """Like stepi, but a call (bl, bcl, bctrl, blrl) runs until it returns.
    It stops at the instruction after the call (or at a breakpoint, or the end)."""
    return c.moved(_repeat(c.dbg.next_insn, count_arg(arg)))


def _repeat(step: Callable[[], Stop], n: int) -> Stop:
    total = 0
    for _ in range(n):
        stop = step()
        total += stop.moved
        if stop.reason != "step":
            break
    stop.moved = total
    return stop


def _lines(c: Commands, n: int, step: Callable[[], Stop]) -> Stop:
    """Step by source lines: instructions until the source line changes (a macro's lines count as one)."""
    dbg = c.dbg
    total = 0
    for _ in range(n):
        src = source_of(dbg, dbg.pc)
        while True:
            stop = step()
            total += stop.moved
            if stop.reason != "step" or src is None or source_of(dbg, dbg.pc) != src:
                break
        if stop.reason != "step":
            break
    stop.moved = total
    return stop


@command("step", "s", repeat=True, usage="step [N]")
def _step(c: Commands, arg: str, fmt: str | None) -> str:
    """Execute until the source line changes (N times). One instruction per line in most assembly; a macro
    that expands to several instructions is one line."""
    return c.moved(_lines(c, count_arg(arg), lambda: c.dbg.forward(1)))


@command("next", "n", repeat=True, usage="next [N]")
def _next(c: Commands, arg: str, fmt: str | None) -> str:
    """Like step, over link branches (see nexti)."""
    return c.moved(_lines(c, count_arg(arg), c.dbg.next_insn))


@command("finish", "fin", repeat=True, usage="finish")
def _finish(c: Commands, arg: str, fmt: str | None) -> str:
    """Run until the current routine returns to its caller.
    That is, until the run arrives at the return address held in LR now (a blr back to the caller), or stops
    at a breakpoint, or ends. Assembly has no frames: when LR holds no
    address of the program (a handler entered from an interrupt vector), it runs to the end of the run."""
    dbg = c.dbg
    head = f"Run till exit from #0  {frame_line(dbg.location())}"
    stop, target = dbg.finish()
    if target is None:
        head += f"\n(LR {dbg.machine.thread.spr.get(8, 0):#x} is not a return address in the program: running to " \
                "the end of the run)" if stop.reason == "exit" else ""
    return c.moved(stop, head)


@command("until", "u", repeat=True, usage="until [LOCATION]")
def _until(c: Commands, arg: str, fmt: str | None) -> str:
    """Run past the end of a loop, or until LOCATION.
    Without LOCATION: like nexti, but a backward jump (the end of a loop) runs on until an address past the
    current one. With LOCATION: run until it (or until the current routine returns to LR), as advance."""
    if not arg:
        return c.moved(c.dbg.until_next())
    return c.moved(c.dbg.advance(c.address(arg)))


@command("advance", repeat=True, usage="advance LOCATION")
def _advance(c: Commands, arg: str, fmt: str | None) -> str:
    """Run until LOCATION, a breakpoint, the current routine's return (to LR), or the end of the run.
    Locations as for `break` (see `help break`)."""
    if not arg:
        raise DebugError("Argument required (a location).")
    return c.moved(c.dbg.advance(c.address(arg)))


@command("reverse-stepi", "rsi", repeat=True, usage="reverse-stepi [N]")
def _rsi(c: Commands, arg: str, fmt: str | None) -> str:
    """Go back one instruction (N instructions).
    It undoes the instruction and the events that followed it, from the recorded history (always on: back to
    the first instruction). Forward commands then replay the same history exactly."""
    return c.moved(c.dbg.backward(count_arg(arg)))


@command("reverse-nexti", "rni", repeat=True, usage="reverse-nexti [N]")
def _rni(c: Commands, arg: str, fmt: str | None) -> str:
    """Like reverse-stepi, but stepping back over a return (blr) goes back to the call that made it."""
    return c.moved(_repeat(c.dbg.reverse_next, count_arg(arg)))


@command("reverse-step", "rs", repeat=True, usage="reverse-step [N]")
def _rs(c: Commands, arg: str, fmt: str | None) -> str:
    """Go back until the source line changes (N times)."""
    return c.moved(_lines(c, count_arg(arg), lambda: c.dbg.backward(1)))


@command("reverse-next", "rn", repeat=True, usage="reverse-next [N]")
def _rn(c: Commands, arg: str, fmt: str | None) -> str:
    """Like reverse-step, over calls (see reverse-nexti)."""
    return c.moved(_lines(c, count_arg(arg), c.dbg.reverse_next))


@command("reverse-continue", "rc", repeat=True, usage="reverse-continue")
def _rc(c: Commands, arg: str, fmt: str | None) -> str:
    """Go back to the previous breakpoint or watchpoint hit, or to the start of the history."""
    return c.moved(c.dbg.backward(None))
