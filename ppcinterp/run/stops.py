"""Why a run ended. Semantics raise these; the engine turns them into the run's result."""

from __future__ import annotations


class Stop(Exception):
    kind = "stop"

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


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


class ContextReturn(Stop):
    """rfid / hrfid: the run ends returning to the guest or the host."""

    kind = "return"

    def __init__(self, insn: str, target: int, msr: int):
        hv = (msr >> 60) & 1 and not (msr >> 14) & 1
        self.to = "host" if hv else "guest"
        super().__init__(f"{insn} returns to the {self.to} at {target:#x} with MSR {msr:#x}")
        self.insn, self.target, self.msr = insn, target, msr


class PowerSave(Stop):
    kind = "power-save"


class Trap(Stop):
    kind = "trap"


class Unimplemented(Stop):
    kind = "unimplemented"
