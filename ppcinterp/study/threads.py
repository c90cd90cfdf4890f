"""The machine of a race study: several hardware threads, each running code from its own entry (a scenario's
[[race]] tables), with its own registers, over one memory, PACA array and set of ICPs.

Each thread has an Engine of its own (the closures are bound to one thread's registers) and runs one instruction
at a time through its closure, so that every access it makes to memory or a device is seen: the memory's read and
write are wrapped, on this machine only, before the engines are made. A *transition* of a thread runs its
register-only instructions up to and including its next instruction that touches memory or a device (or to its
end): register-only instructions are local, so what a transition touches is decided by the thread's own state
when it starts, and only transitions decide the order the exploration has to try (study/dpor.py).

Every access is also recorded as a MemEvent (thread, program-order index, read/write/fence, location, value):
what a memory model (ppcinterp/mm) reads to judge an execution; under sequential consistency a read takes its
value from the last write before it, which the event names.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ppcinterp.diagnostics import PpcError, ScenarioError
from ppcinterp.isa.stops import Stop
from ppcinterp.isa.table import field_values
from ppcinterp.machine.memory import Device, MemoryFault
from ppcinterp.run.engine import Engine
from ppcinterp.study import inputs
from ppcinterp.study.scenario import Scenario, build_session, prepare
from ppcinterp.study.validate import flatten, in_table

RESERVATION_GRANULE = 128          # a store by another thread into the reserved block cancels a lwarx's reservation
STORE_CONDITIONAL = ("stwcx.", "stdcx.")
LOAD_RESERVE = ("lwarx", "ldarx")
SYNC_KINDS = {0: "sync", 1: "lwsync", 2: "ptesync"}
ICP_REGISTERS = {(0, 4): "xirr_poll", (4, 4): "xirr", (4, 1): "cppr", (0xC, 1): "mfrr"}


class Judged:
    """A study's executions (`leaves`, each with `holds` and `outcome`) as the reports count them."""

    leaves: list[Any]

    @property
    def executions(self) -> int:
        return len(self.leaves)

    @property
    def violations(self) -> list[Any]:
        return [x for x in self.leaves if not x.holds]

    def outcomes(self) -> dict[tuple[Any, ...], int]:
        out: dict[tuple[Any, ...], int] = {}
        for x in self.leaves:
            out[x.outcome] = out.get(x.outcome, 0) + 1
        return out


@dataclass(frozen=True)
class ThreadSpec:
    """One [[race]] table: a hardware thread and where its code starts."""
    thread: int
    entry: str
    source: Path | None
    state: list[tuple[str, object]]
    note: str
    index: int                     # which [[race]] table (for error positions)


@dataclass(frozen=True, slots=True)
class MemEvent:
    """A memory event of one execution, as a memory model reads it."""
    thread: int
    index: int                     # program order among the thread's events (fences counted)
    kind: str                      # "R", "W" or "F"
    loc: str | None                # the location's name (paca[0].kvm_hstate.host_ipi, icp[0].mfrr, ram+0x10)
    value: int | None = None
    size: int = 0
    ci: bool = False               # cache-inhibited: a device access
    fence: str | None = None       # F: sync, lwsync, ptesync, eieio, isync
    pc: int = 0                    # the instruction's address
    step: int = 0                  # the thread's instruction number
    writer: tuple[int, int] | None = None     # R: (thread, index) of the write it read under SC; None: initial


@dataclass
class ThreadRun:
    """A thread's progress in the current execution."""
    spec: ThreadSpec
    engine: Engine
    start: int
    pc: int = 0
    lr: int = 0
    steps: int = 0
    end: tuple[str, str] | None = None       # (kind, exit name) once it has ended
    insns: list[tuple[int, int]] = field(default_factory=list)    # (its step number, pc), in order
    events: int = 0


