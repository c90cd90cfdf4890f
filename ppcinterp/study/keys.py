"""The keys a scenario file may have, table by table, with their TOML types: the one list the loader checks,
the JSON Schema is made from (study/schema.py) and docs/scenarios.md documents (tests/test_scenario_docs.py)."""

from __future__ import annotations

TOP_KEYS: dict[str, type] = {
    "description": str, "source": str, "sources": list, "cpu": str, "features": int, "config": str,
    "threads": int, "current": int, "entry": str, "call": list, "max_steps": int, "include": list,
    "defines": dict, "kernel_env": bool, "externs": list, "patch": str, "kernel_tree": str, "asm_offsets": str,
    "icp_base": int, "ram_size": int, "preset": str, "memory": list, "stand_ins": dict, "buffers": dict,
    "state": dict, "events": list, "then": list, "expect": dict, "invariant": str, "actors": dict,
    "race": list, "model": str, "max_executions": int,
}
PATH_KEYS = ("kernel_tree", "asm_offsets", "patch")      # relative to the scenario file, like source and include
EVENT_KEYS: dict[str, type] = {"at": str, "note": str, "set": dict}
THEN_KEYS: dict[str, type] = {"entry": str, "state": dict, "note": str}
EXPECT_KEYS: dict[str, type] = {"exit": str, "kind": str, "path": list, "steps": int, "state": dict,
                                "buffers": dict}
MEMORY_KEYS: dict[str, type] = {"name": str, "base": int, "size": int}
ACTOR_KEYS: dict[str, type] = {"steps": list, "description": str}
RACE_KEYS: dict[str, type] = {"thread": int, "entry": str, "source": str, "state": dict, "note": str}

# Every table of fixed keys, by where it is: `events`, `then` and `race` are arrays of tables, `actors.NAME` a table
# per actor. The other tables (state, set, defines, buffers, stand_ins, expect.state, expect.buffers) take
# names of the user's choosing.
TABLES: dict[str, dict[str, type]] = {"": TOP_KEYS, "events": EVENT_KEYS, "then": THEN_KEYS, "expect": EXPECT_KEYS,
                                      "memory": MEMORY_KEYS, "actors.NAME": ACTOR_KEYS, "race": RACE_KEYS}

# How a run can end (Result.kind): what `[expect] kind` may name. The exit's name is `exit`: for most kinds it
# is the kind itself; `exit` and `end-of-hunk` name the label, `vector` the address, a `return` by rfid/hrfid
# the instruction.
KINDS: dict[str, str] = {
    "exit": "left the file to a label it leaves to (the exit is the label)",
    "end-of-hunk": "fell off the end of the hunk it was entered as (`end of hunk N`, or the label there)",
    "return": "returned to the caller: blr to the LR it started with (exit `return`), or rfid/hrfid",
    "vector": "branched to one of the host's interrupt vectors (exit `vector 0x500`)",
    "power-save": "nap, sleep or rvwinkle",
    "stopped": "reached the point it was asked to stop at (Session.run(until=...))",
    "end-of-code": "ran past the last instruction of a section",
    "no-code": "jumped to an address where there is no code",
    "fault": "a load or store outside every mapped region, or a device refused it",
    "trap": "a trap whose condition held, a system call (sc), or an SLB index the model lacks",
    "unimplemented": "an instruction without semantics",
    "step-limit": "ran max_steps instructions without an exit",
}

# The memory models a race study ([[race]]) can explore under: `sc` (study/dpor.py) and `power` (study/power.py,
# ppcinterp/mm's model).
MODELS: dict[str, str] = {"sc": "sequential consistency: every interleaving of the threads' instructions",
                          "power": "herd7's ppc.cat over each thread's runs under value speculation"}

TYPE_NAMES = {str: "a string", int: "an integer", bool: "a boolean", list: "a list", dict: "a table",
              float: "a float"}


def type_name(t: type) -> str:
    return TYPE_NAMES.get(t, t.__name__)
