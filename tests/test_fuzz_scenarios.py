"""Fuzzing scenarios: the shipped asm/scenarios/*.toml mutated (keys, values, types, sections, events,
expectations, the machine), random TOML documents and random bytes, run in-process through what `ppcinterp
run`, `trace`, `interleave` and `debug` call (scenario.load, scenario.run and the views; explore_races and
race_text; the debugger's engine), and a share through `ppcinterp.cli.main`. Any scenario may be refused with
a PpcError; none may raise anything else, end in status 70 or a traceback, or take more than a few seconds of
CPU. The regression tests of what the fuzzing found are at the end."""

from __future__ import annotations

import json
import tomllib

import pytest
from conftest import FRAGMENT, ROOT
from fuzzing import bounded, fuzz_settings, no_crash
from hypothesis import given
from hypothesis import strategies as st

from ppcinterp.cli import main, parser
from ppcinterp.cli_args import with_tree
from ppcinterp.debug.engine import DebugEngine
from ppcinterp.diagnostics import PpcError
from ppcinterp.study import scenario
from ppcinterp.study.interleave import actor_from, explore_races
from ppcinterp.views.race import race_text
from ppcinterp.views.report import report
from ppcinterp.views.trace import trace_json, trace_lines

SCENARIOS = sorted((ROOT / "asm" / "scenarios").rglob("*.toml"))
SEEDS = {p.name: tomllib.loads(p.read_text()) for p in SCENARIOS}
TOP = sorted(scenario.TOP_KEYS) + ["nonsense", "then", "events"]
NAMES = ["r3", "r12", "r11", "r9", "cr0", "cr0.gt", "cr7.so", "xer.ca", "msr", "msr.ee", "lpcr", "lpcr.mer",
         "hsrr1", "spr318", "f3", "v1", "vs40", "fpscr", "icp.mfrr", "icp.cppr", "icp.xirr", "icp.pending",
         "icp[1].mfrr", "icp[70].cppr", "paca.kvm_hstate.host_ipi", "paca.kvm_hstate.xics_phys",
         "paca[1].kvm_hstate.saved_xirr", "paca.nope", "thread[1].r3", "thread[99].r3", "mem8[0x1000000]",
         "mem64[0x2000000]", "mem64[0]", "mem32[0x3fffe00000004]", "mem16[0x3fffe0000000c]", "mem8[zz]",
         "vcpu.arch.slb_max", "r99", "", "a.b.c", "icp.pending.x"]
STRINGS = ["BOOK3S_INTERRUPT_EXTERNAL", "IPI_PRIORITY", "MSR_EE", "0x500", "-1", "0123", "0b101", "0o17",
           "&paca[0]", "&paca[9]", "&icp[0]", "&icp[1]", "&vcpu", "&ram", "&nope", "&vcpu.arch.gpr[3]", "hunk 3",
           "hunk 4", "hunk 9", "upstream 725", "upstream 1", "line 40", "step 0", "step 5", "step 99999999999",
           "ext_interrupt_to_host", "1:713", "0x100000", "nowhere", "POWER7", "PPC970", "POWER8", "Z80",
           "guest-running", "pseries_defconfig", "ppc64_defconfig", "..", ".", "/", "\u0000", "", " ", "\n",
           "9" * 5000, "x" * 200, "r3 + 1", "r3 ==", "icp.pending + 1", "mem64[0] == 0", "mem8[0x3fffe00000001]",
           "(" * 300, "paca.kvm_hstate.host_ipi == 0 || icp.mfrr != 0xff"]


def values(depth: int = 2) -> st.SearchStrategy:
    scalar = st.one_of(st.integers(-2**63, 2**63 - 1), st.sampled_from([0, 1, 2, 4, 5, 0xFF, 0x500, 2**32, -1]),
                       st.booleans(), st.sampled_from(STRINGS), st.text(max_size=12), st.floats(allow_nan=False))
    if depth == 0:
        return scalar
    inner = values(depth - 1)
    return st.one_of(scalar, scalar, st.lists(inner, max_size=4),
                     st.lists(st.lists(st.integers(-5, 0x2000), min_size=0, max_size=3), max_size=4),
                     st.dictionaries(st.sampled_from(NAMES + TOP), inner, max_size=3))


def assignments() -> st.SearchStrategy[dict]:
    return st.dictionaries(st.sampled_from(NAMES), values(1), max_size=4)


