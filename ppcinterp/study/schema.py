"""The JSON Schema of a scenario file (`ppcinterp scenario --schema`), for editors and other tools: made from
study/keys.py's tables, so every key the loader accepts is in it with its type; the loader checks more (that
names and locations exist in the program, for one)."""

from __future__ import annotations

from ppcinterp.asm.cpus import CPUS
from ppcinterp.build import configs
from ppcinterp.machine.presets import PRESETS
from ppcinterp.study import inputs
from ppcinterp.study.calls import MAX_BUFFERS
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
)
from ppcinterp.study.validate import (
    MAX_ACTOR_STEPS,
    MAX_EVENTS,
    MAX_EXECUTIONS,
    MAX_MEMORY,
    MAX_RACE,
    MAX_STEPS,
    MAX_THEN,
)

JSON_TYPES = {str: "string", int: "integer", bool: "boolean", list: "array", dict: "object"}
INT = {"type": "integer"}           # tomllib reads 0x8000000000009032 as it is: no 64-bit bound
BYTES = {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 255}}
STRING = {"type": "string", "maxLength": inputs.MAX_STRING}
STRINGS = {"type": "array", "items": STRING}

# What a key holds beyond its type (the loader's checks that need no program).
DETAILS: dict[str, dict] = {
    "sources": {**STRINGS, "minItems": 1},
    "include": STRINGS, "externs": STRINGS,
    "threads": {"minimum": 1, "maximum": 64}, "current": {"minimum": 0, "maximum": 63},
    "max_steps": {"minimum": 1, "maximum": MAX_STEPS},
    "features": {"minimum": 0},
    "config": {"enum": configs()},
    "preset": {"enum": list(PRESETS)},
    "defines": {"propertyNames": {"pattern": r"^[A-Za-z_]\w*$"},
                "additionalProperties": {"type": ["string", "integer"]}},
    "state": {"$ref": "#/$defs/assignments"},
    "events": {"maxItems": MAX_EVENTS},
    "then": {"maxItems": MAX_THEN},
    "memory": {"maxItems": MAX_MEMORY},
    "stand_ins": {"additionalProperties": {"type": ["integer", "string"]}},
    "buffers": {"maxProperties": MAX_BUFFERS, "additionalProperties": {"anyOf": [INT, STRING, BYTES]}},
    "call": {"minItems": 1, "maxItems": 9, "prefixItems": [STRING], "items": {"type": ["integer", "string"]}},
    "actors": {"additionalProperties": {"$ref": "#/$defs/actor"}},
    "events.": {"required": ["at", "set"]},
    "events.set": {"$ref": "#/$defs/assignments"},
    "then.state": {"$ref": "#/$defs/assignments"},
    "memory.": {"required": ["name"]},
    "expect.kind": {"enum": list(KINDS)},
    "expect.path": STRINGS,
    "expect.state": {"$ref": "#/$defs/assignments"},
    "expect.buffers": {"additionalProperties": {"anyOf": [STRING, BYTES]}},
    "actors.NAME.": {"required": ["steps"]},
    "race": {"maxItems": MAX_RACE},
    "race.": {"required": ["thread", "entry"]},
    "race.thread": {"minimum": 0, "maximum": 63},
    "race.state": {"$ref": "#/$defs/assignments"},
    "model": {"enum": list(MODELS)},
    "max_executions": {"minimum": 1, "maximum": MAX_EXECUTIONS},
    "actors.NAME.steps": {"minItems": 1, "maxItems": MAX_ACTOR_STEPS, "items": {"$ref": "#/$defs/assignments"}},
}


def _ignoring_case(name: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in name)


def _table(keys: dict[str, type], where: str) -> dict:
    """A table of fixed keys: each key's JSON type, and its details (where: the table's prefix in DETAILS)."""
    props = {}
    for k, t in keys.items():
        props[k] = {"type": JSON_TYPES[t], **DETAILS.get(where + k, {})}
        if t is str and "enum" not in props[k]:
            props[k]["maxLength"] = inputs.MAX_STRING
    return {"type": "object", "additionalProperties": False, "properties": props, **DETAILS.get(where, {})}


def schema() -> dict:
    top = _table(TOP_KEYS, "")
    top["properties"]["cpu"]["pattern"] = "^(" + "|".join(_ignoring_case(c) for c in CPUS) + ")$"
    for key, keys in (("events", EVENT_KEYS), ("then", THEN_KEYS), ("memory", MEMORY_KEYS),
                      ("race", RACE_KEYS)):
        top["properties"][key]["items"] = _table(keys, key + ".")
    top["properties"]["expect"].update(_table(EXPECT_KEYS, "expect."))
    value = {"anyOf": [INT, {"type": "boolean"}, STRING, {"type": "array"}]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "ppcinterp scenario",
        "description": "A scenario: a source, a machine state by name, events, expectations (docs/scenarios.md).",
        **top,
        "oneOf": [{"required": ["source"], "not": {"required": ["sources"]}},
                  {"required": ["sources"], "not": {"required": ["source"]}}],
        "not": {"required": ["entry", "call"]},
        "$defs": {
            "assignments": {"type": "object", "description": "state names (dotted names are nested tables)",
                            "additionalProperties": {"anyOf": [value, {"$ref": "#/$defs/assignments"}]}},
            "actor": _table(ACTOR_KEYS, "actors.NAME."),
        },
    }
