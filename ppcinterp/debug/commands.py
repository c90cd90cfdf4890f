"""The gdb-like command language over DebugEngine: a line in, text out; no UI.

Names and output follow gdb where gdb has them: unique prefixes and gdb's aliases (b, c, s, si, n, ni, p, x,
i r, disp, ...), `$1 = 0x1`, `Breakpoint 1, 0x... in LABEL () at FILE:LINE`, `x/4xw` rows. An empty line
repeats the last repeatable command (x and list go on from where they stopped). Errors are one line.
"""

from __future__ import annotations

import contextlib
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ppcinterp.debug import examine
from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.points import KIND_TITLES, Breakpoint, Watchpoint
from ppcinterp.debug.present import format_value, frame_line, full_stop, line_text, source_of
from ppcinterp.debug.report import stop_text
from ppcinterp.diagnostics import Pos, PpcError, source_line
from ppcinterp.machine.names import StateNameError, resolve
from ppcinterp.machine.predicate import Node
from ppcinterp.run.engine import SENTINEL

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine, Stop

BOOLEAN_OPS = {"==", "!=", "<", "<=", ">", ">=", "&&", "||"}
GDB_SETTINGS = {"confirm", "pagination", "height", "width", "verbose", "print", "listsize", "logging", "style"}


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
        return self.doc.split("\n", 1)[0]


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
    out = []
    for tok in text.split():
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", tok)
        if not m:
            raise DebugError(f"Args must be numbers or '$' variables: '{tok}'.")
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        if hi < lo:
            raise DebugError(f"inverted range: '{tok}'.")
        out += range(lo, hi + 1)
    return out


def count_arg(text: str, default: int = 1, least: int = 1) -> int:
    t = text.strip()
    if not t:
        return default
    if not re.fullmatch(r"\d+", t):
        raise DebugError(f'Invalid number "{t}".')
    if int(t) < least:
        raise DebugError(f"Argument must be at least {least}.")
    return int(t)


def split_condition(text: str) -> tuple[str, str | None]:
    m = re.fullmatch(r"(.*?)(?:^|\s+)if(?:\s+(.*))?", text.strip(), re.S)
    if not m:
        return text.strip(), None
    if not (m.group(2) or "").strip():
        raise DebugError("Argument required (boolean expression).")
    return m.group(1).strip(), m.group(2).strip()


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

    # ---------------------------------------------------------------- dispatch
    def execute(self, line: str) -> str:
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
        except Exception as e:       # noqa: BLE001 - a bug must not end the session; say what it was
            self.last_ok = False
            return f"Internal error in '{text}': {type(e).__name__}: {e}"

    def split(self, text: str) -> tuple[Command, str | None, str]:
        m = re.match(r"([A-Za-z][\w-]*)(/\S*)?\s*(.*)$", text, re.S)
        if not m:
            raise DebugError(f'Undefined command: "{text.split()[0]}".  Try "help".')
        name = find(m.group(1), COMMANDS, ALIASES)
        return COMMANDS[name], (m.group(2)[1:] if m.group(2) else None), m.group(3).strip()

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
        return addr

    def natural(self, node: Node | None, value: int, bits: int) -> str:
        if node is not None and node[0] == "bin" and node[1] in BOOLEAN_OPS or node and node[0] == "unary" \
                and node[1] == "!":
            return str(value)
        if node is not None and node[0] == "name" and (node[1].lower() == "pc" or node[1].startswith("&")
                                                        or node[1] in self.dbg.session.program.symbols):
            return format_value(value, "a", 64, self.dbg.symbols.symbol(value))
        return format_value(value, None, bits)

    def show(self, value: int, bits: int, fmt: str | None, node: Node | None = None) -> str:
        if fmt is None:
            return self.natural(node, value, bits)
        sym = self.dbg.symbols.symbol(value & (2**64 - 1)) if fmt == "a" else ""
        return format_value(value, fmt, bits, sym)

    def show_value(self, value: int | None, bits: int) -> str:
        return "<unreadable>" if value is None else format_value(value, None, bits)

    @staticmethod
    def print_format(fmt: str | None) -> str | None:
        if fmt is None:
            return None
        if len(fmt) != 1 or fmt not in "xduotcaz":
            letter = (fmt or "?")[-1]
            if letter in "is":
                raise DebugError(f'Format letter "{letter}" is meaningless in "print" command.')
            raise DebugError(f'Undefined output format "{fmt}".')
        return fmt

    def moved(self, stop: Stop, head: str = "") -> str:
        parts = [head] if head else []
        parts.append(stop_text(self.dbg, stop))
        shown = self.show_displays()
        if shown:
            parts.append(shown)
        return "\n".join(p for p in parts if p is not None)

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
            node = self.dbg.values.parse(d.expr)
            value = self.show(self.dbg.values.evaluate(node), self.dbg.values.bits(node), d.fmt, node)
        except DebugError as e:
            value = f"<error: {e}>"
        return f"{d.number}: {f'/{d.fmt} ' if d.fmt else ''}{d.expr} = {value}"


