"""The TUI's code panes as pure functions of the engine: source and disassembly as rich Text, one row per
line, with the row of the pc to keep in sight. No terminal here, so tests read them directly.

Gutter as gdb's TUI draws it: `b+` a breakpoint (B once hit, - disabled), `>` the pc. Code that a feature
section patched out for this CPU is dimmed; a hunk's `#pragma ppcinterp hunk` line shows as a rule with its
upstream range. The source pane can be asked to show another line than the pc's (what `list` listed, what a
search found): one row per line, so line N is row N-1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from rich.text import Text

from ppcinterp.diagnostics import Pos, source_line

if TYPE_CHECKING:
    from ppcinterp.asm.program import Hunk, Label, Program
    from ppcinterp.debug.engine import DebugEngine

PC_STYLE = "reverse"
ENABLED_STYLE = "bold red"
DISABLED_STYLE = "dim"
PATCHED_STYLE = "dim"
HUNK_STYLE = "bold cyan"
FOUND_STYLE = "underline"
LABEL_STYLE = "bold"
TAB = 4                       # source tabs: narrow panes keep the operands in sight
WIDE = 256                    # the pc's row is padded this far so that its highlight spans the pane


@dataclass
class View:
    """A pane's content, and the row (0-based) to scroll into sight: the pc's, for the code panes."""

    text: Text
    focus: int | None = None


# ---------------------------------------------------------------- shared by both code panes
def marks(dbg: DebugEngine) -> dict[int, tuple[str, str]]:
    """address -> (gutter mark, style) of its breakpoints: B once hit, + enabled (an enabled one wins)."""
    out: dict[int, tuple[str, str]] = {}
    for b in sorted(dbg.points.breakpoints(), key=lambda b: b.enabled):
        out[b.address] = ("B" if b.hits else "b") + ("+" if b.enabled else "-"), \
            ENABLED_STYLE if b.enabled else DISABLED_STYLE
    return out


def _gutter(row: Text, mark: tuple[str, str] | None, here: bool) -> None:
    row.append(mark[0] if mark else "  ", mark[1] if mark else "")
    row.append(">" if here else " ", "bold" if here else "")


def _finish(rows: list[Text], focus: int | None, wrap: bool = False) -> View:
    text = Text("\n").join(rows)
    text.no_wrap = not wrap
    text.overflow = "crop"
    return View(text, focus)


class CodeMap:
    """What the code panes look up per line: the addresses of each source line, the hunk pragmas."""

    def __init__(self, program: Program):
        self.program = program
        self.lines: dict[tuple[str, int], list[int]] = {}
        for addr, ai in program.insns.items():
            self.lines.setdefault((ai.pos.file, ai.pos.line), []).append(addr)
        self.pragmas: dict[tuple[str, int], Hunk] = {(h.pragma.file, h.pragma.line): h for h in program.hunks}
        self.labels: dict[int, list[Label]] = {}
        for lb in program.labels:
            self.labels.setdefault(lb.addr, []).append(lb)

    def target(self, dbg: DebugEngine, source: int, target: int) -> str:
        """A branch target by name: a label written in the branch's own hunk first (a label written at the end
        of a hunk shares its address with the next hunk's start), else what the debugger calls it."""
        p = self.program
        hunk = p.hunk_of(p.insns[source].pos) if source in p.insns else None
        for lb in self.labels.get(target, ()):
            if hunk is not None and p.hunk_of(lb.pos) is hunk and not lb.name.isdigit():
                return lb.name
        return dbg.symbols.symbol(target)


_MAPS: dict[int, CodeMap] = {}


def code_map(program: Program) -> CodeMap:
    m = _MAPS.get(id(program))
    if m is None or m.program is not program:
        m = _MAPS[id(program)] = CodeMap(program)
    return m


def hunk_rule(h: Hunk) -> str:
    return f"── hunk {h.number}: upstream {h.first}-{h.last} {h.header} "


# ---------------------------------------------------------------- source
def source_file(dbg: DebugEngine) -> str:
    """The file the pc is in; before and after the code, the file of the program's first instruction."""
    p = dbg.session.program
    ai = p.insns.get(dbg.pc) or next(iter(p.insns.values()), None)
    return ai.pos.file if ai else p.path


