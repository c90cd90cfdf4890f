"""How the debugger shows positions and values: gdb's shapes, with the seed's upstream line beside every line.

  0x0000000000100090 in 1:713 () at asm/book3s_hv_rmhandlers.S:85 (upstream 733)
  85 [733]	lbz	r0, HSTATE_HOST_IPI(r13)
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ppcinterp.debug.ctype import lettered
from ppcinterp.diagnostics import Pos, source_line
from ppcinterp.machine.paca import PacaArray
from ppcinterp.machine.xics import Icp

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine

ICP_NAMES = {0x0: "XIRR_POLL", 0x4: "XIRR", 0xC: "MFRR"}


def show_path(file: str) -> str:
    """A source path as the user would type it: relative to the working directory when below it."""
    try:
        rel = os.path.relpath(file)
    except ValueError:
        return file
    return file if rel.startswith("..") else rel


def relative(dbg: DebugEngine, message: str) -> str:
    """A message with the program's source paths shown as show_path shows them."""
    for file in {ai.pos.file for ai in dbg.session.program.insns.values()}:
        message = message.replace(file + ":", show_path(file) + ":")
    return message


@dataclass(frozen=True)
class Location:
    """Where an address is, for panes and messages."""

    pc: int
    file: str | None          # as shown (relative to the working directory when below it)
    line: int | None
    upstream: int | None      # the line in the upstream file of the seed patch
    function: str             # the label the code is under ("1:713", "ext_stash_for_host", "hunk 3"), or "??"
    offset: int               # pc - the label's address
    text: str                 # the source line as written (whitespace collapsed)
    hunk: int | None

    @property
    def symbol(self) -> str:
        return self.function + (f"+{self.offset}" if self.offset else "")

    @property
    def where(self) -> str:
        """`FILE:LINE (upstream N)`."""
        if self.file is None:
            return "??"
        return f"{self.file}:{self.line}" + (f" (upstream {self.upstream})" if self.upstream else "")


class Symbols:
    """Names for addresses: the label a code address is under (within its hunk), PACA fields, ICP registers."""

    def __init__(self, dbg: DebugEngine):
        self.dbg = dbg
        s = dbg.session
        starts: dict[int, str] = {}
        for h in s.program.hunks:
            if h.end > h.start:
                starts.setdefault(h.start, f"hunk {h.number}")
        for addr, names in s.engine.labels_at.items():
            starts[addr] = names[0]
        self.named: dict[int, str] = {}            # the program's own symbols, by address (the first of several)
        for name, addr in s.program.symbols.items():
            self.named.setdefault(addr, name)
        self.addrs = sorted(starts)
        self.names = [starts[a] for a in self.addrs]

    def function(self, addr: int) -> tuple[str, int]:
        """(label, offset) of a code address: the nearest label before it in its hunk, or the hunk; ("??", 0)."""
        p = self.dbg.session.program
        ai = p.insns.get(addr)
        hunk = p.hunk_of(ai.pos) if ai else None
        i = bisect.bisect_right(self.addrs, addr) - 1
        if i < 0 or (hunk is not None and self.addrs[i] < hunk.start) or (ai is None and not p.section_of(addr)):
            return "??", 0
        return self.names[i], addr - self.addrs[i]

    def symbol(self, addr: int) -> str:
        """gdb's `sym+off` for any address, or '' when nothing is known there."""
        eng = self.dbg.session.engine
        if addr in eng.exit_names:
            return eng.exit_names[addr]
        region = self.dbg.session.machine.memory.region_at(addr)
        if isinstance(region, PacaArray):
            return region.name_of(addr)
        if isinstance(region, Icp):
            off = addr - region.base
            return f"{region.name}.{ICP_NAMES[off]}" if off in ICP_NAMES else f"{region.name}+{off:#x}"
        named = self.named.get(addr)
        if named:                                  # a label where the code of the hunk after it starts
            return named
        if addr in self.dbg.session.program.insns or self.dbg.session.program.section_of(addr):
            name, off = self.function(addr)
            return "" if name == "??" else name + (f"+{off}" if off else "")
        return ""

    def location(self, pc: int) -> Location:
        s = self.dbg.session
        ai = s.program.insns.get(pc)
        func, off = self.function(pc)
        if ai is None:
            name = s.engine.exit_names.get(pc)
            return Location(pc, None, None, None, name or func, 0 if name else off, "", None)
        pos = ai.pos
        hunk = s.program.hunk_of(pos)
        text = " ".join((source_line(pos) or ai.stmt.text).split("/*")[0].split())
        return Location(pc, show_path(pos.file), pos.line, _upstream(s.program, pos), func, off, text,
                        hunk.number if hunk else None)


def _upstream(program, pos: Pos) -> int | None:
    """The upstream line where it differs from the file's own (in a fragment); a whole file's is its own."""
    up = program.upstream_line(pos)
    return up if up != pos.line else None


def frame_line(loc: Location) -> str:
    return f"{loc.pc:#018x} in {loc.function} () at {loc.where}" if loc.file else f"{loc.pc:#018x} in {loc.function} ()"


def line_text(dbg: DebugEngine, file: str, line: int) -> str:
    """`85 [733]<TAB>source as written` for any line of a source file."""
    up = _upstream(dbg.session.program, Pos(file, line))
    raw = (source_line(Pos(file, line)) or "").rstrip()
    return f"{line}" + (f" [{up}]" if up else "") + f"\t{raw}"


def source_of(dbg: DebugEngine, pc: int) -> tuple[str, int] | None:
    ai = dbg.session.program.insns.get(pc)
    return (ai.pos.file, ai.pos.line) if ai else None


def short_stop(dbg: DebugEngine, pc: int) -> str:
    """After a step: `0xADDR<TAB>LINE [UP]<TAB>source`."""
    src = source_of(dbg, pc)
    if src is None:
        return f"{pc:#018x} in {dbg.symbols.location(pc).function} ()"
    return f"{pc:#018x}\t{line_text(dbg, *src)}"


def full_stop(dbg: DebugEngine, pc: int) -> str:
    """At a breakpoint, run or jump: the frame line, then the source line."""
    loc = dbg.symbols.location(pc)
    src = source_of(dbg, pc)
    return frame_line(loc) + (f"\n{line_text(dbg, *src)}" if src else "")


# ---------------------------------------------------------------- values
def format_value(value: int, fmt: str | None, bits: int = 64, symbol: str = "") -> str:
    """A number the way print/FMT shows it: x d u o t c a z; natural (None) is hex."""
    bits = bits or 64
    mask = (1 << bits) - 1
    u = value & mask
    if fmt in (None, "x"):
        return hex(u) if value >= 0 or fmt == "x" else str(value)
    return lettered(u, bits, fmt, symbol)