def events() -> st.SearchStrategy[list]:
    event = st.fixed_dictionaries({"at": st.sampled_from(STRINGS), "set": assignments()},
                                  optional={"note": st.sampled_from(STRINGS)})
    return st.lists(st.one_of(event, values(1)), max_size=4)


def mutation() -> st.SearchStrategy:
    """One change to a scenario dict: (what, key, value)."""
    return st.one_of(
        st.tuples(st.just("delete"), st.sampled_from(TOP), st.none()),
        st.tuples(st.just("top"), st.sampled_from(TOP), values()),
        st.tuples(st.just("top"), st.sampled_from(["entry"]), st.sampled_from(STRINGS)),
        st.tuples(st.just("top"), st.sampled_from(["threads", "current"]), st.integers(-2, 70)),
        st.tuples(st.just("top"), st.just("max_steps"), st.sampled_from([0, 1, 3, 50, 10_000, 100_000, -5])),
        st.tuples(st.just("top"), st.just("icp_base"),
                  st.sampled_from([0, 0x1000, 0x100000, 0x1000000, 0x2000000, 0x100000000, 0x100000800, 2**63])),
        st.tuples(st.just("state"), st.sampled_from(NAMES), values(1)),
        st.tuples(st.just("expect.state"), st.sampled_from(NAMES), values(1)),
        st.tuples(st.just("expect"), st.sampled_from(sorted(scenario.EXPECT_KEYS) + ["x"]), values()),
        st.tuples(st.just("top"), st.just("events"), events()),
        st.tuples(st.just("top"), st.just("then"),
                  st.lists(st.one_of(st.fixed_dictionaries({}, optional={"entry": st.sampled_from(STRINGS),
                                                                         "state": assignments()}), values(1)),
                           max_size=3)),
        st.tuples(st.just("top"), st.just("memory"),
                  st.lists(st.fixed_dictionaries({"name": st.sampled_from(["vcpu", "kvm", "ram", "x", "a b", ""])},
                                                 optional={"base": st.sampled_from([0, 0x1000, 0x1000000,
                                                                                    0x10000000, 2**63, -1]),
                                                           "size": st.sampled_from([0, 1, 0x1000, 2**40, -1])}),
                           max_size=3)),
        st.tuples(st.just("top"), st.just("stand_ins"),
                  st.dictionaries(st.sampled_from([".kvmppc_h_enter", "nope", ""]), values(0), max_size=2)),
        st.tuples(st.just("top"), st.just("actors"),
                  st.dictionaries(st.sampled_from(["host-ipi", "poke"]),
                                  st.one_of(values(1), st.fixed_dictionaries({"steps": st.lists(assignments(),
                                                                                                max_size=3)})),
                                  max_size=2)),
    )


def apply(doc: dict, change) -> None:
    what, key, value = change
    if what == "delete":
        doc.pop(key, None)
    elif what == "top":
        doc[key] = value
    elif what == "expect":
        if not isinstance(doc.get("expect"), dict):
            doc["expect"] = {}
        doc["expect"][key] = value
    else:
        table = doc.setdefault("expect", {}) if what == "expect.state" else doc
        if not isinstance(table, dict):
            return
        section = table.get("state")
        if not isinstance(section, dict):
            section = table["state"] = {}
        section[key] = value


# ---- a small TOML writer (tomllib reads only): every value inline, so any structure can be written

def toml_key(k: str) -> str:
    return k if k and all(c.isalnum() or c in "_-" for c in k) else json.dumps(k)


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v) if not isinstance(v, float) or v == v and abs(v) != float("inf") else "0.0"
    if isinstance(v, str):
        return json.dumps(v)         # JSON's escapes are TOML's basic-string escapes (\\uXXXX, \\n, \\")
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + " }"


def toml(doc: dict) -> str:
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in doc.items())


def source_beside(doc: dict) -> dict:
    """A seed's relative source is relative to asm/scenarios; the fuzzed file lives in a temporary folder."""
    if doc.get("source") == "../book3s_hv_rmhandlers.S":
        doc["source"] = str(FRAGMENT)
    return doc


# ---- running a scenario file as the commands do

def through(command: str, path: str) -> None:
    """What `ppcinterp COMMAND path` calls, in-process; a PpcError is a refusal, anything else fails the test."""
    if command == "debug":
        return through_debugger(path)
    args = parser().parse_args([command, path])
    try:
        sc = with_tree(scenario.load(path), args)
        if command == "interleave":
            race_text(sc, explore_races(sc, actor_from(sc, args.actor), args.invariant))
            return
        out = scenario.run(sc)
        if command == "run":
            report(out)
        else:
            for res in out.runs:
                trace_lines(out.session, res)
                trace_json(out.session, res)
    except PpcError as e:
        e.render()


