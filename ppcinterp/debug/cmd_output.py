"""gdb's output commands: echo (gdb's escapes, no newline of its own), output (a value as print shows it, no
`$N = `), printf (C's format subset: %d %i %u %x %X %o %c %s %p %% with flags, width, precision, l/ll/z; widths
at most MAX_WIDTH)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ppcinterp.debug import expr
from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.registry import command

if TYPE_CHECKING:
    from ppcinterp.debug.commands import Commands

MAX_WIDTH = 4096              # printf field width and precision
C_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\\": "\\", '"': '"',
             "'": "'"}


def escapes(text: str) -> str:
    r"""gdb's escapes in echo and printf: \n \t \" \\ \NNN (octal); an unknown one is the character itself."""
    def one(m: re.Match) -> str:
        e = m.group(1)
        if e and e[0] in "01234567":
            return chr(int(e, 8) & 0xFF)
        return C_ESCAPES.get(e, e)                  # a backslash ending the text is dropped, as gdb does
    return re.sub(r"\\([0-7]{1,3}|.|$)", one, text, flags=re.S)


@command("echo", usage="echo TEXT")
def _echo(c: Commands, arg: str, fmt: str | None) -> str:
    r"""Print TEXT as it is, with no newline unless it has \n.
    Escapes as in C: \n \t \" \\ \NNN (octal)."""
    return c.say(escapes(arg))


@command("output", usage="output[/FMT] EXPR")
def _output(c: Commands, arg: str, fmt: str | None) -> str:
    """Print the value of EXPR as print does, without `$N = ` and without a newline.
    The value is not put in the value history."""
    return c.say(c.show(c.dbg.values.value(arg), c.print_format(fmt)))


@command("printf", usage='printf "FORMAT", EXPR...')
def _printf(c: Commands, arg: str, fmt: str | None) -> str:
    """Print values under a C format, as C's printf does.
    Conversions: %d %i %u %x %X %o %c %s %p %% with flags (- + space # 0), a width and a
    precision, and l / ll / z for 64 bits (without them, %d %u %x %o take the value as a 32-bit int, as C
    would). %s prints the C string at an address (or a "literal"). No newline unless the format has \\n."""
    m = re.match(r'\s*"((?:[^"\\]|\\.)*)("?)\s*(.*)$', arg, re.S)
    if not arg.strip().startswith('"'):
        raise DebugError("Bad format string, missing '\"'.")
    if not m or not m.group(2):
        raise DebugError("Bad format string, non-terminated '\"'.")
    rest = m.group(3).strip()
    if rest and not rest.startswith(","):
        raise DebugError("Invalid argument syntax")
    args = split_args(rest[1:]) if rest else []
    return c.say(format_c(c, escapes(m.group(1)), args))


SPEC = re.compile(r"%([-+ #0]*)(\d+|\*)?(?:\.(\d+|\*))?(hh|h|ll|l|z)?(.)", re.S)


def format_c(c: Commands, fmt: str, args: list[str]) -> str:
    specs = [s for s in SPEC.finditer(fmt) if s.group(5) != "%"]
    if len(specs) != len(args):
        raise DebugError("Wrong number of arguments for specified format-string")
    out, at, k = [], 0, 0
    for s in SPEC.finditer(fmt):
        out.append(fmt[at:s.start()])
        at = s.end()
        flags, width, prec, size, conv = s.groups()
        if conv == "%":
            out.append("%")
            continue
        if "*" in (width, prec):
            raise DebugError("`*' not supported for precision or width in printf")
        if size in ("h", "hh") or conv not in "diouxXcsp":
            raise DebugError(f"Unrecognized format specifier '{size[0] if size in ('h', 'hh') else conv}' in printf")
        if int(width or 0) > MAX_WIDTH or int(prec or 0) > MAX_WIDTH:
            raise DebugError(f"printf: a width or precision above {MAX_WIDTH} ('{s.group(0)[:40]}').")
        out.append(_one(c, flags, width, prec, size, conv, args[k]))
        k += 1
    out.append(fmt[at:])
    return "".join(out)


def _one(c: Commands, flags: str, width: str | None, prec: str | None, size: str | None, conv: str, arg: str) -> str:
    spec = "%" + flags + (width or "") + (f".{prec}" if prec is not None else "")
    if conv == "s":
        text = arg.strip()
        s = escapes(text[1:-1]) if len(text) >= 2 and text[0] == text[-1] == '"' else _string(c, arg)
        return (spec + "s") % s
    v = expr.number(c.dbg.values.value(arg))
    if conv == "p":
        return (spec.replace("#", "") + "s") % (f"{v & (2**64 - 1):#x}" if v else "(nil)")
    if conv == "c":
        return (spec + "c") % chr(v & 0xFF)
    bits = 64 if size else 32
    u = v & ((1 << bits) - 1)
    value = u - (1 << bits) if conv in "di" and u >> (bits - 1) else u
    return (spec + conv.replace("i", "d").replace("u", "d")) % value


def _string(c: Commands, arg: str, limit: int = 4096) -> str:
    addr = expr.number(c.dbg.values.value(arg)) & (2**64 - 1)
    out = bytearray()
    while len(out) < limit:
        b = c.dbg.values.peek(addr + len(out), 1)
        if b == 0:
            break
        out.append(b)
    return out.decode("latin-1")


def split_args(text: str) -> list[str]:
    """Arguments separated by commas outside parentheses, brackets and quotes."""
    args, depth, cur, quote = [], 0, [], ""
    for ch in text:
        if quote:
            quote = "" if ch == quote and (not cur or cur[-1] != "\\") else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    args.append("".join(cur).strip())
    if any(not a for a in args):
        raise DebugError("Invalid argument syntax")
    return args
