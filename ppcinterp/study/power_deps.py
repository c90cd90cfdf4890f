"""Dependencies for a race study under Power (study/power.py): each thread's real kernel code is run with its
registers watched (mm/taint.py, as litmus threads are), so its events carry addr, data, ctrl and ctrlisync.

The model sees only the events of shared locations (power.py's _share). A dependency through a read left out
(a pointer loaded from memory one thread alone touches, then used as an address) is kept by composing: when an
event depends on a left-out read, it depends in the same way on what that read's address depended on. Each such
composition is in ppc.cat's preserved program order already (addr;dd is in ii, addr;ctrl in cc, addr;ctrlisync
in ci), so nothing is ordered that the code does not order. A left-out read's own ctrl and ctrlisync need no
composing: a branch before it is before the event too, which carries them itself. Taints through memory (a
register spilled and reloaded) are not followed: fewer dependencies, so more executions allowed, never fewer.
"""

from __future__ import annotations

from typing import Any

from ppcinterp import mm
from ppcinterp.isa.table import field_values
from ppcinterp.mm.taint import Tracker

DEPS = ("addr", "data", "ctrl", "ctrlisync")


class Taints:
    """The register taints of the thread a Speculator runs: `start` before its run, `before`/`after` around each
    instruction, `stop` after the run."""

    def __init__(self) -> None:
        self.tracker: Tracker | None = None

    def start(self, engine: Any) -> None:
        t = engine.thread
        self.tracker = Tracker(t.gpr, t.cr, t.spr)
        self.tracker.watch()

    def before(self) -> None:
        assert self.tracker is not None
        self.tracker.begin()

    def after(self, engine: Any, pc: int, made: list[mm.Event]) -> None:
        assert self.tracker is not None
        d = engine.insn_at.get(pc)
        if d is None:           # a stand-in: its writes take the taints of what it read
            self.tracker.end("", "", {}, made)
        else:
            self.tracker.end(d.base_name, d.family, field_values(d, engine.image.word(pc)), made)

    def stop(self) -> None:
        if self.tracker is not None:
            self.tracker.unwatch()
            self.tracker = None


def shared_events(events: list[mm.Event], keep: set[str]) -> tuple[list[mm.Event], dict[int, int]]:
    """The fences and the events of locations in `keep`, renumbered, their dependencies composed through the
    reads left out; with old index -> new index."""
    new: dict[int, int] = {}
    for i, e in enumerate(events):
        if e.kind == "F" or e.loc in keep:
            new[i] = len(new)
    memo: dict[int, frozenset[int]] = {}

    def on(j: int) -> frozenset[int]:
        """What a dependency on read j is, among the kept events."""
        if j in new:
            return frozenset((new[j],))
        if j not in memo:
            memo[j] = frozenset()       # a read's address cannot depend on itself: ends a cycle
            memo[j] = frozenset().union(*(on(a) for a in events[j].addr))
        return memo[j]

    out = []
    for i, k in new.items():
        e = events[i]
        deps = {d: frozenset[int]().union(*(on(j) for j in getattr(e, d))) for d in DEPS}
        out.append(mm.Event(e.kind, e.thread, k, e.loc, e.value, e.size, e.fence, e.exclusive, e.ci, where=e.where,
                            **deps))
    return out, new
