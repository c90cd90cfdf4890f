"""TOML scenarios: a source, a machine state by name, events during the run, and expectations.

    description = "a KVM IPI while the guest has EE set: MER set, bounce"
    source = "../book3s_hv_rmhandlers.S"        # relative to the scenario file (or sources = ["a.S", "b.S"]:
                                                # several objects linked into one program, as `ppcinterp check a b`)
    cpu = "POWER7"                              # config, features, threads, current, entry, max_steps
    kernel_tree = "../linux"                    # optional, like asm_offsets: preprocess as kbuild does there
    icp_base = 0x100000000                      # optional: thread N's ICP page at icp_base + N * 0x1000 (each
                                                # PACA's kvm_hstate.xics_phys points at its own)
    entry = "hunk 3"                            # a label, "hunk N", "line N", "FILE:N", "upstream N"; or
                                                # call = ["memcpy", "dst", "src", 64] (study/calls.py)
    [state]                                     # any name the state resolver knows (see machine/names.py)
    r12 = 0x500
    msr.ee = true
    paca.kvm_hstate.host_ipi = 0
    icp.pending = [[0x1234, 5]]                 # (source, priority) pairs
    [[events]]                                  # at a label, line, "upstream N" or "step N", before it runs
    at = "upstream 725"
    note = "the host sets host_ipi"
    set = { "paca.kvm_hstate.host_ipi" = 1 }
    [expect]
    exit = "bounce_ext_interrupt"               # also kind, path (labels in order), steps
    [expect.state]
    "lpcr.mer" = 1

    [[then]]                                    # run again from the state the previous run left
    entry = "hunk 4"                            # (for code whose loop head lies outside the fragment)
    state = { cr0 = 2 }

The machine beyond the registers (applied in this order, then [state], which overrides what they set):

    preset = "guest-running"                    # vcpu, vcore, kvm, lppaca... laid out and linked as KVM has
                                                # them while a guest runs (machine/presets.py has the table)
    [[memory]]                                  # more memory: plain RAM (name, base, size), or a kernel object
    name = "host_dscr_page"                     # by name (vcpu, vcore, kvm, lppaca, vpa, slb_shadow, frame;
    base = 0x1000                               # base optional: the first free pages), whose fields then have
    size = 0x1000                               # names (vcpu.arch.slb_max) in state, traces and conditions
    [stand_ins]                                 # C functions the code calls, stood in for: the run goes on at
    ".kvmppc_hpte_hv_fault" = 0                 # LR with r3 = a number, a constant, or an expression over the
    ".kvmppc_h_enter" = "r4 + H_SUCCESS"        # state at the call (r3..r10 are the arguments); a call to
                                                # any other function ends the run as an exit named after it

Sizes are bounded (study/inputs.py: a 1 MiB file, 10,000-character strings, 1000 events, 100 [[then]] runs, 64
[[memory]] regions, 10,000 assignments, max_steps up to 10,000,000); every bad key, value or path is an error at
its place in the file.

Values are integers, booleans, strings naming a constant of the kernel environment (IPI_PRIORITY), or
"&paca[N]" / "&icp[N]" for the address of a thread's PACA or ICP page, "&vcpu", "&vcpu[N]", "&NAME" (a
region) or "&vcpu.arch.gpr[3]" for where an object, a region or a field is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ppcinterp.api import Session
from ppcinterp.diagnostics import Pos, PpcError, ScenarioError
from ppcinterp.machine.core import DEFAULT_ICP_BASE, DEFAULT_RAM
from ppcinterp.machine.names import StateValueError, pending_pairs
from ppcinterp.run.engine import DEFAULT_STEP_LIMIT, Result
from ppcinterp.study import calls, inputs

TOP_KEYS = {"description": str, "source": str, "cpu": str, "features": int, "config": str, "threads": int,
            "current": int, "entry": str, "max_steps": int, "include": list, "defines": dict,
            "kernel_env": bool, "state": dict, "events": list, "expect": dict, "then": list,
            "invariant": str, "actors": dict, "patch": str, "externs": list, "preset": str, "memory": list,
            "stand_ins": dict}
TOP_KEYS.update(kernel_tree=str, asm_offsets=str)        # paths relative to the scenario file, like include
TOP_KEYS.update(icp_base=int)       # thread i's ICP page at icp_base + i * 0x1000 (each PACA's xics_phys too)
TOP_KEYS.update(call=list, buffers=dict, ram_size=int)      # a function called as C does (study/calls.py)
TOP_KEYS.update(sources=list)       # instead of source: several objects linked into one program
PATH_KEYS = ("kernel_tree", "asm_offsets", "patch")
MAX_EVENTS, MAX_THEN, MAX_MEMORY, MAX_ASSIGNMENTS = 1000, 100, 64, 10_000
MAX_STEPS = 10_000_000                # a run's budget: a scenario may ask for less or more, up to this
THEN_KEYS = {"entry": str, "state": dict, "note": str}
EVENT_KEYS = {"at": str, "note": str, "set": dict}
EXPECT_KEYS = {"exit": str, "kind": str, "path": list, "steps": int, "state": dict, "buffers": dict}
MEMORY_KEYS = {"name": str, "base": int, "size": int}


@dataclass
class Event:
    at: str
    note: str
    assignments: list[tuple[str, object]]


@dataclass
class Scenario:
    path: Path
    text: str
    data: dict
    source: Path
    entry: str
    state: list[tuple[str, object]]
    events: list[Event]
    expect: dict
    then: list[tuple[str, list[tuple[str, object]], str]] = field(default_factory=list)
    patch: str | None = "auto"      # the patch whose hunks `hunk N` names in a whole file
    sources: list[Path] = field(default_factory=list)     # every object of the program (source is the first)

    @property
    def description(self) -> str:
        return self.data.get("description", "")


@dataclass
class Check:
    what: str
    expected: object
    actual: object

    @property
    def ok(self) -> bool:
        return self.expected == self.actual


@dataclass
class Outcome:
    scenario: Scenario
    session: Session
    result: Result                       # the last run's
    checks: list[Check] = field(default_factory=list)
    runs: list[Result] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks) and (self.result.ok or "kind" in self.scenario.expect)


_pos_of = inputs.pos_of


def _flatten(d: dict, prefix: str = "") -> list[tuple[str, object]]:
    out = []
    for k, v in d.items():
        name = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            out += _flatten(v, name)
        else:
            out.append((name, v))
    return out


def load(path: str | Path, source: str | Path | list | None = None, patch: str | Path | None = None) -> Scenario:
    """Read a scenario; `source` runs it on another file than its own (the whole upstream file, say; a list:
    several objects linked), `patch` says where that file's hunks are (default: the scenario's `patch`, else the
    seed's)."""
    p = Path(path)
    text = inputs.read(p, "scenario")
    data = inputs.parse(text, p)

    def check(table: dict, allowed: dict, where: str) -> None:
        for k, v in table.items():
            if k not in allowed:
                raise ScenarioError(f"unknown key '{k}' in {where} (expected one of: {', '.join(allowed)})",
                                    _pos_of(text, p, k))
            want = allowed[k]
            if not isinstance(v, want) or (want is int and isinstance(v, bool)):
                raise ScenarioError(f"'{k}' in {where} must be {_type_name(want)}, not {_type_name(type(v))}",
                                    _pos_of(text, p, k))

    def many(key: str, items: list | dict, most: int, what: str) -> None:
        if len(items) > most:
            raise ScenarioError(f"the scenario has {len(items)} {what} (at most {most})", _pos_of(text, p, key))

    check(data, TOP_KEYS, "the scenario")
    if ("source" in data) == ("sources" in data):
        raise ScenarioError("the scenario has both 'source' and 'sources'" if "source" in data else
                            "the scenario has no 'source' (the .S file to run) or 'sources' (several, linked)",
                            _pos_of(text, p, "sources") if "source" in data else Pos(str(p), 1, 1))
    inputs.check_numbers(data, text, p, MAX_STEPS)
    many("events", data.get("events", []), MAX_EVENTS, "events")
    many("then", data.get("then", []), MAX_THEN, "[[then]] runs")
    many("memory", data.get("memory", []), MAX_MEMORY, "[[memory]] regions")
    if "sources" in data and not data["sources"]:
        raise ScenarioError("'sources' is empty (it names the .S files to link)", _pos_of(text, p, "sources"))
    for key in ("include", "externs", "sources"):
        for item in data.get(key, []):
            if not isinstance(item, str):
                raise ScenarioError(f"'{key}' must be a list of strings, not of {_type_name(type(item))}s",
                                    _pos_of(text, p, key))
    for name, v in data.get("defines", {}).items():
        if not re.fullmatch(r"[A-Za-z_]\w*", name) or not isinstance(v, str | int):
            raise ScenarioError(f"define '{name[:80]}' must be a macro name set to a string or an integer",
                                _pos_of(text, p, name))
    paths = {key: inputs.path_beside(p, text, key, data[key]) for key in ("source", *PATH_KEYS) if key in data}
    for i in data.get("include", []):
        inputs.path_beside(p, text, "include", i)
    if source is not None:
        sources = [inputs.given(x, "--source") for x in ([source] if isinstance(source, str | Path) else source)]
    else:
        sources = [paths["source"]] if "source" in data else [inputs.path_beside(p, text, "sources", x)
                                                               for x in data["sources"]]
    events = []
    for i, ev in enumerate(data.get("events", [])):
        if not isinstance(ev, dict):
            raise ScenarioError(f"events[{i}] must be a table", _pos_of(text, p, "events"))
        check(ev, EVENT_KEYS, f"events[{i}]")
        if "at" not in ev or "set" not in ev:
            raise ScenarioError(f"events[{i}] needs 'at' and 'set'", _pos_of(text, p, "events"))
        events.append(Event(ev["at"], ev.get("note", ""), _flatten(ev["set"])))
    expect = data.get("expect", {})
    check(expect, EXPECT_KEYS, "[expect]")
    calls.check(data, text, p)
    state = _flatten(data.get("state", {}))
    then = []
    for i, t in enumerate(data.get("then", [])):
        if not isinstance(t, dict):
            raise ScenarioError(f"then[{i}] must be a table", _pos_of(text, p, "then"))
        check(t, THEN_KEYS, f"then[{i}]")
        then.append((t.get("entry", data.get("entry", "hunk 3")), _flatten(t.get("state", {})), t.get("note", "")))
    assignments = (state + [a for e in events for a in e.assignments] + _flatten(expect.get("state", {}))
                   + [a for t in then for a in t[1]])
    many("state", assignments, MAX_ASSIGNMENTS, "assignments and expected values")
    for name, value in assignments:
        if not isinstance(value, int | str | list):
            raise ScenarioError(f"'{name}' must be an integer, boolean, constant name or list, not "
                                f"{_type_name(type(value))}", _pos_of(text, p, name))
    for i, mem in enumerate(data.get("memory", [])):
        if not isinstance(mem, dict):
            raise ScenarioError(f"memory[{i}] must be a table (name, base, size)", _pos_of(text, p, "memory"))
        check(mem, MEMORY_KEYS, f"memory[{i}]")
        if "name" not in mem:
            raise ScenarioError(f"memory[{i}] needs a 'name'", _pos_of(text, p, "memory"))
    for sym, v in data.get("stand_ins", {}).items():
        if not isinstance(v, int | str):
            raise ScenarioError(f"stand-in '{sym}' must return an integer or an expression (a string), not "
                                f"{_type_name(type(v))}", _pos_of(text, p, sym))
    where = str(inputs.given(patch, "--patch")) if patch is not None else (
        str(paths["patch"]) if "patch" in data else "auto")
    entry = data["call"][0] if "call" in data else data.get("entry", "hunk 3")
    return Scenario(p, text, data, sources[0], entry, state, events, expect, then, where, sources)


