"""The journal: what every step changed. Trace, path, watchpoints, reverse stepping and the debugger read it.

Changes are tuples (what, key, old, new[, thread]):
  ("gpr"|"cr"|"fpr"|"vr", index, old, new, thread)     ("spr", number, old, new, thread)
  ("msr", None, old, new, thread)   ("reservation", None, old, new, thread)   (thread: whose register it is)
  ("vsr", 0-63, old, new, thread): a VSX write, 128 bits      ("fpscr"|"vscr", None, old, new, thread)
  ("mem", (addr, size), old, new)            ("icp", (icp, field), old, new)
  ("tb", None, old, new): the time base      ("slb", index, old, new): an SLB entry (ESID, VSID words)
  ("mmio", device, (addr, size, ci, is_store, value), meaning)      ("note", None, None, text)
  ("load", (addr, size), cache_inhibited, value): a RAM read, recorded so that views can name what was read
  ("thread", None, old, new): the current hardware thread changed (the debugger's `thread N`)
Reads ("load", "mmio") and notes change nothing: undo and redo skip them; a device's state changes are
recorded as "icp" changes beside the access that caused them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# changes naming a thread
THREAD_STATE = frozenset({"gpr", "cr", "fpr", "vr", "spr", "msr", "reservation", "vsr", "fpscr", "vscr"})


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
    for change in reversed(step.changes):
        _put(machine, change, change[2])


def redo(machine, step: Step) -> None:
    """Apply a recorded step again, exactly as it happened (replaying history, events included, without
    running anything: devices and hooks are not asked twice)."""
    for change in step.changes:
        _put(machine, change, change[3])


def _put(machine, change: tuple, value) -> None:
    what, key = change[0], change[1]
    if what in THREAD_STATE:
        machine.threads[change[4]].undo(what, key, value)   # a put that is not itself recorded
    elif what == "mem":
        addr, size = key
        region = machine.memory.region_at(addr)
        region.data[addr - region.base:addr - region.base + size] = value.to_bytes(size, "big")
    elif what == "icp":
        icp, fld = key
        icp.undo(fld, value)
    elif what == "thread":
        machine.current = value
    elif what == "tb":
        machine.tb = value
    elif what == "slb":
        machine.slb[key] = value
