"""Source positions and compiler-style errors shared by every stage of the pipeline."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Pos:
    """A place in text the user wrote: file path, 1-based line and 1-based column."""

    file: str
    line: int
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


def _file_lines(path: str) -> tuple[str, ...]:
    try:
        st = os.stat(path)
    except OSError:
        return ()
    return _read_lines(path, st.st_mtime_ns, st.st_size)     # a file edited since is read again


@lru_cache(maxsize=64)
def _read_lines(path: str, _mtime: int, _size: int) -> tuple[str, ...]:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            # Lines as the preprocessor counts them: \n, \r\n or \r ends one (not \f, \v, \x85 or \u2028).
            lines = f.read().split("\n")
    except OSError:
        return ()
    if lines[-1] == "":
        lines.pop()
    return tuple(lines)


def line_count(file: str) -> int:
    """Lines of a file as it is on disk (0 if it cannot be read)."""
    return len(_file_lines(file))


def source_line(pos: Pos) -> str | None:
    lines = _file_lines(pos.file)
    if 1 <= pos.line <= len(lines):
        return lines[pos.line - 1]
    return None


class PpcError(Exception):
    """An error in the user's input, reported with a position; never shown as a traceback."""

    kind = "error"

    def __init__(self, message: str, pos: Pos | None = None, notes: list[tuple[Pos | None, str]] | None = None):
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.notes = notes or []

    def render(self) -> str:
        """`file:line:col: error: message`, the source line, and a caret under the column."""
        out = [_render_one(self.pos, self.kind, self.message)]
        for npos, text in self.notes:
            out.append(_render_one(npos, "note", text))
        return "\n".join(out)


def _render_one(pos: Pos | None, kind: str, message: str) -> str:
    if pos is None:
        return f"ppcinterp: {kind}: {message}"
    head = f"{pos}: {kind}: {message}"
    text = source_line(pos)
    if text is None:
        return head
    # Expand tabs the way a terminal shows them so the caret lands under the right character.
    prefix = text[: max(pos.col - 1, 0)].expandtabs(8)
    return f"{head}\n{text.expandtabs(8)}\n{' ' * len(prefix)}^"


class SourceError(PpcError):
    """Bad assembly source: preprocessing, parsing or assembling failed."""


class ScenarioError(PpcError):
    """A scenario or domain file is malformed."""
