"""Commands over state and the session: print, set, x, display, undisplay, thread, list, backtrace, frame,
info, echo, help, quit, maintenance."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ppcinterp.debug import examine, expr
from ppcinterp.debug.errors import DebugError, InternalError
from ppcinterp.debug.present import frame_line, full_stop, line_text, source_of
from ppcinterp.debug.registry import ALIASES, COMMANDS, command, count_arg, find, first_sentence, number
from ppcinterp.diagnostics import Pos, source_line
from ppcinterp.machine.names import StateNameError, resolve

if TYPE_CHECKING:
    from ppcinterp.debug.commands import Commands

GDB_SETTINGS = {"confirm", "pagination", "height", "width", "verbose", "print", "listsize", "logging", "style"}


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
    if arg:
        x = v.value(arg)
    elif v.history:
        x = v.history[-1]
    else:
        raise DebugError("History is empty.")
    return f"${v.record(x)} = {c.show(x, letter)}"


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
    target, rhs = mm.group(1).strip(), mm.group(2).strip()
    if convenience_name(c, target):
        x = c.dbg.values.value(rhs)
        c.dbg.values.set_convenience(target[1:], expr.Val(x.v, x.t, None, x.agg))
        return ""
    return c.dbg.assign(target, rhs)


def convenience_name(c: Commands, target: str) -> bool:
    """`$NAME` that is no register or state name (nor gdb's $pc, $sp, $toc): a convenience variable."""
    if not re.fullmatch(r"\$[A-Za-z_]\w*", target) or target[1:].lower() in ("pc", "sp", "toc"):
        return False
    try:
        resolve(c.dbg.machine, target[1:])
    except StateNameError:
        if re.fullmatch(r"(r|f|v|vs|cr)\d+", target[1:].lower()):     # a mistyped register, not a new variable
            raise DebugError(f"Invalid register `{target[1:]}'") from None
        return True
    return False


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
    """Show EXPR now and after every stop.
    `display/i $pc` shows the next instruction; /FMT as for print, or as for x when it has a count, a unit or
    i. Without EXPR, show every display now."""
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
    return c.undisplay(arg)


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
    """Show source lines, with their upstream lines.
    Around the current line (marked =>), around LOCATION
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
        first, last = number(m.group(1)), number(m.group(2))
    elif a:
        if re.fullmatch(r"\d+", a):
            centre = number(a)
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
    """Show state: registers, SPRs, the PACA, the ICPs, threads, the path, breakpoints and more.
    Subcommands: registers [NAMES], all-registers, sprs, paca [N] [FILTER], icp [N], threads, path, frame,
    breakpoints, watchpoints, display, record, symbol ADDR, line [LOCATION]. `info` alone lists them."""
    from ppcinterp.debug import info
    return info.info(c, arg)


@command("help", "h", usage="help [COMMAND]")
def _help(c: Commands, arg: str, fmt: str | None) -> str:
    """Describe a command, or list them all (with the commands `define` made)."""
    if arg:
        word = arg.split()[0]
        name = find(word, COMMANDS.keys() | c.user.keys(), ALIASES)
        if name in c.user:
            return c.user_docs.get(name, "User-defined.")
        cmd = COMMANDS[name]
        if cmd.name == "info" and len(arg.split()) > 1:
            from ppcinterp.debug import info
            return info.help_for(arg.split()[1])
        aliases = f"\nAliases: {', '.join(cmd.aliases)}." if cmd.aliases else ""
        return f"{cmd.usage}\n{cmd.doc}{aliases}"
    rows = ["List of commands:", ""]
    for cmd in sorted(COMMANDS.values(), key=lambda k: k.name):
        alias = f" ({', '.join(cmd.aliases)})" if cmd.aliases else ""
        rows.append(one_line(f"{cmd.name}{alias} -- ", cmd.doc))
    if c.user:
        rows += ["", "User-defined commands:", ""]
        rows += [one_line(f"{name} -- ", c.user_docs.get(name, "User-defined.")) for name in sorted(c.user)]
    rows += ["", 'Type "help" followed by a command name for full documentation.',
             "Command name abbreviations are allowed if unambiguous. An empty line repeats the last command."]
    return "\n".join(rows)


HELP_WIDTH = 120


def one_line(head: str, doc: str) -> str:
    """`head` and the first sentence of a command's documentation, cut at a word with "..." past HELP_WIDTH."""
    line = head + first_sentence(doc)
    if len(line) <= HELP_WIDTH:
        return line
    cut = line[:HELP_WIDTH - 3]
    return cut[:cut.rfind(" ")].rstrip(",;:") + "..."


@command("quit", "q", "exit", usage="quit")
def _quit(c: Commands, arg: str, fmt: str | None) -> str:
    """End the session (in a script: stop reading commands). Nothing is written anywhere."""
    c.quit = True
    return ""


@command("maintenance", "mt", usage="maintenance internal-error [MESSAGE]")
def _maintenance(c: Commands, arg: str, fmt: str | None) -> str:
    """Maintenance commands. `maintenance internal-error [MESSAGE]` makes the debugger fail as on an internal
    error (as gdb's does): the session ends, the terminal is restored, one line says why and the exit status
    is 70. For testing how each UI ends."""
    word, _, rest = arg.strip().partition(" ")
    if not word:
        raise DebugError('"maintenance" must be followed by the name of a maintenance command: internal-error.')
    find(word, {"internal-error": None}, {}, "maintenance command")
    raise InternalError((rest.strip() or "forced") + " (maintenance internal-error)")