# ==================================================================== breakpoints and watchpoints
@command("break", "b", "br", "bre", "brea", usage="break [LOCATION] [if COND]")
def _break(c: Commands, arg: str, fmt: str | None, temporary: bool = False) -> str:
    """Set a breakpoint at a location; the run stops before executing the instruction there.
    LOCATION: a label (ext_stash_for_host, 1:713 as paths name numeric labels), LINE or FILE:LINE (the first
    instruction at or after it), `upstream N` (a line of the upstream file of the seed), `hunk N`, `line N`,
    or *ADDRESS (any expression). Without a location: the current instruction.
    `if COND` stops only when COND (an expression, see `help print`) is non-zero there, e.g.
      break upstream 733 if paca.kvm_hstate.host_ipi != 0"""
    spec, cond = split_condition(arg)
    dbg = c.dbg
    addr = c.address(spec)
    if addr not in dbg.session.engine.code:
        raise DebugError(f"Cannot insert breakpoint: no instruction at {addr:#x}.")
    if cond:
        dbg.values.evaluate(dbg.values.parse(cond))
    others = [b.number for b in dbg.points.breakpoints() if b.address == addr]
    b = dbg.points.add(Breakpoint(dbg.points.new_number(), addr, spec or f"*{addr:#x}", cond, temporary))
    note = (f"Note: breakpoint{'s' * (len(others) > 1)} {', '.join(map(str, others))} also set at pc {addr:#x}.\n"
            if others else "")
    loc = dbg.location(addr)
    where = f": file {loc.file}, line {loc.line}" + (f" (upstream {loc.upstream})" if loc.upstream else "") \
        if loc.file else ""
    return f"{note}{'Temporary breakpoint' if temporary else 'Breakpoint'} {b.number} at {addr:#x}{where}."


@command("tbreak", usage="tbreak [LOCATION] [if COND]")
def _tbreak(c: Commands, arg: str, fmt: str | None) -> str:
    """Set a temporary breakpoint: deleted when it is hit. Locations as for `break`."""
    return _break(c, arg, fmt, temporary=True)


def _watch(c: Commands, arg: str, kind: str) -> str:
    expr, cond = split_condition(arg)
    v = c.dbg.values
    node = v.parse(expr)
    from ppcinterp.machine.predicate import names
    if not names(node):
        raise DebugError(f"Cannot watch constant value `{expr}'.")
    value = v.evaluate(node)
    region, name = None, expr
    if kind != "watch":
        addr, size, name = v.region(expr)
        region = (addr, size)
    elif node[0] == "name":
        try:
            name = v.region(node[1])[2]
        except DebugError:
            with contextlib.suppress(StateNameError):
                name = resolve(c.dbg.machine, node[1]).name
    if cond:
        v.evaluate(v.parse(cond))
    w = c.dbg.points.add(Watchpoint(c.dbg.points.new_number(), kind, expr, node, v.bits(node), region, name,
                                    value, cond))
    return f"{KIND_TITLES[kind]} {w.number}: {expr}"


@command("watch", usage="watch EXPR [if COND]")
def _watch_cmd(c: Commands, arg: str, fmt: str | None) -> str:
    """Stop when the value of EXPR changes (any expression: registers, CR fields, SPRs, msr.ee, PACA fields,
    ICP registers, memN[ADDR]); checked at every instruction boundary, so a change by a scenario event (the
    host's write) is caught too. Going backward, it stops where the value changed."""
    return _watch(c, arg, "watch")


