"""Text for what the engine did: stops (gdb's shapes), the effects of one instruction, the run's end, the
breakpoint table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ppcinterp.debug.points import TYPE_NAMES, Breakpoint, Point
from ppcinterp.debug.present import frame_line, full_stop, line_text, relative, short_stop, source_of
from ppcinterp.views.trace import describe_changes

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine, Stop
    from ppcinterp.run.engine import Result


def effects(dbg: DebugEngine, unit: list) -> list[str]:
    """What one instruction changed, and the events that happened on arriving after it (indented)."""
    out = []
    for step in unit:
        changes, mmio = describe_changes(dbg.session, step)
        if step.pc is None:
            out.append(f"    -- {'event: ' if not step.event.startswith(('set var', 'thread')) else ''}"
                       f"{step.event}")
            out += [f"       {x}" for x in changes + mmio if not x.startswith("thread:")]
        elif changes or mmio:
            out.append("    " + "  ".join(changes + [f"[{m}]" for m in mmio]))
    return out


def exit_text(dbg: DebugEngine, res: Result, k: int | None = None) -> str:
    """How run k (default: the current one) ended; with more runs to play, how to start the next."""
    runs = dbg.runs
    k = k or dbg.run_index
    first = runs.counts[k - 1]
    n = (runs.counts[k] if k < len(runs.counts) else dbg.history.total()) - first
    how = "ended" if res.ok else f"ended ({res.kind})"
    which = f"Run {k} of {runs.count}" if runs.count > 1 else "Run"
    text = f"[{which} {how} after {n} instruction{'s' * (n != 1)}: {relative(dbg, res.message)}]"
    path = dbg.path(first, first + n) + ([res.exit] if res.kind in ("exit", "end-of-hunk") else [])
    text += "\nPath: " + path_text(path) if path else ""
    if k < runs.count and res.ok and k == dbg.run_index:
        text += f"\n(`continue` starts run {k + 1} of {runs.count}; `info runs` lists them.)"
    return text


def path_text(path: list[str], limit: int = 40) -> str:
    """Labels in order, a label passed again and again (a loop) counted once: `1:4 (x131072) -> sub`."""
    runs: list[list] = []
    for name in path:
        if runs and runs[-1][0] == name:
            runs[-1][1] += 1
        else:
            runs.append([name, 1])
    shown = [f"{name} (x{n})" if n > 1 else name for name, n in runs]
    if len(shown) > limit:
        shown = shown[:limit // 2] + [f"... {len(shown) - limit} more ..."] + shown[-(limit // 2):]
    return " -> ".join(shown)


def stop_text(dbg: DebugEngine, stop: Stop) -> str:
    lines: list[str] = []
    if stop.reason == "step" and not stop.backward and stop.moved == 1:
        lines += effects(dbg, stop.unit)
    if stop.message and stop.reason in ("exit", "run-start"):
        lines.append(stop.message)
    if stop.reason == "run-start":
        return "\n".join(lines + [full_stop(dbg, dbg.pc)])
    if stop.reason == "exit":
        lines += effects(dbg, stop.unit) if stop.moved == 1 else []
        lines += stop.watch_reports
        lines.append(exit_text(dbg, stop.exit))
        return "\n".join(lines)
    if stop.message and stop.reason != "exit":
        lines.append(stop.message)
    lines += stop.watch_reports
    pc = dbg.pc
    if stop.reason == "breakpoint":
        for b in stop.breakpoints:
            kind = "Temporary breakpoint" if b.temporary else "Breakpoint"
            lines.append(f"\n{kind} {b.number}, {frame_line(dbg.location(pc))}")
        src = source_of(dbg, pc)
        if not stop.breakpoints:
            lines.append(full_stop(dbg, pc))
        elif src:
            lines.append(line_text(dbg, *src))
    elif stop.reason == "history-start":
        lines += ["", "No more reverse-execution history.", full_stop(dbg, pc)]
    elif stop.reason == "interrupted":
        lines += ["", "Program received signal SIGINT, Interrupt.", full_stop(dbg, pc)]
    elif stop.reason == "limit":
        lines += [f"Stopped after {stop.moved} instructions, the step limit of one command (a scenario's "
                  "max_steps, or `set step-limit N`); the code may loop. Continue to go on.", full_stop(dbg, pc)]
    elif stop.reason in ("watchpoint", "location"):
        lines.append(full_stop(dbg, pc))
    else:
        lines.append(short_stop(dbg, pc))
    return "\n".join(lines)


def point_table(dbg: DebugEngine, points: list[Point]) -> str:
    if not points:
        return ""
    rows = ["Num     Type           Disp Enb Address            What"]
    for p in sorted(points, key=lambda p: p.number):
        disp = "del " if p.temporary else "keep"
        enb = "y" if p.enabled else "n"
        if isinstance(p, Breakpoint):
            loc = dbg.location(p.address)
            what = f"in {loc.function} at {loc.where}" if loc.file else f"<{dbg.symbols.symbol(p.address)}>"
            rows.append(f"{p.number:<7} {TYPE_NAMES[p.kind]:<14} {disp} {enb}   {p.address:#018x} {what}")
        else:
            rows.append(f"{p.number:<7} {TYPE_NAMES[p.kind]:<14} {disp} {enb}   {'':18} {p.expr}")
        if p.condition:
            rows.append(f"\tstop only if {p.condition}")
        if p.hits:
            rows.append(f"\tbreakpoint already hit {p.hits} time{'s' * (p.hits != 1)}")
        if p.ignore:
            rows.append(f"\tWill ignore next {p.ignore} crossings of breakpoint.")
    return "\n".join(rows)
