"""The text of a Makefile as make reads it: logical lines (continuations joined), comments, parentheses of
`$(...)`, function arguments, assignments and rules, and the pattern words of patsubst."""

from __future__ import annotations

import re
from collections.abc import Iterator

_ASSIGN = re.compile(r"(::=|:=|\+=|\?=|!=|=)")



def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) with backslash-newline continuations joined by one space, as make does."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        first, cur = i + 1, lines[i]
        while cur.endswith("\\") and not cur.endswith("\\\\") and i + 1 < len(lines):
            i += 1
            cur = cur[:-1].rstrip() + " " + lines[i].lstrip()
        yield first, cur
        i += 1


def strip_comment(line: str) -> str:
    i = 0
    while True:
        i = line.find("#", i)
        if i < 0:
            return line
        if i == 0 or line[i - 1] != "\\":
            return line[:i]
        i += 1


def closing(text: str, open_at: int) -> int:
    """Index of the bracket that closes text[open_at] ('(' or '{'), or -1."""
    want = ")" if text[open_at] == "(" else "}"
    depth = 0
    for k in range(open_at, len(text)):
        ch = text[k]
        if ch == text[open_at]:
            depth += 1
        elif ch == want:
            depth -= 1
            if depth == 0:
                return k
    return -1


def split_args(body: str, most: int) -> list[str]:
    """A function's arguments at top-level commas; the last keeps its commas past `most` (as make's do)."""
    out, depth, start = [], 0, 0
    for k, ch in enumerate(body):
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        elif ch == "," and depth == 0 and len(out) < most - 1:
            out.append(body[start:k])
            start = k + 1
    out.append(body[start:])
    return out


def ifeq_args(rest: str) -> tuple[str, str] | None:
    """The two operands of `ifeq (a,b)`, `ifeq "a" "b"` or `ifeq 'a' 'b'`."""
    if rest.startswith("(") and rest.endswith(")"):
        args = split_args(rest[1:-1], 2)
        return (args[0], args[1]) if len(args) == 2 else None
    m = re.fullmatch(r"""(["'])(.*?)\1\s+(["'])(.*?)\3""", rest)
    return (m.group(2), m.group(4)) if m else None


def assignment(line: str) -> tuple[int, str] | None:
    """(index, operator) of the line's assignment operator, or None: a `:` before any `=` makes a rule."""
    depth = 0
    for k, ch in enumerate(line):
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        elif depth == 0 and ch in ":=+?!":
            m = _ASSIGN.match(line, k)
            if m:
                return k, m.group(1)
            if ch == ":":
                return None
    return None


def is_rule(line: str) -> bool:
    depth = 0
    for ch in line:
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        elif ch == ":" and depth == 0:
            return True
    return False


def subst_ref(name: str) -> tuple[str, str, str] | None:
    """`var:from=to` (a substitution reference), split; None for a plain name."""
    m = re.fullmatch(r"([^:=\s]+):([^=]*)=(.*)", name)
    return (m.group(1), m.group(2), m.group(3)) if m else None


def matches(pattern: str, word: str) -> bool:
    if "%" not in pattern:
        return pattern == word
    pre, _, post = pattern.partition("%")
    return len(word) >= len(pre) + len(post) and word.startswith(pre) and word.endswith(post)


def patsubst_word(pattern: str, repl: str, word: str) -> str:
    if "%" not in pattern:
        return repl if word == pattern else word
    if not matches(pattern, word):
        return word
    pre, _, post = pattern.partition("%")
    stem = word[len(pre):len(word) - len(post)]
    return repl.replace("%", stem, 1) if "%" in repl else repl


def join(a: str, b: str) -> str:
    """Two texts as make joins words: one space between them when both have some."""
    return f"{a} {b}" if a and b else a or b