def specs_of(sc: Scenario) -> list[ThreadSpec]:
    out = []
    for i, t in enumerate(sc.data.get("race", [])):
        src = inputs.path_beside(sc.path, sc.text, "source", t["source"]) if "source" in t else None
        if src is not None and not src.is_file():
            raise ScenarioError(f"race[{i}]: cannot read '{src}'", in_table(sc.text, sc.path, "race", i, "source"))
        out.append(ThreadSpec(t["thread"], t["entry"], src, flatten(t.get("state", {})), t.get("note", ""), i))
    return out


class Racers:
    """The threads of a race study on one machine, reset to the scenario's state before each execution."""

    def __init__(self, sc: Scenario, max_steps: int):
        self.specs = specs_of(sc)
        sources = list(sc.sources)
        for s in self.specs:
            if s.source is not None and s.source.resolve() not in [x.resolve() for x in sources]:
                sources.append(s.source)
        self.sc = replace(sc, sources=sources, entry=self.specs[0].entry, then=[], events=[])
        self.session = session = build_session(self.sc)
        m = self.machine = session.machine
        mem = m.memory
        self._read, self._write = mem.read, mem.write
        self.rec: list | None = None
        mem.read, mem.write = self._observed_read, self._observed_write    # before the engines take them
        current = m.current
        self.runs: list[ThreadRun] = []
        for s in self.specs:
            m.current = s.thread
            try:
                start = session.address_of(s.entry)
            except PpcError as e:
                raise ScenarioError(f"race[{s.index}]: {e.message}", in_table(sc.text, sc.path, "race", s.index,
                                                                              "entry")) from None
            for name, v in s.state:
                try:
                    prepare(self.sc, session, name, v)()
                except ScenarioError as e:
                    raise ScenarioError(f"race[{s.index}].state {e.message}",
                                        in_table(sc.text, sc.path, "race", s.index, "state")) from None
            eng = Engine(session.image, m)
            eng.stand_ins.update(session.engine.stand_ins)
            bound = session.hunk_bound(s.entry)
            if bound is not None:
                eng.bind(bound)
            self.runs.append(ThreadRun(s, eng, start))
        m.current = current
        self.limit = max_steps
        self.base = session.snapshot()
        self.reset()

    # ---- memory, observed ----
    def _observed_read(self, addr: int, size: int, ci: bool = False) -> int:
        v = self._read(addr, size, ci)
        if self.rec is not None:
            self.rec.append((False, addr, size, v, ci))
        return v

    def _observed_write(self, addr: int, size: int, value: int, ci: bool = False) -> None:
        self._write(addr, size, value, ci)
        if self.rec is not None:
            self.rec.append((True, addr, size, value, ci))

    # ---- an execution ----
    def reset(self) -> None:
        self.session.restore(self.base)
        for r in self.runs:
            r.pc, r.steps, r.end, r.insns, r.events = r.start, 0, None, [], 0
            r.lr = r.engine.thread.spr.get(8, 0) & ~3
            r.engine.entry_lr = r.lr
            self._settle(r)
        self.events: list[MemEvent] = []
        self.order: list[tuple[int, int]] = []            # every instruction as it ran: (run index, its step)
        self.last: dict[object, tuple[int, int]] = {}     # byte address or device -> (thread, index) of its write

    def live(self) -> list[int]:
        """The runs (indices into self.runs) that have not ended."""
        return [k for k, r in enumerate(self.runs) if r.end is None]

    def transition(self, k: int, single: bool = False) -> tuple:
        """Run k's local instructions and its next visible one (single: just one instruction); returns what the
        transition touched: ((lo, hi, is_write), ...), empty for a local one."""
        while True:
            touched = self.step(k)
            if touched or single or self.runs[k].end is not None:
                return touched

    def _settle(self, r: ThreadRun) -> None:
        """End the run now if it is at its end: the step budget spent, no code (a return to the LR it started
        with), or an exit (a label the file leaves to, the end of its hunk); so every step is an instruction."""
        eng, pc = r.engine, r.pc
        fn = eng.code.get(pc)
        if r.steps >= self.limit:
            r.end = ("step-limit", "step-limit")
        elif fn is None:
            r.end = ("return", "return") if pc == r.lr else ("no-code", f"no code at {pc:#x}")
        elif pc in eng.exit_names and eng.outside_names.get(pc) not in eng.stand_ins:
            try:
                fn()
            except Stop as e:
                r.end = (e.kind, getattr(e, "name", None) or eng.exit_names[pc])

    def step(self, k: int) -> tuple:
        """Execute run k's next instruction; what it touched, as transition() says."""
        r = self.runs[k]
        eng, pc = r.engine, r.pc
        fn = eng.code[pc]
        d = eng.insn_at.get(pc)
        extra = ()
        if d is not None and d.name in STORE_CONDITIONAL:     # touches its block whether or not it stores
            f, g = field_values(d, eng.image.word(pc)), eng.thread.gpr
            a = (g[f["RA0"]] if f["RA0"] else 0) + g[f["RB"]]
            extra = (_granule(a, True),)
        rec = self.rec = []
        try:
            nxt = fn()
        except Stop as e:
            r.end = (e.kind, getattr(e, "name", None) or eng.exit_names.get(pc) or e.kind)
            nxt = None
        except MemoryFault as e:
            r.end = ("fault", str(e))
            nxt = None
        finally:
            self.rec = None
        r.insns.append((r.steps, pc))
        self.order.append((k, r.steps))
        r.steps += 1
        if nxt is not None:
            r.pc = nxt
            self._settle(r)
        if d is not None and d.base_name in ("sync", "isync", "eieio"):
            kind = SYNC_KINDS.get(field_values(d, eng.image.word(pc)).get("LS", 0), "sync") \
                if d.base_name == "sync" else d.base_name
            self._event(r, k, "F", None, None, 0, False, pc, fence=kind)
        touched = list(extra)
        if d is not None and d.name in LOAD_RESERVE and rec:     # any store into the block cancels it
            touched.append(_granule(rec[0][1], False))
        for write, addr, size, value, ci in rec:
            region = self.machine.memory.region_at(addr)
            device = isinstance(region, Device)
            lo, hi = (region.base, region.limit) if device else (addr, addr + size)
            touched.append((lo, hi, write or device))       # a device access changes the device's state
            keys = [region.name] if device else range(addr, addr + size)
            writer = None if write else next((self.last[b] for b in keys if b in self.last), None)
            ev = self._event(r, k, "W" if write else "R", self.name_of(addr, size, region), value, size, ci, pc,
                             writer=writer)
            if write:
                for b in keys:
                    self.last[b] = (ev.thread, ev.index)
                self._cancel_reservations(r, addr)
        return tuple(touched)

    def _event(self, r: ThreadRun, k: int, kind: str, loc: str | None, value: int | None, size: int, ci: bool,
               pc: int, fence: str | None = None, writer: tuple[int, int] | None = None) -> MemEvent:
        ev = MemEvent(r.spec.thread, r.events, kind, loc, value, size, ci, fence, pc, r.steps - 1, writer)
        r.events += 1
        self.events.append(ev)
        return ev

    def _cancel_reservations(self, writer: ThreadRun, addr: int) -> None:
        for t in self.machine.threads:
            res = t.reservation
            if t.index != writer.spec.thread and res is not None and \
                    res // RESERVATION_GRANULE == addr // RESERVATION_GRANULE:
                t.reservation = None

    def name_of(self, addr: int, size: int, region) -> str:
        if region is None:
            return f"{addr:#x}"
        off = addr - region.base
        if isinstance(region, Device):
            reg = ICP_REGISTERS.get((off, size)) if region.name.startswith("icp") else None
            return f"{region.name}.{reg}" if reg else f"{region.name}+{off:#x}"
        if hasattr(region, "name_of"):
            return region.name_of(addr)
        return f"{region.name}+{off:#x}"


def _granule(addr: int, write: bool) -> tuple[int, int, bool]:
    lo = addr - addr % RESERVATION_GRANULE
    return lo, lo + RESERVATION_GRANULE, write
