"""Session.call: a function called as C does (ELFv1 descriptors, r3..r10, a stack frame, the TOC, the return to
the caller), its failures, the `return` kind of a plain run, and scenarios with `call`."""

from __future__ import annotations

from pathlib import Path

import pytest

from ppcinterp.api import Session
from ppcinterp.api_call import MIN_FRAME, CallError
from ppcinterp.cli import main
from ppcinterp.diagnostics import PpcError
from ppcinterp.run.outside import RETURN_ADDRESS

LIB = "tests/data/lib/routines.S"


@pytest.fixture(scope="module")
def session() -> Session:
    return Session(LIB)


@pytest.fixture
def s(session: Session) -> Session:
    session.reset()
    return session


def test_a_descriptor_and_its_code_label_are_the_same_function(s):
    p = s.program
    assert s.function("bytelen") == ("bytelen", p.symbols[".bytelen"], p.toc_base)
    assert s.function(".bytelen") == (".bytelen", p.symbols[".bytelen"], p.toc_base)
    assert s.call("bytelen", b"four\0") == s.call(".bytelen", b"four\0") == 4
    assert s.last.result.kind == s.last.result.exit == "return"
    assert s.last.returned and s.last.value == 4 and s.last.steps == s.last.result.steps > 4


def test_an_unknown_function_names_those_there_are(s):
    with pytest.raises(PpcError, match=r"'memcpy' is not a function of .*routines.S \(functions: bytecopy, bytelen"):
        s.call("memcpy", 1, 2, 3)
    with pytest.raises(PpcError, match="no instruction at 0x4"):
        s.call(4)
    with pytest.raises(PpcError, match="at most 8"):
        s.call("bytelen", *range(9))
    with pytest.raises(PpcError, match="argument 1 is float"):
        s.call("bytelen", 1.5)
    with pytest.raises(PpcError, match="does not fit in 64 bits"):
        s.call("bytelen", 1 << 64)


def test_registers_as_the_abi_has_them(s):
    s.call("toc_of", 7, -1, "0x10")
    g = s.machine.thread.gpr
    ram = s.machine.ram
    assert s.last.value == s.program.toc_base == g[2] and s.program.toc_base
    assert s.last.args == (7, (1 << 64) - 1, 0x10)
    assert s.get("lr") == RETURN_ADDRESS
    sp = g[1]
    assert sp % 16 == 0 and ram.base <= sp and sp + MIN_FRAME <= ram.limit
    assert s.read(sp, MIN_FRAME) == bytes(MIN_FRAME)          # back chain 0, empty save areas


def test_a_non_leaf_function_saves_lr_in_the_callers_frame(s):
    assert s.call("twice_via_frame", 21) == 42
    sp = s.get("r1")
    assert s.get(f"mem64[{sp + 16:#x}]") == RETURN_ADDRESS    # the LR save doubleword of the caller's frame
    assert s.get(f"mem64[{sp - 112:#x}]") == sp              # its own frame's back chain


def test_bytes_arguments_are_put_in_ram_for_the_call(s):
    assert s.call("bytecopy", bytes(8), b"abcdefgh", 8) == s.last.args[0]
    dst, src = s.last.args[:2]
    assert s.read(dst, 8) == s.read(src, 8) == b"abcdefgh"
    assert s.machine.ram.base <= min(dst, src) and max(dst, src) + 8 <= s.machine.ram.limit
    with pytest.raises(PpcError, match="do not fit in RAM"):
        s.call("bytelen", bytes(s.machine.ram.size))


def test_a_call_that_does_not_return_raises_with_its_result(s):
    with pytest.raises(CallError, match=r"spin did not return: it ended \(step-limit\) after 500 steps") as e:
        s.call("spin", max_steps=500)
    assert e.value.result.kind == "step-limit" and s.last.result is e.value.result
    with pytest.raises(CallError):
        _ = s.last.value                                # a failed call has no value to mistake for r3
    with pytest.raises(CallError, match=r"ld r3,0\(r3\): load of 8 bytes at 0x8 \(r3 = 0x8\) is outside") as e:
        s.call("deref", 8)
    assert e.value.result.kind == "fault"
    assert isinstance(e.value, PpcError)


