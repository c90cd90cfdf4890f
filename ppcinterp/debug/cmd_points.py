"""Commands for breakpoints and watchpoints: break, tbreak, watch, rwatch, awatch, delete, enable, disable,
condition, ignore."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.expr import number as expr_number
from ppcinterp.debug.points import KIND_TITLES, Breakpoint, Watchpoint
from ppcinterp.debug.registry import command, count_arg, numbers, split_condition
from ppcinterp.machine.names import StateNameError, resolve
from ppcinterp.machine.predicate import names
from ppcinterp.run.journal import Span

if TYPE_CHECKING:
    from ppcinterp.debug.commands import Commands


@command("break", "b", "br", "bre", "brea", usage="break [LOCATION] [if COND]")
def _break(c: Commands, arg: str, fmt: str | None, temporary: bool = False) -> str:
    """Set a breakpoint at a location; the run stops before executing the instruction there.
    LOCATION: a label (ext_stash_for_host, 1:713 as paths name numeric labels), LINE or FILE:LINE (the first
    instruction at or after it, as gdb moves to the next line with code; in a fragment, only within the line's
    own hunk: a line after a hunk's last code is an error naming both hunks' ranges, since the next hunk is
    another place in the upstream file), `upstream N` (a line of the upstream file of the seed), `hunk N`, `line N`,
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
    if not names(node):
        raise DebugError(f"Cannot watch constant value `{expr}'.")
    typed = v.value(node)
    value = expr_number(typed)
    region, name = None, expr
    if kind != "watch":
        addr, size, name = v.region(expr)
        region = Span(addr, size)
    elif node[0] == "name":
        try:
            name = v.region(node[1])[2]
        except DebugError:
            with contextlib.suppress(StateNameError):
                name = resolve(c.dbg.machine, node[1]).name
    if cond:
        v.evaluate(v.parse(cond))
    w = c.dbg.points.add(Watchpoint(c.dbg.points.new_number(), kind, expr, node, typed.t, region, name,
                                    value, cond))
    return f"{KIND_TITLES[kind]} {w.number}: {expr}"


@command("watch", usage="watch EXPR [if COND]")
def _watch_cmd(c: Commands, arg: str, fmt: str | None) -> str:
    """Stop when the value of EXPR changes.
    Any expression: registers, CR fields, SPRs, msr.ee, PACA fields, ICP registers, memN[ADDR]. Checked at
    every instruction boundary, so a change by a scenario event (the host's write) is caught too. Going
    backward, it stops where the value changed."""
    return _watch(c, arg, "watch")


@command("rwatch", usage="rwatch NAME [if COND]")
def _rwatch(c: Commands, arg: str, fmt: str | None) -> str:
    """Stop after an instruction (or event) reads the memory behind NAME.
    NAME: a PACA field (paca.FIELD, paca[N].FIELD), an ICP register (icp.mfrr, icp[1].xirr, icp.cppr), or
    memN[ADDR]. Registers cannot be read-watched: the journal records their writes, not their reads."""
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
        return c.undisplay(arg[len("display"):])
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
