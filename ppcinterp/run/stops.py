"""Why a run ended. Instructions raise the kinds in isa/stops.py; the engine raises these: leaving the file or a
hunk, pausing where asked, running past the code."""

from __future__ import annotations

from ppcinterp.isa.stops import ContextReturn, PowerSave, Stop, Trap, Unimplemented

__all__ = ["ContextReturn", "FellOffCode", "FellOffHunk", "Paused", "PowerSave", "ReachedOutside", "Stop", "Trap",
           "Unimplemented"]


class ReachedOutside(Stop):
    """A branch or fall-through to a label the file leaves to (bounce_ext_interrupt, 27f, ...)."""

    kind = "exit"

    def __init__(self, name: str):
        super().__init__(f"left the file to {name}")
        self.name = name


class FellOffHunk(Stop):
    kind = "end-of-hunk"

    def __init__(self, hunk: int):
        super().__init__(f"fell off the end of hunk {hunk}")
        self.hunk = hunk


class Paused(Stop):
    """The run reached the point it was asked to stop at (`Session.run(..., until=...)`), before executing it."""

    kind = "stopped"

    def __init__(self, where: str):
        super().__init__(f"stopped at {where}")
        self.name = where


class FellOffCode(Stop):
    kind = "end-of-code"