@command("rwatch", usage="rwatch NAME [if COND]")
def _rwatch(c: Commands, arg: str, fmt: str | None) -> str:
    """Stop after an instruction (or event) reads the memory behind NAME: a PACA field (paca.FIELD,
    paca[N].FIELD), an ICP register (icp.mfrr, icp[1].xirr, icp.cppr), or memN[ADDR]. Registers cannot be
    read-watched: the journal records their writes, not their reads."""
    return _watch(c, arg, "rwatch")


@command("awatch", usage="awatch NAME [if COND]")
def _awatch(c: Commands, arg: str, fmt: str | None) -> str:
    """Stop after an instruction (or event) reads or writes the memory behind NAME (as for rwatch). A RAM
    store of the value already there is not a change and is not seen; a device store always is."""
    return _watch(c, arg, "awatch")


@command("delete", "d", usage="delete [N...] | delete display [N...]")
def _delete(c: Commands, arg: str, fmt: str | None) -> str:
    """Delete breakpoints and watchpoints by number (ranges like 2-4 allowed); all of them without numbers."""
    if arg.startswith("display"):
        return _undisplay(c, arg[len("display"):], fmt)
    pts = c.dbg.points
    for n in numbers(arg) if arg else list(pts.items):
        pts.delete(n)
    return ""


def _enable(c: Commands, arg: str, on: bool) -> str:
    if arg.startswith("display"):
        wanted = numbers(arg[len("display"):])
        for d in c.dbg.displays:
            if not wanted or d.number in wanted:
                d.enabled = on
        return ""
    pts = c.dbg.points
    for n in numbers(arg) if arg else list(pts.items):
        pts.get(n).enabled = on
    c.dbg.refresh_watches()
    return ""


@command("enable", "en", usage="enable [N...] | enable display [N...]")
def _enable_cmd(c: Commands, arg: str, fmt: str | None) -> str:
    """Enable breakpoints and watchpoints (all of them without numbers)."""
    return _enable(c, arg, True)


@command("disable", "dis", "disa", usage="disable [N...] | disable display [N...]")
def _disable(c: Commands, arg: str, fmt: str | None) -> str:
    """Disable breakpoints and watchpoints (all of them without numbers); `enable` turns them back on."""
    return _enable(c, arg, False)


@command("condition", usage="condition N [COND]")
def _condition(c: Commands, arg: str, fmt: str | None) -> str:
    """Make breakpoint N stop only when COND is non-zero; without COND, unconditional again."""
    num, _, cond = arg.partition(" ")
    if not num:
        raise DebugError("Argument required (breakpoint number).")
    p = c.dbg.points.get(numbers(num)[0])
    if not cond.strip():
        p.condition = None
        return f"Breakpoint {p.number} now unconditional."
    c.dbg.values.evaluate(c.dbg.values.parse(cond))
    p.condition = cond.strip()
    return ""


@command("ignore", usage="ignore N COUNT")
def _ignore(c: Commands, arg: str, fmt: str | None) -> str:
    """Ignore the next COUNT crossings of breakpoint N."""
    parts = arg.split()
    if len(parts) != 2:
        raise DebugError("Argument required (a breakpoint number and a count).")
    p = c.dbg.points.get(numbers(parts[0])[0])
    p.ignore = count_arg(parts[1], least=0)
    return f"Will ignore next {p.ignore} crossings of breakpoint {p.number}."


# ==================================================================== running
@command("run", "r", "restart", usage="run")
def _run(c: Commands, arg: str, fmt: str | None) -> str:
    """Start the run over, from the initial state (the scenario's [state]) at the entry, and continue to a
    breakpoint or the end. The recorded history starts afresh. `restart` is the same."""
    stop = c.dbg.run()
    return c.moved(stop, f"Starting run: {c.dbg.title} (entry {c.dbg.entry} at {c.dbg.entry_pc:#x})")


@command("starti", "start", usage="starti")
def _starti(c: Commands, arg: str, fmt: str | None) -> str:
    """Start the run over and stop before its first instruction (where the debugger starts)."""
    ended = c.dbg.restart()
    if ended:
        return c.moved(ended)
    return f"Starting run: {c.dbg.title}\n\nProgram stopped.\n{full_stop(c.dbg, c.dbg.pc)}"


