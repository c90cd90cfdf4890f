"""The journal: what every step changed. Trace, path, watchpoints, reverse stepping and the debugger read it.

Changes are tuples (what, key, old, new):
  ("gpr"|"cr"|"fpr"|"vr", index, old, new)   ("spr", number, old, new)   ("msr", None, old, new)
  ("mem", (addr, size), old, new)            ("icp", (icp, field), old, new)
  ("mmio", device, (addr, size, ci, is_store, value), meaning)      ("note", None, None, text)
  ("load", (addr, size), cache_inhibited, value): a RAM read, recorded so that views can name what was read
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Step:
    index: int                   # step number (events share the number of the step they precede)
    thread: int
    pc: int | None               # None for an event
    next_pc: int | None
    changes: list = field(default_factory=list)
    event: str | None = None     # what an event did ("host sets paca[0].kvm_hstate.host_ipi = 1")


class Journal:
    def __init__(self) -> None:
        self.steps: list[Step] = []

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self):
        return iter(self.steps)

    def undo_last(self, machine) -> Step | None:
        """Reverse the newest step on the machine; returns it (removed from the journal)."""
        if not self.steps:
            return None
        step = self.steps.pop()
        undo(machine, step)
        return step


def undo(machine, step: Step) -> None:
    t = machine.threads[step.thread]
    for what, key, old, _new in reversed(step.changes):
        if what in ("gpr", "cr", "fpr", "vr", "spr", "msr"):
            t.undo(what, key, old)
        elif what == "mem":
            addr, size = key
            region = machine.memory.region_at(addr)
            region.data[addr - region.base:addr - region.base + size] = old.to_bytes(size, "big")
        elif what == "icp":
            icp, fld = key
            icp.undo(fld, old)
