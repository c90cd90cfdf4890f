"""The TUI's Mem pane: a hexdump of the memory `memory EXPR` follows (cmd_memory.py), EXPR evaluated again at
each stop, each byte that changed since the last stop highlighted.

What a byte was at the last stop: the app calls observe() after every command, shown or not, so each engine
keeps the bytes seen at the current stop and at the one before (a `set var` between counts as a stop: it is
recorded in the history).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from rich.text import Text

from ppcinterp.debug.cmd_memory import Row, dump, head, watched
from ppcinterp.debug.panes import View
from ppcinterp.debug.panes_state import CHANGED, HEAD

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine

HINT = "memory EXPR follows memory here (e.g. memory $r13, memory/64 &paca[0].kvm_hstate)"


@dataclass
class Seen:
    stop: tuple = ()
    now: dict[int, int] = field(default_factory=dict)        # address -> byte, at this stop
    before: dict[int, int] = field(default_factory=dict)     # at the previous one


SEEN: WeakKeyDictionary[DebugEngine, Seen] = WeakKeyDictionary()


def stop_mark(dbg: DebugEngine) -> tuple:
    """What identifies a stop (for what changed since, and how long the source pane stays where it was sent):
    the history's position and length (a `set var` lengthens it), and the last stop's identity."""
    return dbg.history.pos, len(dbg.history.steps), id(dbg.last_stop)


def observe(dbg: DebugEngine, rows: list[Row] | None = None) -> Seen:
    """Remember the bytes followed now; at a new stop, what was seen at the last one becomes `before`."""
    seen = SEEN.setdefault(dbg, Seen())
    stop = stop_mark(dbg)
    if stop != seen.stop:
        seen.stop, seen.before, seen.now = stop, seen.now, {}
    if rows is None:
        w = watched(dbg)
        addr = head(dbg, w)[1] if w else None
        rows = [] if addr is None else dump(dbg, addr, w.length)
    for r in rows:
        seen.now.update((r.addr + i, b) for i, b in enumerate(r.data or b""))
    return seen


def memory_pane(dbg: DebugEngine, width: int = 34) -> View:
    """The header (`$r13 = 0x2000000 <paca[0].lppaca_ptr>, 128 bytes`), then rows of 16 bytes (8 when narrow)
    with their text; a byte that changed since the last stop highlighted, one that cannot be read as `??`."""
    w = watched(dbg)
    if w is None:
        observe(dbg, [])
        return View(Text(HINT, "dim"))
    title, addr = head(dbg, w)
    if addr is None:
        observe(dbg, [])
        return View(Text(title, "red"))
    aw = len(f"{addr + w.length:#x}")
    per_row = 16 if width >= aw + 3 + 16 * 3 + 2 + 16 else 8
    rows = dump(dbg, addr, w.length, per_row)
    seen = observe(dbg, rows)
    out = [Text(title, HEAD)]
    said = False
    for r in rows:
        row = Text(f"{r.addr:#{aw}x}:", "dim")
        for i in range(per_row):
            row.append("  " if i % 8 == 0 else " ")
            a = r.addr + i
            if r.data is not None and i < len(r.data):
                old = seen.before.get(a)
                row.append(f"{r.data[i]:02x}", CHANGED if old is not None and old != r.data[i] else "")
            else:
                row.append("??", "dim")
        data = r.data or b""
        row.append("  " + "".join(chr(b) if 32 <= b < 127 else "." for b in data), "dim")
        out.append(row)
        if r.error and not said:                # the first failure says why; the rows after it show ??
            out.append(Text(f"  {r.error}", "red"))
            said = True
    return View(Text("\n").join(out))
