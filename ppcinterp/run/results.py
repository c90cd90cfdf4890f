"""How a run ended, and the Result the engine makes of it: the exit and its names, the path of labels, the
branch decisions, the message (a fault names the access, a step limit the loop)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ppcinterp.diagnostics import Pos
from ppcinterp.machine.memory import MemoryFault
from ppcinterp.run import outside
from ppcinterp.run.journal import Journal, Step, Trail
from ppcinterp.run.stops import FellOffCode, FellOffHunk, Paused, ReachedOutside, Stop

if TYPE_CHECKING:
    from ppcinterp.asm.fixup import Image
    from ppcinterp.asm.program import Program
    from ppcinterp.isa.context import Step as StepFn
    from ppcinterp.isa.table import InsnDef
    from ppcinterp.machine.core import Machine
    from ppcinterp.run.blocks import Block

# The architected interrupt vectors of 64-bit Book3S (real addresses; the kernel's own code is not modelled).
VECTORS = {0x100: "system reset", 0x200: "machine check", 0x300: "data storage", 0x380: "data segment",
           0x400: "instruction storage", 0x480: "instruction segment", 0x500: "external interrupt",
           0x600: "alignment", 0x700: "program", 0x800: "FP unavailable", 0x900: "decrementer",
           0x980: "hypervisor decrementer", 0xC00: "system call", 0xD00: "trace", 0xE00: "hypervisor data storage",
           0xE20: "hypervisor instruction storage", 0xE40: "hypervisor emulation assistance",
           0xE60: "hypervisor maintenance", 0xF00: "performance monitor", 0xF20: "vector unavailable",
           0xF40: "VSX unavailable"}
NOT_STEPS = (ReachedOutside, FellOffHunk, FellOffCode, Paused)     # stops that are not an instruction's doing

Message = str | Callable[[], str]        # a Result's message: text, or a function making it when first read
# What an exit that is not an instruction's doing says: (name, kind, message, path tail, exit labels).
ExitFields = tuple[str, str, Message, tuple[str, ...], list[str]]


class Result:
    """How a run ended. The path, branch decisions and pcs are made from the run's Trail (or Journal) when first
    read, and an exit's message too: a run whose caller reads only its exit pays for none of them."""

    __slots__ = ("exit", "kind", "pc", "steps", "journal", "detail", "exit_labels", "_message", "_trail",
                 "_tables", "_tail", "_drop", "_path", "_decisions", "_pcs", "_n")

    # (positional parameters: the engine passes them so; keywords make the call twice as costly)
    def __init__(self, exit: str, kind: str, message: Message, pc: int | None, steps: int,
                 journal: Journal | None = None, detail: object = None, exit_labels: list[str] | None = None,
                 trail: Trail | None = None, tables: tuple[dict[int, list[str]], set[int]] | None = None,
                 tail: tuple[str, ...] = (), drop_last: bool = True):
        self.exit = exit                 # where the run ended: a label, "end of hunk 4", "hrfid", ...
        self.kind = kind                 # exit | end-of-hunk | return | power-save | trap | fault | step-limit | ...
        self._message = message          # text, or a function making it
        self.pc = pc                     # the last instruction executed (or the faulting one)
        self.steps = steps
        self.journal = journal
        self.detail = detail             # the Stop, for callers that need more (ContextReturn target, ...)
        self.exit_labels = exit_labels if exit_labels is not None else []   # every label written where it left
        self._trail, self._tables, self._tail, self._drop = trail, tables, tail, drop_last
        self._n = len(trail.recs) // 4 if trail is not None else 0     # its records: not what is appended after
        self._path: list[str] | None = None
        self._decisions: list[tuple[int, bool]] | None = None
        self._pcs: list[int] | None = None

    @property
    def message(self) -> str:
        if callable(self._message):
            self._message = self._message()
        return self._message

    @property
    def path(self) -> list[str]:
        """Labels passed, in order (the exit's name last when it left by one)."""
        if self._path is None:
            labels = self._tables[0] if self._trail is not None and self._tables is not None else {}
            self._path = (self._trail.path(labels, nrecs=self._n) if self._trail is not None else []) + list(self._tail)
        return self._path

    @property
    def decisions(self) -> list[tuple[int, bool]]:
        """(branch address, taken) of every conditional branch executed."""
        if self._decisions is None:
            self._decisions = (self._trail.decisions(self._tables[1], drop_last=self._drop, nrecs=self._n)
                               if self._trail is not None and self._tables is not None else [])
        return self._decisions

    @property
    def pcs(self) -> list[int] | None:
        if self._pcs is None and self._trail is not None:
            self._pcs = self._trail.pcs(nrecs=self._n)
        return self._pcs

    @property
    def ok(self) -> bool:
        return self.kind in ("exit", "end-of-hunk", "return", "power-save", "stopped", "vector")

    def __repr__(self) -> str:
        return f"Result(exit={self.exit!r}, kind={self.kind!r}, steps={self.steps}, message={self.message!r})"