@command("continue", "c", "cont", "fg", repeat=True, usage="continue [N]")
def _continue(c: Commands, arg: str, fmt: str | None) -> str:
    """Continue to the next breakpoint, watchpoint, or the end of the run. With N, ignore the breakpoint
    stopped at N-1 more times. In the past, it replays the recorded history and goes on live at its end.
    Without watchpoints, breakpoints are the only cost per instruction."""
    n = count_arg(arg)
    dbg = c.dbg
    dbg.check_can_run()
    head = "Continuing."
    here = dbg.points.at(dbg.pc)
    if n > 1 and here:
        here[0].ignore = n - 1
        head = f"Will ignore next {n - 1} crossings of breakpoint {here[0].number}.  Continuing."
    return c.moved(dbg.forward(), head)


@command("stepi", "si", repeat=True, usage="stepi [N]")
def _stepi(c: Commands, arg: str, fmt: str | None) -> str:
    """Execute one instruction (N instructions), with the events that happen on arriving after it; shows
    what a single instruction changed, then where it stopped."""
    return c.moved(c.dbg.forward(count_arg(arg)))


@command("nexti", "ni", repeat=True, usage="nexti [N]")
def _nexti(c: Commands, arg: str, fmt: str | None) -> str:
    """Like stepi, but a link branch (bl, bcl, bctrl, blrl) runs until it returns to the instruction after
    it (or a breakpoint, or the end)."""
    return c.moved(_repeat(c.dbg.next_insn, count_arg(arg)))


def _repeat(step: Callable[[], Stop], n: int) -> Stop:
    total = 0
    for _ in range(n):
        stop = step()
        total += stop.moved
        if stop.reason != "step":
            break
    stop.moved = total
    return stop


def _lines(c: Commands, n: int, step: Callable[[], Stop]) -> Stop:
    """Step by source lines: instructions until the source line changes (a macro's lines count as one)."""
    dbg = c.dbg
    total = 0
    for _ in range(n):
        src = source_of(dbg, dbg.pc)
        while True:
            stop = step()
            total += stop.moved
            if stop.reason != "step" or src is None or source_of(dbg, dbg.pc) != src:
                break
        if stop.reason != "step":
            break
    stop.moved = total
    return stop


@command("step", "s", repeat=True, usage="step [N]")
def _step(c: Commands, arg: str, fmt: str | None) -> str:
    """Execute until the source line changes (N times). One instruction per line in most assembly; a macro
    that expands to several instructions is one line."""
    return c.moved(_lines(c, count_arg(arg), lambda: c.dbg.forward(1)))


@command("next", "n", repeat=True, usage="next [N]")
def _next(c: Commands, arg: str, fmt: str | None) -> str:
    """Like step, over link branches (see nexti)."""
    return c.moved(_lines(c, count_arg(arg), c.dbg.next_insn))


@command("finish", "fin", repeat=True, usage="finish")
def _finish(c: Commands, arg: str, fmt: str | None) -> str:
    """Run until the current routine returns: until the run arrives at the return address held in LR now
    (a blr back to the caller), or stops at a breakpoint, or ends. Assembly has no frames: when LR holds no
    address of the program (a handler entered from an interrupt vector), it runs to the end of the run."""
    dbg = c.dbg
    head = f"Run till exit from #0  {frame_line(dbg.location())}"
    stop, target = dbg.finish()
    if target is None:
        head += f"\n(LR {dbg.machine.thread.spr.get(8, 0):#x} is not a return address in the program: running to " \
                "the end of the run)" if stop.reason == "exit" else ""
    return c.moved(stop, head)


@command("until", "u", repeat=True, usage="until [LOCATION]")
def _until(c: Commands, arg: str, fmt: str | None) -> str:
    """Without LOCATION: like nexti, but a backward jump (the end of a loop) runs on until an address past
    the current one. With LOCATION: run until it (or until the current routine returns to LR), as advance."""
    if not arg:
        return c.moved(c.dbg.until_next())
    return c.moved(c.dbg.advance(c.address(arg)))


