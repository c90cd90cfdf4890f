"""`x/NFU ADDR`: memory in gdb's rows (`0xADDR <sym+off>:<TAB>0x........`), and x/i, the program's words; then
$_ is the last address examined and $__ what is there, as in gdb.

Reads go through Values.peek_bytes: no journal records and no device side effects.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ppcinterp.debug.ctype import X_UNITS, pointer
from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.expr import Val
from ppcinterp.debug.present import format_value
from ppcinterp.debug.registry import number
from ppcinterp.isa.table import decode

if TYPE_CHECKING:
    from ppcinterp.debug.commands import Commands

UNITS = {"b": 1, "h": 2, "w": 4, "g": 8}
PER_ROW = {1: 8, 2: 8, 4: 4, 8: 2}
FORMATS = "xduotcazi"


def parse_format(spec: str | None, last: tuple[str, str]) -> tuple[int, str, str]:
    """(count, format letter, unit letter) from `4xw`, defaults from the last x."""
    count, letter, unit = 1, last[0], last[1]
    if not spec:
        return count, letter, unit
    m = re.fullmatch(r"(-?\d*)([a-z]*)", spec)
    if not m:
        raise DebugError(f'Invalid number "{spec}".')
    if m.group(1):
        count = number(m.group(1).lstrip("-")) * (-1 if m.group(1).startswith("-") else 1)
        if count <= 0:
            raise DebugError("Count must be a positive number (reverse examining is not supported).")
    unit_given = False
    for ch in m.group(2):
        if ch in UNITS:
            unit, unit_given = ch, True
        elif ch in FORMATS:
            letter = ch
        else:
            raise DebugError(f'Undefined output format "{ch}".')
    if not unit_given:
        unit = {"c": "b", "a": "g"}.get(letter, unit)
    return count, letter, unit


def examine(c: Commands, spec: str | None, arg: str, remember: bool = True) -> str:
    dbg = c.dbg
    count, letter, unit = parse_format(spec, c.x_fmt)
    if arg:
        addr = dbg.values.eval(arg)[0] & (2**64 - 1)
    elif c.x_next is not None:
        addr = c.x_next
    else:
        raise DebugError("Argument required (starting display address).")
    if count > 4096:
        raise DebugError("Count too large (at most 4096 units).")
    if letter == "i":
        rows, nxt = instructions(c, addr, count)
    else:
        rows, nxt = data_rows(c, addr, count, letter, UNITS[unit])
    if remember:
        c.x_next, c.x_fmt = nxt, (letter, unit)
        size = 4 if letter == "i" else UNITS[unit]          # gdb's $_ (the last address examined) and $__
        last, t = nxt - size, X_UNITS[size]
        c.dbg.values.set_convenience("_", Val(last, pointer(t)))
        c.dbg.values.set_convenience("__", c.dbg.values.read(last, t))
    return "\n".join(rows)


def _head(c: Commands, addr: int) -> str:
    sym = c.dbg.symbols.symbol(addr)
    return f"{addr:#x}" + (f" <{sym}>" if sym else "") + ":"


def data_rows(c: Commands, addr: int, count: int, letter: str, size: int) -> tuple[list[str], int]:
    data = c.dbg.values.peek_bytes(addr, count * size)
    per = PER_ROW[size] if letter not in "ca" else (8 if letter == "c" else 2)
    rows = []
    for first in range(0, count, per):
        cells = []
        for i in range(first, min(count, first + per)):
            v = int.from_bytes(data[i * size:(i + 1) * size], "big")
            cells.append(_cell(c, v, letter, size))
        rows.append(_head(c, addr + first * size) + "\t" + "\t".join(cells))
    return rows, addr + count * size


def _cell(c: Commands, v: int, letter: str, size: int) -> str:
    if letter in "xz":
        return "0x" + format(v, f"0{2 * size}x")
    if letter == "t":
        return format(v, f"0{8 * size}b")
    if letter == "a":
        return format_value(v, "a", 8 * size, c.dbg.symbols.symbol(v))
    return format_value(v, letter, 8 * size)


def instructions(c: Commands, addr: int, count: int) -> tuple[list[str], int]:
    dbg = c.dbg
    rows = []
    for i in range(count):
        a = addr + 4 * i
        mark = "=> " if a == dbg.pc else "   "
        rows.append(f"{mark}{_head(c, a)}\t{insn_text(c, a)}")
    return rows, addr + 4 * count


def insn_text(c: Commands, a: int) -> str:
    s = c.dbg.session
    if a in s.engine.exit_names and s.program.section_of(a) is None:
        return f"<exit: {s.engine.exit_names[a]}>"
    try:
        word = s.image.word(a)
    except KeyError:
        word = int.from_bytes(c.dbg.values.peek_bytes(a, 4), "big")
        d = decode(word)
        return f".long {word:#010x}" + (f"  ({d.name})" if d else "")
    if a in s.program.outside:
        return f"<exit: {s.engine.exit_names.get(a, s.program.outside[a].name)}>"
    ai = s.program.insns.get(a)
    if a in s.image.patched:
        d = decode(word)
        now = "nop" if word == 0x60000000 else (d.name if d else f".long {word:#010x}")
        written = " ".join(ai.stmt.text.split()) if ai else "?"
        return f"{now}\t(patched by a feature section; written: {written})"
    if ai is not None:
        return " ".join(ai.stmt.text.split())
    d = decode(word)
    return f".long {word:#010x}" + (f"  ({d.name})" if d else "")
