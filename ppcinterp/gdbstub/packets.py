"""The remote protocol's framing: `$data#cs` packets, `+`/`-` acknowledgments, the interrupt byte (0x03), binary
escaping and run-length encoding. Bytes in, events out: no sockets and no engine here.

gdb's manual, "Remote Protocol" / "Overview": the checksum is the sum of the data bytes modulo 256, as two hex
digits; binary data escapes `#`, `$`, `}` and `*` as `}` followed by the byte XOR 0x20; a reply may shorten a run
of one character as the character, `*` and a count character (29 + the repeats), never `#` or `$` as the count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_PACKET = 0x4000          # the PacketSize we announce: the longest data gdb may send; longer is refused
ESCAPE = 0x7D
_SPECIAL = frozenset(b"#$}*")
_RLE_MIN, _RLE_MAX = 4, 97 + 1      # runs shorter than 4 gain nothing; a count above 126 is not printable


def checksum(data: bytes) -> int:
    return sum(data) & 0xFF


def escape(data: bytes) -> bytes:
    """Binary data as a packet carries it."""
    out = bytearray()
    for b in data:
        if b in _SPECIAL:
            out += bytes((ESCAPE, b ^ 0x20))
        else:
            out.append(b)
    return bytes(out)


def unescape(data: bytes) -> bytes:
    """The bytes of escaped binary data (ValueError: it ends inside an escape)."""
    out = bytearray()
    it = iter(data)
    for b in it:
        if b == ESCAPE:
            nxt = next(it, None)
            if nxt is None:
                raise ValueError("binary data ends with an escape byte")
            out.append(nxt ^ 0x20)
        else:
            out.append(b)
    return bytes(out)


def rle_encode(data: bytes) -> bytes:
    """Runs of 4 or more of one byte as `X*N`; a run whose count character would be `#` or `$` is cut shorter."""
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        j = i + 1
        while j < n and data[j] == b and j - i < _RLE_MAX:
            j += 1
        run = j - i
        while run in (6 + 1, 7 + 1):          # 29 + 6 is '#', 29 + 7 is '$': send one less in the run
            run -= 1
            j -= 1
        if run >= _RLE_MIN and b not in _SPECIAL:
            out += bytes((b, ord("*"), 29 + run - 1))
        else:
            out += data[i:j]
        i = j
    return bytes(out)


def rle_decode(data: bytes) -> bytes:
    """Expand `X*N` runs (a client's side of rle_encode). ValueError for `*` with nothing to repeat or no count."""
    out = bytearray()
    i = 0
    while i < len(data):
        b = data[i]
        if b == ord("*"):
            if not out or i + 1 >= len(data) or data[i + 1] < 29 + 3:
                raise ValueError(f"bad run-length encoding at byte {i}")
            out += bytes((out[-1],)) * (data[i + 1] - 29)
            i += 2
        else:
            out.append(b)
            i += 1
    return bytes(out)


def frame(data: bytes, rle: bool = False) -> bytes:
    body = rle_encode(data) if rle else data
    return b"$" + body + b"#" + b"%02x" % checksum(body)


def hexbytes(data: bytes) -> bytes:
    return data.hex().encode()


@dataclass(frozen=True)
class Event:
    kind: str            # packet | bad-checksum | too-long | ack | nack | interrupt
    data: bytes = b""


class Reader:
    """Bytes from the client in, events out, in order. A packet over MAX_PACKET bytes is read to its end and
    reported as too-long (its data is not kept); a `$` inside a packet starts the packet again (the client
    gave up on the first: inside data, `$` is always escaped)."""

    def __init__(self) -> None:
        self._data: bytearray | None = None      # inside a packet: its data so far
        self._sum: bytearray | None = None       # after '#': the checksum digits so far
        self._long = False

    def feed(self, chunk: bytes) -> list[Event]:
        out: list[Event] = []
        for b in chunk:
            if self._sum is not None:
                self._sum.append(b)
                if len(self._sum) == 2:
                    out.append(self._finish())
            elif self._data is not None:
                if b == ord("#"):
                    self._sum = bytearray()
                elif b == ord("$"):
                    self._data, self._long = bytearray(), False
                elif len(self._data) < MAX_PACKET:
                    self._data.append(b)
                else:
                    self._long = True
            elif b == ord("$"):
                self._data, self._long = bytearray(), False
            elif b == ord("+"):
                out.append(Event("ack"))
            elif b == ord("-"):
                out.append(Event("nack"))
            elif b == 0x03:
                out.append(Event("interrupt"))
            # anything else between packets is line noise: ignored, as gdb's own stubs do
        return out

    def _finish(self) -> Event:
        data, digits, long = bytes(self._data or b""), bytes(self._sum or b""), self._long
        self._data = self._sum = None
        self._long = False
        if long:
            return Event("too-long")
        try:
            ok = int(digits, 16) == checksum(data)
        except ValueError:
            ok = False
        return Event("packet" if ok else "bad-checksum", data)


class BadPacket(Exception):
    """A malformed packet: the reply is an error."""


_HEX = re.compile(rb"[0-9a-fA-F]+")


def hexnum(text: bytes, limit: int = (1 << 64) - 1) -> int:
    """A hex number of a packet, at most `limit` (BadPacket otherwise)."""
    if len(text) > 32 or not _HEX.fullmatch(text):
        raise BadPacket(text)
    n = int(text, 16)
    if n > limit:
        raise BadPacket(text)
    return n


def hexdata(text: bytes) -> bytes:
    """Bytes written as hex digit pairs."""
    try:
        return bytes.fromhex(text.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        raise BadPacket(text) from None
