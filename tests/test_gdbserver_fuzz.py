"""Fuzzing the gdbserver: random packets, packets gdb sends with bytes flipped, cut, inserted or their numbers
replaced, and raw byte streams (stray `$`, `#`, `}`, `-`, the interrupt byte), sent to one server over a
loopback socket. After each example's packets the server must still answer (a monitor echo, then `?`), and at
the end it must be running with no internal error on its stderr. PPCINTERP_FUZZ_EXAMPLES scales the run."""

from __future__ import annotations

import contextlib
import time

import pytest
from fuzzing import fuzz_settings
from gdbserver_support import RACE, Client, Server
from hypothesis import given
from hypothesis import strategies as st

from ppcinterp.gdbstub.packets import checksum, escape

CORPUS = [b"qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;vContSupported+;xmlRegisters=i386",
          b"vMustReplyEmpty", b"QStartNoAckMode", b"Hg0", b"Hc-1", b"Hg1", b"qXfer:features:read:target.xml:0,1000",
          b"qXfer:threads:read::0,1000", b"qXfer:exec-file:read::0,1000", b"qTStatus", b"?", b"qAttached",
          b"qOffsets", b"g", b"p40", b"p1", b"pb0", b"P3=000000000000beef", b"P40=0000000000100090",
          b"m100000,4", b"m2000315,1", b"m3fffe00000000,8", b"m1000000,fff", b"M1000000,4:deadbeef",
          b"X1000000,4:" + escape(b"#$}*"), b"M3fffe0000000c,1:04", b"Z0,100090,4", b"z0,100090,4",
          b"Z1,100084,4", b"Z2,2000315,1", b"Z3,2000315,1", b"Z4,2000314,4", b"z2,2000315,1", b"s", b"c", b"bs",
          b"bc", b"vCont?", b"vCont;s:1;c", b"vCont;c", b"vCont;c:1", b"qfThreadInfo", b"qsThreadInfo", b"qC",
          b"T1", b"qThreadExtraInfo,1", b"qRcmd," + b"info icp".hex().encode(),
          b"qRcmd," + b"info paca".hex().encode(), b"qRcmd," + b"x/4xb 0x3fffe00000000".hex().encode(),
          b"qRcmd," + b"print $pc".hex().encode(), b"qSymbol::", b"D", b"k", b"vKill;1", b"G" + b"0" * 64,
          b"S05", b"C05;100000", b"vFile:setfs:0", b"vFile:open:2f746d70,0,1c0", b"vFile:pread:0,3fff,0",
          b"vFile:fstat:0", b"vFile:close:0", b"qXfer:features:read:target.xml:ffffffffffffffff,ffffffffffffffff"]
HEXES = [b"0", b"1", b"ffffffffffffffff", b"10000000000000000", b"7fffffff", b"100090", b"3fffe00000000", b"-1",
         b"fff", b"4000", b"ffffffff" * 5]


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(CORPUS)))
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "number", "repeat"]))
        at = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            data[at % len(data)] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 8))]
        elif op == "number":
            data[at:at] = draw(st.sampled_from(HEXES)) + draw(st.sampled_from([b",", b":", b";", b"=", b""]))
        elif op == "repeat":
            data += bytes(data[at:]) * draw(st.integers(1, 4))
    return bytes(data)


def framed(data: bytes) -> bytes:
    return b"$" + data + b"#%02x" % checksum(data)


SENDS = st.one_of(
    mutated().map(framed),
    st.binary(max_size=120).map(framed),                                    # random data, good checksum
    mutated().map(lambda d: b"$" + d + b"#00"),                             # a bad checksum
    st.lists(st.sampled_from([b"$", b"#", b"}", b"*", b"-", b"+", b"\x03", b"g", b"0", b"OK"]),
             max_size=20).map(b"".join),                                    # a raw stream
)
STATS = {"packets": 0, "examples": 0}


@pytest.fixture(scope="module")
def server():
    started = time.monotonic()
    with Server(str(RACE)) as s:
        yield s
        assert s.proc.poll() is None, s.stderr
    assert "internal error" not in s.stderr and "Traceback" not in s.stderr, s.stderr
    print(f"\ngdbserver fuzz: {STATS['packets']} packets in {STATS['examples']} examples, "
          f"{time.monotonic() - started:.1f} s")


def answering(c: Client, mark: str) -> None:
    """The server answers after whatever came before: replies to earlier packets are skipped up to the echo."""
    c.raw(b"xx")                                      # ends a checksum or a packet left open by a raw stream
    c.send(b"qRcmd," + f"echo {mark}\\n".encode().hex().encode())
    said, p = b"", b""
    while mark.encode() not in said or p != b"OK":
        p = c.packet()
        if p[:1] == b"O" and p != b"OK":
            with contextlib.suppress(ValueError):            # an O... packet that is a reply, not output
                said += bytes.fromhex(p[1:].decode())
    assert c.ask(b"?")[:1] in (b"T", b"W")


@fuzz_settings(200)
@given(sends=st.lists(SENDS, min_size=1, max_size=6))
def test_random_packets_never_stop_the_server(server, sends):
    STATS["examples"] += 1
    STATS["packets"] += len(sends)
    mark = f"MARK-{STATS['examples']}"
    with server.client() as c:
        try:
            for data in sends:
                c.raw(data)
            answering(c, mark)
            return
        except ConnectionError:                       # D, k or vKill among them: the session ended
            pass
    with server.client() as c:
        answering(c, mark)
