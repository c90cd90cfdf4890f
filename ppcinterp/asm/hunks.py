"""The seed's hunks in a whole file: found by the patch's post-image text, given the addresses of their code.

The fragment marks its hunks with pragmas; the whole upstream file (or a user's copy of it) has none, so the
patch says where they are. A hunk found this way bounds a run only when the run is entered as `hunk N`
(a unit test of one hunk); a run from anywhere else goes through it like any other code.
"""

from __future__ import annotations

from pathlib import Path

from ppcinterp.asm.program import Hunk, Program
from ppcinterp.diagnostics import Pos
from ppcinterp.source.patch import PatchError, locate, parse_hunks, target_file


def seed_patches(root: Path) -> list[Path]:
    return sorted(root.glob("*.txt")) if root.is_dir() else []


def locate_hunks(program: Program, patch_text: str, source: str | None = None) -> list[Hunk]:
    """Hunks of the patch whose post-image appears in the program's main file (its text: `source`, else the
    file), with their code addresses."""
    try:
        hunks = parse_hunks(patch_text)
    except PatchError:
        return []
    try:
        text = source if source is not None else Path(program.path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    lines = text.split("\n")
    text = program.text
    found: list[Hunk] = []
    for number, ph in enumerate(hunks, 1):
        first = locate(ph, lines)
        if first is None:
            continue
        last = first + ph.count - 1
        addrs = [a for a, ai in program.insns.items() if ai.section == text.name and ai.pos.file == program.path
                 and first <= ai.pos.line <= last]
        h = Hunk(number, first, last, ph.header, Pos(program.path, first - 1, 1), located=True)
        if addrs:
            h.start, h.end = min(addrs), max(addrs) + 4
            h.last_line = max(program.insns[a].pos.line for a in addrs)
        found.append(h)
    return found


def applies(program: Program, patch_text: str, found: list[Hunk]) -> bool:
    """A patch's hunks name lines of a file without hunk pragmas when the file has the name the patch changes
    or holds the post-image of every hunk."""
    target = target_file(patch_text)
    named = target is not None and Path(target).name == Path(program.path).name
    try:
        every = len(found) == len(parse_hunks(patch_text)) > 0
    except PatchError:
        every = False
    return named or every
