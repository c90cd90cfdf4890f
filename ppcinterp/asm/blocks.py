"""Pass 1's blocks: `.rept` (repeated with its body's statements counted against the bounds) and the `.if`
family with `.else`/`.elseif` (a mixin of the Assembler; each block's end found once per list of statements)."""

from __future__ import annotations

from ppcinterp.asm.limits import LimitError
from ppcinterp.asm.state import AsmState
from ppcinterp.diagnostics import Pos, SourceError
from ppcinterp.source.statements import Directive, Statement, Sym

BLOCK_OPEN = {".rept", ".irp", ".irpc"}
IF_DIRECTIVES = {".if", ".ifeq", ".ifne", ".ifgt", ".ifge", ".iflt", ".ifle", ".ifdef", ".ifndef",
                 ".ifnotdef", ".ifc", ".ifnc", ".ifb", ".ifnb"}
MAX_DEPTH = 100


class Blocks(AsmState):
    def _block_end(self, stmts: list[Statement], i: int, opens: set[str], close: str) -> tuple[int, list[int]]:
        """Index of the statement closing the block opened at i, and the indices of .else/.elseif at depth 0.
        Found once per list of statements: a .rept body runs the same list at every repeat."""
        memo = self._ends.get(id(stmts))
        if memo is None or memo[0] is not stmts:
            memo = self._ends[id(stmts)] = (stmts, {})
        found = memo[1].get(i)
        if found is None:
            found = memo[1][i] = self._find_block_end(stmts, i, opens, close)
        return found

    def _find_block_end(self, stmts: list[Statement], i: int, opens: set[str], close: str) -> tuple[int, list[int]]:
        depth = 0
        splits: list[int] = []
        for j in range(i + 1, len(stmts)):
            s = stmts[j]
            if not isinstance(s, Directive):
                continue
            if s.name in opens:
                depth += 1
            elif s.name == close:
                if depth == 0:
                    return j, splits
                depth -= 1
            elif depth == 0 and s.name in (".else", ".elseif") and close == ".endif":
                splits.append(j)
        opener = stmts[i]
        assert isinstance(opener, Directive)    # a block opens with a directive
        raise SourceError(f"unterminated {opener.name} (no matching {close})", opener.pos)

    def _rept(self, stmts: list[Statement], i: int) -> int:
        d = stmts[i]
        assert isinstance(d, Directive)         # .rept, .irp or .irpc
        end, _ = self._block_end(stmts, i, BLOCK_OPEN, ".endr")
        if d.name != ".rept":
            raise SourceError(f"directive {d.name} is not supported", d.pos)
        if len(d.args) != 1 or d.args[0] is None:
            raise SourceError(".rept needs one count", d.pos)
        count = self._const(d.args[0], d.pos)
        if not 0 <= count <= 100000:
            raise SourceError(f".rept count {count} out of range", d.pos)
        body = stmts[i + 1:end]
        self._check_rept(count, len(body), d.pos)
        self._nest(d.pos)
        for k in range(count):
            if not body:
                self._spend(d.pos)              # an empty body repeated is work too
            self.repeats.append(count - k)
            self.run_pass1(body)
            self.repeats.pop()
        self.depth -= 1
        return end + 1

    def _if(self, stmts: list[Statement], i: int) -> int:
        end, splits = self._block_end(stmts, i, IF_DIRECTIVES, ".endif")
        bounds = [i, *splits, end]
        for a, b in zip(bounds, bounds[1:], strict=False):
            head = stmts[a]
            assert isinstance(head, Directive)  # the .if, an .else or an .elseif
            if head.name == ".else" or self._condition(head):
                self._nest(head.pos)
                self.run_pass1(stmts[a + 1:b])
                self.depth -= 1
                break
        return end + 1

    def _nest(self, pos: Pos) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise LimitError("nesting of .rept/.if/macros is too deep", pos)

    def _condition(self, d: Directive) -> bool:
        name = d.name if d.name != ".elseif" else ".if"
        if name in (".ifdef", ".ifndef", ".ifnotdef"):
            if len(d.args) != 1 or not isinstance(d.args[0], Sym):
                raise SourceError(f"{name} needs one symbol name", d.pos)
            defined = d.args[0].name in self.symbols
            return defined if name == ".ifdef" else not defined
        if name in (".ifc", ".ifnc", ".ifb", ".ifnb"):
            raise SourceError(f"directive {name} is not supported", d.pos)
        if len(d.args) != 1 or d.args[0] is None:
            raise SourceError(f"{name} needs one expression", d.pos)
        v = self._const(d.args[0], d.pos)
        return {".if": v != 0, ".ifne": v != 0, ".ifeq": v == 0, ".ifgt": v > 0, ".ifge": v >= 0,
                ".iflt": v < 0, ".ifle": v <= 0}[name]
