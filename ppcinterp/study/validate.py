"""A scenario's keys and values checked as the file is read, before anything is built: every problem a
ScenarioError at its place in the file. The keys and their types are study/keys.py's."""

from __future__ import annotations

import re
from pathlib import Path

from ppcinterp.asm.cpus import CPUS
from ppcinterp.build import configs
from ppcinterp.diagnostics import Pos, ScenarioError
from ppcinterp.machine.predicate import PredicateError, parse
from ppcinterp.study import calls, inputs
from ppcinterp.study.keys import (
    ACTOR_KEYS,
    EVENT_KEYS,
    EXPECT_KEYS,
    KINDS,
    MEMORY_KEYS,
    MODELS,
    RACE_KEYS,
    THEN_KEYS,
    TOP_KEYS,
    type_name,
)

MAX_EVENTS, MAX_THEN, MAX_MEMORY, MAX_ASSIGNMENTS = 1000, 100, 64, 10_000
MAX_STEPS = 10_000_000                # a run's budget: a scenario may ask for less or more, up to this
MAX_ACTOR_STEPS = 16                  # an actor's steps: interleavings grow as (handler steps) ** (actor steps)
MAX_RACE = 8                          # threads of a race study: executions grow exponentially with them
MAX_EXECUTIONS = 10_000_000           # a race study's bound on the executions it explores


def flatten(d: dict, prefix: str = "") -> list[tuple[str, object]]:
    """A TOML table of assignments as (dotted name, value) pairs: `icp.mfrr = 4` is {"icp": {"mfrr": 4}}."""
    out = []
    for k, v in d.items():
        name = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            out += flatten(v, name)
        else:
            out.append((name, v))
    return out


class Checker:
    """The checks of one file's data (its text and path place each error)."""

    def __init__(self, data: dict, text: str, p: Path):
        self.data, self.text, self.p = data, text, p

    def error(self, message: str, key: str) -> ScenarioError:
        return ScenarioError(message, inputs.pos_of(self.text, self.p, key))

    def keys(self, table: dict, allowed: dict[str, type], where: str) -> None:
        for k, v in table.items():
            if k not in allowed:
                raise self.error(f"unknown key '{k}' in {where} (expected one of: {', '.join(allowed)})", k)
            want = allowed[k]
            if not isinstance(v, want) or (want is int and isinstance(v, bool)):
                raise self.error(f"'{k}' in {where} must be {type_name(want)}, not {type_name(type(v))}", k)

    def many(self, key: str, items: list | dict, most: int, what: str) -> None:
        if len(items) > most:
            raise self.error(f"the scenario has {len(items)} {what} (at most {most})", key)

    def tables(self, key: str, allowed: dict[str, type], what: str) -> list[dict]:
        """The array of tables `key` (events, then, memory), each table's keys checked."""
        out = []
        for i, t in enumerate(self.data.get(key, [])):
            if not isinstance(t, dict):
                raise self.error(f"{key}[{i}] must be a table{what}", key)
            self.keys(t, allowed, f"{key}[{i}]")
            out.append(t)
        return out

    def assignments(self, pairs: list[tuple[str, object]]) -> None:
        self.many("state", pairs, MAX_ASSIGNMENTS, "assignments and expected values")
        for name, value in pairs:
            if not isinstance(value, int | str | list):
                raise self.error(f"'{name}' must be an integer, boolean, constant name or list, not "
                                 f"{type_name(type(value))}", name)


