"""Why a run ends, as an instruction says it: semantics raise these (rfid/hrfid return, nap, a trap, an
instruction without semantics); the engine (run/) adds its own kinds and turns them all into the run's result."""

from __future__ import annotations


class Stop(Exception):
    kind = "stop"

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


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
