"""Branch and label coverage, with stable names for what a test can claim to cover.

  labels:              ext_stash_for_host, 1:713 (a numeric label and its upstream line, or file line)
  branch directions:   "upstream 701 taken", "upstream 701 not taken" ("line N ..." outside hunks)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ppcinterp.asm.program import Label, Program
from ppcinterp.diagnostics import Pos
from ppcinterp.run.engine import Engine, Result


def line_id(program: Program, pos: Pos) -> str:
    up = program.upstream_line(pos)
    return f"upstream {up}" if up else f"line {pos.line}"


def label_name(program: Program, lb: Label) -> str:
    return lb.name if not lb.local else f"{lb.name}:{program.upstream_line(lb.pos) or lb.pos.line}"


def branch_ids(program: Program, pc: int) -> tuple[str, str]:
    base = line_id(program, program.insns[pc].pos)
    return f"{base} taken", f"{base} not taken"


@dataclass
class Branch:
    addr: int
    pos: Pos
    text: str
    taken: int = 0
    not_taken: int = 0

    @property
    def status(self) -> str:
        if self.taken and self.not_taken:
            return "both"
        return "taken only" if self.taken else "not taken only" if self.not_taken else "never reached"


class Coverage:
    """What runs of one program exercised, out of the branches and labels of the chosen hunks."""

    def __init__(self, program: Program, engine: Engine, hunks: Iterable[int] | None = None):
        self.program = program
        wanted = set(hunks) if hunks is not None else None

        def included(pos: Pos) -> bool:
            h = program.hunk_of(pos)
            return wanted is None or (h is not None and h.number in wanted)

        self.branches = {a: Branch(a, program.insns[a].pos, " ".join(program.insns[a].stmt.text.split()))
                         for a in sorted(engine.conditional) if a in program.insns and included(program.insns[a].pos)}
        self.labels: dict[str, int] = {}
        data = {d.addr for d in program.data}
        for lb in program.labels:      # labels of code only: a buffer's label is never "reached"
            code = lb.section in program.sections and program.sections[lb.section].is_code and (
                lb.addr in program.insns or lb.addr not in data)
            if code and lb.written and lb.addr not in program.outside and included(lb.pos):
                self.labels.setdefault(label_name(program, lb), 0)

    def add(self, res: Result) -> None:
        for pc, taken in res.decisions:
            b = self.branches.get(pc)
            if b is not None:
                if taken:
                    b.taken += 1
                else:
                    b.not_taken += 1
        for name in reached(res):
            if name in self.labels:
                self.labels[name] += 1

    @property
    def complete(self) -> bool:
        return not self.missing()

    def requirements(self) -> list[str]:
        """Everything a complete set of tests must exercise: each label, each branch both ways."""
        out = list(self.labels)
        for a in self.branches:
            out += list(branch_ids(self.program, a))
        return out

    def missing(self) -> list[str]:
        out = [name for name, n in self.labels.items() if not n]
        for a, b in self.branches.items():
            t, nt = branch_ids(self.program, a)
            out += ([] if b.taken else [t]) + ([] if b.not_taken else [nt])
        return out


def reached(res: Result) -> list[str]:
    """Labels a run passed, including every label written where it left its hunk."""
    return list(res.path) + [x for x in res.exit_labels if x not in res.path]


def exercised(program: Program, results: Iterable[Result]) -> set[str]:
    """The coverage names (labels, branch directions) that these runs exercised."""
    out: set[str] = set()
    for res in results:
        out.update(reached(res))
        for pc, taken in res.decisions:
            if pc in program.insns:
                out.add(branch_ids(program, pc)[0 if taken else 1])
    return out