def _type_name(t: type) -> str:
    return {str: "a string", int: "an integer", bool: "a boolean", list: "a list", dict: "a table",
            float: "a float"}.get(t, t.__name__)


def _value(sc: Scenario, session: Session, name: str, v):
    """A value as Session.prepare takes it: a boolean as 0 or 1, a string as the number it names (an error at
    the name's place); a list (icp.pending's pairs) as it is, for prepare to check."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, str):
        try:
            return session.value(v)
        except PpcError as e:
            raise ScenarioError(_about(name, e.message), _pos_of(sc.text, sc.path, name)) from None
    return v


def _expected(sc: Scenario, session: Session, name: str, v):
    """An [expect.state] value as Session.get gives it: a number, or icp.pending's (source, priority) pairs."""
    where = _pos_of(sc.text, sc.path, name)
    try:
        pairs = not session.ref(name).bits
        if pairs:
            return list(pending_pairs(v, lambda x: session.value(x) if isinstance(x, str) else x))
    except StateValueError as e:
        raise ScenarioError(f"expect.state '{name}' {e}", where) from None
    except PpcError as e:
        raise ScenarioError(f"expect.state {_about(name, e.message)}", where) from None
    want = _value(sc, session, name, v)
    if not isinstance(want, int):
        raise ScenarioError(f"expect.state '{name}' needs a number (an integer, a boolean or a constant's name), "
                            f"not {_type_name(type(want))}", where)
    return want