def source_pane(dbg: DebugEngine, file: str | None = None, at: int | None = None, found: bool = False) -> View:
    """Every line of the file: breakpoint marks, `>` and a highlight on the pc's line, line and upstream
    numbers, patched-out code dimmed, hunk pragmas as rules with their upstream ranges. With `at`, that line is
    the one kept in sight (underlined when `found`) instead of the pc's."""
    p = dbg.session.program
    file = file or source_file(dbg)
    cm = code_map(p)
    ai = p.insns.get(dbg.pc)
    here = (ai.pos.file, ai.pos.line) if ai else None
    bp = marks(dbg)
    patched = dbg.session.image.patched
    total = 0
    while source_line(Pos(file, total + 1)) is not None:
        total += 1
    width = len(str(total))
    has_up = bool(p.hunks)
    rows: list[Text] = []
    focus = None
    for n in range(1, total + 1):
        key = (file, n)
        if key in cm.pragmas:
            rows.append(Text(" " * (4 + width) + hunk_rule(cm.pragmas[key]), HUNK_STYLE))
            continue
        addrs = cm.lines.get(key, [])
        mark = next((bp[a] for a in addrs if a in bp and bp[a][1] == ENABLED_STYLE), None) or \
            next((bp[a] for a in addrs if a in bp), None)
        row = Text()
        _gutter(row, mark, key == here)
        up = p.upstream_line(Pos(file, n)) if has_up else None
        row.append(f" {n:>{width}}" + (f" [{up}]" if up else "      " if has_up else ""), "dim")
        body = (source_line(Pos(file, n)) or "").rstrip().expandtabs(TAB)
        dead = bool(addrs) and all(a in patched for a in addrs)
        row.append(" " + body, PATCHED_STYLE if dead else "")
        if key == here:
            focus = len(rows)
            row.pad_right(WIDE)
            row.stylize(PC_STYLE)
        if n == at and found:
            row.stylize(FOUND_STYLE, 3)
        rows.append(row)
    if at is not None and 1 <= at <= len(rows):
        focus = at - 1
    return _finish(rows, focus)


# ---------------------------------------------------------------- disassembly
@lru_cache(maxsize=1)
def _capstone():
    import capstone
    return capstone.Cs(capstone.CS_ARCH_PPC, capstone.CS_MODE_64 | capstone.CS_MODE_BIG_ENDIAN)


@lru_cache(maxsize=65536)
def decode(word: int, addr: int) -> str:
    """The instruction as capstone reads it (relative branches need the address), or `.long` when not."""
    got = next(_capstone().disasm(word.to_bytes(4, "big"), addr), None)
    return f"{got.mnemonic} {got.op_str}".strip() if got else f".long {word:#x}"


def disasm_pane(dbg: DebugEngine) -> View:
    """The code sections' words after feature fixups, as capstone decodes them (a patched-out branch is a
    nop), with labels, hunk starts, branch targets by name, breakpoints and the pc."""
    s = dbg.session
    p, img, eng = s.program, s.image, s.engine
    bp = marks(dbg)
    cm = code_map(p)
    pc = dbg.pc
    hunks = {h.start: h for h in p.hunks if h.end > h.start}
    rows: list[Text] = []
    focus = None
    for sec in p.sections.values():
        if not sec.is_code or not sec.data:
            continue
        width = len(f"{sec.end:x}")
        for addr in range(sec.base, sec.end, 4):
            if addr in hunks and sec.name == ".text":
                rows.append(Text(hunk_rule(hunks[addr]), HUNK_STYLE))
            if addr in p.outside:
                rows.append(Text(f"    <{eng.exit_names.get(addr, p.outside[addr].name)}>: outside this file", "dim"))
                continue
            for name in eng.labels_at.get(addr, ()):
                rows.append(Text(f"  {name}:", LABEL_STYLE))
            word = img.word(addr)
            text = decode(word, addr)
            target = re.search(r"0x([0-9a-f]+)$", text)
            if target and text.split()[0].startswith("b"):
                sym = cm.target(dbg, addr, int(target.group(1), 16))
                text += f" <{sym}>" if sym else ""
            row = Text()
            _gutter(row, bp.get(addr), addr == pc)
            row.append(f" {addr:0{width}x} ", "dim")
            row.append(f"{word:08x} ", "dim")
            row.append(text, PATCHED_STYLE if addr in img.patched else "")
            if addr in img.patched:
                row.append("  (patched)", PATCHED_STYLE)
            if addr == pc:
                focus = len(rows)
                row.pad_right(WIDE)
                row.stylize(PC_STYLE)
            rows.append(row)
    return _finish(rows, focus)

