"""Why the debugger stops: the Stop a moving command returns, and the checks made at every position
reached (breakpoints with their conditions and ignore counts, watchpoints over the steps just moved over,
temporary stop addresses, a command's own condition)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.points import KIND_TITLES, Breakpoint, Watchpoint
from ppcinterp.run.engine import Result
from ppcinterp.run.journal import READS, Step
from ppcinterp.views.trace import change_name

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine


@dataclass
class Stop:
    """Why a command that moved stopped, for the UI to report."""

    reason: str                  # step | location | breakpoint | watchpoint | exit | history-start | limit |
    moved: int                   # interrupted | error; moved: instructions executed or undone
    backward: bool = False
    breakpoints: list[Breakpoint] = field(default_factory=list)
    watch_reports: list[str] = field(default_factory=list)
    exit: Result | None = None
    unit: list[Step] = field(default_factory=list)     # the last instruction moved over, with its events
    message: str = ""


def arrived(dbg: DebugEngine, unit: list[Step], temps: frozenset[int], until, backward: bool = False) -> Stop | None:
    """Check the position just reached (after `unit`, moving either way) for reasons to stop."""
    reports = [r for w in dbg.points.active_watches() if (r := watch_hit(dbg, w, unit, backward))]
    pc = dbg.pc
    hits, message = [], ""
    for b in dbg.points.at(pc):
        if b.condition:
            try:
                if not dbg.values.evaluate(dbg.values.parse(b.condition)):
                    continue
            except DebugError as e:
                message = f"Error in testing condition for breakpoint {b.number}:\n{e}"
        b.hits += 1                                   # as gdb counts: ignored crossings too
        if b.ignore:
            b.ignore -= 1
            continue
        hits.append(b)
        if b.temporary:
            dbg.points.delete(b.number)
    if hits or message:
        return Stop("breakpoint", 0, breakpoints=hits, watch_reports=reports, message=message)
    if reports:
        return Stop("watchpoint", 0, watch_reports=reports)
    if pc in temps or (until is not None and unit and until(unit)):
        return Stop("location", 0)
    return None

def watch_hit(dbg: DebugEngine, w: Watchpoint, unit: list[Step], backward: bool) -> str | None:
    try:
        now = dbg.values.evaluate(w.node)
    except DebugError:
        now = None
    fmt = dbg.commands.show_watched
    head = f"\n{KIND_TITLES[w.kind]} {w.number}: {w.expr}\n\n"
    text = None
    if w.kind == "watch":
        if now != w.value:
            text = head + f"Old value = {fmt(w.value, w)}\nNew value = {fmt(now, w)}"
            text += _who(dbg, unit, w) if not backward else ""
    else:
        acc = w.accesses(unit)
        reads = [a for a in acc if not a.write]
        writes = [a for a in acc if a.write]
        if writes and w.kind == "awatch" and now != w.value:
            text = head + f"Old value = {fmt(w.value, w)}\nNew value = {fmt(now, w)}"
        elif writes and w.kind == "awatch":
            text = head + f"Value = {fmt(now, w)}"
        elif reads:
            text = head + f"Value = {fmt(reads[-1].value, w)}"
        if text and not backward:
            text += _by(acc[-1].step)
    w.value = now
    if text is None:
        return None
    if w.condition:
        try:
            if not dbg.values.evaluate(dbg.values.parse(w.condition)):
                return None
        except DebugError as e:
            return text + f"\nError in testing condition for watchpoint {w.number}: {e}"
    w.hits += 1
    if w.ignore:
        w.ignore -= 1
        return None
    return text

def _who(dbg: DebugEngine, unit: list[Step], w: Watchpoint) -> str:
    for s in reversed(unit):
        if any(c.what not in READS and change_name(dbg.session, c) == w.name for c in s.changes):
            return _by(s)
    return ""

def refresh_watches(dbg: DebugEngine) -> None:
    """Take every watch expression's value as the one to compare with (after a jump in state)."""
    for w in dbg.points.watchpoints():
        try:
            w.value = dbg.values.evaluate(w.node)
        except DebugError:
            w.value = None


def _by(step: Step) -> str:
    if step.pc is None:
        return f"\n(by event: {step.event})"
    return ""
