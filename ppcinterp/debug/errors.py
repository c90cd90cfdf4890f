"""The errors of the debugger: DebugError, a gdb-like one-line message after which the session goes on, and
InternalError, a fault of the debugger itself that ends the session (every UI reports it as one line)."""


class DebugError(Exception):
    """A command failed; str(e) is the message shown to the user (gdb's wording where gdb has one)."""


class InternalError(Exception):
    """The debugger cannot go on (gdb's internal-error); `maintenance internal-error` raises one on purpose
    so that each UI's way out (terminal restored, one line, non-zero exit) can be exercised."""
