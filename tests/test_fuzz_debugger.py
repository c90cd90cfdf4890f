"""Fuzzing the debugger's command language: random command lines (gdb's words, expressions, numbers, registers,
locations, formats, garbage) fed to DebugEngine.execute on a scenario, and a share through
`ppcinterp debug --batch -ex ...`. Any command line may fail, with its one-line message; none may end in
"Internal error", an exception out of execute, status 70, a traceback, or more than a few seconds of CPU.
The regression tests of what the fuzzing found are at the end."""

from __future__ import annotations

import pytest
from conftest import ROOT
from fuzzing import bounded, fuzz_settings, no_crash
from hypothesis import given
from hypothesis import strategies as st

from ppcinterp.cli import main
from ppcinterp.debug.engine import DebugEngine
from ppcinterp.debug.registry import ALIASES, COMMANDS

SCENARIO = ROOT / "asm" / "scenarios" / "race_host_ipi.toml"
# `maintenance internal-error` ends the session on purpose (status 70 is what it is for)
WORDS = sorted(w for w in [*COMMANDS, *ALIASES, "end", "else"] if not w.startswith(("maint", "mt")))
SUBWORDS = ["var", "step-limit", "trace-commands", "registers", "all-registers", "sprs", "float", "vector", "paca",
            "icp", "threads", "path", "frame", "breakpoints", "watchpoints", "display", "record", "regions",
            "symbol", "line", "address", "runs", "confirm", "pagination", "on", "off", "if", "thread", "*", "=", ",",
            "-", "end", "else", '"%d %x %s %c %lx %p %5.2u %%\\n",', '"\\101\\n"', "$arg0", "$argc"]
NAMES = ["r0", "r3", "r12", "$r13", "pc", "$pc", "lr", "ctr", "xer", "xer.ca", "cr", "cr0", "cr7.eq", "msr",
         "msr.ee", "lpcr", "lpcr.mer", "hsrr0", "spr318", "f0", "v2", "vs33", "fpscr", "vscr", "icp.mfrr",
         "icp[0].cppr", "icp.xirr", "icp.pending", "icp[9].mfrr", "paca.kvm_hstate.host_ipi", "paca[1].kvm_hstate",
         "thread[0].r3", "thread[7].r1", "$", "$$", "$1", "$$3", "$999", "IPI_PRIORITY", "XICS_MFRR",
         "ext_interrupt_to_host", "1:713", "&paca[0]", "&icp[0]", "&paca.kvm_hstate.host_ipi", "&r3", "vcpu.arch",
         "$sp", "$toc", "$_", "$__", "$bpnum", "$nosuch", "$n", "paca", "paca[0]", "icp", "paca.kvm_hstate",
         "'A'", "'\\377'", "sizeof(long)", "sizeof paca", "*(unsigned char *)$r13", "{u8}$r13", "(char)$r3",
         "*(u64 *)&paca[0]", "(void *)0", "*$sp", "&*(int *)$r13", "(struct paca_struct *)$r13"]
LOCATIONS = ["upstream 725", "upstream 99999", "hunk 3", "hunk 9", "line 80", "line 0", "*0x100000", "*$pc + 4",
             "ext_interrupt_to_host", "1:751", "no_such_label", "asm/book3s_hv_rmhandlers.S:85", "85", "t.S:1"]
FORMATS = ["", "/x", "/a", "/d", "/t", "/c", "/s", "/i", "/o", "/u", "/z", "/4xw", "/8xb", "/2i", "/3xg",
           "/100000xb", "/0x", "/zz", "/-1x", "/999999999999xw"]


def numbers() -> st.SearchStrategy[str]:
    return st.one_of(st.integers(-2**70, 2**70).map(str), st.integers(0, 2**64).map(hex),
                     st.sampled_from(["0", "-1", "0xffffffffffffffff", "9" * 5000, "0x" + "f" * 3000, "1e9",
                                      "0b101", "007", "1-100000000", "5-3"]))


