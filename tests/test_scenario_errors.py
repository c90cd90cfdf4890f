"""Every bad scenario ends in a positioned error (file:line:col, the key, what it expects) and status 1: wrong
types for any name, bad paths, unmapped memory in [state], [expect.state] and events, non-UTF-8 files, and
inputs sized to take minutes (each refused, or run, within a second of CPU)."""

from __future__ import annotations

import pytest
from conftest import FRAGMENT
from fuzzing import bounded

from ppcinterp.cli import main

HEAD = f'source = "{FRAGMENT}"\nentry = "hunk 3"\n'


def run(capsys, tmp_path, body: str | bytes, *args: str, command: str = "run"):
    """(status, stdout, stderr, path) of `ppcinterp COMMAND path ARGS` on a scenario written from body (to a
    new file each time: messages quote the file's lines, read once per path)."""
    p = tmp_path / f"t{len(list(tmp_path.glob('t*.toml')))}.toml"
    if isinstance(body, bytes):
        p.write_bytes(body)
    else:
        p.write_text(body)
    status = main([command, str(p), *args])
    out, err = capsys.readouterr()
    return status, out, err, p


def refused(capsys, tmp_path, body, message: str, line: int, *args: str, command: str = "run") -> str:
    status, out, err, p = run(capsys, tmp_path, body, *args, command=command)
    assert status == 1, (out, err)
    assert f"{p}:{line}:" in err and message in err, err
    return err


@pytest.fixture(scope="module", autouse=True)
def _built():
    """Build the fragment once, so that the bounded tests measure what they test, not the first build."""
    from ppcinterp.api import Session
    Session(str(FRAGMENT))


def test_a_scenario_that_is_not_utf8_is_refused_at_the_bad_byte(capsys, tmp_path):
    body = HEAD.encode() + b"[state]\nr3 = \"\xff\xfe\"\n"
    err = refused(capsys, tmp_path, body, "not UTF-8 text: byte 0xff at offset", 4)
    assert ":4:7: error" in err


@pytest.mark.parametrize("body, message, line", [
    ("[state]\nr12 = [[1, 2]]\n", "'r12' needs a number (an integer, a boolean or a constant's name), not a list", 4),
    ("[state]\nicp.pending = 5\n", "'icp.pending' needs a list of [source, priority] pairs, not an integer", 4),
    ("[state]\nicp.pending = [[1]]\n", "entry 0 must be a [source, priority] pair", 4),
    ("[state]\nicp.pending = [[0x1234, 5, 6]]\n", "entry 0 must be a [source, priority] pair", 4),
    ("[state]\nicp.pending = [[true, 5]]\n", "entry 0 must be a pair of integers, not [a boolean, an integer]", 4),
    ("[state]\nicp.pending = [[2, 5]]\n", "source 0x2 is not a device source", 4),
    ("[state]\nicp.pending = [[0x1234, 256]]\n", "priority 0x100 is not 0 to 0xff", 4),
    ("[state]\nicp.pending = [[\"NO_SUCH\", 5]]\n", "'NO_SUCH' is not a number or a constant", 4),
    ("[state]\nr12 = \"0123\"\n", "a number with a leading 0", 4),
    ("[state]\nr12 = \"" + "9" * 5000 + "\"\n", "too long for a number", 4),
    ("[[events]]\nat = \"upstream 725\"\nset = { r12 = [1] }\n", "'r12' needs a number", 5),
    ("[[events]]\nat = \"upstream 725\"\nset = { \"icp.pending\" = 5 }\n", "needs a list of [source, priority]", 5),
    ("[expect.state]\nr12 = [[1, 2]]\n", "expect.state 'r12' needs a number", 4),
    ("[expect.state]\n\"icp.pending\" = 5\n", "expect.state 'icp.pending' needs a list", 4),
    ("[[events]]\nat = \"step " + "9" * 5000 + "\"\nset = { r3 = 1 }\n", "the step number is too large", 4),
])
def test_a_wrong_type_or_range_for_a_name_is_a_positioned_error(capsys, tmp_path, body, message, line):
    refused(capsys, tmp_path, HEAD + body, message, line)