def _about(name: str, message: str) -> str:
    """A message about a name, saying the name once."""
    return message if f"'{name}'" in message else f"'{name}': {message}"


def _assign(sc: Scenario, session: Session, name: str, v) -> None:
    _prepare(sc, session, name, v)()


def _prepare(sc: Scenario, session: Session, name: str, v) -> Callable[[], None]:
    """_assign resolved once (errors at the name's place in the file), made by each call of the result."""
    try:
        return session.prepare(name, _value(sc, session, name, v))
    except PpcError as e:
        if isinstance(e, ScenarioError):
            raise
        raise ScenarioError(_about(name, e.message), _pos_of(sc.text, sc.path, name)) from None


def _beside(sc: Scenario, key: str) -> str | None:
    """A path key of the scenario (kernel_tree, asm_offsets), relative to the scenario file."""
    return str(inputs.path_beside(sc.path, sc.text, key, sc.data[key])) if key in sc.data else None


def build_session(sc: Scenario) -> Session:
    d = sc.data
    try:
        program = [str(x) for x in sc.sources] if len(sc.sources) > 1 else str(sc.source)
        session = Session(program, cpu=d.get("cpu"), features=d.get("features"), config=d.get("config"),
                          include_dirs=[str(inputs.path_beside(sc.path, sc.text, "include", i))
                                        for i in d.get("include", [])],
                          defines={k: str(v) for k, v in d.get("defines", {}).items()},
                          kernel_env=d.get("kernel_env", True), threads=d.get("threads", 1),
                          current=d.get("current", 0), externs=d.get("externs", []), patch=sc.patch,
                          kernel_tree=_beside(sc, "kernel_tree"), asm_offsets=_beside(sc, "asm_offsets"),
                          icp_base=d.get("icp_base", DEFAULT_ICP_BASE), ram_size=d.get("ram_size", DEFAULT_RAM[1]))
    except PpcError as e:
        if e.pos is None:
            for key in ("icp_base", "ram_size"):    # the file placed them
                if key in e.message and re.search(rf"^\s*{key}\s*=", sc.text, re.M):
                    raise ScenarioError(e.message, _pos_of(sc.text, sc.path, key)) from None
            raise ScenarioError(f"{sc.path}: {e.message}") from None
        raise
    _machine(sc, session)
    calls.prepare(sc, session)
    for name, v in sc.state:
        _assign(sc, session, name, v)
    return session


