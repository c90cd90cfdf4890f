"""What pass 1 builds: symbols and sections with their items, before addresses are known."""

from __future__ import annotations

from dataclasses import dataclass, field

from ppcinterp.asm.expr import Rel
from ppcinterp.diagnostics import Pos

DEFAULT_FLAGS = {".text": "ax", ".data": "aw", ".bss": "aw", ".toc": "aw", ".opd": "aw"}


@dataclass(slots=True)
class _Sym:
    kind: str                       # "label" | "set"
    value: int | Rel
    pos: Pos


@dataclass
class _Section:
    name: str
    flags: str
    size: int = 0
    align: int = 1
    items: list = field(default_factory=list)     # ("insn", off, def, exprs, stmt) | ("data", ...) | ("bytes", ...)