def through_debugger(path: str) -> None:
    """`ppcinterp debug path --batch -ex ...`: the engine from the scenario, then moves both ways."""
    try:
        dbg = DebugEngine.from_scenario(path)
    except PpcError as e:
        e.render()
        return
    for line in ("stepi", "info path", "continue", "reverse-stepi 3", "info icp", "p $pc", "run", "info threads"):
        out = dbg.execute(line)
        assert "Internal error" not in out, f"{line}: {out}"


def check_file(tmp_path, body: str | bytes, command: str) -> None:
    p = tmp_path / "fuzzed.toml"
    p.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass"))
    with bounded(f"{command} of {body[:300]!r}"):
        through(command, str(p))


@pytest.fixture(scope="module", autouse=True)
def _built():
    from ppcinterp.api import Session
    Session(str(FRAGMENT))            # the first build, outside every bounded example


COMMANDS = st.sampled_from(["run", "run", "trace", "interleave", "debug"])


@fuzz_settings(250)
@given(seed=st.sampled_from(sorted(SEEDS)), changes=st.lists(mutation(), min_size=1, max_size=4), command=COMMANDS)
def test_mutated_scenarios_never_crash(tmp_path_factory, seed, changes, command):
    doc = source_beside(json.loads(json.dumps(SEEDS[seed])))
    for change in changes:
        apply(doc, change)
    check_file(tmp_path_factory.mktemp("m"), toml(doc), command)


@fuzz_settings(60)
@given(doc=st.dictionaries(st.sampled_from(TOP), values(), max_size=8), command=COMMANDS)
def test_random_toml_never_crashes(tmp_path_factory, doc, command):
    doc.setdefault("source", str(FRAGMENT))
    check_file(tmp_path_factory.mktemp("r"), toml(doc), command)


@fuzz_settings(60)
@given(seed=st.sampled_from(SCENARIOS), edits=st.lists(st.tuples(st.integers(0, 4000), st.binary(max_size=8)),
                                                       min_size=1, max_size=4), command=COMMANDS)
def test_byte_mutations_and_random_bytes_never_crash(tmp_path_factory, seed, edits, command):
    data = bytearray(seed.read_bytes().replace(b'"../book3s_hv_rmhandlers.S"', f'"{FRAGMENT}"'.encode()))
    for at, chunk in edits:
        at %= len(data) + 1
        data[at:at + len(chunk)] = chunk
    check_file(tmp_path_factory.mktemp("b"), bytes(data), command)


@fuzz_settings(25)
@given(seed=st.sampled_from(sorted(SEEDS)), changes=st.lists(mutation(), max_size=3), command=COMMANDS,
       icp=st.sampled_from([[], ["--icp-base", "0x100000000"], ["--icp-base", "0x1000000"], ["--icp-base", "7"]]))
def test_mutated_scenarios_through_the_command_line(tmp_path_factory, capsys, seed, changes, command, icp):
    doc = source_beside(json.loads(json.dumps(SEEDS[seed])))
    for change in changes:
        apply(doc, change)
    p = tmp_path_factory.mktemp("c") / "fuzzed.toml"
    p.write_text(toml(doc), encoding="utf-8", errors="surrogatepass")
    batch = ["--batch", "-ex", "continue", "-ex", "info path", "-ex", "reverse-stepi 2"] if command == "debug" else []
    with bounded(f"ppcinterp {command} {p}"):
        status = main([command, str(p), *icp, *batch])
    _, err = capsys.readouterr()
    no_crash(status, err, f"ppcinterp {command} of {toml(doc)[:1000]}")


# ---- what the fuzzing found, each a regression test

@pytest.mark.parametrize("extra, message", [
    ('entry = "0123"\n', "jumped to 0x7b, where there is no code"),          # int("0123", 0) raised
    ('invariant = "icp.pending + 1"\n', "'icp.pending' is a list of (source, priority) pairs, not a number"),
    ('[stand_ins]\n".kvmppc_h_enter" = "icp.pending * 2"\n', "is a list of (source, priority) pairs"),
])
def test_found_by_fuzzing(tmp_path, capsys, extra, message):
    p = tmp_path / "found.toml"
    p.write_text(f'source = "{FRAGMENT}"\n{extra}')
    assert main(["interleave" if "invariant" in extra else "run", str(p)]) == 1
    out, err = capsys.readouterr()
    assert message in out + err and "Traceback" not in err
