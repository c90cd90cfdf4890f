"""The Assembler's state, declared once for the halves it is mixed from (Directives, Placement, Pass2, Blocks, Limits):
the attributes its constructor sets and the methods one half calls in another. Declarations only: nothing
here exists at run time but an empty base class."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ppcinterp.asm.expr import Evaluator, LabelKey, Rel
    from ppcinterp.asm.externs import References
    from ppcinterp.asm.program import Hunk
    from ppcinterp.asm.sections import Item, _Section, _Sym
    from ppcinterp.diagnostics import Pos, SourceError
    from ppcinterp.source.parser import ParsedSource
    from ppcinterp.source.preprocess import Preprocessed
    from ppcinterp.source.statements import Expr, Statement


class AsmState:
    """What every half of the Assembler may read (see Assembler.__init__ and Limits._init_limits)."""

    parsed: ParsedSource
    pre: Preprocessed
    path: str
    sections: dict[str, _Section]
    cur: _Section
    prev: _Section
    stack: list[tuple[_Section, _Section]]
    symbols: dict[str, _Sym]
    local_defs: dict[int, list[tuple[Rel, Pos | None]]]
    forward_refs: list[LabelKey]
    outside_decl: dict[str, tuple[str, Pos | None]]
    extern_decl: dict[str, tuple[str, str, Pos | None]]
    refs: References
    ctx: str
    got_syms: dict[str, Pos | None]
    warnings: list[tuple[str, Pos | None]]
    globals: set[str]
    hunks: list[Hunk]
    labels: list[tuple[str, Rel, Pos, bool]]
    macro_count: int
    depth: int
    errors: list[SourceError]
    _ends: dict[int, tuple[list[Statement], dict[int, tuple[int, list[int]]]]]
    outside_slots: dict[str, Rel]
    # Limits
    statements: int
    bytes_total: int
    operators: int
    macro_text: int
    macro_parsed: int
    repeats: list[int]

    if TYPE_CHECKING:
        # Defined in one half, called from another.
        def _section(self, name: str, flags: str | None) -> _Section: ...
        def _eval1(self) -> Evaluator: ...
        def _freeze(self, e: Expr) -> Expr: ...
        def _freeze_data(self, e: Expr) -> Expr: ...
        def _emit(self, item: Item, size: int) -> None: ...
        def _assign(self, name: str, value: Expr, pos: Pos) -> None: ...
        def _const(self, arg: object, pos: Pos) -> int: ...
        def _room(self, size: int, pos: Pos | None, what: str) -> None: ...
        def run_pass1(self, stmts: list[Statement]) -> None: ...
        def _spend(self, pos: Pos) -> None: ...
        def _check_rept(self, count: int, body_len: int, pos: Pos) -> None: ...
        def _place_outside(self) -> dict[str, Rel]: ...
