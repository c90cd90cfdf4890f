"""`info symbol`, `info address`, `info line`: names and addresses in gdb's sentences.

  ext_interrupt_to_host in section .text
  Symbol "ext_interrupt_to_host" is at 0x1000cc in a file compiled without debugging.
  Line 85 of "asm/book3s_hv_rmhandlers.S" (upstream 733) starts at address 0x100090 <1:713+28> and ends at ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ppcinterp.debug import expr
from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.present import source_of
from ppcinterp.machine.names import StateNameError, resolve

if TYPE_CHECKING:
    from ppcinterp.debug.commands import Commands


def symbol(c: Commands, arg: str) -> str:
    if not arg:
        raise DebugError("Argument required (address).")
    addr = expr.number(c.dbg.values.value(arg)) & (2**64 - 1)
    sym = c.dbg.symbols.symbol(addr)
    if not sym:
        return f"No symbol matches {arg}."
    name, plus, off = sym.partition("+")
    return f"{name}{' + ' + off if plus else ''} in section {section(c, addr)}"


def section(c: Commands, addr: int) -> str:
    """The program's section an address is in, or the memory region (paca, icp[0], ...)."""
    s = c.dbg.session.program.section_of(addr)
    if s is not None:
        return s.name
    if addr in c.dbg.session.engine.exit_names:
        return "*outside*"
    region = c.dbg.machine.memory.region_at(addr)
    return region.name if region is not None else "?"


def address(c: Commands, arg: str) -> str:
    name = arg.strip()
    if not name:
        raise DebugError("Argument required.")
    v = c.dbg.values
    at = v.label(name)
    if at is not None:
        return f'Symbol "{name}" is at {at:#x} in a file compiled without debugging.'
    try:
        ref = resolve(c.dbg.machine, name.lstrip("$"))
    except StateNameError:
        ref = None
    if ref is not None and ref.addr is not None:
        return f'Symbol "{ref.name}" is static storage at address {ref.addr:#x}.'
    if ref is not None:
        return f'Symbol "{name}" is a variable in ${ref.name}.'
    x = v.value(name)
    if x.agg is not None and x.addr is not None:
        return f'Symbol "{name}" is static storage at address {x.addr:#x}.'
    if v.dbg.session.program.preprocessed.macro_value(name) is not None:
        return f'Symbol "{name}" is constant.'
    raise DebugError(f'No symbol "{name}" in current context.')


def line(c: Commands, arg: str) -> str:
    dbg = c.dbg
    addr = c.address(arg)
    src = source_of(dbg, addr)
    sym = dbg.symbols.symbol(addr)
    if src is None:
        return f"No line number information available for address {addr:#x}" + (f" <{sym}>" if sym else "")
    loc = dbg.location(addr)
    code = [a for a, ai in dbg.session.program.insns.items() if (ai.pos.file, ai.pos.line) == src]
    end = max(code) + 4
    up = f" (upstream {loc.upstream})" if loc.upstream else ""
    end_sym = dbg.symbols.symbol(end)
    return (f'Line {loc.line} of "{loc.file}"{up} starts at address {addr:#x} <{sym}> and ends at {end:#x}'
            + (f" <{end_sym}>" if end_sym else "") + ".")
