"""The gdb-like command language over DebugEngine: a line in, text out; no UI.

Names and output follow gdb where gdb has them: unique prefixes and gdb's aliases (b, c, s, si, n, ni, p, x,
i r, disp, ...), `$1 = 0x1`, `Breakpoint 1, 0x... in LABEL () at FILE:LINE`, `x/4xw` rows. An empty line
repeats the last repeatable command (x and list go on from where they stopped). Errors are one line.
The commands themselves are in cmd_points.py, cmd_run.py and cmd_state.py; the table in registry.py.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ppcinterp.debug import aggregate, cmd_memory, cmd_output, cmd_points, cmd_run, cmd_script, cmd_state, examine  # noqa: F401 - they register
from ppcinterp.debug.ctype import char_text, scalar
from ppcinterp.debug.errors import DebugError, InternalError
from ppcinterp.debug.expr import Val
from ppcinterp.debug.present import source_of
from ppcinterp.debug.registry import ALIASES, COMMANDS, Command, find, numbers
from ppcinterp.debug.report import stop_text
from ppcinterp.diagnostics import Pos, PpcError
from ppcinterp.run.engine import SENTINEL

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine, Stop
    from ppcinterp.debug.points import Watchpoint

def hunk_range(h) -> str:
    first, last = h.lines
    return f"lines {first}-{last}, upstream {h.first}-{h.last}"


class Commands:
    def __init__(self, dbg: DebugEngine):
        self.dbg = dbg
        self.last_ok = True
        self.quit = False
        self.repeat_line = ""
        self.x_next: int | None = None
        self.x_fmt = ("x", "w")
        self.list_at: tuple[str, int, int] | None = None       # file, first and last line shown
        self.next_display = 1
        self.trace_commands = False          # gdb's `set trace-commands on`: scripts echo `+COMMAND`
        self.user: dict[str, list[str]] = {}             # `define`d commands: their body lines
        self.user_docs: dict[str, str] = {}              # and what `document` said of them
        self.block: cmd_script.Block | None = None       # a define / document / if / while reading its lines
        self.depth = 0                                   # user commands and sourced files running
        self.loops = 0                                   # while loops running
        self.raw: str | None = None      # the last command's exact output when it is not whole lines (echo)
        self.line = ""                   # the last command line as typed

    # ---------------------------------------------------------------- dispatch
    def execute(self, line: str) -> str:
        self.raw, self.line = None, line
        if self.block is not None:
            try:
                out = cmd_script.feed(self, line)
                self.last_ok = True
                return out
            except DebugError as e:
                self.last_ok = False
                return str(e)
        text = line.strip()
        if not text:
            if not self.repeat_line:
                self.last_ok = True
                return ""
            text = self.repeat_line
        if text.startswith("#"):
            self.last_ok = True
            return ""
        try:
            cmd, fmt, arg = self.split(text)
            self.repeat_line = self._repeat_form(cmd, fmt, text) if cmd.repeat else ""
            out = cmd.fn(self, arg, fmt)
            self.last_ok = True
            return out
        except DebugError as e:
            self.last_ok = False
            return str(e)
        except PpcError as e:
            self.last_ok = False
            return e.message
        except RecursionError:
            self.last_ok = False
            return "Expression nests too deeply."
        except ValueError as e:      # int() of thousands of digits, or such a value shown: wherever a command met it
            if "integer string conversion" not in str(e):
                self.last_ok = False
                return f"Internal error in '{text[:200]}': ValueError: {e}"
            self.last_ok = False
            return "Numeric constant too large."
        except cmd_script.LoopControl:
            if self.loops:
                raise                # to the while loop running this line
            self.last_ok = False
            return "loop_break and loop_continue are for the inside of a while loop."
        except InternalError:
            raise                    # the session cannot go on: the UI ends it
        except Exception as e:       # noqa: BLE001 - a bug must not end the session; say what it was
            self.last_ok = False
            return f"Internal error in '{text}': {type(e).__name__}: {e}"

    def split(self, text: str) -> tuple[Command, str | None, str]:
        m = re.match(r"([A-Za-z][\w-]*)(/\S*)?\s*(.*)$", text, re.S)
        if not m:
            raise DebugError(f'Undefined command: "{text.split()[0]}".  Try "help".')
        name = find(m.group(1), COMMANDS.keys() | self.user.keys(), ALIASES)
        if name in self.user:
            cmd = Command(name, lambda c, arg, fmt: cmd_script.call_user(c, name, arg), (), False, name,
                          self.user_docs.get(name, "User-defined."))
            return cmd, None, (m.group(2) or "") + m.group(3).strip()
        return COMMANDS[name], (m.group(2)[1:] if m.group(2) else None), m.group(3).strip()

    def say(self, text: str) -> str:
        """Output printed exactly as it is (echo, printf, output: no newline of their own)."""
        self.raw = text
        return text.removesuffix("\n")

    @staticmethod
    def _repeat_form(cmd: Command, fmt: str | None, text: str) -> str:
        if cmd.name == "x":
            return "x" + (f"/{fmt}" if fmt else "")        # go on at the next address
        if cmd.name == "list":
            return "list"
        return text

    # ---------------------------------------------------------------- shared helpers
    def address(self, spec: str) -> int:
        """A location: *EXPR, LINE, FILE:LINE, a label, `hunk N`, `upstream N`, `line N`; empty: the pc."""
        s = spec.strip()
        dbg = self.dbg
        if not s:
            return dbg.pc
        if s.startswith("*"):
            return dbg.values.eval(s[1:])[0]
        if re.fullmatch(r"\d+", s):
            src = source_of(dbg, dbg.pc)
            s = f"{src[0] if src else dbg.session.program.path}:{s}"
        eng = dbg.session.engine
        for sentinel, names in eng.exit_labels.items():
            if s in names and sentinel > SENTINEL:
                raise DebugError(f"{s} is written where hunk {sentinel - SENTINEL} ends: a run leaves the fragment "
                                 "there (it ends with that exit), so there is nothing to stop at.")
        try:
            addr = dbg.session.address_of(s)
        except PpcError as e:
            if e.message.startswith("unknown entry"):
                raise DebugError(f'Function "{s}" not defined.') from None
            raise DebugError(e.message[0].upper() + e.message[1:] + ".") from None
        if addr in eng.exit_names:
            raise DebugError(f"{s} is outside the fragment: reaching it ends the run (exit {eng.exit_names[addr]}).")
        self._same_hunk(s, addr)
        return addr

    def _same_hunk(self, spec: str, addr: int) -> None:
        """A line of a fragment's hunk with no code after it in that hunk has nothing to stop at: the next code
        is another hunk's, elsewhere in the upstream file, so say so rather than move there."""
        p = self.dbg.session.program
        m = re.fullmatch(r"(?:(.+):|line\s+)(\d+)|upstream\s+(\d+)", spec)
        ai = p.insns.get(addr)
        if m is None or ai is None or not p.is_fragment:
            return
        got = p.hunk_of(ai.pos)
        if m.group(3):
            line = int(m.group(3))
            want = next((h for h in p.hunks if h.first <= line <= h.last), None)
            what = f"Upstream line {line}"
        else:
            line = int(m.group(2))
            want = p.hunk_of(Pos(ai.pos.file, line))
            what = f"Line {line}"
        if want is None or got is None or want.number == got.number:
            return
        raise DebugError(f"{what} has no code after it in hunk {want.number} ({hunk_range(want)}). The next code, "
                         f"line {ai.pos.line} [upstream {p.upstream_line(ai.pos)}], is hunk {got.number}'s "
                         f"({hunk_range(got)}), another place in the upstream file: `break {ai.pos.line}` stops there.")

    def show(self, x: Val, fmt: str | None) -> str:
        """A value as print/FMT shows it, in gdb's shapes (ctype.scalar, aggregate.show)."""
        if x.agg is not None:
            return aggregate.show(self.dbg.values, x, fmt)
        if x.t.kind == "void":
            return "void"
        if x.t.kind == "double" and fmt is None or x.t.kind == "vector" and fmt in (None, "x"):
            return scalar(x.v, x.t, None)
        pointer = x.t.kind in ("ptr", "func")
        sym = self.dbg.symbols.symbol(x.v & (2**64 - 1)) if fmt == "a" or pointer and fmt is None else ""
        text = scalar(x.v, x.t, fmt, sym)
        if fmt is None and x.t.kind == "ptr" and x.t.target is not None and x.t.target.kind == "char" and x.v:
            text += " " + self.c_string(x.v)
        return text

    def c_string(self, addr: int, limit: int = 200) -> str:
        """The C string at addr as gdb shows it after a char pointer: "AB\\377", ... past `limit` bytes."""
        out = []
        for i in range(limit):
            try:
                b = self.dbg.values.peek(addr + i, 1)
            except DebugError:
                return f'"{"".join(out)}"' if out else f"<error: Cannot access memory at address {addr:#x}>"
            if b == 0:
                return '"' + "".join(out) + '"'
            out.append('\\"' if b == 34 else char_text(b))
        return '"' + "".join(out) + '"...'

    def show_watched(self, value: int | None, w: Watchpoint) -> str:
        """A watched expression's value, as print shows one of its type."""
        if value is None:
            return "<unreadable>"
        return self.show(Val(value, w.ctype), None)

    @staticmethod
    def print_format(fmt: str | None) -> str | None:
        if fmt is None:
            return None
        if len(fmt) != 1 or fmt not in "xduotcazs":
            letter = (fmt or "?")[-1]
            if letter == "i":
                raise DebugError(f'Format letter "{letter}" is meaningless in "print" command.')
            raise DebugError(f'Undefined output format "{fmt}".')
        return None if fmt == "s" else fmt             # /s: natural, as gdb does for a non-string

    def moved(self, stop: Stop, head: str = "") -> str:
        parts = [head] if head else []
        parts.append(stop_text(self.dbg, stop))
        shown = self.show_displays()
        if shown:
            parts.append(shown)
        return "\n".join(p for p in parts if p is not None)

    def undisplay(self, arg: str) -> str:
        ds = self.dbg.displays
        if not arg.strip():
            ds.clear()
            return ""
        for n in numbers(arg):
            if not any(d.number == n for d in ds):
                raise DebugError(f"No display number {n}.")
            ds[:] = [d for d in ds if d.number != n]
        return ""

    def show_displays(self) -> str:
        return "\n".join(self.render_display(d) for d in self.dbg.displays if d.enabled)

    def render_display(self, d) -> str:
        if d.examine:
            try:
                body = examine.examine(self, d.fmt, d.expr, remember=False)
            except DebugError as e:
                body = f"<error: {e}>"
            return f"{d.number}: x/{d.fmt} {d.expr}\n{body}"
        try:
            value = self.show(self.dbg.values.value(d.expr), self.print_format(d.fmt))
        except DebugError as e:
            value = f"<error: {e}>"
        return f"{d.number}: {f'/{d.fmt} ' if d.fmt else ''}{d.expr} = {value}"
