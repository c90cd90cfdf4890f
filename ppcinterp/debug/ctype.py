"""C types of the debugger's values, as gdb shows them: integers of each width and signedness (chars print as
`65 'A'`), pointers (`(void *) 0x10`), labels (`{<text variable, no debug info>} 0x1000cc <label>`), doubles
and 128-bit vectors; C's conversions for arithmetic (gdb's: a literal is an `int` when it fits, registers are
`long`, a 1-byte field is `unsigned char`).
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass


@dataclass(frozen=True)
class CType:
    name: str                    # as gdb spells it: "unsigned char", "long", "struct paca_struct"
    size: int                    # bytes (0: void, a function)
    signed: bool = False
    kind: str = "int"            # int | char | ptr | func | void | double | vector
    target: CType | None = None  # what a pointer points at

    @property
    def bits(self) -> int:
        return 8 * self.size

    @property
    def spelled(self) -> str:
        """The name in a cast or a pointer's `(T *)` prefix."""
        if self.kind != "ptr" or self.target is None:
            return self.name
        t = self.target
        if t.kind == "func" and not t.name.startswith("<"):
            return t.name.replace("()", "(*)()")
        return t.spelled + (" *" if not t.spelled.endswith("*") else "*")


def integer(name: str, size: int, signed: bool, kind: str = "int") -> CType:
    return CType(name, size, signed, kind)


CHAR, UCHAR, SCHAR = integer("char", 1, True, "char"), integer("unsigned char", 1, False, "char"), \
    integer("signed char", 1, True, "char")
SHORT, USHORT = integer("short", 2, True), integer("unsigned short", 2, False)
INT, UINT = integer("int", 4, True), integer("unsigned int", 4, False)
LONG, ULONG = integer("long", 8, True), integer("unsigned long", 8, False)
LLONG, ULLONG = integer("long long", 8, True), integer("unsigned long long", 8, False)
VOID = CType("void", 0, kind="void")
TEXT = CType("<text variable, no debug info>", 1, kind="func")     # a label: code of no known type
CODE = CType("void ()", 1, kind="func")                             # what $pc and $lr point at
DOUBLE = CType("double", 8, True, "double")
VECTOR = CType("vec128", 16, False, "vector")


def pointer(to: CType) -> CType:
    return CType("", 8, False, "ptr", to)


VOID_P, CODE_P = pointer(VOID), pointer(CODE)

# Every spelling a cast or {TYPE} takes: C's, the kernel's typedefs, <stdint.h>'s.
NAMED: dict[str, CType] = {
    "char": CHAR, "signed char": SCHAR, "unsigned char": UCHAR,
    "short": SHORT, "short int": SHORT, "signed short": SHORT, "unsigned short": USHORT,
    "unsigned short int": USHORT, "int": INT, "signed": INT, "signed int": INT, "unsigned": UINT,
    "unsigned int": UINT, "long": LONG, "long int": LONG, "signed long": LONG, "unsigned long": ULONG,
    "unsigned long int": ULONG, "long long": LLONG, "long long int": LLONG, "signed long long": LLONG,
    "unsigned long long": ULLONG, "unsigned long long int": ULLONG, "void": VOID, "double": DOUBLE,
}
for _bits, _s, _u in ((8, SCHAR, UCHAR), (16, SHORT, USHORT), (32, INT, UINT), (64, LLONG, ULLONG)):
    for _name, _t in ((f"u{_bits}", _u), (f"s{_bits}", _s), (f"__u{_bits}", _u), (f"__s{_bits}", _s),
                      (f"uint{_bits}_t", _u), (f"int{_bits}_t", _s)):
        NAMED[_name] = CType(_name, _t.size, _t.signed, "char" if _bits == 8 else "int")
for _name, _t in (("ulong", ULONG), ("size_t", ULONG), ("ssize_t", LONG), ("uintptr_t", ULONG),
                  ("phys_addr_t", ULLONG), ("bool", UCHAR), ("_Bool", UCHAR)):
    NAMED[_name] = CType(_name, _t.size, _t.signed)
TYPE_WORDS = {w for n in NAMED for w in n.split()} | {"struct"}
# x's $_ and $__: gdb's own intN_t (its int8_t is an integer, not a char)
X_UNITS = {1: integer("int8_t", 1, True), 2: NAMED["int16_t"], 4: NAMED["int32_t"], 8: NAMED["int64_t"]}
FIELD_TYPES = {1: UCHAR, 2: USHORT, 4: UINT, 8: ULONG}             # a field known only by its size


def type_named(words: list[str], stars: int) -> CType | None:
    """The type `words` names (None when not a type), with `stars` levels of pointer."""
    t = NAMED.get(" ".join(words))
    if t is None and len(words) == 2 and words[0] == "struct":
        t = CType("struct " + words[1], 0, kind="struct")
    if t is None:
        return None
    for _ in range(stars):
        t = pointer(t)
    return t


