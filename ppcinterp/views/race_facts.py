"""The facts of a race report, read from the journals of replayed interleavings: where the violations lie (each
actor step's window, by the handler's instructions around it), and for the first violation what the handler read
and wrote of each thing the actor wrote, before and after the actor's write. views/race.py words them (text) and
lists them (JSON)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ppcinterp.api import Session
from ppcinterp.diagnostics import PpcError
from ppcinterp.machine.predicate import names, parse
from ppcinterp.run.engine import Result
from ppcinterp.run.journal import THREAD_STATE, Change, Step
from ppcinterp.study.interleave import Interleaving, RaceReport
from ppcinterp.views.trace import change_name, source_text


@dataclass
class Insn:
    """A handler instruction as a reviewer names it."""

    step: int                    # its number in the handler's run, from 1
    pc: int
    where: str                   # "upstream 689", or "file.S:41" outside the seed's hunks
    text: str                    # as written: "lbz r0, HSTATE_HOST_IPI(r13)"

    @property
    def mnemonic(self) -> str:
        return self.text.split()[0] if self.text else "?"

    def json(self) -> dict:
        return {"step": self.step, "pc": self.pc, "where": self.where, "insn": self.text}


@dataclass
class Access:
    insn: Insn
    kind: str                    # read | write | device (an access to the device, any register)
    what: str                    # "read 0x0", "wrote 0xff (was 0x4)", "MFRR <- 0xff (IPI withdrawn)"

    def json(self) -> dict:
        return {**self.insn.json(), "access": self.kind, "what": self.what}


@dataclass
class Bound:
    """One actor step's window: the lowest and highest position at which it broke the invariant."""

    writes: str
    low: int
    high: int
    after: Insn | None           # the instruction before the lowest position (None: the run's start)
    before: Insn | None          # the instruction at the highest (None: after the handler's exit)


@dataclass
class Write:
    """One of the actor's writes in a violating interleaving, and what the handler did with the same thing."""

    step: int
    name: str
    value: str
    after: Insn | None
    before: Insn | None
    seen_before: Access | None
    seen_after: list[Access] = field(default_factory=list)


@dataclass
class Violation:
    positions: tuple[int, ...]
    result: Result
    final: dict[str, int]        # the invariant's state names (and the actor's) once both are done
    writes: list[Write]

    @property
    def message(self) -> str:
        return self.result.message

    @property
    def steps(self) -> int:
        return self.result.steps


@dataclass
class RaceFacts:
    actor: str
    description: str
    invariant: str
    steps: int
    interleavings: int
    violations: int
    exits: dict[str, int]
    window: list[Bound] = field(default_factory=list)
    exact: bool = False
    in_window: int = 0
    first: Violation | None = None


def _insns(session: Session, result: Result) -> list[Insn]:
    p = session.program
    out = []
    for st in result.journal or ():
        if st.pc is None:
            continue
        ai = p.insns.get(st.pc)
        where = hex(st.pc)
        if ai is not None:
            up = p.upstream_line(ai.pos)
            where = f"upstream {up}" if up else f"{ai.pos.file.rsplit('/', 1)[-1]}:{ai.pos.line}"
        out.append(Insn(len(out) + 1, st.pc, where, source_text(session, st.pc)[1]))
    return out


def _item(session: Session, name: str):
    """What an actor's name writes, as the journal records it: memory (addr, size), a device, or a register."""
    ref = session.ref(name)
    if ref.addr is not None:
        return ("mem", ref.addr, max(1, ref.bits // 8))
    m = re.fullmatch(r"icp(?:\[(\d+)\])?\..+", name)
    if m:
        return ("device", f"icp[{m.group(1) or session.machine.current}]")
    return ("reg", name)


def _touch(session: Session, item, step: Step, c: Change) -> tuple[str, str] | None:
    """(kind, what) of how change c of a handler step touches the item: None if it does not."""
    if item[0] == "mem" and c.what in ("load", "mem"):
        if c.key.addr < item[1] + item[2] and item[1] < c.key.addr + c.key.size:
            return ("read", f"read {c.new:#x}") if c.what == "load" else \
                ("write", f"wrote {c.new:#x} (was {c.old:#x})")
    elif item[0] == "device" and c.what == "mmio" and c.key.name == item[1]:
        return "device", c.new
    elif item[0] == "reg" and c.what in THREAD_STATE and change_name(session, c, step.thread) == item[1]:
        return "write", f"wrote {c.new:#x} (was {c.old:#x})" if isinstance(c.new, int) else f"wrote {c.new}"
    return None


def _writes(report: RaceReport, which: Interleaving, result: Result) -> list[Write]:
    session, actor = report.session, report.actor
    insns = _insns(session, result)
    items = {name: _item(session, name) for step in actor.steps for name, _ in step}
    by_item: dict[str, list[tuple[int, Access]]] = {name: [] for name in items}    # (handler step index, access)
    k = 0
    for st in result.journal or ():
        if st.pc is None:
            continue
        for c in st.changes:
            for name, item in items.items():
                touched = _touch(session, item, st, c)
                if touched is not None:
                    by_item[name].append((k, Access(insns[k], *touched)))
        k += 1
    out = []
    for n, (step, p) in enumerate(zip(actor.steps, which.positions, strict=True)):
        for name, value in step:
            seen = by_item[name]
            out.append(Write(n + 1, name, str(value), insns[p - 1] if 0 < p <= len(insns) else None,
                             insns[p] if p < len(insns) else None,
                             next((a for i, a in reversed(seen) if i < p), None), [a for i, a in seen if i >= p]))
    return out


def _final(report: RaceReport) -> dict[str, int]:
    session = report.session
    wanted = [n for n in names(parse(report.invariant)) if not n.startswith("&")]
    wanted += [name for step in report.actor.steps for name, _ in step]
    out = {}
    for name in dict.fromkeys(wanted):
        try:
            value = session.get(name)
        except PpcError:             # a constant or label in the invariant, not state
            continue
        if isinstance(value, int):
            out[name] = value
    return out


def facts(report: RaceReport) -> RaceFacts:
    exits: dict[str, int] = {}
    for i in report.interleavings:
        exits[i.result.exit] = exits.get(i.result.exit, 0) + 1
    f = RaceFacts(report.actor.name, report.actor.description, report.invariant, report.steps,
                  len(report.interleavings), len(report.violations), exits)
    v = report.violations
    if not v:
        return f
    bounds, f.in_window = report.window()
    f.exact = f.in_window == len(v)
    runs: dict[tuple, list[Insn]] = {}

    def insns_of(which: Interleaving) -> list[Insn]:
        if which.positions not in runs:
            runs[which.positions] = _insns(report.session, report.replay(which))
        return runs[which.positions]

    for k, (lo, hi) in enumerate(bounds):
        low = insns_of(next(i for i in v if i.positions[k] == lo))
        high = insns_of(next(i for i in reversed(v) if i.positions[k] == hi))
        f.window.append(Bound(", ".join(f"{a} = {x}" for a, x in report.actor.steps[k]), lo, hi,
                              low[lo - 1] if 0 < lo <= len(low) else None, high[hi] if hi < len(high) else None))
    result = report.replay(v[0])            # last: the machine is left as the first violation leaves it
    f.first = Violation(v[0].positions, result, _final(report), _writes(report, v[0], result))
    return f