def check(data: dict, text: str, p: Path) -> None:
    """Every key known and of its type, numbers in range, names of CPUs, configs and kinds known."""
    c = Checker(data, text, p)
    c.keys(data, TOP_KEYS, "the scenario")
    if ("source" in data) == ("sources" in data):
        raise ScenarioError("the scenario has both 'source' and 'sources'" if "source" in data else
                            "the scenario has no 'source' (the .S file to run) or 'sources' (several, linked)",
                            inputs.pos_of(text, p, "sources") if "source" in data else Pos(str(p), 1, 1))
    inputs.check_numbers(data, text, p, MAX_STEPS)
    c.many("events", data.get("events", []), MAX_EVENTS, "events")
    c.many("then", data.get("then", []), MAX_THEN, "[[then]] runs")
    c.many("memory", data.get("memory", []), MAX_MEMORY, "[[memory]] regions")
    if "sources" in data and not data["sources"]:
        raise c.error("'sources' is empty (it names the .S files to link)", "sources")
    for key in ("include", "externs", "sources"):
        for item in data.get(key, []):
            if not isinstance(item, str):
                raise c.error(f"'{key}' must be a list of strings, not of {type_name(type(item))}s", key)
    for name, v in data.get("defines", {}).items():
        if not re.fullmatch(r"[A-Za-z_]\w*", name) or not isinstance(v, str | int):
            raise c.error(f"define '{name[:80]}' must be a macro name set to a string or an integer", name)
    _build_keys(c)
    events = c.tables("events", EVENT_KEYS, "")
    for i, ev in enumerate(events):
        if "at" not in ev or "set" not in ev:
            raise c.error(f"events[{i}] needs 'at' and 'set'", "events")
    then = c.tables("then", THEN_KEYS, "")
    expect = data.get("expect", {})
    c.keys(expect, EXPECT_KEYS, "[expect]")
    if "kind" in expect and expect["kind"] not in KINDS:
        raise c.error(f"unknown kind '{expect['kind'][:80]}' in [expect] (a run ends as one of: "
                      f"{', '.join(KINDS)})", "kind")
    if not all(isinstance(x, str) for x in expect.get("path", [])):
        raise c.error("'path' in [expect] must be a list of labels (strings)", "path")
    calls.check(data, text, p)
    c.assignments(flatten(data.get("state", {})) + [a for e in events for a in flatten(e["set"])]
                  + flatten(expect.get("state", {})) + [a for t in then for a in flatten(t.get("state", {}))])
    for i, mem in enumerate(c.tables("memory", MEMORY_KEYS, " (name, base, size)")):
        if "name" not in mem:
            raise c.error(f"memory[{i}] needs a 'name'", "memory")
    for sym, v in data.get("stand_ins", {}).items():
        if not isinstance(v, int | str) or isinstance(v, bool):
            raise c.error(f"stand-in '{sym}' must return an integer or an expression (a string), not "
                          f"{type_name(type(v))}", sym)
    _race_keys(c)
    _thread_keys(c)


def _build_keys(c: Checker) -> None:
    """The names the build takes: known now, so that the error is at its key, not the build's."""
    d = c.data
    if "cpu" in d and d["cpu"].upper() not in CPUS:
        raise c.error(f"unknown CPU '{d['cpu'][:80]}' (known: {', '.join(CPUS)})", "cpu")
    if "config" in d and "kernel_tree" not in d and d["config"] not in (known := configs()):
        raise c.error(f"unknown kernel config '{d['config'][:80]}' (known: {', '.join(known)})", "config")
    if "features" in d and d["features"] < 0:
        raise c.error(f"'features' is a cpu_features word: 0 to 0xffffffffffffffff, not {d['features']}", "features")


def _race_keys(c: Checker) -> None:
    """interleave's invariant (its syntax; names are resolved against the machine) and [actors.NAME]."""
    d = c.data
    if "invariant" in d:
        try:
            parse(d["invariant"])
        except PredicateError as e:
            raise c.error(f"in invariant '{d['invariant'][:200]}' at column {e.column}: {e}", "invariant") from None
        except (ValueError, RecursionError):
            raise c.error("the invariant has a number too long or nests too deeply", "invariant") from None
    for name, spec in d.get("actors", {}).items():
        if not isinstance(spec, dict):
            raise c.error(f"actor '{name}' must be a table: [actors.{name}] with steps = [...]", name)
        c.keys(spec, ACTOR_KEYS, f"[actors.{name}]")
        steps = spec.get("steps")
        if not steps or not all(isinstance(s, dict) for s in steps):
            raise c.error(f"actor '{name}' needs steps = [ {{ name = value, ... }}, ... ]", name)
        if len(steps) > MAX_ACTOR_STEPS:
            raise c.error(f"actor '{name}' has {len(steps)} steps (at most {MAX_ACTOR_STEPS})", name)
        c.assignments([a for s in steps for a in flatten(s)])