@pytest.mark.parametrize("body, message, line", [
    ('include = ["\\u0000"]\n', "'include': a path cannot contain a NUL character", 3),
    ('include = [5]\n', "'include' must be a list of strings", 3),
    ('kernel_tree = "a\\u0000b"\n', "'kernel_tree': a path cannot contain a NUL character", 3),
    ('asm_offsets = ""\n', "'asm_offsets': the path is empty", 3),
    ('asm_offsets = "' + "9" * 5000 + '"\n', "'asm_offsets': the path is 5,000 characters long", 3),
    ('kernel_tree = "' + "k" * 300 + '"\n', "'kernel_tree': a name in the path is longer than 255 bytes", 3),
    ('defines = { X = [1] }\n', "define 'X' must be a macro name set to a string or an integer", 3),
])
def test_a_bad_path_or_build_option_is_a_positioned_error(capsys, tmp_path, body, message, line):
    refused(capsys, tmp_path, HEAD + body, message, line)


def test_a_nul_in_the_source_path_is_an_error_in_every_command(capsys, tmp_path):
    body = 'source = "\\u0000"\nentry = "hunk 3"\n'
    for command in ("run", "trace", "interleave", "debug"):
        args = ("--batch", "-ex", "info path") if command == "debug" else ()
        refused(capsys, tmp_path, body, "'source': a path cannot contain a NUL character", 1, *args, command=command)


def test_unmapped_memory_in_state_and_expectations_is_a_positioned_error(capsys, tmp_path):
    refused(capsys, tmp_path, HEAD + '[state]\n"mem64[0]" = 1\n',
            "'mem64[0]': address 0x0 is outside every mapped region", 4)
    refused(capsys, tmp_path, HEAD + '[expect.state]\n"mem64[0]" = 1\n',
            "expect.state 'mem64[0]': address 0x0 is outside every mapped region", 4)
    refused(capsys, tmp_path, HEAD + '[state]\n"mem8[0x3fffe00000001]" = 1\n',
            "icp[0] has no 1-byte register at offset 0x1", 4)
    refused(capsys, tmp_path, HEAD + 'invariant = "mem64[0] == 0"\n', "address 0x0 is outside every mapped region",
            3, command="interleave")


@pytest.mark.parametrize("at", ["step 0", "step 3", "upstream 725"])
def test_an_events_bad_write_is_the_events_error_not_an_instructions_fault(capsys, tmp_path, at):
    body = HEAD + f'[state]\nr12 = 0x500\n[[events]]\nat = "{at}"\nset = {{ "mem64[0]" = 1 }}\n'
    for command, args in (("run", ()), ("trace", ()), ("debug", ("--batch", "-ex", "stepi 5"))):
        status, out, err, p = run(capsys, tmp_path, body, *args, command=command)
        assert status == 1 and f"{p}:7:" in err and "address 0x0 is outside every mapped region" in err, err
        assert "fault" not in out and "Traceback" not in err


def test_a_device_register_an_event_cannot_write_is_refused_before_the_run(capsys, tmp_path):
    body = HEAD + '[[events]]\nat = "step 2"\nset = { "mem32[0x3fffe0000000c]" = 1 }\n'
    refused(capsys, tmp_path, body, "icp[0] has no 4-byte register at offset 0xc", 5)


# ---- bounds: each input sized to take minutes ends in a message (or runs) within a second of CPU

def _events(n: int) -> str:
    return "".join(f'[[events]]\nat = "step {i}"\nset = {{ r3 = {i} }}\n' for i in range(n))


