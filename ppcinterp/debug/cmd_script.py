"""gdb's scripting commands: source, define / document (user commands with $arg0..$argN and $argc), if / else /
while (with loop_break, loop_continue), and complete; echo, printf and output are in cmd_output.py.

A block (`define NAME`, `document NAME`, `if COND`, `while COND`) reads the lines after it up to its `end`,
from a script, -ex commands or the prompt alike (Commands.block collects them); `define` and `document` keep
them, `if` and `while` run them then. Everything a user controls is bounded: user commands and sourced files
nest at most MAX_DEPTH deep, a while loop runs at most MAX_LOOPS times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.registry import COMMANDS, command

if TYPE_CHECKING:
    from ppcinterp.debug.commands import Commands

MAX_DEPTH = 64                # user commands and sourced files, one inside another
MAX_LOOPS = 10_000            # passes of one while loop (a few seconds of printing at most)
MAX_SCRIPT = 1 << 20          # bytes of a sourced file
MAX_LINES = 100_000           # lines of one block
OPENERS = re.compile(r"(define|document|if|while)\b")



@dataclass
class Block:
    """The lines of a block being read, up to the `end` that closes it (blocks inside it nest)."""
    kind: str                 # define | document | if | while
    head: str                 # NAME, or the condition
    lines: list[str] = field(default_factory=list)
    depth: int = 0


class LoopControl(Exception):
    def __init__(self, word: str):
        self.word = word


# ---------------------------------------------------------------- blocks
def feed(c: Commands, line: str) -> str:
    """A line inside a block: kept, or the `end` that closes it (then the block is done or run)."""
    b = c.block
    text = line.strip()
    if OPENERS.match(text) and b.kind != "document":
        b.depth += 1
    elif text == "end":
        if b.depth == 0:
            c.block = None
            return finish(c, b)
        b.depth -= 1
    if len(b.lines) >= MAX_LINES:
        c.block = None
        raise DebugError(f"{b.kind} {b.head}: more than {MAX_LINES:,} lines without an `end`.")
    b.lines.append(text)
    return ""


def finish(c: Commands, b: Block) -> str:
    if b.kind == "define":
        c.user[b.head] = b.lines
        return ""
    if b.kind == "document":
        c.user_docs[b.head] = "\n".join(b.lines)
        return ""
    return c.say(run_lines(c, [f"{b.kind} {b.head}", *b.lines, "end"]))


def prompt_text(b: Block) -> str:
    """What gdb says when a block starts at the prompt."""
    if b.kind == "define":
        return f'Type commands for definition of "{b.head}".\nEnd with a line saying just "end".'
    if b.kind == "document":
        return f'Type documentation for "{b.head}".\nEnd with a line saying just "end".'
    return ""


def _start(c: Commands, kind: str, head: str) -> str:
    c.block = Block(kind, head)
    return ""


@command("define", usage="define NAME")
def _define(c: Commands, arg: str, fmt: str | None) -> str:
    """Define a new command NAME.
    The lines that follow, up to `end`, are its body. In the body, $arg0 .. $argN
    are its arguments as written (split at blanks) and $argc their number; if / while / echo / printf and
    every other command may be used. Defining NAME again replaces it. A built-in command cannot be redefined
    (gdb asks; a script cannot answer)."""
    name = arg.strip()
    if not re.fullmatch(r"[A-Za-z][\w-]*", name):
        raise DebugError("Argument required (name of command to define)." if not name else
                         f'Junk in argument list: "{name[:80]}"' if " " in name else f'Invalid command name "{name}".')
    if name in COMMANDS:
        raise DebugError(f'"{name}" is a built-in command; choose another name.')
    return _start(c, "define", name)


@command("document", usage="document NAME")
def _document(c: Commands, arg: str, fmt: str | None) -> str:
    """Document the user-defined command NAME.
    The lines that follow, up to `end`, are what `help NAME` shows
    (its first line in the `help` list)."""
    name = arg.strip()
    if name not in c.user:
        raise DebugError(f'Undefined command: "{name}".' if name in COMMANDS or not name else
                         f'Undefined command: "{name}".  Try "help".')
    return _start(c, "document", name)


@command("if", usage="if COND")
def _if(c: Commands, arg: str, fmt: str | None) -> str:
    """Run the lines that follow (up to `else` or `end`) when COND is non-zero, else the lines after `else`."""
    if not arg:
        raise DebugError("if/while commands require arguments.")
    return _start(c, "if", arg)


@command("while", usage="while COND")
def _while(c: Commands, arg: str, fmt: str | None) -> str:
    """Run the lines that follow, up to `end`, as long as COND is non-zero.
    `loop_break` leaves the loop, `loop_continue` starts the next pass; at most 10,000 passes (Ctrl-C stops
    it sooner)."""
    if not arg:
        raise DebugError("if/while commands require arguments.")
    return _start(c, "while", arg)


@command("loop_break", usage="loop_break")
def _loop_break(c: Commands, arg: str, fmt: str | None) -> str:
    """Leave the innermost while loop."""
    raise LoopControl("break")


@command("loop_continue", usage="loop_continue")
def _loop_continue(c: Commands, arg: str, fmt: str | None) -> str:
    """Start the next pass of the innermost while loop."""
    raise LoopControl("continue")


def run_lines(c: Commands, lines: list[str], where: str | None = None) -> str:
    """Run script lines (blocks inside them included); returns their output as printed. A failing line ends
    the run: DebugError with the output so far and the message (`where:LINE: Error in sourced command file:`
    in front when the lines are a file's)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line or line.startswith("#"):
            continue
        try:
            if m := re.match(r"(if|while)\b\s*(.*)$", line):
                end, other = _matching(lines, i)
                _control(c, m.group(1), m.group(2), lines[i:other if other is not None else end],
                         lines[other + 1:end] if other is not None else [], out)
                i = end + 1
                continue
            if m := re.match(r"(define|document)\b\s*(.*)$", line):
                end, _ = _matching(lines, i, allow_else=False)
                (_define if m.group(1) == "define" else _document)(c, m.group(2), None)
                c.block.lines = [x.strip() for x in lines[i:end]]
                finish(c, c.block)
                c.block = None
                i = end + 1
                continue
            text = c.execute(line)
            if not c.last_ok:
                raise DebugError(text)
            _emit(out, text, c.raw)
        except DebugError as e:
            head = f"{where}:{i}: Error in sourced command file:\n" if where else ""
            raise DebugError("".join(out) + head + str(e)) from None
    return "".join(out)


def _emit(out: list[str], text: str, raw: str | None) -> None:
    if raw is not None:
        out.append(raw)
    elif text:
        out.append(text + "\n")


def _matching(lines: list[str], start: int, allow_else: bool = True) -> tuple[int, int | None]:
    """(index of the `end` closing the block that starts before `start`, index of its `else` or None)."""
    depth, other = 0, None
    for k in range(start, len(lines)):
        t = lines[k].strip()
        if OPENERS.match(t):
            depth += 1
        elif t == "end":
            if depth == 0:
                return k, other
            depth -= 1
        elif t == "else" and depth == 0 and allow_else:
            other = k
    raise DebugError("Missing `end' for a block (if, while, define, document).")


def _control(c: Commands, kind: str, cond: str, body: list[str], orelse: list[str], out: list[str]) -> None:
    if not cond:
        raise DebugError("if/while commands require arguments.")
    if kind == "if":
        out.append(run_lines(c, body if c.dbg.values.evaluate(c.dbg.values.parse(cond)) else orelse))
        return
    passes = 0
    while c.dbg.values.evaluate(c.dbg.values.parse(cond)):
        passes += 1
        if c.dbg.interrupted():
            raise DebugError(f"while {cond[:80]}: interrupted after {passes - 1:,} passes.")
        if passes > MAX_LOOPS:
            raise DebugError(f"while {cond[:80]}: more than {MAX_LOOPS:,} passes; stopped.")
        c.loops += 1
        try:
            out.append(run_lines(c, body))
        except LoopControl as lc:
            if lc.word == "break":
                break
        finally:
            c.loops -= 1


def call_user(c: Commands, name: str, arg: str) -> str:
    """Run a user-defined command: its body with $argN and $argc replaced by the arguments."""
    args = arg.split()
    if c.depth >= MAX_DEPTH:
        raise DebugError("Max user call depth exceeded -- command aborted.")

    def sub(m: re.Match) -> str:
        if m.group(1) == "c":
            return str(len(args))
        k = int(m.group(2))
        return args[k] if k < len(args) else m.group(0)     # an error only if that line runs (values.py)
    body = [re.sub(r"\$arg(c|(\d+))\b", sub, line) for line in c.user[name]]
    c.depth += 1
    try:
        return c.say(run_lines(c, body))
    finally:
        c.depth -= 1


# ---------------------------------------------------------------- files and completion
@command("source", usage="source FILE")
def _source(c: Commands, arg: str, fmt: str | None) -> str:
    """Run the commands in FILE, as -x does.
    A failing command ends it with `FILE:LINE: Error in sourced
    command file:`. Sourced files may source others, at most 64 deep."""
    path = arg.strip()
    if not path:
        raise DebugError("source command requires file name of file to source.")
    if c.depth >= MAX_DEPTH:
        raise DebugError(f"{path[:200]}: sourced files nest more than {MAX_DEPTH} deep (does it source itself?).")
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_SCRIPT + 1)
        if len(raw) > MAX_SCRIPT:
            raise DebugError(f"{path[:200]}: larger than {MAX_SCRIPT >> 20} MiB.")
        lines = raw.decode("utf-8").splitlines()
    except (OSError, ValueError) as e:
        why = e.strerror if isinstance(e, OSError) else "not UTF-8 text"
        raise DebugError(f"{path[:200]}: {why}.") from None
    c.depth += 1
    try:
        return c.say(run_lines(c, lines, path))
    finally:
        c.depth -= 1


@command("complete", usage="complete TEXT")
def _complete(c: Commands, arg: str, fmt: str | None) -> str:
    """List the completions of TEXT, one a line, as Tab offers them.
    Command words, then what the command
    takes (info subcommands, labels and locations, registers $r3 $sp, state names, constants)."""
    from ppcinterp.debug.complete import complete
    text = re.sub(r"^\s*\S+ ?", "", c.line)           # TEXT as typed: a trailing blank asks for the next word
    return "\n".join(complete(c.dbg, text))

