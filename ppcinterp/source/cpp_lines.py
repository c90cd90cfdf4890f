"""The preprocessor's first phases: output lines with positions, logical lines, and tokens.

Translation phases as GCC runs them: backslash-newline joins lines, block and `//` comments become one
space (a comment that starts on a directive line belongs to that directive). Every character of a logical
line keeps the line and column it was written at, so that every output character maps back to the user's text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from ppcinterp.diagnostics import Pos, SourceError

# A run of an output line: (out_col, file, line, col, from_macro).
Seg = tuple[int, str, int, int, bool]


def _out_col(seg: Seg) -> int:
    return seg[0]


@dataclass(slots=True)
class Line:
    """One output line. `segs` are (out_col, file, line, col, from_macro) runs, sorted by out_col."""

    text: str
    pos: Pos
    segs: tuple[Seg, ...] = ()

    def pos_at(self, col: int) -> Pos:
        # A binary search: a statement of one long line (20,000 `.long` items) asks for every item's column.
        i = bisect_right(self.segs, col, key=_out_col)
        if i == 0:
            return self.pos
        out_col, file, line, scol, from_macro = self.segs[i - 1]
        return Pos(file, line, scol if from_macro else scol + (col - out_col))


@dataclass(slots=True)
class Logical:
    """A logical line: text after phases 1-3, the (line, col) each character came from, and where it starts."""

    text: str
    origins: list[tuple[int, int]]
    file: str
    first_line: int

    def pos(self, i: int) -> Pos:
        if not self.origins:
            return Pos(self.file, self.first_line, 1)
        line, col = self.origins[min(i, len(self.origins) - 1)]
        return Pos(self.file, line, col + (1 if i >= len(self.origins) else 0))


@lru_cache(maxsize=512)
def logical_lines(text: str, file: str) -> tuple[Logical, ...]:
    """Phases 1-3. Cached: every Session reads the same kernel headers again, and the lines are never changed."""
    out: list[Logical] = []
    chars: list[str] = []
    origins: list[tuple[int, int]] = []
    line_no, col, first = 1, 1, 1
    i, n = 0, len(text)
    in_comment = False
    comment_start = (1, 1)
    in_str = False
    while i < n:
        c = text[i]
        if c == "\\" and text.startswith("\n", i + 1) or c == "\\" and text.startswith("\r\n", i + 1):
            i += 2 if text[i + 1] == "\n" else 3         # continuation
            line_no, col = line_no + 1, 1
            continue
        if in_comment:
            if c == "*" and text.startswith("/", i + 1):
                in_comment = False
                i, col = i + 2, col + 2
                continue
            if c == "\n":
                line_no, col = line_no + 1, 1
            else:
                col += 1
            i += 1
            continue
        if c == "\n":
            out.append(Logical("".join(chars), origins, file, first))
            chars, origins = [], []
            in_str = False
            i, line_no, col = i + 1, line_no + 1, 1
            first = line_no
            continue
        if not in_str and c == "/" and text.startswith("*", i + 1):
            in_comment = True
            comment_start = (line_no, col)
            chars.append(" ")
            origins.append((line_no, col))
            i, col = i + 2, col + 2
            continue
        if not in_str and c == "/" and text.startswith("/", i + 1):
            # A `//` comment runs to the end of the line (GCC strips them in assembler-with-cpp too);
            # a backslash-newline inside it continues it.
            while i < n and text[i] != "\n":
                if text[i] == "\\" and text.startswith("\n", i + 1):
                    i += 1
                    line_no += 1
                i += 1
            chars.append(" ")
            origins.append((line_no, col))
            continue
        if c == '"' and (not in_str or _escaped_quote_ends(chars)):
            in_str = not in_str
        chars.append(c)
        origins.append((line_no, col))
        i, col = i + 1, col + 1
    if in_comment:
        raise SourceError("unterminated comment", Pos(file, *comment_start))
    if chars:
        out.append(Logical("".join(chars), origins, file, first))
    return tuple(out)


def _escaped_quote_ends(chars: list[str]) -> bool:
    """Inside a string, a quote after an even run of backslashes ("a\\\\") still ends it."""
    k = len(chars) - 1
    while k >= 0 and chars[k] == "\\":
        k -= 1
    return (len(chars) - 1 - k) % 2 == 0


_TOKEN = re.compile(r"""
    (?P<ws>[ \t\f\v\r]+)
  | (?P<str>"(?:\\.|[^"\\])*")
  | (?P<chr>'(?:\\.|[^'\\])')
  | (?P<id>[A-Za-z_]\w*)
  | (?P<num>\.?[0-9](?:[eEpP][+-]|[\w.])*)
  | (?P<punct>\#\#|\#|\.\.\.|<<|>>|<=|>=|==|!=|&&|\|\||->|\+\+|--|.)
""", re.X | re.S)


@dataclass(slots=True)
class Tok:
    """A preprocessing token. `kind` is ws, str, chr, id, num, punct, or pad (an empty boundary marker left
    where a macro's expansion or an argument begins or ends, so that output never pastes two tokens)."""

    kind: str
    text: str
    pos: Pos | None       # where it came from (for macro output: the outermost invocation)
    macro: bool = False   # produced by a macro expansion
    hide: frozenset[str] = frozenset()   # macros that must not expand this token (C's "painted blue")


PAD = Tok("pad", "", None)


def tokenize(text: str, pos_of: Callable[[int], Pos] | None = None, macro: bool = False) -> list[Tok]:
    # Every alternative of _TOKEN is a named group, so lastgroup is never None.
    return [Tok(cast(str, m.lastgroup), m.group(), pos_of(m.start()) if pos_of else None, macro)
            for m in _TOKEN.finditer(text)]


def is_space(t: Tok) -> bool:
    return t.kind == "ws" or t.kind == "pad"


def strip_space(toks: list[Tok]) -> list[Tok]:
    a, b = 0, len(toks)
    while a < b and is_space(toks[a]):
        a += 1
    while b > a and is_space(toks[b - 1]):
        b -= 1
    return toks[a:b]


_JOINS = {"##", "...", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "->", "++", "--", "+=", "-=", "*=", "/=",
          "%=", "&=", "|=", "^=", "<<=", ">>=", "/*", "//", ".."}


def would_paste(a: str, b: str) -> bool:
    """True if writing `a` right before `b` would read back as different tokens (GCC's cpp_avoid_paste)."""
    if not a or not b:
        return False
    x, y = a[-1], b[0]
    number = a[0].isdigit() or a[0] == "." and a[1:2].isdigit()
    # `.` then a name stays `.name` (systbl.S's `.f` with f a parameter makes `.sys_ni_syscall`), as in GCC
    if (x.isalnum() or x == "_" or number) and (y.isalnum() or y == "_"):
        return True
    if x.isdigit() and y == "." or x == "." and y.isdigit():
        return True
    if x in "eEpP" and y in "+-" and a[0].isdigit():       # 1e followed by +5 reads back as the number 1e+5
        return True
    return (x + y) in _JOINS or (a[-2:] + y) in _JOINS or (x in "+-" and y in "+-") or x == y == "#"


def join(toks: list[Tok]) -> tuple[str, list[tuple[int, Tok]]]:
    """Output text of tokens and (column, token) of each; a space goes where a boundary would paste."""
    parts: list[str] = []
    cols: list[tuple[int, Tok]] = []
    col = 0
    prev = ""
    boundary = False
    for t in toks:
        if t.kind == "pad":
            boundary = True
            continue
        if boundary and t.kind != "ws" and would_paste(prev, t.text):
            parts.append(" ")
            col += 1
        boundary = False
        cols.append((col, t))
        parts.append(t.text)
        col += len(t.text)
        prev = t.text if t.kind != "ws" else ""
    return "".join(parts), cols
