"""What a UI reads of a debugger session: where it stands, what changed since the last stop, the path and branch
decisions so far, the last device accesses. A mixin of DebugEngine, over its history and session."""

from __future__ import annotations

from dataclasses import dataclass

from ppcinterp.debug.present import Location
from ppcinterp.run.engine import Result
from ppcinterp.views.trace import change_name


@dataclass
class Display:
    number: int
    expr: str
    fmt: str | None              # what followed the slash: a print format (x) or an examine one (4xw, i)
    examine: bool = False        # shown as x/FMT EXPR (an `i` format, a count or a unit) rather than print
    enabled: bool = True


@dataclass
class Access:
    """A device access in the history, with the device's own account of what it meant."""

    step: int                    # instruction number (an event shares the number of the next instruction)
    pc: int | None               # None: an event (the host, the user) made it
    device: str
    addr: int
    size: int
    store: bool
    value: int
    meaning: str
    event: str | None


class StateViews:
    """The structured state of a DebugEngine (`history`, `session`, `machine`, `symbols`, `exit`, `live_pc`)."""

    @property
    def pc(self) -> int:
        """The next instruction to execute; once the run has ended, the last one executed."""
        h = self.history
        if not h.at_end:
            return h.pc()
        if self.exit is not None:
            last = next((s.pc for s in reversed(h.steps) if s.pc is not None), None)
            return self.live_pc if last is None else last
        return self.live_pc

    @property
    def in_past(self) -> bool:
        """Replaying recorded history (forward commands redo it; changing state forgets what follows)."""
        return not self.history.at_end

    @property
    def exited(self) -> Result | None:
        """The run's end, when standing at it."""
        return self.exit if self.history.at_end else None

    @property
    def thread(self) -> int:
        return self.machine.current

    def location(self, pc: int | None = None) -> Location:
        return self.symbols.location(self.pc if pc is None else pc)

    def history_range(self) -> tuple[int, int, int]:
        """(first, current, last) instruction numbers of the recorded history."""
        h = self.history
        return 0, h.count, h.total()

    def changed(self) -> dict[str, tuple[object, object]]:
        """Net state changes between the previous stop and this one: name -> (old, new)."""
        a, b = self._marks
        n = len(self.history.steps)
        a, b = min(a, n), min(b, n)
        key = (a, b, n, self.history.pos)
        memo = getattr(self, "_changed", None)
        if memo is not None and memo[0] == key:           # every pane asks at each refresh
            return memo[1]
        backward = b < a
        changes = self.history.journal.net(min(a, b), max(a, b))
        out: dict[str, list] = {}
        for c in reversed(changes) if backward else changes:
            if c.what == "thread":
                continue
            old, new = (c.new, c.old) if backward else (c.old, c.new)
            name = change_name(self.session, c)
            if name in out:
                out[name][1] = new
            else:
                out[name] = [old, new]
        got = {k: (v[0], v[1]) for k, v in out.items() if v[0] != v[1]}
        self._changed = (key, got)
        return got

    def path(self, first: int | None = None, last: int | None = None) -> list[str]:
        """The labels passed so far in the current run, in order (the exit's name last once the run has left);
        with instruction numbers first and last, the labels passed between them (no exit)."""
        labels = self.session.engine.labels_at
        h = self.history
        lo = self.runs.counts[self.run_index - 1] if first is None else first
        out = [name for pc in h.journal.pcs(h.pos)[lo:last] for name in labels.get(pc, ())]
        ex = self.exited
        if first is None and ex is not None and ex.kind in ("exit", "end-of-hunk"):
            out.append(ex.exit)
        return out

    def decisions(self) -> list[tuple[int, bool]]:
        """(branch address, taken) of every conditional branch so far."""
        h = self.history
        return h.journal.decisions(self.session.engine.conditional, h.pos)

    def mmio(self, last: int = 8) -> list[Access]:
        """The last device accesses up to this point, newest last."""
        h = self.history
        return [Access(s.index, s.pc, c.key.name, c.old.addr, c.old.size, c.old.store, c.old.value, c.new, s.event)
                for s, c in h.journal.mmio(h.pos, last)]
