"""Completion as gdb does it: the command word, then what that command takes (an `info` subcommand, a command
name for `help`, a location for `break`, a name in an expression for `print`...).

`complete(dbg, text)` -> every full line that completes `text` (the text before the cursor), sorted, as gdb's
`complete TEXT` prints them. A UI puts the longest common prefix in place, or lists the candidates.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.registry import ALIASES, COMMANDS, find
from ppcinterp.machine.state import SPR_NUMBERS

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine

MAX_COMPLETIONS = 200          # gdb's max-completions default
LOCATION = {"break", "tbreak", "until", "advance", "list", "jump"}
EXPRESSION = {"print", "output", "call", "display", "watch", "rwatch", "awatch", "x", "printf", "set"}
INFO_LOCATION = {"line", "symbol", "address", "scope"}
SETTINGS = ["var", "variable", "step-limit", "trace-commands", "confirm", "pagination", "height", "width"]
# the end of an expression that completion replaces: a name with its dots, indexes and leading $ or &
_WORD = re.compile(r"[$&]?[\w.$]*(?:\[[^\]]*\][\w.]*)*$")


def complete(dbg: DebugEngine, text: str) -> list[str]:
    """Every line that completes `text` (gdb's rules), sorted; at most MAX_COMPLETIONS."""
    if not text.strip():
        return _limit(sorted(set(COMMANDS) | set(dbg.commands.user)))
    m = re.match(r"\s*([A-Za-z][\w-]*)(/\S*)?(\s+)?(.*)$", text, re.S)
    if m is None:
        return []
    word = m.group(1)
    if m.group(3) is None and m.group(2) is None:               # still typing the command word
        names = set(COMMANDS) | set(dbg.commands.user)
        return _limit(sorted(n for n in names if n.startswith(word)))
    head, rest = text[:len(text) - len(m.group(4))], m.group(4)
    if word in dbg.commands.user:
        return []
    try:
        name = find(word, COMMANDS, ALIASES)
    except DebugError:
        return []
    return _limit([head + c for c in _arguments(dbg, name, rest)])


def _arguments(dbg: DebugEngine, name: str, rest: str) -> list[str]:
    if name == "help":
        if " " in rest:
            return []
        return sorted(n for n in set(COMMANDS) | set(dbg.commands.user) if n.startswith(rest))
    if name == "info":
        from ppcinterp.debug.info import SUBCOMMANDS
        sub, space, more = rest.partition(" ")
        if not space:
            return sorted(n for n in SUBCOMMANDS if n.startswith(sub))
        try:
            which = find(sub, SUBCOMMANDS, {}, "info command")
        except DebugError:
            return []
        if which in INFO_LOCATION:
            return [f"{sub} {c}" for c in _locations(dbg, more)]
        if which in ("registers", "float", "vector"):
            return [f"{sub} {more[:len(more) - len(w)]}{c}" for w in [_word(more)] for c in _names(dbg, w, True)]
        return []
    if name in LOCATION:
        return _locations(dbg, rest)
    if name in EXPRESSION:
        if name == "set" and " " not in rest:
            settings = [s + " " for s in SETTINGS if s.startswith(rest)]
            return sorted(settings + _names(dbg, rest, False))
        w = _word(rest)
        return [rest[:len(rest) - len(w)] + c for c in _names(dbg, w, False)]
    if name == "thread":
        return [str(i) for i in range(len(dbg.machine.threads)) if str(i).startswith(rest)]
    return []


def _word(text: str) -> str:
    m = _WORD.search(text)
    return m.group(0) if m else ""


def _locations(dbg: DebugEngine, rest: str) -> list[str]:
    """Labels, `upstream `, `hunk N`, FILE: for a location (what `break` takes)."""
    if rest.startswith("*"):
        return ["*" + c for c in _names(dbg, rest[1:], False)]
    p = dbg.session.program
    words = ["upstream ", "line "] + [f"hunk {h.number}" for h in p.hunks if h.end > h.start]
    files = {ai.pos.file for ai in p.insns.values()}
    from ppcinterp.debug.present import show_path
    words += [show_path(f) + ":" for f in files]
    return sorted({w for w in words + _labels(dbg) if w.startswith(rest)})


def _labels(dbg: DebugEngine) -> list[str]:
    names = {n for ns in dbg.session.engine.labels_at.values() for n in ns}
    return sorted(names | set(dbg.session.program.symbols))


def registers(dbg: DebugEngine) -> list[str]:
    """Register names as `$NAME` takes them (gdb's $sp and $toc included)."""
    regs = [f"r{i}" for i in range(32)] + [f"f{i}" for i in range(32)] + [f"v{i}" for i in range(32)]
    regs += [f"vs{i}" for i in range(64)] + [f"cr{i}" for i in range(8)]
    regs += ["pc", "sp", "toc", "msr", "cr", "lr", "ctr", "xer", "fpscr", "vscr"]
    return regs + sorted(n.lower() for n in SPR_NUMBERS if n.lower() not in regs)


def _state_names(dbg: DebugEngine) -> list[str]:
    m = dbg.machine
    out = [f"paca.{f.path}" for f in m.paca.layout.fields] + ["paca", "icp"]
    out += [f"icp.{r}" for r in ("mfrr", "cppr", "xirr", "pending")]
    for name, region in m.objects.items():
        if name != "paca":
            out += [name] + [f"{name}.{f.path}" for f in region.layout.fields]
    if len(m.threads) > 1:
        out += [f"paca[{i}]" for i in range(len(m.threads))] + [f"icp[{i}]" for i in range(len(m.threads))]
    return out


def _names(dbg: DebugEngine, word: str, registers_only: bool) -> list[str]:
    """Names that complete the word at the end of an expression."""
    if word.startswith("$"):
        conv = ["$" + n for n in dbg.values.convenience]
        return sorted({c for c in ["$" + r for r in registers(dbg)] + conv if c.startswith(word)})
    if registers_only:
        return sorted(r for r in registers(dbg) if r.startswith(word))
    if word.startswith("&"):
        return ["&" + c for c in _names(dbg, word[1:], False)]
    if not word:
        return _labels(dbg)
    macros = [n for n in dbg.session.program.preprocessed.macro_names() if n.startswith(word)]
    pool = registers(dbg) + _state_names(dbg) + _labels(dbg)
    return sorted({c for c in pool if c.startswith(word)} | {n for n in macros if not n.startswith("__")})


def _limit(items: list[str]) -> list[str]:
    return items[:MAX_COMPLETIONS]
