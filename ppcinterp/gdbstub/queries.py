"""The q, Q and v packets: what the stub supports, the target description and thread list (qXfer), threads,
`monitor` commands (qRcmd, run by the debugger's own command language) and vCont. Anything else gets the
empty reply: gdb then knows it is not supported."""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from ppcinterp.debug.errors import DebugError
from ppcinterp.gdbstub.packets import MAX_PACKET, BadPacket, escape, hexbytes, hexdata, hexnum
from ppcinterp.gdbstub.tdesc import target_xml

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine
    from ppcinterp.gdbstub.handlers import Stub

MAX_OUTPUT = 1 << 20          # characters of one monitor command's output sent back
CHUNK = 2048                  # characters per O packet
# Commands that move: gdb has its own for each, and would not know where the target went.
MOVING = frozenset({"run", "start", "starti", "continue", "stepi", "nexti", "step", "next", "finish", "until",
                    "advance", "reverse-stepi", "reverse-nexti", "reverse-step", "reverse-next", "reverse-continue",
                    "jump", "kill", "thread", "quit"})
# Commands that open a block read the lines after it: a monitor command is one line, so the block would swallow
# the next monitor commands; maintenance (internal-error) would end the server.
ONE_LINE = frozenset({"define", "document", "if", "while", "maintenance"})     # gdb has each of its own
STALE = ("(gdb has not seen this change: `maintenance flush register-cache` reads the registers again, and memory "
         "is read afresh at the next stop)")


def supported(stub: Stub) -> bytes:
    features = [f"PacketSize={MAX_PACKET:x}", "qXfer:features:read+", "qXfer:threads:read+", "swbreak+",
                "hwbreak+", "vContSupported+", "ReverseStep+", "ReverseContinue+", "QStartNoAckMode+"]
    if stub.exec_file:
        features.append("qXfer:exec-file:read+")
    return ";".join(features).encode()


def handle(stub: Stub, data: bytes) -> list[bytes]:
    name, sep, rest = data.partition(b":")
    if data.startswith(b"qSupported"):
        return [supported(stub)]
    if data == b"QStartNoAckMode":
        stub.no_ack = True
        return [b"OK"]
    if name == b"qXfer" and sep:
        return [xfer(stub, rest)]
    if data == b"qfThreadInfo":
        return [b"m" + b",".join(b"%x" % (i + 1) for i in range(len(stub.dbg.machine.threads)))]
    if data == b"qsThreadInfo":
        return [b"l"]
    if data == b"qC":
        return [b"QC%x" % (stub.dbg.machine.current + 1)]
    if data == b"qAttached" or data.startswith(b"qAttached:"):
        return [b"1"]
    if data.startswith(b"qThreadExtraInfo,"):
        n = stub.thread_index(data.split(b",", 1)[1])
        return [hexbytes(thread_text(stub, n).encode())]
    if data.startswith(b"qRcmd,"):
        return monitor(stub, hexdata(data[len(b"qRcmd,"):]))
    if data == b"qSymbol::":
        return [b"OK"]
    if data == b"vCont?":
        return [b"vCont;c;C;s;S"]
    if data.startswith(b"vCont;"):
        return stub.vcont(data[len(b"vCont;"):])
    if data.startswith(b"vFile:"):
        return [stub.hostio.handle(data)]
    if data.startswith(b"vKill"):
        stub.closing = True
        return [b"OK"]
    if name == b"qXfer" or data.startswith(b"qRcmd"):
        raise BadPacket(data)
    return [b""]


def thread_text(stub: Stub, n: int | None) -> str:
    m = stub.dbg.machine
    n = m.current if n is None else n
    return "executing" if n == m.current else "not executing"


def xfer(stub: Stub, rest: bytes) -> bytes:
    """qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH -> `m` and a part, or `l` and the last part."""
    parts = rest.split(b":")
    if len(parts) != 4 or parts[1] != b"read":
        return b""
    obj, annex, span = parts[0], parts[2], parts[3]
    offset, comma, length = span.partition(b",")
    if not comma:
        raise BadPacket(rest)
    offset, length = hexnum(offset), hexnum(length)
    if obj == b"features":
        if annex != b"target.xml":
            return b"E00"
        doc = target_xml()
    elif obj == b"threads" and annex == b"":
        doc = threads_xml(stub)
    elif obj == b"exec-file" and stub.exec_file:
        doc = stub.exec_file.encode()
    else:
        return b""
    # the escaped part must fit in a packet: take bytes while the escaped form fits
    part = doc[offset:offset + min(length, (MAX_PACKET - 8) // 2)]
    return (b"l" if offset + len(part) >= len(doc) else b"m") + escape(part)


def threads_xml(stub: Stub) -> bytes:
    rows = ['<?xml version="1.0"?>', "<threads>"]
    for t in stub.dbg.machine.threads:
        rows.append(f'  <thread id="{t.index + 1:x}" core="0" name={quoteattr(f"hw thread {t.index}")}>'
                    f"{xml_escape(thread_text(stub, t.index))}</thread>")
    rows.append("</threads>")
    return "\n".join(rows).encode()


def monitor(stub: Stub, line_bytes: bytes) -> list[bytes]:
    """`monitor LINE`: one command of our debugger, its output as console packets, then OK (an error too is
    said on the console: gdb takes an error reply to qRcmd as a protocol error)."""
    dbg = stub.dbg
    line = line_bytes.decode("utf-8", "replace")
    words = line.split()
    name = _command_name(dbg, words[0]) if words else None
    if not words:
        text = ""                                   # not our debugger's empty line (it repeats the last command)
    elif name in MOVING:
        text = f"monitor {words[0]}: use gdb's own command (gdb would not know where the target went)"
    elif name in ONE_LINE:
        text = f"monitor {words[0]}: not available over monitor (one line at a time; gdb has its own `{name}`)"
    else:
        before = (len(dbg.history.journal), dbg.history.pos, dbg.machine.current)
        text = dbg.execute(line)
        if (len(dbg.history.journal), dbg.history.pos, dbg.machine.current) != before:
            text += ("\n" if text else "") + STALE
    text = text[:MAX_OUTPUT]
    out = [b"O" + hexbytes(text[i:i + CHUNK].encode()) for i in range(0, len(text), CHUNK)]
    if text and not text.endswith("\n"):
        out.append(b"O" + hexbytes(b"\n"))
    return out + [b"OK"]


def _command_name(dbg: DebugEngine, word: str) -> str | None:
    try:
        return dbg.commands.split(word)[0].name
    except DebugError:          # an unknown word: the command language says so itself when it runs
        return None