@pytest.mark.parametrize("what, body, message", [
    ("10,000 pending sources", "[state]\nicp.pending = [" + ", ".join(f"[{i}, 5]" for i in range(3, 10_003)) + "]\n",
     "has 10000 pairs; an ICP takes at most 1024 pending sources"),
    ("2,000 events", _events(2000), "has 2000 events (at most 1000)"),
    ("200 [[then]] runs", "[[then]]\nentry = \"hunk 3\"\n" * 200, "has 200 [[then]] runs (at most 100)"),
    ("100 memory regions", "".join(f"[[memory]]\nname = \"m{i}\"\nbase = {0x10000000 + i * 0x1000}\nsize = 4096\n"
                                   for i in range(100)), "has 100 [[memory]] regions (at most 64)"),
    ("a 20,000-character string", 'description = "' + "x" * 20_000 + '"\n', "a string of 20000 characters"),
    ("12,000 state names", "[state]\n" + "".join(f'"mem8[{0x1000000 + i}]" = 1\n' for i in range(12_000)),
     "has 12000 keys (at most 10000)"),
    ("a step budget of 10**12", "max_steps = 1000000000000\n", "'max_steps' must be 1 to 10,000,000"),
    ("a 2**63-byte region", '[[memory]]\nname = "big"\nbase = 0x10000000\nsize = 0x7fffffffffffffff\n',
     "size 0x7fffffffffffffff is not 1 to 0x1000000 bytes"),
    ("arrays nested 5,000 deep", "x = " + "[" * 5000 + "]" * 5000 + "\n", "nest"),
])
def test_a_bomb_is_refused_within_a_second(capsys, tmp_path, what, body, message):
    with bounded(what, 1.0):
        status, out, err, _ = run(capsys, tmp_path, HEAD + body)
    assert status == 1 and message in err, err[-500:]


def test_a_file_of_megabytes_is_refused_without_reading_it_all(capsys, tmp_path):
    with bounded("a 3 MiB scenario", 1.0):
        status, _, err, _ = run(capsys, tmp_path, HEAD + "# " + "x" * (3 << 20) + "\n")
    assert status == 1 and "is larger than 1 MiB" in err


def test_the_largest_pending_list_runs_quickly(capsys, tmp_path):
    body = HEAD + "[state]\nr12 = 0x500\nicp.pending = [" + ", ".join(f"[{i}, 5]" for i in range(3, 1027)) + "]\n"
    body += "[expect.state]\n\"paca.kvm_hstate.saved_xirr\" = 0xff000003\n"
    with bounded("1,024 pending sources", 1.0):
        status, out, err, _ = run(capsys, tmp_path, body)
    assert status == 0 and "ok     paca.kvm_hstate.saved_xirr == 0xff000003" in out, out + err


def test_an_interleaving_count_of_millions_is_refused(capsys, tmp_path):
    steps = ", ".join(["{ r3 = 1 }"] * 12)
    body = HEAD + f'[state]\nr12 = 0x500\n[actors.many]\nsteps = [{steps}]\n'
    with bounded("12 actor steps", 1.0):
        status, _, err, _ = run(capsys, tmp_path, body, "--actor", "many", command="interleave")
    assert status == 1 and "interleavings (at most 100,000)" in err


def test_a_looping_scenario_prints_a_short_path(capsys, tmp_path):
    (tmp_path / "loop.S").write_text("start:\na1:\tnop\na2:\tnop\na3:\tnop\na4:\tnop\na5:\tnop\na6:\tb a1\n")
    body = 'source = "loop.S"\nentry = "start"\nmax_steps = 100000\n[expect]\npath = ["a1"]\n'
    with bounded("a 100,000-step loop", 2.0):
        status, out, err, _ = run(capsys, tmp_path, body)
    assert status == 1 and max(len(line) for line in out.splitlines()) < 3000, max(map(len, out.splitlines()))
    assert "(start -> a1 -> a2 -> a3 -> a4 -> a5 -> a6) x16666" in out
    assert "more ...'" in out                  # the WRONG line's list: its start and end


