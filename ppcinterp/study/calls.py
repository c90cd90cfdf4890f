"""A scenario that calls a function as C does (Session.call) instead of entering at a location:

    source = "routines.S"
    ram_size = 0x400000                        # optional: bytes of RAM (default 1 MiB)
    call = ["bytecopy", "dst", "src", 5]       # the function (descriptor `name`, or `.name`), then r3..r10:
                                               # integers, or strings (a buffer, a constant, a number)
    [buffers]                                  # RAM by name, allocated in this order before [state] is set:
    dst = 16                                   #   a size (zeroed bytes)
    src = "hello"                              #   a string (its UTF-8 bytes) or a list of bytes [104, 105]
    [expect]
    kind = "return"                            # the function returned to its caller (exit "return" too)
    [expect.state]
    r3 = "dst"
    [expect.buffers]                           # the bytes a buffer starts with after the run
    dst = "hello"

The scenario's entry is then the function: run, trace, debug and interleave run it from there with the call's
registers set (Session.prepare_call; [state] may change them). A call that does not return (a step limit, a
fault, an exit) is the run's result like any other: it fails the scenario unless [expect] names its kind.
"""

from __future__ import annotations

import re

from ppcinterp.api import Session
from ppcinterp.diagnostics import Pos, PpcError, ScenarioError
from ppcinterp.study import inputs

MAX_BUFFERS = 1000


def check(data: dict, text: str, p) -> None:
    """The call, [buffers] and [expect.buffers] are well formed (each error at its place in the file; the keys'
    types are checked already)."""
    if "call" in data:
        call = data["call"]
        if "entry" in data:
            raise ScenarioError("a scenario has an 'entry' or a 'call', not both", inputs.pos_of(text, p, "call"))
        if not call or not isinstance(call[0], str) or not all(
                isinstance(a, int | str) and not isinstance(a, bool) for a in call[1:]):
            raise ScenarioError("'call' is a list: the function's name, then its arguments (integers or strings: "
                                "a buffer, a constant, a number)", inputs.pos_of(text, p, "call"))
        if len(call) > 9:
            raise ScenarioError(f"'call' passes {len(call) - 1} arguments (at most 8: r3..r10)",
                                inputs.pos_of(text, p, "call"))
    buffers = data.get("buffers", {})
    if len(buffers) > MAX_BUFFERS:
        raise ScenarioError(f"the scenario has {len(buffers)} buffers (at most {MAX_BUFFERS})",
                            inputs.pos_of(text, p, "buffers"))
    for table in (buffers, data.get("expect", {}).get("buffers", {})):
        for name, v in table.items():
            contents(v, text, p, name, sized=table is buffers)


def at(text: str, p, name: str, table: str = "buffers"):
    """Where `name = ...` is written in [table] (inputs.pos_of would find the name in `call` first)."""
    lines = text.splitlines()
    head = next((i for i, line in enumerate(lines) if line.strip() == f"[{table}]"), None)
    for i in range(head + 1 if head is not None else len(lines), len(lines)):
        m = re.match(rf'\s*"?{re.escape(name)}"?\s*=', lines[i])
        if m:
            return Pos(str(p), i + 1, len(lines[i]) - len(lines[i].lstrip()) + 1)
    return inputs.pos_of(text, p, name)


def contents(v, text: str, p, name: str, sized: bool = False) -> bytes | int:
    """A buffer's value: a size (where `sized`), a string's UTF-8 bytes or a list of bytes."""
    if sized and isinstance(v, int) and not isinstance(v, bool):
        return v
    if isinstance(v, str):
        return v.encode()
    if isinstance(v, list) and all(isinstance(b, int) and not isinstance(b, bool) and 0 <= b <= 255 for b in v):
        return bytes(v)
    raise ScenarioError(f"buffer '{name}' must be {'a size, ' * sized}a string or a list of bytes (0 to 255)",
                        at(text, p, name, "buffers" if sized else "expect.buffers"))


def prepare(sc, session: Session) -> None:
    """Allocate the [buffers], put their bytes in, and set up the call (arguments, r1, r2, LR), so that a run
    from the function's entry (the scenario's entry: run, trace, debug, interleave alike) returns to the caller."""
    for name, v in sc.data.get("buffers", {}).items():
        want = contents(v, sc.text, sc.path, name, sized=True)
        try:
            addr = session.alloc(name, want if isinstance(want, int) else max(len(want), 1))
            if isinstance(want, bytes):
                session.write(addr, want)
        except PpcError as e:
            raise ScenarioError(e.message, at(sc.text, sc.path, name)) from None
    if "call" in sc.data:
        try:
            session.prepare_call(*sc.data["call"])
        except PpcError as e:
            raise ScenarioError(f"call: {e.message}", inputs.pos_of(sc.text, sc.path, "call")) from None


def expected(sc, session: Session) -> list[tuple[str, bytes, bytes]]:
    """(what, expected, actual) for each [expect.buffers] entry."""
    out = []
    for name, v in sc.expect.get("buffers", {}).items():
        want = contents(v, sc.text, sc.path, name)
        addr = session.buffer(name)
        if addr is None:
            raise ScenarioError(f"expect.buffers: there is no buffer '{name}' (the [buffers] table makes them)",
                                at(sc.text, sc.path, name, "expect.buffers"))
        out.append((f"buffer {name}", want, session.read(addr, len(want))))
    return out