@command("advance", repeat=True, usage="advance LOCATION")
def _advance(c: Commands, arg: str, fmt: str | None) -> str:
    """Run until LOCATION (see `help break` for locations), a breakpoint, the current routine's return to
    LR, or the end of the run."""
    if not arg:
        raise DebugError("Argument required (a location).")
    return c.moved(c.dbg.advance(c.address(arg)))


@command("reverse-stepi", "rsi", repeat=True, usage="reverse-stepi [N]")
def _rsi(c: Commands, arg: str, fmt: str | None) -> str:
    """Go back one instruction (N): undo it and the events that followed it, from the recorded history
    (always on: back to the first instruction). Forward commands then replay the same history exactly."""
    return c.moved(c.dbg.backward(count_arg(arg)))


@command("reverse-nexti", "rni", repeat=True, usage="reverse-nexti [N]")
def _rni(c: Commands, arg: str, fmt: str | None) -> str:
    """Like reverse-stepi, but stepping back over a return (blr) goes back to the call that made it."""
    return c.moved(_repeat(c.dbg.reverse_next, count_arg(arg)))


@command("reverse-step", "rs", repeat=True, usage="reverse-step [N]")
def _rs(c: Commands, arg: str, fmt: str | None) -> str:
    """Go back until the source line changes (N times)."""
    return c.moved(_lines(c, count_arg(arg), lambda: c.dbg.backward(1)))


@command("reverse-next", "rn", repeat=True, usage="reverse-next [N]")
def _rn(c: Commands, arg: str, fmt: str | None) -> str:
    """Like reverse-step, over calls (see reverse-nexti)."""
    return c.moved(_lines(c, count_arg(arg), c.dbg.reverse_next))


@command("reverse-continue", "rc", repeat=True, usage="reverse-continue")
def _rc(c: Commands, arg: str, fmt: str | None) -> str:
    """Go back to the previous breakpoint or watchpoint hit, or to the first instruction of the history."""
    return c.moved(c.dbg.backward(None))


# ==================================================================== state
@command("print", "p", "inspect", repeat=True, usage="print[/FMT] [EXPR]")
def _print(c: Commands, arg: str, fmt: str | None) -> str:
    """Print the value of an expression and keep it in the value history as $N.
    Names: registers ($r3, r3, $cr0, cr0.eq, $lr, $ctr, $xer.ca, $msr, $msr.ee, any SPR: $lpcr, $hsrr0,
    lpcr.mer), $pc, PACA fields (paca.kvm_hstate.host_ipi, paca[1].HSTATE_HOST_IPI), ICP registers
    (icp.mfrr, icp[1].cppr, icp.xirr), thread[N].NAME, memory (mem8[ADDR] .. mem64[ADDR], ADDR any
    expression), constants of the kernel environment (IPI_PRIORITY), labels, addresses (&paca[1], &icp[0],
    &paca.FIELD), value history ($, $$, $N, $$N). Operators as in C: || && | ^ & == != < <= > >= << >> + - * / %
    and unary ! ~ - &.
    FMT: x hex, d signed decimal, u unsigned, o octal, t binary, c character, a address <symbol>, z zero-padded
    hex. Without FMT: hex (decimal for comparisons, an address with its symbol for $pc and labels).
    Reading never disturbs the machine: an ICP register is shown from its state, nothing is accepted."""
    letter = c.print_format(fmt)
    v = c.dbg.values
    node = None
    if arg:
        node = v.parse(arg)
        value, bits = v.evaluate(node), v.bits(node)
    elif v.history:
        value, bits = v.history[-1]
    else:
        raise DebugError("History is empty.")
    n = v.record(value, bits)
    return f"${n} = {c.show(value, bits, letter, node)}"