class Results:
    """The Engine's result-making half (it reads the engine's tables: labels_at, exit_names, conditional...)."""

    # The Engine's, declared for its halves (here and run/outside.py's fault_message).
    image: Image
    program: Program
    machine: Machine
    code: dict[int, StepFn]
    insn_at: dict[int, InsnDef]
    labels_at: dict[int, list[str]]
    conditional: set[int]
    exit_names: dict[int, str]
    exit_labels: dict[int, list[str]]
    outside_names: dict[int, str]
    nxt_at: dict[int, int]
    nxt32_at: dict[int, int]
    _exits: dict[tuple[int, Stop | MemoryFault, bool, int], ExitFields]   # only Stops are kept
    _falls: set[int]

    if TYPE_CHECKING:
        def pos(self, addr: int) -> Pos | None: ...
        def where(self, addr: int | None) -> str: ...

    # ---------------------------------------------------------------- results
    def _made(self, exit: str, kind: str, message: Message, pc: int | None, n: int, trail: Trail | None,
              jr: Journal | None, exit_pc: int | None = None, **kw: Any) -> Result:
        """A Result whose path and decisions come from `trail`; exit_pc is where an exit sent the last instruction
        (None: the run did not leave by an exit, so the last one decides nothing)."""
        return Result(exit, kind, message, pc, n, journal=jr, trail=trail, tables=(self.labels_at, self.conditional),
                      drop_last=exit_pc is None, **kw)

    def _result(self, e: Stop | MemoryFault, pc: int, n: int, trail: Trail | None, jr: Journal | None) -> Result:
        # what an exit that is not an instruction's doing says depends only on where it left and the code table
        key = (pc, e, trail is not None, id(self.code))
        made = self._exits.get(key)
        if made is not None:                 # (the common case first: every exploration run ends so)
            name, kind, message, tail, labels = made
            return Result(name, kind, message, None if trail is None else _last(trail), n, jr, e, labels, trail,
                          (self.labels_at, self.conditional), tail, False)
        if isinstance(e, Paused):
            return self._made(e.name, e.kind, e.message, _last(trail), n, trail, jr, pc, detail=e,
                              tail=tuple(self.labels_at.get(pc, ())))
        if isinstance(e, NOT_STEPS):
            if len(self._exits) > 10_000:
                self._exits.clear()
            self._exits[key] = self._exit_fields(e, pc, trail is not None)
            return self._result(e, pc, n, trail, jr)
        if isinstance(e, MemoryFault):
            msg = outside.fault_message(self, e, pc)          # now: it names the registers as they are
            return self._made("fault", "fault", msg, pc, n + 1, trail, jr, detail=e)
        name = getattr(e, "insn", None) or e.kind
        msg = f"{e.message} at {self.where(pc)}"
        return self._made(name, e.kind, msg, pc, n + 1, trail, jr, detail=e)

    def _exit_fields(self, e: Stop, pc: int, traced: bool) -> ExitFields:
        """(name, kind, message, path tail, exit labels) of a stop that is not an instruction's doing."""
        name = self.exit_names.get(pc, str(e))
        kind = e.kind
        message: Message
        if kind == "exit":
            message = f"left the file to {name}"
        elif kind == "end-of-hunk":
            hunk = getattr(e, "hunk", None)
            message = (lambda name=name, hunk=hunk: self._end_of_hunk_message(name, hunk))
        else:
            message = str(e)
        tail = (name,) if traced and name and kind in ("exit", "end-of-hunk") else ()
        return name, kind, message, tail, self.exit_labels.get(pc, [name] if kind == "exit" else [])

    def _end_of_hunk_message(self, name: str, number: int | None) -> str:
        """Falling off a hunk names the hunk and its last line (and the label written there, if any)."""
        h = next((h for h in self.program.hunks if h.number == number), None)
        if not name.startswith("end of hunk"):
            return f"reached {name} at the end of hunk {number}"
        if h is None:
            return f"fell off the end of hunk {number}"
        last = self.program.where(Pos(h.pragma.file, h.last_line))
        return f"fell off the end of hunk {number} after its last line, {last}"

    entry_lr: int | None = None      # LR (word-aligned) when the run started: jumping there is the return

    def _result_nocode(self, pc: int, n: int, trail: Trail | None, jr: Journal | None = None) -> Result:
        last = _last(trail)
        if pc == self.entry_lr and pc not in self._successors():   # back to the caller, who is not in the file
            msg = f"returned to its caller at {pc:#x}" + (f" (from {self.where(last)})" if last else "")
            return self._made("return", "return", msg, last, n, trail, jr)
        if pc in VECTORS:           # `ba 0x500`: the handler hands the interrupt to the host's own vector
            msg = f"went to the host's {VECTORS[pc]} vector at {pc:#x}" + (f" (from {self.where(last)})"
                                                                         if last else "")
            return self._made(f"vector {pc:#x}", "vector", msg, last, n, trail, jr, tail=(f"vector {pc:#x}",))
        msg = f"jumped to {pc:#x}, where there is no code" + (f" (from {self.where(last)})" if last else "")
        return self._made("no-code", "no-code", msg, last, n, trail, jr)

    def _successors(self) -> set[int]:
        """Where instructions fall through to: reaching the entry's LR that way (32-bit mode's wrap to 0) is no
        return."""
        if "_falls" not in self.__dict__:
            self._falls = set(self.nxt_at.values()) | set(self.nxt32_at.values())
        return self._falls

    def _result_limit(self, pc: int, max_steps: int, trail: Trail | None, jr: Journal | None) -> Result:
        loop = self._find_loop(pc, trail.pcs()[-2000:] if trail is not None else None)
        msg = f"step limit of {max_steps} reached; the code loops over {loop}"
        return self._made("step-limit", "step-limit", msg, pc, max_steps, trail, jr)

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
        lines = sorted({p.line for a in seen[len(seen) // 2:] if (p := self.pos(a))})
        if not lines:
            return "addresses " + ", ".join(hex(a) for a in sorted(set(seen))[:8])
        first = next(p for a in seen if (p := self.pos(a)) and p.line == lines[0])
        return f"{first.file} lines {lines[0]}-{lines[-1]}" if len(lines) > 1 else f"{first.file}:{lines[0]}"


def _last(trail: Trail | None) -> int | None:
    """The pc of the last instruction a run recorded (None: nothing recorded)."""
    if trail is None:
        return None
    recs = trail.recs
    for i in range(len(recs) - 4, -1, -4):
        r: Block | Step | int = recs[i]
        c: int = recs[i + 2]
        if isinstance(r, int):
            return r
        if not isinstance(r, Step):             # a Block
            return r.addrs[(c - 1) % r.n]
        if r.pc is not None:
            return r.pc
    return None
