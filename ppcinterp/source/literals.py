"""Reading the literals users write: numbers (bounded in length before Python converts them) and the escapes
of GNU as strings and character constants.

Python's int() refuses a decimal string of more than 4300 digits with a bare ValueError, and no literal that
long is a value any tool here can use: a literal longer than MAX_NUMBER_CHARS is an error of its own, at its
place, wherever a number is read (the preprocessor's #if, the assembler's expressions, labels, pragmas).
"""

from __future__ import annotations

import re

# 0b and 64 binary digits is the longest 64-bit literal without leading zeros; leave room for those.
MAX_NUMBER_CHARS = 100


def number_too_long(text: str) -> str | None:
    """The message for a number literal too long to read, or None when it may be converted."""
    if len(text) <= MAX_NUMBER_CHARS:
        return None
    return f"number too long: '{text[:16]}...' has {len(text)} characters (at most {MAX_NUMBER_CHARS})"


def is_decimal(text: str) -> bool:
    """ASCII digits only (str.isdigit() also accepts '²', which int() refuses)."""
    return re.fullmatch(r"[0-9]+", text) is not None


_SIMPLE = {"b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "a": 7, "\\": 92, '"': 34, "'": 39}
_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|[xX]([0-9a-fA-F]*)|(.)|$)", re.S)


def unescape(body: str) -> bytes:
    """The bytes of a GNU as string body (between the quotes): \\n \\t ..., \\NNN octal, \\xHH... hex (every
    hex digit is read, the low byte kept, as GNU as does; `\\x` alone is 0); any other escaped character stands
    for itself. Other characters are their UTF-8 bytes."""
    out = bytearray()
    k = 0
    for m in _ESCAPE.finditer(body):
        out += _utf8(body[k:m.start()])
        k = m.end()
        octal, hexa, ch = m.groups()
        if octal is not None:
            out.append(int(octal, 8) & 0xFF)
        elif hexa is not None:
            out.append(int(hexa[-2:] or "0", 16))   # the low byte: the last two hex digits (none: 0)
        elif ch is not None:
            out += bytes([_SIMPLE[ch]]) if ch in _SIMPLE else _utf8(ch)
        else:
            out.append(ord("\\"))                    # a backslash at the very end stands for itself
    out += _utf8(body[k:])
    return bytes(out)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")
