"""Unified diffs: the hunks of a patch with their post-image lines, and where they lie in a whole file.

The seed is a patch. Its fragment marks each hunk with `#pragma ppcinterp hunk`; in the whole upstream file the
same hunks are found by their post-image text, so `hunk N` (and runs bounded to it) mean the same lines in both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
class PatchError(ValueError):
    pass


@dataclass
class Hunk:
    header: str            # the "@@ -a,b +c,d @@" part of the hunk line
    old_first: int
    old_count: int
    first: int             # upstream line of the first post-image line
    count: int             # number of post-image lines
    lines: list[str] = field(default_factory=list)

    @property
    def last(self) -> int:
        return self.first + self.count - 1


def _count(group: str | None) -> int:
    return 1 if group is None else int(group)       # "@@ -5 +5 @@" means one line


def parse_hunks(patch: str) -> list[Hunk]:
    """The hunks of a unified diff with their post-image lines. Each hunk body is read by its line counts,
    so text after the last hunk (a mail signature, say) and a missing final newline do no harm."""
    lines = patch.split("\n")            # not splitlines(): a form feed inside a line is text
    if lines and lines[-1] == "":
        lines.pop()
    hunks: list[Hunk] = []
    i = 0
    while i < len(lines):
        m = HUNK_HEADER.match(lines[i])
        i += 1
        if not m:
            continue
        h = Hunk(m.group(0), int(m.group(1)), _count(m.group(2)), int(m.group(3)), _count(m.group(4)))
        old = new = 0
        while old < h.old_count or new < h.count:
            if i >= len(lines):
                raise PatchError(f"hunk {len(hunks) + 1} ({h.header}) is cut short by the end of the patch")
            raw = lines[i]
            i += 1
            if raw.startswith("\\"):           # "\ No newline at end of file"
                continue
            tag, text = (raw[0], raw[1:]) if raw else (" ", "")   # an empty context line lost its space
            if tag == " ":
                old += 1
                new += 1
                h.lines.append(text)
            elif tag == "+":
                new += 1
                h.lines.append(text)
            elif tag == "-":
                old += 1
            else:
                raise PatchError(f"hunk {len(hunks) + 1} ({h.header}): unexpected line {raw!r}")
        if old != h.old_count or new != h.count:
            raise PatchError(f"hunk {len(hunks) + 1} ({h.header}): line counts do not match its header")
        hunks.append(h)
    return hunks


def locate(hunk: Hunk, lines: list[str]) -> int | None:
    """The 1-based line of `lines` where the hunk's post-image starts: exactly at the header's line if it is
    there, else the nearest exact match (a file that moved by some lines, as `patch` allows), else None."""
    want = hunk.lines
    n = len(want)
    if not n:
        return None
    starts = [i for i in range(len(lines) - n + 1) if lines[i] == want[0] and lines[i:i + n] == want]
    if not starts:
        return None
    return min(starts, key=lambda i: abs(i + 1 - hunk.first)) + 1


_TARGET = re.compile(r"^\+\+\+ (?:b/)?(\S+)", re.M)


def target_file(patch: str) -> str | None:
    """The path the patch changes (`+++ b/PATH`), if it names one."""
    m = _TARGET.search(patch)
    return m.group(1) if m else None