def test_a_tail_call_to_a_stand_in_returns_to_the_caller(tmp_path):
    src = tmp_path / "tail.S"
    src.write_text("_GLOBAL(wrapper)\n\taddi r3,r3,1\n\tb .helper\n")
    s = Session(str(src), externs=[".helper"])
    with pytest.raises(CallError, match=r"\(exit\).*left the file to .helper"):
        s.call("wrapper", 1)
    s.stand_in(".helper", lambda args: args[0] * 10)
    assert s.call("wrapper", 4) == 50


def test_a_run_that_returns_to_the_lr_it_started_with_is_kind_return(s):
    s.set("lr", 0x4000)
    s.set("r3", s.alloc("str", 8))
    r = s.run(".bytelen")
    assert (r.kind, r.exit) == ("return", "return") and "returned to its caller at 0x4000" in r.message
    r = s.run(".spin", max_steps=50)
    assert (r.kind, r.exit) == ("step-limit", "step-limit")


def test_a_jump_elsewhere_is_no_code_named_as_its_kind(tmp_path):
    src = tmp_path / "jump.S"
    src.write_text("start:\n\tli r3,0x4000\n\tmtctr r3\n\tbctr\n")
    r = Session(str(src)).run("start")
    assert (r.kind, r.exit) == ("no-code", "no-code") and "jumped to 0x4000" in r.message


def _scenario(tmp_path, body: str) -> str:
    sc = tmp_path / "call.toml"
    sc.write_text(f'source = "{Path(LIB).resolve()}"\n' + body)
    return str(sc)


def _run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_a_scenario_calls_a_function_with_buffers(tmp_path, capsys):
    sc = _scenario(tmp_path, 'call = ["bytecopy", "dst", "src", 5]\n[buffers]\ndst = 16\nsrc = "hello"\n'
                             '[expect]\nkind = "return"\nexit = "return"\n[expect.state]\nr3 = "dst"\n'
                             '[expect.buffers]\ndst = "hello"\n')
    status, out, err = _run(capsys, "run", sc)
    assert status == 0 and "ok     buffer dst == b'hello'" in out, out + err
    Path(sc).write_text(Path(sc).read_text().replace('dst = "hello"', 'dst = [104, 105, 0]'))
    status, out, _ = _run(capsys, "run", sc)
    assert status == 1 and "WRONG  buffer dst: expected b'hi\\x00', got b'hel'" in out, out
    status, out, _ = _run(capsys, "trace", sc)
    assert status == 0 and "returned to its caller" in out


def test_the_command_line_gives_a_scenario_more_ram(tmp_path, capsys):
    sc = _scenario(tmp_path, 'call = ["bytelen", "big"]\n[buffers]\nbig = 0x200000\n[expect]\nkind = "return"\n')
    status, _, err = _run(capsys, "run", sc)
    assert status == 1 and "buffer 'big' of 0x200000 bytes does not fit" in err
    status, out, err = _run(capsys, "run", sc, "--ram-size", "4M")
    assert status == 0, out + err


@pytest.mark.parametrize("body, message, line", [
    ('call = ["nosuch", 1]\n', "call: 'nosuch' is not a function", 2),
    ('call = ["bytelen"]\nentry = "x"\n', "an 'entry' or a 'call', not both", 2),
    ('call = [1, 2]\n', "'call' is a list: the function's name", 2),
    ('call = ["bytelen", "nobuf"]\n', "'nobuf' is not a number or a constant", 2),
    ('call = ["bytelen", "b"]\n[buffers]\nb = 1.5\n', "buffer 'b' must be a size, a string or a list", 4),
    ('call = ["bytelen", "b"]\n[buffers]\nb = 0x10000000\n', "buffer 'b' of 0x10000000 bytes does not fit", 4),
    ('call = ["bytelen", "r3"]\n[buffers]\nr3 = 4\n', "'r3' already names a register", 4),
    ('ram_size = 100\ncall = ["bytelen", 0]\n', "ram_size 0x64 is not a multiple of 4 KiB", 2),
])
def test_scenario_call_errors_point_at_their_line(tmp_path, capsys, body, message, line):
    status, _, err = _run(capsys, "run", _scenario(tmp_path, body))
    assert status == 1 and message in err and f"call.toml:{line}:" in err, err
    assert "Traceback" not in err


def test_a_buffers_table_of_the_wrong_type_is_an_error_at_its_place(tmp_path, capsys):
    status, _, err = _run(capsys, "run", _scenario(tmp_path, 'call = ["bytelen", 0]\n[expect]\nbuffers = 0\n'))
    assert status == 1 and "'buffers' in [expect] must be a table" in err and "call.toml:4:" in err, err