def expressions() -> st.SearchStrategy[str]:
    leaf = st.one_of(st.sampled_from(NAMES), numbers(), st.sampled_from([f"mem{w}[{a}]" for w in (8, 16, 32, 64)
                                                                         for a in ("0", "$r13", "&icp[0]+4",
                                                                                   "0x2000000")]))
    ops = st.sampled_from(["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "==", "!=", "<", "&&", "||"])

    def grow(children):
        return st.one_of(st.tuples(children, ops, children).map(" ".join),
                         children.map(lambda e: f"({e})"), children.map(lambda e: f"-{e}"),
                         children.map(lambda e: f"!{e}"), children.map(lambda e: f"~{e}"))
    return st.recursive(leaf, grow, max_leaves=8)


def garbage() -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8"), max_size=40)


def lines() -> st.SearchStrategy[str]:
    word = st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS).map(lambda w: w[:max(1, len(w) // 2)]))
    arg = st.one_of(expressions(), numbers(), st.sampled_from(LOCATIONS), st.sampled_from(SUBWORDS), garbage(),
                    st.tuples(st.sampled_from(NAMES), expressions()).map(lambda t: f"{t[0]} = {t[1]}"),
                    st.tuples(st.sampled_from(LOCATIONS), expressions()).map(lambda t: f"{t[0]} if {t[1]}"))
    return st.one_of(
        st.tuples(word, st.sampled_from(FORMATS), st.lists(arg, max_size=3)).map(
            lambda t: f"{t[0]}{t[1]} {' '.join(t[2])}".rstrip()),
        garbage(), st.just(""))


@pytest.fixture(scope="module")
def engine_factory():
    DebugEngine.from_scenario(SCENARIO)           # build once: each example makes a fresh engine from the cache
    return lambda: DebugEngine.from_scenario(SCENARIO)


def check_lines(dbg: DebugEngine, commands: list[str]) -> None:
    for line in commands:
        with bounded(f"debugger command {line[:200]!r}"):
            out = dbg.execute(line)
        assert isinstance(out, str)
        assert "Internal error" not in out, f"{line[:300]!r}: {out[:2000]}"
        if dbg.commands.quit:
            break


@fuzz_settings(150)
@given(commands=st.lists(lines(), min_size=1, max_size=6))
def test_random_command_lines_never_crash_the_debugger(engine_factory, commands):
    check_lines(engine_factory(), commands)


@fuzz_settings(12)
@given(commands=st.lists(lines(), min_size=1, max_size=4))
def test_random_command_lines_through_the_command_line(capsys, commands):
    args = ["debug", str(SCENARIO), "--batch"]
    for line in commands:
        args += ["-ex", line]
    with bounded(f"ppcinterp {' '.join(args)[:300]}"):
        try:
            status = main(args)
        except SystemExit as e:          # argparse's usage error: `-ex -x` takes -x for an option
            status = e.code
    _, err = capsys.readouterr()
    no_crash(status, err, f"ppcinterp {' '.join(args)[:300]}")
    assert "Internal error" not in err, err[-2000:]


# ---- what the fuzzing found, each a regression test

@pytest.mark.parametrize("line, message", [
    ("p/a " + "9" * 5000, "Numeric constant too large."),
    ("p " + "9" * 5000, "Numeric constant too large."),
    ("x/4xw " + "9" * 5000, "Numeric constant too large."),
    ("stepi " + "9" * 5000, "Numeric constant too large."),
    ("list " + "9" * 5000, "Numeric constant too large."),
    ("x/" + "9" * 5000 + "xw 0x100000", "Numeric constant too large."),
    ("info paca " + "9" * 5000, "Numeric constant too large."),
    ("p $" + "9" * 5000, "Numeric constant too large."),
    ("p thread[" + "9" * 5000 + "].r3", "too long for a state name"),
    ("delete 1-100000000", "too many numbers"),
    ("info icp 0-99999999999", "too many numbers"),
])
def test_numbers_too_large_for_the_debugger_are_ordinary_errors(engine_factory, line, message):
    dbg = engine_factory()
    with bounded(line[:40], 1.0):
        out = dbg.execute(line)
    assert not dbg.last_ok and message in out, out[:500]


@pytest.mark.parametrize("script, message", [
    ("/dev/zero", "cannot read the command file: larger than 1 MiB"),
    ("a\0b", "cannot read the command file: embedded null byte"),
])
def test_a_command_file_that_cannot_be_read_is_an_ordinary_error(capsys, script, message):
    with bounded(f"-x {script!r}", 2.0):
        status = main(["debug", str(SCENARIO), "--batch", "-x", script])
    _, err = capsys.readouterr()
    assert status == 1 and message in err, err
