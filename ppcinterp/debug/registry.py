"""The command table: each command is a function registered with its name, gdb's aliases, whether Enter
repeats it, its usage line and its help (the docstring); gdb's lookup by unique prefix; argument helpers."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass

from ppcinterp.debug.errors import DebugError

MAX_NUMBERS = 10_000        # breakpoint, display or thread numbers one command may name


@dataclass(frozen=True)
class Command:
    name: str
    fn: Callable
    aliases: tuple[str, ...]
    repeat: bool
    usage: str
    doc: str

    @property
    def summary(self) -> str:
        """The documentation's first sentence: what `help` lists."""
        return first_sentence(self.doc)


def first_sentence(doc: str) -> str:
    text = " ".join(doc.split())
    m = re.search(r"(?<!e\.g)(?<!i\.e)(?<!\.)[.?!](?=\s|$)", text)
    return text[:m.start() + 1] if m else text


COMMANDS: dict[str, Command] = {}
ALIASES: dict[str, str] = {}


def command(name: str, *aliases: str, repeat: bool = False, usage: str = ""):
    def register(fn: Callable) -> Callable:
        COMMANDS[name] = Command(name, fn, aliases, repeat, usage or name, inspect.cleandoc(fn.__doc__ or ""))
        for a in aliases:
            ALIASES[a] = name
        return fn
    return register


def find(word: str, names, aliases: dict[str, str], what: str = "command") -> str:
    """gdb's lookup: an exact name or alias, else a unique prefix."""
    if word in names:
        return word
    if word in aliases:
        return aliases[word]
    matches = sorted(n for n in names if n.startswith(word))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        topic = "" if what == "command" else " " + what.split()[0]
        raise DebugError(f'Undefined {what}: "{word}".  Try "help{topic}".')
    raise DebugError(f'Ambiguous {what} "{word}": {", ".join(matches)}.')


def numbers(text: str) -> list[int]:
    """`1 3 5-7` as gdb takes breakpoint and display numbers."""
    out: list[int] = []
    for tok in text.split():
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", tok)
        if not m:
            raise DebugError(f"Args must be numbers or '$' variables: '{tok[:80]}'.")
        lo, hi = number(m.group(1)), number(m.group(2) or m.group(1))
        if hi < lo:
            raise DebugError(f"inverted range: '{tok}'.")
        if len(out) + hi - lo >= MAX_NUMBERS:
            raise DebugError(f"'{tok}': too many numbers (at most {MAX_NUMBERS:,} in one command).")
        out += range(lo, hi + 1)
    return out


def number(digits: str) -> int:
    """A decimal argument; thousands of digits are gdb's `Numeric constant too large.`, not a crash."""
    if len(digits) > 20:
        raise DebugError("Numeric constant too large.")
    return int(digits)


def count_arg(text: str, default: int = 1, least: int = 1) -> int:
    t = text.strip()
    if not t:
        return default
    if not re.fullmatch(r"\d+", t):
        raise DebugError(f'Invalid number "{t[:80]}".')
    if number(t) < least:
        raise DebugError(f"Argument must be at least {least}.")
    return int(t)


def split_condition(text: str) -> tuple[str, str | None]:
    m = re.fullmatch(r"(.*?)(?:^|\s+)if(?:\s+(.*))?", text.strip(), re.S)
    if not m:
        return text.strip(), None
    if not (m.group(2) or "").strip():
        raise DebugError("Argument required (boolean expression).")
    return m.group(1).strip(), m.group(2).strip()
