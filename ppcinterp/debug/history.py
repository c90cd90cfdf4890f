"""The recorded history of a debugging session and a cursor in it.

The history is the run's journal: instruction steps, and between them events (the scenario's racing writes,
the user's `set var`, `thread N`) recorded as steps without a pc. A position is an instruction boundary: the
index of the next instruction step, or the end. One unit of movement is one instruction together with what
happened after it before the next one (the events on arrival), so going back and forth replays the
recorded history exactly, with journal.undo / journal.redo, instead of running anything again.
"""

from __future__ import annotations

from ppcinterp.run.journal import Journal, Step, redo, undo


class History:
    def __init__(self, machine) -> None:
        self.machine = machine
        self.journal = Journal()
        self.pos = 0            # steps[:pos] are applied to the machine
        self.count = 0          # instructions among steps[:pos]: the number of the next instruction

    @property
    def steps(self) -> Journal:
        return self.journal

    @property
    def at_end(self) -> bool:
        return self.pos == len(self.steps)

    def total(self) -> int:
        """Instructions recorded."""
        last = self.steps[-1] if self.steps else None
        return 0 if last is None else last.index + (last.pc is not None)

    def pc(self) -> int | None:
        """The pc of the next instruction when in the past (None at the end)."""
        return self.steps[self.pos].pc if self.pos < len(self.steps) else None

    def back(self) -> list[Step] | None:
        """Undo one instruction and what followed it; returns those steps, or None at the first position."""
        steps = self.steps
        j = self.pos - 1
        while j >= 0 and steps[j].pc is None:
            j -= 1
        if j < 0:
            return None
        unit = steps[j:self.pos]
        for s in reversed(unit):
            undo(self.machine, s)
        self.pos, self.count = j, self.count - 1
        return unit

    def forward(self) -> list[Step]:
        """Redo the next recorded instruction and what followed it (only in the past)."""
        steps = self.steps
        k = self.pos + 1
        while k < len(steps) and steps[k].pc is None:
            k += 1
        unit = steps[self.pos:k]
        for s in unit:
            redo(self.machine, s)
        self.pos, self.count = k, self.count + 1
        return unit

    def extended(self) -> None:
        """The live run appended steps: move to the new end."""
        self.pos = len(self.steps)
        self.count = self.total()

    def truncate(self) -> int:
        """Forget the future from here; returns how many instructions were forgotten."""
        lost = self.total() - self.count
        self.journal.truncate(self.pos)
        return lost

    def record(self, step: Step) -> None:
        """A change made at the end (the user's); it is part of history: undone and redone like the rest."""
        self.steps.append(step)
        self.pos = len(self.steps)

    def between(self, a: int, b: int) -> tuple[list[Step], bool]:
        """The steps between two positions, and whether going from a to b runs them backward."""
        return (self.steps[a:b], False) if a <= b else (self.steps[b:a], True)

    def at(self, i: int) -> Step:
        return self.journal[i]
