"""TOML scenarios: a source, a machine state by name, events during the run, and expectations.

    description = "a KVM IPI while the guest has EE set: MER set, bounce"
    source = "../book3s_hv_rmhandlers.S"        # relative to the scenario file
    entry = "hunk 3"                            # a label, "hunk N", "line N", "FILE:N", "upstream N"
    [state]
    r12 = "BOOK3S_INTERRUPT_EXTERNAL"
    icp.mfrr = "IPI_PRIORITY"
    [[events]]                                  # at a location or "step N", before it runs
    at = "upstream 725"
    set = { "paca.kvm_hstate.host_ipi" = 1 }
    [expect]
    exit = "bounce_ext_interrupt"
    [expect.state]
    "lpcr.mer" = 1

docs/scenarios.md is the reference of every key (study/keys.py lists them, study/validate.py checks them as
the file is read, study/setup.py builds the Session, study/schema.py is their JSON Schema).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ppcinterp.api import Session
from ppcinterp.diagnostics import PpcError, ScenarioError
from ppcinterp.run.engine import DEFAULT_STEP_LIMIT, Result
from ppcinterp.study import calls, inputs, validate
from ppcinterp.study.keys import EXPECT_KEYS, PATH_KEYS, TOP_KEYS
from ppcinterp.study.setup import about, assign, build_session, event_point, expected, hooks_for, prepare
from ppcinterp.study.validate import flatten

# What the debugger, the explorers, the tools and the tests use from here (setup.py's and keys.py's too).
__all__ = ["EXPECT_KEYS", "TOP_KEYS", "Check", "Event", "Outcome", "Scenario", "assign", "build_session",
           "event_point", "from_source", "hooks_for", "load", "prepare", "run"]
_prepare = prepare          # debug/engine.py's name for it


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


def load(path: str | Path, source: str | Path | list | None = None, patch: str | Path | None = None) -> Scenario:
    """Read a scenario; `source` runs it on another file than its own (the whole upstream file, say; a list:
    several objects linked), `patch` says where that file's hunks are (default: the scenario's `patch`, else the
    seed's)."""
    p = Path(path)
    text = inputs.read(p, "scenario")
    data = inputs.parse(text, p)
    validate.check(data, text, p)
    paths = {key: inputs.path_beside(p, text, key, data[key]) for key in ("source", *PATH_KEYS) if key in data}
    for i in data.get("include", []):
        inputs.path_beside(p, text, "include", i)
    if source is not None:
        sources = [inputs.given(x, "--source") for x in ([source] if isinstance(source, str | Path) else source)]
    else:
        sources = [paths["source"]] if "source" in data else [inputs.path_beside(p, text, "sources", x)
                                                               for x in data["sources"]]
        for x in sources:
            if not x.is_file():
                raise ScenarioError(f"cannot read '{x}': {'not a regular file' if x.exists() else 'no such file'}",
                                    inputs.pos_of(text, p, "source" if "source" in data else "sources"))
    events = [Event(ev["at"], ev.get("note", ""), flatten(ev["set"])) for ev in data.get("events", [])]
    then = [(t.get("entry", data.get("entry", "hunk 3")), flatten(t.get("state", {})), t.get("note", ""))
            for t in data.get("then", [])]
    where = str(inputs.given(patch, "--patch")) if patch is not None else (
        str(paths["patch"]) if "patch" in data else "auto")
    entry = data["call"][0] if "call" in data else data.get("entry", "hunk 3")
    return Scenario(p, text, data, sources[0], entry, flatten(data.get("state", {})), events,
                    data.get("expect", {}), then, where, sources)


def from_source(sources: list[str | Path], entry: str, cpu: str | None = None,
                patch: str | Path | None = None) -> Scenario:
    """A scenario of the command line, with no file: run `entry` of the sources (linked, if several) from the
    power-on state (`ppcinterp run|trace FILE.S --entry E`)."""
    paths = [inputs.given(x, "FILE") for x in sources]
    data: dict = {"sources": [str(x) for x in paths], "entry": entry, **({"cpu": cpu} if cpu else {})}
    where = str(inputs.given(patch, "--patch")) if patch is not None else "auto"
    return Scenario(Path(sources[0]), "", data, paths[0], entry, [], [], {}, [], where, paths)


def run(sc: Scenario, journal: bool = True) -> Outcome:
    if "race" in sc.data:        # several threads from their own entries: not one run
        raise ScenarioError("a race study ([[race]] threads) runs with `ppcinterp interleave`",
                            inputs.pos_of(sc.text, sc.path, "race"))
    session = build_session(sc)
    hooks, step_hooks = hooks_for(sc, session)
    limit = sc.data.get("max_steps", DEFAULT_STEP_LIMIT)
    runs = [session.run(sc.entry, max_steps=limit, journal=journal, hooks=hooks, step_hooks=step_hooks)]
    for entry, state, _note in sc.then:
        if not runs[-1].ok:
            break
        for name, v in state:
            assign(sc, session, name, v)
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
    for name, v in flatten(exp.get("state", {})):
        want = expected(sc, session, name, v)
        try:
            got = session.get(name)
        except PpcError as e:
            raise ScenarioError(f"expect.state {about(name, e.message)}",
                                inputs.pos_of(sc.text, sc.path, name)) from None
        if isinstance(got, tuple):
            got = [tuple(x) for x in got]
        out.checks.append(Check(name, want, got))
    out.checks += [Check(*c) for c in calls.expected(sc, session)]
    return out
