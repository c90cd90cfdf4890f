"""`memory[/LENGTH] [EXPR]`: the memory the full screen's Mem pane follows. EXPR (`$r13`,
`&paca[0].kvm_hstate`) is evaluated again at every stop; LENGTH bytes from there (default 128). Without the
full screen the command prints the dump once.

Reads go through Values.peek_bytes, as `x` reads: no journal record, no device side effect (an ICP shows its
registers; another device's page is not read). The expression is kept per engine here, not in the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.registry import command, number

if TYPE_CHECKING:
    from ppcinterp.debug.commands import Commands
    from ppcinterp.debug.engine import DebugEngine

DEFAULT_LENGTH = 128
MAX_LENGTH = 4096
PER_ROW = 16


@dataclass(frozen=True)
class Watch:
    expr: str
    length: int


@dataclass(frozen=True)
class Row:
    addr: int
    data: bytes | None           # None: not readable (error says why)
    error: str = ""


WATCHES: WeakKeyDictionary[DebugEngine, Watch] = WeakKeyDictionary()


def watched(dbg: DebugEngine) -> Watch | None:
    return WATCHES.get(dbg)


def dump(dbg: DebugEngine, addr: int, length: int, per_row: int = PER_ROW) -> list[Row]:
    """Rows of per_row bytes from addr; a row that cannot be read whole is read in parts up to the failure."""
    rows = []
    for a in range(addr, addr + length, per_row):
        n = min(per_row, addr + length - a)
        try:
            rows.append(Row(a, dbg.values.peek_bytes(a, n)))
        except DebugError as e:
            got = b""
            while len(got) < n:
                try:
                    got += dbg.values.peek_bytes(a + len(got), 1)
                except DebugError:
                    break
            rows.append(Row(a, got, str(e)) if got else Row(a, None, str(e)))
    return rows


def head(dbg: DebugEngine, watch: Watch) -> tuple[str, int | None]:
    """`$r13 = 0x2000000 <paca[0].lppaca_ptr>` and the address, or the expression's error and None."""
    try:
        addr = dbg.values.eval(watch.expr)[0] & (2**64 - 1)
    except DebugError as e:
        return f"{watch.expr}: {e}", None
    sym = dbg.symbols.symbol(addr)
    return f"{watch.expr} = {addr:#x}" + (f" <{sym}>" if sym else "") + f", {watch.length} bytes", addr


def hex_row(row: Row, per_row: int = PER_ROW, width: int = 0) -> str:
    """`0x2000000:  00 01 ...  ascii` (78 columns), bytes in groups of 8, the address right-aligned in width."""
    data = row.data or b""
    cells = [f"{b:02x}" for b in data] + ["  "] * (per_row - len(data))
    groups = "  ".join(" ".join(cells[i:i + 8]) for i in range(0, per_row, 8))
    text = "".join(chr(b) if 32 <= b < 127 else "." for b in data)
    tail = f"  {text:<{per_row}}" + (f"  {row.error}" if row.error or row.data is None else "")
    return f"{row.addr:#{width}x}:  {groups}{tail}".rstrip()


@command("memory", usage="memory[/LENGTH] [EXPR]")
def _memory(c: Commands, arg: str, fmt: str | None) -> str:
    """Follow the memory at EXPR (e.g. `memory $r13`, `memory/64 &paca[0].kvm_hstate`) in the full screen's
    Mem pane (F10): EXPR is evaluated again at every stop, LENGTH bytes shown (default 128), each byte that
    changed since the last stop highlighted. Device pages are read without side effects, as by `x`. Prints
    the dump now; without EXPR, the memory followed."""
    dbg = c.dbg
    old = WATCHES.get(dbg)
    if fmt is not None and not fmt.isdigit():
        raise DebugError(f'Invalid length "{fmt}" (memory/LENGTH: a number of bytes).')
    length = number(fmt) if fmt else old.length if old and not arg else DEFAULT_LENGTH
    if not 1 <= length <= MAX_LENGTH:
        raise DebugError(f"Length must be 1 to {MAX_LENGTH} bytes.")
    if not arg and old is None:
        raise DebugError("No memory is followed yet: memory EXPR (e.g. memory $r13).")
    watch = Watch(arg or old.expr, length)
    title, addr = head(dbg, watch)
    if addr is None:
        raise DebugError(title)
    WATCHES[dbg] = watch
    rows = dump(dbg, addr, length)
    width = len(f"{rows[-1].addr:#x}")
    return "\n".join([title] + [hex_row(r, PER_ROW, width) for r in rows])
