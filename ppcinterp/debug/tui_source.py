"""Where the source pane looks when not at the pc: what a search found (`/` in the full screen) or what `list`
listed (the engine's last listed lines, Commands.list_at). The pc's next stop takes the pane back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.present import source_of
from ppcinterp.diagnostics import Pos, PpcError, source_line

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine

MAX_QUERY = 200


@dataclass(frozen=True)
class Anchor:
    file: str
    line: int
    found: bool                  # a search's hit (underlined), not a listing


def listed(dbg: DebugEngine) -> Anchor | None:
    """The middle of what `list` showed last (for `list LABEL`, the label's line)."""
    at = dbg.commands.list_at
    return None if at is None else Anchor(at[0], min(at[2], at[1] + 5), False)


def find(dbg: DebugEngine, query: str, file: str, after: int) -> Anchor:
    """A label by name, a location as `break` takes it (a line number, `upstream N`, `hunk N`, FILE:LINE,
    *ADDR), else the next line of `file` after line `after` that the regular expression matches (wrapping)."""
    q = query.strip()
    if len(q) > MAX_QUERY:
        raise DebugError(f"Search text too long (at most {MAX_QUERY} characters).")
    for lb in dbg.session.program.labels:
        if lb.name == q:
            return Anchor(lb.pos.file, lb.pos.line, True)
    if re.fullmatch(r"\d+", q):
        if source_line(Pos(file, int(q))) is None:
            raise DebugError(f'Line number {q} out of range; "{file}" has fewer lines.')
        return Anchor(file, int(q), True)
    try:
        where = source_of(dbg, dbg.commands.address(q))
        if where is not None:
            return Anchor(where[0], where[1], True)
    except (DebugError, PpcError):
        pass                                         # not a location: a regular expression
    try:
        rx = re.compile(q)
    except re.error as e:
        raise DebugError(f"Invalid regular expression: {e}.") from None
    lines = []
    while (text := source_line(Pos(file, len(lines) + 1))) is not None:
        lines.append(text)
    for k in range(len(lines)):
        n = (after + k) % len(lines) + 1
        if rx.search(lines[n - 1]):
            return Anchor(file, n, True)
    raise DebugError("Expression not found")
