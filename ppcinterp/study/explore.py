"""Path enumeration: run an entry over every combination of a declared input domain, group the runs by the
path they take, say which inputs decide each path, and measure branch coverage over the whole exploration.

A domain file (TOML):
    entry = "hunk 3"
    cpus = ["POWER7", "PPC970"]              # optional; each CPU is one more input
    [fixed]                                  # state set before every run
    r9 = 0x1000000
    [inputs]                                 # name = [values]; values as in scenarios
    r12 = ["BOOK3S_INTERRUPT_EXTERNAL", "BOOK3S_INTERRUPT_SYSCALL"]
    [event_sets]                             # optional: named alternatives of scenario events
    none = []
    race = [ { at = "upstream 725", set = { "paca.kvm_hstate.host_ipi" = 1 } } ]
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ppcinterp.api import Session, rearm
from ppcinterp.diagnostics import ScenarioError
from ppcinterp.run.coverage import Coverage
from ppcinterp.study import inputs as domain_file
from ppcinterp.study import scenario as sc_mod
from ppcinterp.study.inputs import pos_of
from ppcinterp.study.keys import type_name
from ppcinterp.study.validate import flatten

MAX_RUNS = 100_000          # runs of one exploration: a few seconds at most
DOMAIN_KEYS = {"description": str, "entry": str, "cpus": list, "config": str, "threads": int, "max_steps": int,
               "fixed": dict, "inputs": dict, "event_sets": dict, "source": str}


@dataclass
class Domain:
    path: Path
    text: str
    entry: str
    cpus: list[str]
    fixed: list[tuple[str, object]]
    inputs: list[tuple[str, list]]
    event_sets: dict[str, list[sc_mod.Event]]
    data: dict

    @property
    def size(self) -> int:
        n = len(self.cpus) * max(1, len(self.event_sets))
        for _, values in self.inputs:
            n *= len(values)
        return n


def load_domain(path: str | Path) -> Domain:
    p = Path(path)
    text = domain_file.read(p, "domain")
    data = domain_file.parse(text, p)
    for k, v in data.items():
        if k not in DOMAIN_KEYS:
            raise ScenarioError(f"unknown key '{k}' in the domain (expected one of: {', '.join(DOMAIN_KEYS)})",
                                pos_of(text, p, k))
        if not isinstance(v, DOMAIN_KEYS[k]):
            raise ScenarioError(f"'{k}' in the domain must be {type_name(DOMAIN_KEYS[k])}",
                                pos_of(text, p, k))
    inputs = flatten(data.get("inputs", {}))
    for name, values in inputs:
        if not isinstance(values, list) or not values:
            raise ScenarioError(f"input '{name}' must be a non-empty list of values", pos_of(text, p, name))
    event_sets = {}
    for name, events in data.get("event_sets", {}).items():
        if not isinstance(events, list):
            raise ScenarioError(f"event set '{name}' must be a list of events", pos_of(text, p, name))
        evs = []
        for ev in events:
            if not isinstance(ev, dict) or "at" not in ev or "set" not in ev:
                raise ScenarioError(f"each event of '{name}' needs 'at' and 'set'", pos_of(text, p, name))
            evs.append(sc_mod.Event(ev["at"], ev.get("note", ""), flatten(ev["set"])))
        event_sets[name] = evs
    return Domain(p, text, data.get("entry", ""), data.get("cpus", [None]), flatten(data.get("fixed", {})),
                  inputs, event_sets, data)


def find_domain(source: Path, entry: str) -> Path | None:
    """The shipped domain for an entry: <source dir>/domains/*.toml whose `entry` matches."""
    folder = source.resolve().parent / "domains"
    for cand in sorted(folder.glob("*.toml")) if folder.is_dir() else ():
        try:
            its = tomllib.loads(cand.read_text(encoding="utf-8")).get("entry", "")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
            continue
        if isinstance(its, str) and its.strip() == entry.strip():
            return cand
    return None


@dataclass
class PathGroup:
    exit: str
    kind: str
    labels: list[str]
    decisions: tuple[tuple[int, bool], ...]
    runs: list[dict] = field(default_factory=list)       # the input combinations that took this path

    def deciding(self, domain_values: dict[str, list]) -> dict[str, list]:
        """Inputs whose values in this group are a strict subset of the domain's: the ones that mattered."""
        out = {}
        for name, all_values in domain_values.items():
            seen = []
            for r in self.runs:
                if r[name] not in seen:
                    seen.append(r[name])
            if len(seen) < len(all_values):
                out[name] = [v for v in all_values if v in seen]
        return out


@dataclass
class Exploration:
    domain: Domain
    groups: list[PathGroup]
    coverage: Coverage
    runs: int
    session: Session


def explore(source: str, domain: Domain, entry: str | None = None, cpus: list[str] | None = None,
            progress: Callable[[int, int], None] | None = None, config: str | None = None,
            build: dict | None = None) -> Exploration:
    """`build`: more Session options for reading the source (kernel_tree, asm_offsets)."""
    entry = entry or domain.entry
    cpu_list = cpus or domain.cpus
    names = [n for n, _ in domain.inputs]
    value_lists = [v for _, v in domain.inputs]
    event_names = list(domain.event_sets) or [None]
    groups: dict[tuple, PathGroup] = {}
    coverage = None
    total = len(cpu_list) * len(event_names) * _product_size(value_lists)
    if total > MAX_RUNS:
        raise ScenarioError(f"{domain.path}: the domain has {total:,} combinations to run (at most {MAX_RUNS:,})")
    done = 0
    session = None
    for cpu in cpu_list:
        session = Session(source, cpu=cpu, config=config or domain.data.get("config"),
                          threads=domain.data.get("threads", 1), **(build or {}))
        if coverage is None:
            start = session.address_of(entry)
            hunk = next((h.number for h in session.program.hunks if h.start <= start < h.end), None)
            coverage = Coverage(session.program, session.engine, [hunk] if hunk else None)
        for name, v in domain.fixed:
            sc_mod.assign(domain, session, name, v)
        base = session.snapshot()
        pc, within = session.address_of(entry), session.hunk_bound(entry)
        limit = domain.data.get("max_steps", 10_000)
        setters = _prepared_inputs(domain, session)      # names and constants resolved once per CPU
        for ev_name in event_names:
            hooks = step_hooks = None
            if ev_name is not None and domain.event_sets[ev_name]:
                fake = sc_mod.Scenario(domain.path, domain.text, {}, Path(source), entry, [],
                                       domain.event_sets[ev_name], {})
                hooks, step_hooks = sc_mod.hooks_for(fake, session)      # built once, re-armed per run
            for combo in itertools.product(*(range(len(v)) for v in value_lists)):
                session.restore(base)
                for put, k in zip(setters, combo, strict=True):
                    put[k]()
                if hooks is not None:
                    rearm(hooks, step_hooks)
                res = session.run(pc, max_steps=limit, journal=False, hooks=hooks, step_hooks=step_hooks,
                                  within=within)
                coverage.add(res)
                key = (res.exit, res.kind, tuple(res.decisions))
                g = groups.get(key)
                if g is None:
                    g = groups[key] = PathGroup(res.exit, res.kind, res.path, tuple(res.decisions))
                run = {n: v[k] for n, v, k in zip(names, value_lists, combo, strict=True)}
                if len(cpu_list) > 1:
                    run["cpu"] = cpu
                if ev_name is not None and len(event_names) > 1:
                    run["events"] = ev_name
                g.runs.append(run)
                done += 1
                if progress:
                    progress(done, total)
    return Exploration(domain, sorted(groups.values(), key=lambda g: (-len(g.runs), g.exit)), coverage, done,
                       session)


def _prepared_inputs(domain: Domain, session: Session) -> list[list[Callable[[], None]]]:
    """A setter per input value, prepared in the order the runs first assign them (the first combination,
    then the last input's other values, ... the first's): a domain with several bad values reports the same
    one as assigning per run did."""
    lists = [v for _, v in domain.inputs]
    out: list[list] = [[None] * len(v) for v in lists]
    order = [(i, 0) for i in range(len(lists))]
    order += [(i, j) for i in reversed(range(len(lists))) for j in range(1, len(lists[i]))]
    for i, j in order:
        out[i][j] = sc_mod.prepare(domain, session, domain.inputs[i][0], lists[i][j])
    return out


def _product_size(lists: list[list]) -> int:
    n = 1
    for v in lists:
        n *= len(v)
    return n


def domain_values(ex: Exploration, cpus: list[str]) -> dict[str, list]:
    values = {n: list(v) for n, v in ex.domain.inputs}
    if len(cpus) > 1:
        values["cpu"] = list(cpus)
    if len(ex.domain.event_sets) > 1:
        values["events"] = list(ex.domain.event_sets)
    return values