def in_table(text: str, p: Path, table: str, i: int, key: str) -> Pos:
    """Where `key` is written in the i-th [[table]] (the table's header if it is not), for an error there."""
    lines = text.splitlines()
    heads = [n for n, ln in enumerate(lines) if re.match(rf"\s*\[\[\s*{table}\s*\]\]", ln)]
    if i >= len(heads):
        return inputs.pos_of(text, p, key)
    start = heads[i]
    for n in range(start + 1, len(lines)):
        if re.match(r"\s*\[", lines[n]):
            break
        m = re.match(rf"(\s*){re.escape(key)}\s*=", lines[n])
        if m:
            return Pos(str(p), n + 1, len(m.group(1)) + 1)
    return Pos(str(p), start + 1, 1)


def _thread_keys(c: Checker) -> None:
    """A race study: [[race]] tables (a thread each, its entry), the model and the bound on executions."""
    d = c.data
    if "model" in d and d["model"] not in MODELS:
        later = " (model names are lower case)" if d["model"].lower() in MODELS else ""
        raise c.error(f"unknown model '{d['model'][:80]}'{later}: known: {', '.join(MODELS)}", "model")
    if "max_executions" in d and not 1 <= d["max_executions"] <= MAX_EXECUTIONS:
        raise c.error(f"'max_executions' must be 1 to {MAX_EXECUTIONS:,}, not {d['max_executions']:,}",
                      "max_executions")
    races = d.get("race", [])
    c.many("race", races, MAX_RACE, "[[race]] threads")
    if "race" in d and not races:
        raise c.error("a race study needs at least one [[race]] thread (a table with thread and entry)", "race")
    for key in ("events", "then", "call", "actors", "expect") if races else ():
        if key in d:            # what a single run or a scripted actor takes: a study's threads run code
            raise c.error(f"'{key}' is not for a race study (its [[race]] threads run from their entries; "
                          "state their start in [state] and their tables' state)", key)
    threads, seen = d.get("threads", 1), set()
    for i, t in enumerate(races):
        if not isinstance(t, dict):
            raise c.error(f"race[{i}] must be a table ([[race]] with thread and entry)", "race")
        for k, v in t.items():
            want = RACE_KEYS.get(k)
            if want is None or not isinstance(v, want) or (want is int and isinstance(v, bool)):
                what = (f"unknown key '{k}' in race[{i}] (expected one of: {', '.join(RACE_KEYS)})" if want is None
                        else f"'{k}' in race[{i}] must be {type_name(want)}, not {type_name(type(v))}")
                raise ScenarioError(what, in_table(c.text, c.p, "race", i, k))
        for k in ("thread", "entry"):
            if k not in t:
                raise ScenarioError(f"race[{i}] needs '{k}'", in_table(c.text, c.p, "race", i, "race"))
        if not 0 <= t["thread"] < threads:
            raise ScenarioError(f"race[{i}] runs on thread {t['thread']}, but the core has {threads} (threads)",
                                in_table(c.text, c.p, "race", i, "thread"))
        if t["thread"] in seen:
            raise ScenarioError(f"race[{i}]: thread {t['thread']} already runs another [[race]] entry",
                                in_table(c.text, c.p, "race", i, "thread"))
        seen.add(t["thread"])
        c.assignments(flatten(t.get("state", {})))
