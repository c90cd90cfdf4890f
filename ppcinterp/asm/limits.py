"""How much one file may make the assembler do: statements assembled (`.rept` repeats and macro bodies
counted), bytes laid out, macro text re-read. Each bound ends in a positioned error, in well under a second
of CPU, and is far beyond what a kernel file needs (the upstream book3s_hv_rmhandlers.S assembles a few
thousand statements into some tens of KiB).
"""

from __future__ import annotations

import math

from ppcinterp.asm.state import AsmState
from ppcinterp.diagnostics import Pos, SourceError

MAX_STATEMENTS = 100_000         # statements pass 1 assembles, counting every .rept repeat and macro body
                                 # (v3.10's largest object, head_64.S with exceptions-64s.S: 15,058)
MAX_BYTES = 64 << 20             # bytes of all sections together
MAX_OPERATORS = 500_000          # operators of the expressions assembled, counted like statements
MAX_MACRO_TEXT = 10_000_000      # characters of text macro invocations make (argument substitution)
MAX_MACRO_PARSE = 500_000        # of those, characters parsed (text seen before is not parsed again)


class LimitError(SourceError):
    """A bound passed: the assembler does not go on after it (as it does after other errors)."""


class Limits(AsmState):
    """The Assembler's budgets (mixed in; `_init_limits` is called from its constructor)."""

    def _init_limits(self) -> None:
        self.statements = 0
        self.bytes_total = 0
        self.operators = 0
        self.macro_text = 0
        self.macro_parsed = 0
        self.repeats: list[int] = []          # iterations left of each enclosing .rept, this one included

    def _spend(self, pos: Pos) -> None:
        """One more statement assembled (or one more .rept iteration)."""
        self.statements += 1
        if self.statements > MAX_STATEMENTS:
            raise LimitError(f"this file assembles more than {MAX_STATEMENTS} statements, counting .rept "
                              "repeats and macro bodies (the most ppcinterp assembles for one file)", pos)

    def _check_rept(self, count: int, body_len: int, pos: Pos) -> None:
        """Refuse, before repeating anything, a .rept that would pass the statement bound with the .rept
        blocks around it (`.rept 100000` inside `.rept 100000` ends here, not after minutes)."""
        total = count * max(body_len, 1) * math.prod(self.repeats)
        if self.statements + total > MAX_STATEMENTS:
            around = f" inside .rept blocks that repeat it {math.prod(self.repeats)} times" if self.repeats else ""
            raise LimitError(f".rept {count} of {body_len} statement{'s' * (body_len != 1)}{around} would "
                              f"assemble {total} statements, taking the file past the {MAX_STATEMENTS} ppcinterp "
                              "assembles for one file", pos)

    def _room(self, size: int, pos: Pos | None, what: str) -> None:
        """Check, before any bytes are made, that `size` more bytes keep the sections within MAX_BYTES."""
        if self.bytes_total + size > MAX_BYTES:
            raise LimitError(f"{what} would grow the sections past {MAX_BYTES >> 20} MiB in all (section "
                              f"{self.cur.name} is at {self.cur.size:#x}, {size:#x} more bytes asked for); "
                              f"ppcinterp lays out at most {MAX_BYTES >> 20} MiB for one file", pos)

    def _spend_operators(self, n: int, pos: Pos | None) -> None:
        self.operators += n
        if self.operators > MAX_OPERATORS:
            raise LimitError(f"the expressions of this file have more than {MAX_OPERATORS} operators in all, "
                              "counting .rept repeats and macro bodies", pos)

    def _macro_text(self, made: int, parsed: int, pos: Pos, name: str) -> None:
        """A macro invocation made `made` characters of text, `parsed` of which are new (to be parsed)."""
        self.macro_text += made
        self.macro_parsed += parsed
        if self.macro_text > MAX_MACRO_TEXT or self.macro_parsed > MAX_MACRO_PARSE:
            what = (f"make more than {MAX_MACRO_TEXT} characters of text" if self.macro_text > MAX_MACRO_TEXT
                    else f"make more than {MAX_MACRO_PARSE} characters of new text to read")
            raise LimitError(f"macro invocations {what} (at '{name}': a macro that invokes itself without "
                              "end?)", pos)
