"""Several errors of one file, reported as a compiler reports them: each with its caret, in the order of the
file, then how many there were. The parser and the assembler record an error and go on with the next line or
statement, up to MAX_ERRORS; the build then raises one SourceErrors carrying them all."""

from __future__ import annotations

from ppcinterp.diagnostics import SourceError

MAX_ERRORS = 20


class SourceErrors(SourceError):
    """The errors of a build; its message and position are the first's (for callers that read only one)."""

    def __init__(self, errors: list[SourceError], stopped: bool = False):
        flat = [x for e in errors for x in (e.errors if isinstance(e, SourceErrors) else [e])]
        self.errors: list[SourceError] = sorted(flat, key=lambda e: (e.pos is None, e.pos.file if e.pos else "",
                                                  e.pos.line if e.pos else 0, e.pos.col if e.pos else 0))
        self.stopped: bool = stopped or any(isinstance(e, SourceErrors) and e.stopped for e in errors)
        first = self.errors[0]
        super().__init__(first.message, first.pos, first.notes)

    def render(self) -> str:
        n = len(self.errors)
        told = f"{n} errors" + (f": ppcinterp stops at {MAX_ERRORS}" if self.stopped else "")
        return "\n".join([e.render() for e in self.errors] + [told])


def collected(errors: list[SourceError], stopped: bool = False) -> SourceError:
    """The one error to raise for a file's errors: the error itself when it is alone."""
    return errors[0] if len(errors) == 1 and not isinstance(errors[0], SourceErrors) else \
        SourceErrors(errors, stopped)
