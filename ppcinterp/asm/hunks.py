"""The seed's hunks in a whole file: found by the patch's post-image text, given the addresses of their code.

The fragment marks its hunks with pragmas; the whole upstream file (or a user's copy of it) has none, so the
patch says where they are. A hunk found this way bounds a run only when the run is entered as `hunk N`
(a unit test of one hunk); a run from anywhere else goes through it like any other code.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

from ppcinterp.asm.program import Hunk, Program
from ppcinterp.diagnostics import Pos, source_line
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
    text_sec = program.text
    found: list[Hunk] = []
    for number, ph in enumerate(hunks, 1):
        first = locate(ph, lines)
        if first is None:
            continue
        last = first + ph.count - 1
        addrs = [a for a, ai in program.insns.items() if ai.section == text_sec.name and ai.pos.file == program.path
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


def align_edited_hunks(program: Program, patch_text: str, source: str | None = None) -> None:
    """A fragment's hunk whose lines are no longer the patch's post-image (the user deleted, added or changed
    lines) gets its lines matched to upstream lines by their text: a line the patch has keeps its upstream
    number, an added line has none. The hunk is found in the patch by its header and upstream range."""
    try:
        by_header = {(ph.header, ph.first, ph.last): ph for ph in parse_hunks(patch_text)}
    except PatchError:
        return
    main = source.split("\n") if source is not None else None
    for h in program.hunks:
        ph = by_header.get((h.header, h.first, h.last))
        if h.located or ph is None:
            continue
        first, last = h.lines
        lines: Sequence[str | None]
        if main is not None and h.pragma.file == program.path:
            lines = main[first - 1:last]
        else:
            lines = [source_line(Pos(h.pragma.file, n)) for n in range(first, last + 1)]
        if lines == ph.lines or None in lines or len(lines) > 10 * len(ph.lines) + 1000:
            continue                            # unchanged, unreadable, or too unlike the patch to match (quadratic)
        line_map: dict[int, int] = {}
        deleted = added = 0
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ph.lines, lines, autojunk=False).get_opcodes():
            same = min(i2 - i1, j2 - j1) if tag in ("equal", "replace") else 0     # a changed line keeps its place
            line_map.update((first + j1 + k, ph.first + i1 + k) for k in range(same))
            deleted += i2 - i1 - same
            added += j2 - j1 - same
        h.line_map = line_map
        program.warnings[:] = [w for w in program.warnings if w[1] != h.pragma]
        program.warnings.append((f"hunk {h.number} is not the patch's text ({deleted} line{'s' * (deleted != 1)} "
                                 f"deleted, {added} added); its lines are matched to upstream lines by their text",
                                 h.pragma))