@command("set", usage="set var NAME = EXPR")
def _set(c: Commands, arg: str, fmt: str | None) -> str:
    """Change state: `set var NAME = EXPR` (also `set NAME = EXPR`, `set $r11 = 0x8000`). NAME is any state
    name print knows, or $pc (where execution goes on). A store to an ICP register goes through the device
    (an MFRR write presents an IPI as a store would). The change is recorded in the history, so reverse
    commands undo it; made in the past, it forgets the recorded future and execution goes on live from here.
    Also: `set step-limit N` (instructions one command may execute), `set trace-commands on|off` (scripts
    echo each command as +COMMAND); gdb's display settings (confirm, pagination, height...) are ignored."""
    a = arg.strip()
    m = re.match(r"(var|variable)\b\s*(.*)$", a, re.S)
    word = a.split()[0] if a.split() else ""
    if m:
        a = m.group(2)
    elif word in GDB_SETTINGS:
        return ""
    elif word == "trace-commands":
        c.trace_commands = a[len(word):].strip() in ("on", "1", "yes", "")
        return ""
    elif word in ("step-limit", "max-steps"):
        c.dbg.max_steps = max(1, count_arg(a[len(word):]))
        return ""
    mm = re.fullmatch(r"(.*?[^=!<>])=(?!=)(.*)", a, re.S)
    if not mm or not mm.group(1).strip():
        if m or not word:
            raise DebugError("Argument required (an assignment: NAME = EXPR).")
        raise DebugError(f'Undefined set command: "{word}".  Try "help set".')
    return c.dbg.assign(mm.group(1), mm.group(2).strip())


@command("x", repeat=True, usage="x[/NFU] [ADDR]")
def _x(c: Commands, arg: str, fmt: str | None) -> str:
    """Examine memory: N units of size U from ADDR in format F (defaults: the last ones; 1, x, w).
    F: x d u o t c a z, or i (instructions: the program's words after feature fixups, => at the pc).
    U: b (1 byte), h (2), w (4), g (8). ADDR: any expression (&paca[0], &icp[0], $r5, 0x100000,
    ext_stash_for_host); without it, x goes on after the last address examined.
    Device pages show their registers' state without side effects: an ICP's XIRR reads as XIRR_POLL would,
    so examining it never accepts an interrupt."""
    return examine.examine(c, fmt, arg)


@command("display", "disp", usage="display[/FMT] [EXPR]")
def _display(c: Commands, arg: str, fmt: str | None) -> str:
    """Show EXPR now and after every stop (display/i $pc shows the next instruction; /FMT as for print, or
    as for x when it has a count, a unit or i). Without EXPR, show every display now."""
    dbg = c.dbg
    if not arg:
        return c.show_displays()
    from ppcinterp.debug.engine import Display
    ex = bool(fmt) and bool(re.search(r"[ibhwg\d]", fmt))
    if not ex:
        c.print_format(fmt)
    d = Display(c.next_display, arg, fmt, ex)
    c.next_display += 1
    text = c.render_display(d)
    if "<error: " in text and not ex:
        dbg.values.evaluate(dbg.values.parse(arg))        # the expression's own error, as a failed command
    dbg.displays.append(d)
    return text


@command("undisplay", usage="undisplay [N...]")
def _undisplay(c: Commands, arg: str, fmt: str | None) -> str:
    """Stop displaying expressions N... (all of them without numbers)."""
    if not arg.strip():
        c.dbg.displays.clear()
        return ""
    for n in numbers(arg):
        if not any(d.number == n for d in c.dbg.displays):
            raise DebugError(f"No display number {n}.")
        c.dbg.displays[:] = [d for d in c.dbg.displays if d.number != n]
    return ""


@command("thread", usage="thread [N]")
def _thread(c: Commands, arg: str, fmt: str | None) -> str:
    """Without N, say which hardware thread is current. With N, make hardware thread N current: the code
    runs on its registers (r13 = its PACA) from here on. The switch is recorded in the history; in the past it
    forgets the recorded future."""
    dbg = c.dbg
    if not arg:
        return f"[Current thread is {dbg.thread} (hw thread {dbg.thread})]"
    notice = dbg.switch_thread(count_arg(arg))
    text = f"[Switching to thread {dbg.thread} (hw thread {dbg.thread})]\n#0  {frame_line(dbg.location())}"
    return (notice + "\n" if notice else "") + text


