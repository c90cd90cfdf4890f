"""The one error of the debugger: a gdb-like one-line message; the session goes on."""


class DebugError(Exception):
    """A command failed; str(e) is the message shown to the user (gdb's wording where gdb has one)."""
