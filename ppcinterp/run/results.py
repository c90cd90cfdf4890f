"""How a run ended, and the Result the engine makes of it: the exit and its names, the path of labels, the
branch decisions, the message (a fault names the access, a step limit the loop)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ppcinterp.diagnostics import Pos
from ppcinterp.machine.memory import MemoryFault
from ppcinterp.run import outside
from ppcinterp.run.journal import Journal
from ppcinterp.run.stops import FellOffCode, FellOffHunk, Paused, ReachedOutside, Stop

# The architected interrupt vectors of 64-bit Book3S (real addresses; the kernel's own code is not modelled).
VECTORS = {0x100: "system reset", 0x200: "machine check", 0x300: "data storage", 0x380: "data segment",
           0x400: "instruction storage", 0x480: "instruction segment", 0x500: "external interrupt",
           0x600: "alignment", 0x700: "program", 0x800: "FP unavailable", 0x900: "decrementer",
           0x980: "hypervisor decrementer", 0xC00: "system call", 0xD00: "trace", 0xE00: "hypervisor data storage",
           0xE20: "hypervisor instruction storage", 0xE40: "hypervisor emulation assistance",
           0xE60: "hypervisor maintenance", 0xF00: "performance monitor", 0xF20: "vector unavailable",
           0xF40: "VSX unavailable"}
NOT_STEPS = (ReachedOutside, FellOffHunk, FellOffCode, Paused)     # stops that are not an instruction's doing


@dataclass
class Result:
    exit: str                    # where the run ended: a label, "end of hunk 4", "hrfid", ...
    kind: str                    # exit | end-of-hunk | return | power-save | trap | fault | step-limit | ...
    message: str
    pc: int | None               # the last instruction executed (or the faulting one)
    steps: int
    path: list[str] = field(default_factory=list)      # labels passed, in order
    decisions: list[tuple[int, bool]] = field(default_factory=list)   # (branch address, taken)
    pcs: list[int] | None = None
    journal: Journal | None = None
    detail: object = None        # the Stop, for callers that need more (ContextReturn target, ...)
    exit_labels: list[str] = field(default_factory=list)   # every label written where the run left

    @property
    def ok(self) -> bool:
        return self.kind in ("exit", "end-of-hunk", "return", "power-save", "stopped", "vector")


class Results:
    """The Engine's result-making half (it reads the engine's tables: labels_at, exit_names, conditional...)."""

    # ---------------------------------------------------------------- results
    def _finish(self, res: Result, trail, exit_pc: int | None = None) -> Result:
        """Fill in the pcs, path and branch decisions from the run's Trail (or Journal); exit_pc is where an exit
        sent the last instruction (None: the run did not leave by an exit, so the last one decides nothing)."""
        if trail is not None:
            res.pcs = trail.pcs()
            res.path = trail.path(self.labels_at)
            res.decisions = trail.decisions(self.conditional, drop_last=exit_pc is None)
        return res

    def _result(self, e: Exception, pc: int, n: int, trail, jr) -> Result:
        if isinstance(e, Paused):
            res = self._finish(Result(e.name, e.kind, e.message, _last(trail), n, journal=jr, detail=e), trail, pc)
            res.path += self.labels_at.get(pc, [])
            return res
        if isinstance(e, NOT_STEPS):
            name = self.exit_names.get(pc, str(e))
            last = _last(trail)
            kind = e.kind
            message = {"exit": f"left the file to {name}",
                       "end-of-hunk": self._end_of_hunk_message(name, getattr(e, "hunk", None))}.get(kind, str(e))
            res = Result(name, kind, message, last, n, journal=jr, detail=e,
                         exit_labels=self.exit_labels.get(pc, [name] if kind == "exit" else []))
            res = self._finish(res, trail, pc)
            if trail is not None and name and kind in ("exit", "end-of-hunk"):
                res.path.append(name)
            return res
        if isinstance(e, MemoryFault):
            msg = outside.fault_message(self, e, pc)
            return self._finish(Result("fault", "fault", msg, pc, n + 1, journal=jr, detail=e), trail)
        name = getattr(e, "insn", None) or e.kind
        msg = f"{e.message} at {self.where(pc)}"
        return self._finish(Result(name, e.kind, msg, pc, n + 1, journal=jr, detail=e), trail)

    def _end_of_hunk_message(self, name: str, number: int | None) -> str:
        """Falling off a hunk names the hunk and its last line (and the label written there, if any)."""
        h = next((h for h in self.program.hunks if h.number == number), None)
        if not name.startswith("end of hunk"):
            return f"reached {name} at the end of hunk {number}"
        if h is None:
            return f"fell off the end of hunk {number}"
        last = self.program.where(Pos(h.pragma.file, h.last_line))
        return f"fell off the end of hunk {number} after its last line, {last}"

    def _result_nocode(self, pc: int, n: int, trail, jr=None) -> Result:
        last = _last(trail)
        if pc in VECTORS:           # `ba 0x500`: the handler hands the interrupt to the host's own vector
            msg = f"went to the host's {VECTORS[pc]} vector at {pc:#x}" + (f" (from {self.where(last)})"
                                                                         if last else "")
            res = self._finish(Result(f"vector {pc:#x}", "vector", msg, last, n, journal=jr), trail)
            res.path.append(f"vector {pc:#x}")
            return res
        msg = f"jumped to {pc:#x}, where there is no code" + (f" (from {self.where(last)})" if last else "")
        return self._finish(Result("no code", "no-code", msg, last, n, journal=jr), trail)

    def _result_limit(self, pc: int, max_steps: int, trail, jr) -> Result:
        loop = self._find_loop(pc, trail.pcs()[-2000:] if trail is not None else None)
        msg = f"step limit of {max_steps} reached; the code loops over {loop}"
        return self._finish(Result("step limit", "step-limit", msg, pc, max_steps, journal=jr), trail)

    def _find_loop(self, pc: int, pcs: list[int] | None) -> str:
        """Which lines keep repeating: the last recorded steps, or (unrecorded) a little more run on a copy of
        the state, so that the machine stays as the limit left it."""
        if pcs:
            seen = pcs[-2000:]
        else:
            seen = []
            saved = self.machine.snapshot()
            try:
                for _ in range(2000):
                    seen.append(pc)
                    pc = self.code[pc]()
            except (Stop, MemoryFault, KeyError):
                pass
            finally:
                self.machine.restore(saved)
        lines = sorted({self.pos(a).line for a in seen[len(seen) // 2:] if self.pos(a)})
        if not lines:
            return "addresses " + ", ".join(hex(a) for a in sorted(set(seen))[:8])
        first = self.pos(next(a for a in seen if self.pos(a) and self.pos(a).line == lines[0]))
        return f"{first.file} lines {lines[0]}-{lines[-1]}" if len(lines) > 1 else f"{first.file}:{lines[0]}"


def _last(trail) -> int | None:
    """The pc of the last instruction a run recorded (None: nothing recorded)."""
    if trail is None:
        return None
    recs = trail.recs
    for i in range(len(recs) - 4, -1, -4):
        r, c = recs[i], recs[i + 2]
        if isinstance(r, int):
            return r
        if hasattr(r, "addrs"):
            return r.addrs[(c - 1) % r.n]
        if r.pc is not None:
            return r.pc
    return None