def _machine(sc: Scenario, session: Session) -> None:
    """The preset, [[memory]] and [stand_ins], each error at its place in the file."""
    d = sc.data

    def at(key: str, what: str, call) -> None:
        try:
            call()
        except PpcError as e:
            if isinstance(e, ScenarioError):
                raise
            raise ScenarioError(f"{what}: {e.message}", _pos_of(sc.text, sc.path, key)) from None

    if "preset" in d:
        at("preset", f"preset '{d['preset']}'", lambda: session.preset(d["preset"]))
    for i, mem in enumerate(d.get("memory", [])):
        at("memory", f"memory[{i}] ({mem['name']})",
           lambda mem=mem: session.map(mem["name"], mem.get("base"), mem.get("size")))
    for sym, v in d.get("stand_ins", {}).items():
        def make(v=v) -> Callable[[tuple], int]:
            if isinstance(v, str):
                value = session.condition(v)       # our evaluator: state, constants, operators; never eval
                return lambda _args: value()
            return lambda _args: int(v)
        at(sym, f"stand-in '{sym}'", lambda sym=sym, make=make: session.stand_in(sym, make()))


def event_point(session: Session, at: str) -> tuple[bool, int]:
    """Where an event fires: (True, a step number) for `step N`, else (False, the address of a location)."""
    m = re.fullmatch(r"step\s+(\d{1,18})", at.strip())
    if m:
        return True, int(m.group(1))
    if re.fullmatch(r"step\s+\d+", at.strip()):
        raise PpcError("the step number is too large")
    return False, session.address_of(at)