@pytest.mark.parametrize("name, value, message", [
    ("r3", None, "'r3' needs a number"),
    ("r3", 1.5, "'r3' needs a number (an integer, a boolean or a constant's name), not a float"),
    ("r3", [1], "not a list"),
    ("icp.pending", "x", "'icp.pending' needs a list of [source, priority] pairs, not a string"),
    ("icp.pending", [(1.5, 2)], "entry 0 must be a pair of integers"),
    ("icp.pending", [(0x10, 5)] * 2000, "has 2000 pairs; an ICP takes at most 1024"),
    ("mem64[0]", 1, "'mem64[0]': address 0x0 is outside every mapped region"),
    (5, 1, "a state name is a string, not an integer"),
    ("x" * 5000, 1, "too long for a state name"),
])
def test_the_session_refuses_a_wrong_value_for_a_name(name, value, message):
    from ppcinterp.api import Session
    from ppcinterp.diagnostics import PpcError
    s = Session(str(FRAGMENT))
    with pytest.raises(PpcError) as e:
        s.set(name, value)
    assert message in e.value.message
    with pytest.raises(PpcError, match="outside every mapped region"):
        s.get("mem64[0]")


@pytest.mark.parametrize("option", ["--kernel-tree", "--asm-offsets", "--source", "--patch"])
def test_a_nul_in_a_path_option_is_an_error(capsys, tmp_path, option):
    status, _, err, _ = run(capsys, tmp_path, HEAD, option, "a\0b")
    assert status == 1 and f"{option}: cannot resolve the path" in err, err


@pytest.mark.parametrize("body, message, line", [
    ('cpu = "POWER9"\n', "unknown CPU 'POWER9' (known: POWER6, POWER7, POWER8, PPC970)", 3),
    ('config = "nope"\n', "unknown kernel config 'nope'", 3),
    ('features = -1\n', "'features' is a cpu_features word", 3),
    ('kernel_tree = "/nonexistent"\n', "'kernel_tree': /nonexistent: not a directory", 3),
    ('asm_offsets = "/nonexistent"\n', "'asm_offsets': /nonexistent: no such file", 3),
    ('patch = "/nonexistent"\n', "cannot read patch '/nonexistent'", 3),
    ('[expect]\nkind = "no code"\n', "unknown kind 'no code' in [expect] (a run ends as one of: exit,", 4),
    ('invariant = "r3 =="\n', "in invariant 'r3 ==' at column", 3),
    ('[actors.poke]\nsteps = 3\n', "'steps' in [actors.poke] must be a list, not an integer", 4),
    ('[actors.poke]\nsteps = [{ r3 = 1 }]\nwhen = 2\n', "unknown key 'when' in [actors.poke]", 5),
    ('[actors.poke]\nsteps = [{ r3 = 1.5 }]\n', "'r3' must be an integer, boolean, constant name or list", 4),
    ('[[then]]\nentry = "nowhere"\n', "unknown entry 'nowhere'", 3),
])
def test_errors_that_had_no_position_are_at_their_key(capsys, tmp_path, body, message, line):
    """These said `t.toml: ...` (or no file at all, for an unknown entry) before."""
    refused(capsys, tmp_path, HEAD + body, message, line)


def test_an_unknown_entry_is_at_its_key_in_every_command(capsys, tmp_path):
    body = f'source = "{FRAGMENT}"\n\nentry = "nowhere"\n'
    for command in ("run", "trace", "interleave"):
        refused(capsys, tmp_path, body, "unknown entry 'nowhere'", 3, command=command)


def test_too_many_interleavings_is_at_the_actor(capsys, tmp_path):
    steps = ", ".join(["{ r3 = 1 }"] * 12)
    refused(capsys, tmp_path, HEAD + f'[state]\nr12 = 0x500\n[actors.many]\nsteps = [{steps}]\n',
            "interleavings (at most 100,000)", 5, "--actor", "many", command="interleave")


@pytest.mark.parametrize("body, message, line", [
    (HEAD + 'threads = 2\ncurrent = 5\n', "'current' is thread 5, but the core has 2", 4),
    ('sources = ["nosuch.S"]\nentry = "hunk 3"\n', "cannot read", 1),
    ('entry = "hunk 3"\nsource = "nosuch.S"\n', "nosuch.S': no such file", 2),
])
def test_a_thread_or_source_that_does_not_exist_is_at_its_key(capsys, tmp_path, body, message, line):
    refused(capsys, tmp_path, body, message, line)