@command("list", "l", repeat=True, usage="list [LOCATION | FIRST,LAST | -]")
def _list(c: Commands, arg: str, fmt: str | None) -> str:
    """Show source lines (with their upstream lines): around the current line (marked =>), around LOCATION
    (see `help break`), FIRST,LAST, or the next ten; `list -` shows the ten before the last shown."""
    dbg = c.dbg
    here = source_of(dbg, dbg.pc)
    file = here[0] if here else dbg.session.program.path
    a = arg.strip()
    if a == "-":
        if c.list_at is None:
            raise DebugError("No default source file to list.")
        file, first = c.list_at[0], max(1, c.list_at[1] - 10)
        last = c.list_at[1] - 1
    elif m := re.fullmatch(r"(\d+)\s*,\s*(\d+)", a):
        first, last = int(m.group(1)), int(m.group(2))
    elif a:
        if re.fullmatch(r"\d+", a):
            centre = int(a)
        else:
            src = source_of(dbg, c.address(a))
            if src is None:
                raise DebugError(f"No source line for {a}.")
            file, centre = src
        first, last = max(1, centre - 5), max(1, centre - 5) + 9
    elif c.list_at is not None and c.repeat_line == "list" and c.list_at[0] == file:
        first, last = c.list_at[2] + 1, c.list_at[2] + 10
    else:
        centre = here[1] if here else 1
        first, last = max(1, centre - 5), max(1, centre - 5) + 9
    rows = []
    for n in range(first, last + 1):
        if source_line(Pos(file, n)) is None:
            break
        mark = "=> " if here and (file, n) == here else "   "
        rows.append(mark + line_text(dbg, file, n))
    if not rows:
        raise DebugError(f"Line number {first} out of range; \"{file}\" has fewer lines.")
    c.list_at = (file, first, first + len(rows) - 1)
    return "\n".join(rows)


@command("backtrace", "bt", "where", repeat=True, usage="backtrace")
def _backtrace(c: Commands, arg: str, fmt: str | None) -> str:
    """Where execution is (#0) and, when LR holds an address of the program, the return address (#1).
    Assembly keeps no frames, so that is all there is."""
    dbg = c.dbg
    rows = [f"#0  {frame_line(dbg.location())}"]
    lr = dbg.machine.thread.spr.get(8, 0)
    if lr in dbg.session.engine.code and lr not in dbg.session.engine.exit_names:
        rows.append(f"#1  {frame_line(dbg.location(lr))}  (LR)")
    return "\n".join(rows)


@command("frame", "f", usage="frame")
def _frame(c: Commands, arg: str, fmt: str | None) -> str:
    """Show where execution is: the frame line and the source line."""
    return f"#0  {full_stop(c.dbg, c.dbg.pc)}"


@command("info", "i", "inf", repeat=True, usage="info WHAT")
def _info(c: Commands, arg: str, fmt: str | None) -> str:
    """Show state: registers [NAMES], all-registers, sprs, paca [N] [FILTER], icp [N], threads, path, frame,
    breakpoints, watchpoints, display, record, symbol ADDR, line [LOCATION]. `info` alone lists them."""
    from ppcinterp.debug import info
    return info.info(c, arg)


@command("echo", usage="echo TEXT")
def _echo(c: Commands, arg: str, fmt: str | None) -> str:
    r"""Print TEXT (C escapes: \n \t \\ \"); for scripts."""
    out = re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), arg)
    return out[:-1] if out.endswith("\n") else out


@command("help", "h", usage="help [COMMAND]")
def _help(c: Commands, arg: str, fmt: str | None) -> str:
    """Describe a command, or list them all."""
    if arg:
        cmd = COMMANDS[find(arg.split()[0], COMMANDS, ALIASES)]
        if cmd.name == "info" and len(arg.split()) > 1:
            from ppcinterp.debug import info
            return info.help_for(arg.split()[1])
        aliases = f"\nAliases: {', '.join(cmd.aliases)}." if cmd.aliases else ""
        return f"{cmd.usage}\n{cmd.doc}{aliases}"
    rows = ["List of commands:", ""]
    for cmd in sorted(COMMANDS.values(), key=lambda k: k.name):
        alias = f" ({', '.join(cmd.aliases)})" if cmd.aliases else ""
        rows.append(f"{cmd.name}{alias} -- {cmd.summary}")
    rows += ["", 'Type "help" followed by a command name for full documentation.',
             "Command name abbreviations are allowed if unambiguous. An empty line repeats the last command."]
    return "\n".join(rows)


@command("quit", "q", "exit", usage="quit")
def _quit(c: Commands, arg: str, fmt: str | None) -> str:
    """End the session (in a script: stop reading commands). Nothing is written anywhere."""
    c.quit = True
    return ""
