"""The remote protocol's framing as gdb's manual defines it ("Overview", "Binary Data"): checksums, `+`/`-`, the
interrupt byte, binary escaping, run-length encoding, and the bounds on what a client may send; properties with
hypothesis, and fixed cases from the manual."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ppcinterp.gdbstub.packets import (
    MAX_PACKET,
    BadPacket,
    Event,
    Reader,
    checksum,
    escape,
    frame,
    hexdata,
    hexnum,
    rle_decode,
    rle_encode,
    unescape,
)


def events(*chunks: bytes) -> list[Event]:
    r = Reader()
    return [e for c in chunks for e in r.feed(c)]


def test_frames_as_the_manual_shows():
    assert frame(b"OK") == b"$OK#9a"
    assert frame(b"") == b"$#00"
    assert checksum(b"qSupported") == 0x37
    assert rle_decode(b"0* ") == b"0000"                  # the manual's example: ' ' is 29 + 3 repeats
    assert frame(b"0" * 16, rle=True) == b"$0*,#86"      # sixteen zeros: '0', '*' and 29 + 15 = ','
    assert frame(b"E01", rle=True) == b"$E01#a6"


def test_reader_events():
    assert events(b"+$g#67") == [Event("ack"), Event("packet", b"g")]
    assert events(b"-\x03") == [Event("nack"), Event("interrupt")]
    assert events(b"$g#00") == [Event("bad-checksum", b"g")]
    assert events(b"$g#zz") == [Event("bad-checksum", b"g")]
    assert events(b"$m10$g#67") == [Event("packet", b"g")]          # a `$` starts the packet again
    assert events(b"noise\r\n$?#3f") == [Event("packet", b"?")]       # bytes between packets are ignored
    assert events(b"$" + b"a" * (MAX_PACKET + 1) + b"#00$?#3f") == [Event("too-long"), Event("packet", b"?")]
    assert events(b"$" + b"a" * MAX_PACKET + b"#" + b"%02x" % checksum(b"a" * MAX_PACKET)) == \
        [Event("packet", b"a" * MAX_PACKET)]


@given(st.binary(max_size=300), st.lists(st.integers(1, 40), max_size=20))
def test_reader_does_not_care_how_bytes_arrive(data, cuts):
    """A packet split anywhere across reads gives the same events as in one read."""
    stream = frame(escape(data)) + b"+" + frame(b"?")
    whole = events(stream)
    assert whole == [Event("packet", escape(data)), Event("ack"), Event("packet", b"?")]
    parts, at = [], 0
    for n in cuts:
        parts.append(stream[at:at + n])
        at += n
    parts.append(stream[at:])
    assert events(*parts) == whole


@given(st.binary(max_size=500))
def test_escaping_round_trips(data):
    e = escape(data)
    assert unescape(e) == data
    assert not set(e) & set(b"#$*")                       # none of them raw in a packet
    assert len(e) == len(data) + sum(b in b"#$}*" for b in data)


def test_escaping_as_the_manual_shows():
    assert escape(b"}") == b"}]" and escape(b"#") == b"}\x03" and escape(b"$") == b"}\x04"
    assert escape(b"*") == b"}\x0a"
    assert unescape(b"a}]b") == b"a}b"


def test_an_escape_at_the_end_is_refused():
    try:
        unescape(b"ab}")
    except ValueError:
        pass
    else:
        raise AssertionError("an escape byte at the end must be refused")


@given(st.lists(st.tuples(st.sampled_from(b"0123456789abcdefxO"), st.integers(1, 300)), max_size=20))
def test_run_length_round_trips(runs):
    data = b"".join(bytes([b]) * n for b, n in runs)
    enc = rle_encode(data)
    assert rle_decode(enc) == data
    counts = [enc[i + 1] for i in range(len(enc) - 1) if enc[i] == ord("*")]
    assert all(32 <= c <= 126 and c not in b"#$" for c in counts)   # printable, never `#` or `$`
    assert len(enc) <= len(data)
    # framed, it reads back as the same data
    (ev,) = events(frame(data, rle=True))
    assert rle_decode(ev.data) == data


def test_run_length_never_uses_hash_or_dollar():
    for n in (7, 8):                                      # 29 + 6 is '#', 29 + 7 is '$'
        enc = rle_encode(b"0" * n)
        assert b"#" not in enc and b"$" not in enc and rle_decode(enc) == b"0" * n
    assert rle_encode(b"000") == b"000"                   # a short run gains nothing


def test_numbers_and_hex_data_are_bounded():
    assert hexnum(b"ff") == 255 and hexnum(b"FFFFFFFFFFFFFFFF") == (1 << 64) - 1
    for bad in (b"", b"-1", b"0x10", b"g", b"1" * 33, b"1" + b"0" * 16):
        try:
            hexnum(bad)
        except BadPacket:
            continue
        raise AssertionError(f"{bad!r} must be refused")
    assert hexdata(b"00ff") == b"\x00\xff"
    for bad in (b"0", b"zz", "é".encode()):
        try:
            hexdata(bad)
        except BadPacket:
            continue
        raise AssertionError(f"{bad!r} must be refused")
