"""The ELF symbol table of a Program: every label under a name gdb can break on, grouped by the object that
defines it (an STT_FILE symbol first, as GNU ld leaves them), locals before globals.

Names: a label keeps its name, except
- a numeric local label `N:` is `LN_U`, U its line (the upstream line in a fragment's hunk: `1:713` is `L1_713`,
  the name our debugger, traces and paths give it, in characters gdb's expressions and linespecs accept), and
  the slot of a numeric label the file leaves to (`27f`) is `L27f`;
- a `.Lname` label is `Lname`: gdb drops every `.L` symbol of code as a compiler's temporary.
Numeric labels a macro makes for itself (a feature section's `97:`) are left out, as the listing leaves them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ppcinterp.asm.program import Label, Program

OPD = ".opd"
DESCRIPTOR = 24                 # an ELFv1 function descriptor: entry, TOC base, environment


@dataclass(frozen=True, slots=True)
class Symbol:
    name: str
    value: int
    size: int
    kind: str                   # "func", "object", "notype" or "file"
    local: bool
    section: str | None         # None: absolute (a value, or the STT_FILE symbol)


def symbol_name(program: Program, label: Label) -> str:
    """The label's name in the ELF symbol table (see the module's docstring)."""
    if label.local and label.addr in program.outside:
        return f"L{label.name}f"
    if label.local:
        return f"L{label.name}_{program.upstream_line(label.pos) or label.pos.line}"
    return label.name[1:] if label.name.startswith(".L") else label.name


def owner(program: Program, section: str, addr: int) -> str:
    """The source of the object whose input section holds addr (its end, for a label after the last byte)."""
    ends = None
    for p in program.placed:
        if p.section == section and p.base <= addr <= p.base + p.size:
            if addr < p.base + p.size:
                return p.path
            ends = ends or p.path
    return ends or program.path


def _kind(program: Program, section: str, addr: int) -> tuple[str, int]:
    sec = program.sections.get(section)
    if section == OPD and sec is not None and addr + DESCRIPTOR <= sec.end:
        entry = int.from_bytes(sec.data[addr - sec.base:addr - sec.base + 8], "big")
        code = program.section_of(entry)
        if code is not None and code.is_code:
            return "func", DESCRIPTOR           # a descriptor is the function, as ELFv1 objects type it
    return ("func" if sec is not None and sec.is_code else "object"), 0


def elf_symbols(program: Program) -> list[Symbol]:
    """Every label, then each named symbol no label defines (symbols left to other objects at their slots,
    absolute values), grouped by object in link order, locals of all objects first."""
    by_object: dict[str, list[Symbol]] = {p: [] for p in program.paths or [program.path]}
    named: set[str] = set()
    for lb in program.labels:
        if lb.local and not lb.written and lb.addr not in program.outside:
            continue
        kind, size = _kind(program, lb.section, lb.addr)
        glob = not lb.local and lb.name in program.globals
        sym = Symbol(symbol_name(program, lb), lb.addr, size, kind, not glob, lb.section)
        by_object.setdefault(owner(program, lb.section, lb.addr), []).append(sym)
        named.add(lb.name)
    rest = []
    for name, value in program.symbols.items():
        if name in named:
            continue
        sec = program.section_of(value) if name in program.externs else None
        kind = "func" if sec is not None and sec.is_code else "notype"
        rest.append(Symbol(name, value, 0, kind, name not in program.globals, sec.name if sec else None))
    out = []
    for path, syms in by_object.items():
        out.append(Symbol(path, 0, 0, "file", True, None))
        out += [s for s in syms if s.local]
    out += [s for s in rest if s.local]
    out += [s for syms in by_object.values() for s in syms if not s.local]
    return out + [s for s in rest if not s.local]