def hooks_for(sc: Scenario, session: Session) -> tuple[dict, dict]:
    """Engine hooks (by address and by step number) that apply each event once, the first time it is reached;
    api.rearm(*hooks) arms them again for another run."""
    by_pc: dict[int, list] = {}
    by_step: dict[int, list] = {}
    for ev in sc.events:
        try:
            step, key = event_point(session, ev.at)
        except PpcError as e:
            raise ScenarioError(f"event at '{ev.at[:80]}': {e.message}", _pos_of(sc.text, sc.path, "at")) from None
        (by_step if step else by_pc).setdefault(key, []).append(ev)

    def make(ev: Event):
        try:
            return session.event_hook(ev.assignments, ev.note,
                                       prepare=lambda name, v: _prepare(sc, session, name, v))
        except PpcError as e:
            if isinstance(e, ScenarioError) and e.pos is not None:
                raise ScenarioError(f"event at '{ev.at[:80]}': {e.message}", e.pos) from None
            raise ScenarioError(f"event at '{ev.at[:80]}': {e.message}", _pos_of(sc.text, sc.path, "set")) from None

    return ({k: [make(e) for e in v] for k, v in by_pc.items()},
            {k: [make(e) for e in v] for k, v in by_step.items()})


def run(sc: Scenario, journal: bool = True) -> Outcome:
    session = build_session(sc)
    hooks, step_hooks = hooks_for(sc, session)
    limit = sc.data.get("max_steps", DEFAULT_STEP_LIMIT)
    runs = [session.run(sc.entry, max_steps=limit, journal=journal, hooks=hooks, step_hooks=step_hooks)]
    for entry, state, _note in sc.then:
        if not runs[-1].ok:
            break
        for name, v in state:
            _assign(sc, session, name, v)
        runs.append(session.run(entry, max_steps=limit, journal=journal, hooks=hooks, step_hooks=step_hooks))
    result = runs[-1]
    out = Outcome(sc, session, result, runs=runs)
    exp = sc.expect
    if "exit" in exp:
        out.checks.append(Check("exit", exp["exit"], result.exit))
    if "kind" in exp:
        out.checks.append(Check("kind", exp["kind"], result.kind))
    if "path" in exp:
        out.checks.append(Check("path", exp["path"], result.path))
    if "steps" in exp:
        out.checks.append(Check("steps", exp["steps"], sum(r.steps for r in runs)))
    for name, v in _flatten(exp.get("state", {})):
        want = _expected(sc, session, name, v)
        try:
            got = session.get(name)
        except PpcError as e:
            raise ScenarioError(f"expect.state {_about(name, e.message)}", _pos_of(sc.text, sc.path, name)) from None
        if isinstance(got, tuple):
            got = [tuple(x) for x in got]
        out.checks.append(Check(name, want, got))
    out.checks += [Check(*c) for c in calls.expected(sc, session)]
    return out
