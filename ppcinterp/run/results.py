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
    def _finish(self, res: Result, pcs: list[int] | None, exit_pc: int | None = None) -> Result:
        """Fill in the path and branch decisions; exit_pc is where an exit sent the last instruction."""
        if pcs is not None:
            res.pcs = pcs
            res.path = [name for pc in pcs for name in self.labels_at.get(pc, ())]
            res.decisions = [(pc, nxt != pc + 4) for pc, nxt in zip(pcs, pcs[1:] + [exit_pc], strict=False)
                             if pc in self.conditional and nxt is not None]
        return res

    def _result(self, e: Exception, pc: int, n: int, pcs, jr) -> Result:
        if isinstance(e, Paused):
            res = self._finish(Result(e.name, e.kind, e.message, pcs[-1] if pcs else None, n, journal=jr,
                                      detail=e), pcs, pc)
            res.path += self.labels_at.get(pc, [])
            return res
        if isinstance(e, NOT_STEPS):
            name = self.exit_names.get(pc, str(e))
            last = pcs[-1] if pcs else None
            kind = e.kind
            message = {"exit": f"left the file to {name}",
                       "end-of-hunk": self._end_of_hunk_message(name, getattr(e, "hunk", None))}.get(kind, str(e))
            res = Result(name, kind, message, last, n, journal=jr, detail=e,
                         exit_labels=self.exit_labels.get(pc, [name] if kind == "exit" else []))
            res = self._finish(res, pcs, pc)
            if pcs is not None and name and kind in ("exit", "end-of-hunk"):
                res.path.append(name)
            return res
        if isinstance(e, MemoryFault):
            msg = outside.fault_message(self, e, pc)
            return self._finish(Result("fault", "fault", msg, pc, n + 1, journal=jr, detail=e), pcs)
        name = getattr(e, "insn", None) or e.kind
        msg = f"{e.message} at {self.where(pc)}"
        return self._finish(Result(name, e.kind, msg, pc, n + 1, journal=jr, detail=e), pcs)

    def _end_of_hunk_message(self, name: str, number: int | None) -> str:
        """Falling off a hunk names the hunk and its last line (and the label written there, if any)."""
        h = next((h for h in self.program.hunks if h.number == number), None)
        if not name.startswith("end of hunk"):
            return f"reached {name} at the end of hunk {number}"
        if h is None:
            return f"fell off the end of hunk {number}"
        last = self.program.where(Pos(h.pragma.file, h.last_line))
        return f"fell off the end of hunk {number} after its last line, {last}"

    def _result_nocode(self, pc: int, n: int, pcs, jr=None) -> Result:
        last = pcs[-1] if pcs else None
        if pc in VECTORS:           # `ba 0x500`: the handler hands the interrupt to the host's own vector
            msg = f"went to the host's {VECTORS[pc]} vector at {pc:#x}" + (f" (from {self.where(last)})"
                                                                         if last else "")
            res = self._finish(Result(f"vector {pc:#x}", "vector", msg, last, n, journal=jr), pcs)
            res.path.append(f"vector {pc:#x}")
            return res
        msg = f"jumped to {pc:#x}, where there is no code" + (f" (from {self.where(last)})" if last else "")
        return self._finish(Result("no code", "no-code", msg, last, n, journal=jr), pcs)

    def _result_limit(self, pc: int, max_steps: int, pcs, jr) -> Result:
        loop = self._find_loop(pc, pcs)
        msg = f"step limit of {max_steps} reached; the code loops over {loop}"
        return self._finish(Result("step limit", "step-limit", msg, pc, max_steps, journal=jr), pcs)

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