def fit(value: int, t: CType) -> int:
    """A value reduced to the type's width, signed or not."""
    if t.kind in ("ptr", "func"):
        return value & (2**64 - 1)
    if t.kind == "double" or t.size == 0:
        return value
    bits = t.bits
    u = value & ((1 << bits) - 1)
    return u - (1 << bits) if t.signed and u >> (bits - 1) else u


def literal(value: int, suffix: str = "") -> CType:
    """A constant's type, as C (and gdb) give it: int, then long, then unsigned long."""
    s = suffix.lower()
    unsigned = "u" in s
    if "l" not in s and (value < 2**31 or unsigned and value < 2**32):
        return UINT if unsigned or value >= 2**31 else INT
    return ULONG if unsigned or value >= 2**63 else LONG


def promote(t: CType) -> CType:
    if t.kind in ("ptr", "func"):
        return ULONG
    if t.kind in ("char", "int") and t.size < 4:
        return INT
    if t.kind in ("double", "vector", "void", "struct"):
        return LONG if t.kind != "vector" else t
    return t


def common(a: CType, b: CType) -> CType:
    """C's usual arithmetic conversions (both promoted first)."""
    a, b = promote(a), promote(b)
    if a.size != b.size:
        return a if a.size > b.size else b
    if a.signed == b.signed:
        return a
    return a if not a.signed else b


# ---------------------------------------------------------------- showing
def char_text(b: int) -> str:
    """A byte as gdb quotes it: 'A', '\\n', '\\377'."""
    esc = {0: "\\000", 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r", 27: "\\033",
           39: "\\'", 92: "\\\\"}
    if b in esc:
        return esc[b]
    return chr(b) if 32 <= b < 127 else f"\\{b:03o}"


def as_double(bits: int) -> str:
    """64 bits as gdb prints a double: %.17g, NaNs with their payload, infinities as inf."""
    v = struct.unpack(">d", (bits & (2**64 - 1)).to_bytes(8, "big"))[0]
    sign = "-" if bits >> 63 & 1 else ""
    if math.isnan(v):
        return f"{sign}nan({bits & ((1 << 52) - 1):#x})"
    if math.isinf(v):
        return f"{sign}inf"
    return f"{v:.17g}"


def as_vector(v: int) -> str:
    """A 128-bit register in gdb's union shape (the whole value and its four words)."""
    words = ", ".join(f"{(v >> s) & 0xFFFFFFFF:#x}" for s in (96, 64, 32, 0))
    return f"{{uint128 = 0x{v:032x}, v4_int32 = {{{words}}}}}"


def scalar(value: int, t: CType, fmt: str | None, symbol: str = "", top: bool = True) -> str:
    """One value as print/FMT shows it (x d u o t c a z, or natural: None). `top`: the whole value printed
    (a pointer gets its `(T *)` prefix there, not inside a structure)."""
    bits = 64 if t.kind in ("ptr", "func") or not t.size else t.bits
    if t.kind == "vector":
        bits = 128
    u = value & ((1 << bits) - 1)
    if fmt is None:
        if t.kind == "char":
            return f"{fit(value, t)} '{char_text(u & 0xFF)}'"
        if t.kind == "double":
            return as_double(value)
        if t.kind == "vector":
            return as_vector(u)
        if t.kind == "func":
            return f"{{{t.name}}} {u:#x}" + (f" <{symbol}>" if symbol else "")
        if t.kind == "ptr":
            return (f"({t.spelled}) " if top else "") + f"{u:#x}" + (f" <{symbol}>" if symbol else "")
        return str(fit(value, t))
    return lettered(u, bits, fmt, symbol)


def lettered(u: int, bits: int, fmt: str, symbol: str = "") -> str:
    """An unsigned `bits`-wide value as print/FMT shows it: x d u o t z c a (gdb's letters)."""
    if fmt == "x":
        return hex(u)
    if fmt == "d":
        return str(u - (1 << bits) if u >> (bits - 1) else u)
    if fmt == "u":
        return str(u)
    if fmt == "o":
        return "0" + format(u, "o") if u else "0"
    if fmt == "t":
        return format(u, "b")
    if fmt == "z":
        return "0x" + format(u, f"0{(bits + 3) // 4}x")
    if fmt == "c":
        b = u & 0xFF
        return f"{b - 256 if b > 127 else b} '{char_text(b)}'"
    if fmt == "a":
        return hex(u) + (f" <{symbol}>" if symbol else "")
    raise ValueError(fmt)


def suffix_split(token: str) -> tuple[int, str]:
    """A C integer constant with its suffix: 0x10UL -> (16, 'UL')."""
    m = re.fullmatch(r"(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9]\d*)([uUlL]*)", token)
    if m is None:
        raise ValueError(token)
    digits = m.group(1)
    base = 16 if digits[:2].lower() == "0x" else 2 if digits[:2].lower() == "0b" else 8 if digits[0] == "0" \
        and len(digits) > 1 else 10
    return int(digits[2:] if base in (16, 2) else digits, base), m.group(2)
