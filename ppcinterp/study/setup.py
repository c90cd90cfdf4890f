"""A scenario's Session: built with the file's options, the machine (preset, [[memory]], [stand_ins], the
call's buffers) and [state] put in, its events made hooks. Every error is a ScenarioError at its place in the
file."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from ppcinterp.api import Session
from ppcinterp.diagnostics import PpcError, ScenarioError
from ppcinterp.machine.core import DEFAULT_ICP_BASE, DEFAULT_RAM
from ppcinterp.machine.names import StateValueError, pending_pairs
from ppcinterp.study import calls, inputs
from ppcinterp.study.keys import type_name

if TYPE_CHECKING:
    from ppcinterp.study.scenario import Scenario

# What a build error says about a key the file gave (a message without a position of its own).
_BUILD_KEYS = {"kernel_tree": "--kernel-tree", "asm_offsets": "--asm-offsets", "patch": "patch '",
               "icp_base": "icp_base", "ram_size": "ram_size", "config": "kernel config", "cpu": "CPU"}


def at(sc: Scenario, key: str):
    """Where the file gives `key`; None for a scenario of the command line (scenario.from_source)."""
    return inputs.pos_of(sc.text, sc.path, key) if sc.text else None


def value(sc: Scenario, session: Session, name: str, v):
    """A value as Session.prepare takes it: a boolean as 0 or 1, a string as the number it names (an error at
    the name's place); a list (icp.pending's pairs) as it is, for prepare to check."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, str):
        try:
            return session.value(v)
        except PpcError as e:
            raise ScenarioError(about(name, e.message), at(sc, name)) from None
    return v


def expected(sc: Scenario, session: Session, name: str, v):
    """An [expect.state] value as Session.get gives it: a number, or icp.pending's (source, priority) pairs."""
    where = at(sc, name)
    try:
        pairs = not session.ref(name).bits
        if pairs:
            return list(pending_pairs(v, lambda x: session.value(x) if isinstance(x, str) else x))
    except StateValueError as e:
        raise ScenarioError(f"expect.state '{name}' {e}", where) from None
    except PpcError as e:
        raise ScenarioError(f"expect.state {about(name, e.message)}", where) from None
    want = value(sc, session, name, v)
    if not isinstance(want, int):
        raise ScenarioError(f"expect.state '{name}' needs a number (an integer, a boolean or a constant's name), "
                            f"not {type_name(type(want))}", where)
    return want


def about(name: str, message: str) -> str:
    """A message about a name, saying the name once."""
    return message if f"'{name}'" in message else f"'{name}': {message}"


def assign(sc: Scenario, session: Session, name: str, v) -> None:
    prepare(sc, session, name, v)()


def prepare(sc: Scenario, session: Session, name: str, v) -> Callable[[], None]:
    """assign resolved once (errors at the name's place in the file), made by each call of the result."""
    try:
        return session.prepare(name, value(sc, session, name, v))
    except PpcError as e:
        if isinstance(e, ScenarioError):
            raise
        raise ScenarioError(about(name, e.message), at(sc, name)) from None


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
        if e.pos is None and sc.text:
            for key, said in _BUILD_KEYS.items():      # the file gave the key (not the command line)
                if said in e.message and re.search(rf"^\s*{key}\s*=", sc.text, re.M):
                    message = e.message.replace(f"{said} ", f"'{key}': ", 1) if said.startswith("--") else e.message
                    raise ScenarioError(message, at(sc, key)) from None
            raise ScenarioError(f"{sc.path}: {e.message}") from None
        raise
    _machine(sc, session)
    calls.prepare(sc, session)
    for name, v in sc.state:
        assign(sc, session, name, v)
    entries = ([] if "call" in d else [("entry", sc.entry)]) + [("then", t[0]) for t in sc.then]  # a call: calls.py
    for key, entry in entries:
        try:
            session.address_of(entry)       # a location that does not exist is the file's error, before any run
        except PpcError as e:
            raise ScenarioError(e.message if sc.text else f"--entry: {e.message}", at(sc, key)) from None
    return session


def _machine(sc: Scenario, session: Session) -> None:
    """The preset, [[memory]] and [stand_ins], each error at its place in the file."""
    d = sc.data

    def made(key: str, what: str, call) -> None:
        try:
            call()
        except PpcError as e:
            if isinstance(e, ScenarioError):
                raise
            raise ScenarioError(f"{what}: {e.message}", at(sc, key)) from None

    if "preset" in d:
        made("preset", f"preset '{d['preset']}'", lambda: session.preset(d["preset"]))
    for i, mem in enumerate(d.get("memory", [])):
        made("memory", f"memory[{i}] ({mem['name']})",
             lambda mem=mem: session.map(mem["name"], mem.get("base"), mem.get("size")))
    for sym, v in d.get("stand_ins", {}).items():
        def make(v=v) -> Callable[[tuple], int]:
            if isinstance(v, str):
                value = session.condition(v)       # our evaluator: state, constants, operators; never eval
                return lambda _args: value()
            return lambda _args: int(v)
        made(sym, f"stand-in '{sym}'", lambda sym=sym, make=make: session.stand_in(sym, make()))


def event_point(session: Session, where: str) -> tuple[bool, int]:
    """Where an event fires: (True, a step number) for `step N`, else (False, the address of a location)."""
    m = re.fullmatch(r"step\s+(\d{1,18})", where.strip())
    if m:
        return True, int(m.group(1))
    if re.fullmatch(r"step\s+\d+", where.strip()):
        raise PpcError("the step number is too large")
    return False, session.address_of(where)


def hooks_for(sc: Scenario, session: Session) -> tuple[dict, dict]:
    """Engine hooks (by address and by step number) that apply each event once, the first time it is reached;
    api.rearm(*hooks) arms them again for another run."""
    by_pc: dict[int, list] = {}
    by_step: dict[int, list] = {}
    for ev in sc.events:
        try:
            step, key = event_point(session, ev.at)
        except PpcError as e:
            raise ScenarioError(f"event at '{ev.at[:80]}': {e.message}", at(sc, "at")) from None
        (by_step if step else by_pc).setdefault(key, []).append(ev)

    def make(ev):
        try:
            return session.event_hook(ev.assignments, ev.note,
                                       prepare=lambda name, v: prepare(sc, session, name, v))
        except PpcError as e:
            if isinstance(e, ScenarioError) and e.pos is not None:
                raise ScenarioError(f"event at '{ev.at[:80]}': {e.message}", e.pos) from None
            raise ScenarioError(f"event at '{ev.at[:80]}': {e.message}", at(sc, "set")) from None

    return ({k: [make(e) for e in v] for k, v in by_pc.items()},
            {k: [make(e) for e in v] for k, v in by_step.items()})
