"""What pass 1 builds: symbols and sections with their items, before addresses are known."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ppcinterp.asm.expr import Rel
from ppcinterp.diagnostics import Pos

if TYPE_CHECKING:
    from ppcinterp.isa.table import InsnDef
    from ppcinterp.source.statements import Directive, Expr, Instruction, Statement

# What a section holds, in order: an instruction (its definition and frozen operands), a data value of `size`
# bytes, or bytes as they are (padding, .ascii, an outside label's slot); each with its offset and statement.
InsnItem = tuple[Literal["insn"], int, "InsnDef", "list[Expr]", "Instruction"]
DataItem = tuple[Literal["data"], int, int, "Expr", "Directive"]
BytesItem = tuple[Literal["bytes"], int, bytes, "Statement | None"]
Item = InsnItem | DataItem | BytesItem

DEFAULT_FLAGS = {".text": "ax", ".data": "aw", ".bss": "aw", ".toc": "aw", ".opd": "aw"}


@dataclass(slots=True)
class _Sym:
    kind: str                       # "label" | "set"
    value: int | Rel
    pos: Pos | None                 # None: an outside label's slot that no pragma placed


@dataclass
class _Section:
    name: str
    flags: str
    size: int = 0
    align: int = 1
    items: list[Item] = field(default_factory=list)
