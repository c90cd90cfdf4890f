"""How a debugging session ends on an internal error, whatever the UI: the terminal as it was, one line on
stderr that says what failed (a hint on a second), exit status 70. PPCINTERP_TRACEBACK=1 adds the traceback."""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Iterator

INTERNAL_ERROR = 70            # exit status (sysexits' EX_SOFTWARE)


def internal_error_text(e: BaseException) -> str:
    """The one-line account of an unexpected exception (its traceback too, on request)."""
    if os.environ.get("PPCINTERP_TRACEBACK"):
        traceback.print_exception(e, file=sys.stderr)
    return f"{type(e).__name__}: {e}"


def report_internal_error(message: str) -> int:
    print(f"ppcinterp: internal error in the debugger: {message}", file=sys.stderr)
    print("ppcinterp: (the session has ended and nothing was written; PPCINTERP_TRACEBACK=1 shows where it "
          "happened; --no-tui gives the line-mode prompt)", file=sys.stderr)
    return INTERNAL_ERROR


@contextlib.contextmanager
def terminal_kept() -> Iterator[None]:
    """Textual restores the terminal itself; this puts the line discipline back even if textual could not, and
    leaves the alternate screen only then (doing it after textual did would move the cursor)."""
    try:
        import termios
        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
    except (ImportError, OSError, ValueError, AttributeError):
        yield
        return
    try:
        yield
    except BaseException:
        sys.__stderr__.write("\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1003l\x1b[?1006l")
        sys.__stderr__.flush()
        raise
    finally:
        with contextlib.suppress(OSError):
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
