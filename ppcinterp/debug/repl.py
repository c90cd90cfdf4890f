"""The line-mode prompt: `(ppc) ` with input(), readline editing and in-memory history when available.

EOF (Ctrl-D) ends the session; Ctrl-C at the prompt discards the line; Ctrl-C while a command runs asks the
engine to stop at its next chunk boundary (the state stays consistent, as after a breakpoint).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from contextlib import contextmanager

from ppcinterp.debug.engine import DebugEngine
from ppcinterp.debug.present import full_stop

PROMPT = "(ppc) "


def banner(dbg: DebugEngine) -> str:
    s = dbg.session
    threads = len(s.machine.threads)
    return (f"ppcinterp debugger: {dbg.title} (CPU {s.image.cpu.name}, {threads} hardware "
            f"thread{'s' * (threads != 1)})\n"
            'Type "help" for commands; the run is stopped before its first instruction.\n'
            + full_stop(dbg, dbg.pc))


@contextmanager
def interrupts_stop(dbg: DebugEngine):
    """While a command runs, Ctrl-C asks the engine to stop instead of raising in the middle of a step."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda *_: dbg.interrupt())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        dbg.interrupt(False)              # a Ctrl-C during a command that did not move must not stop the next


def repl(dbg: DebugEngine) -> None:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401 - line editing and history for input(); nothing is written to disk
    print(banner(dbg))
    while not dbg.commands.quit:
        try:
            line = input(PROMPT)
        except EOFError:
            print("quit")
            return
        except KeyboardInterrupt:
            print("\nQuit")
            continue
        with interrupts_stop(dbg):
            text = dbg.execute(line)
        if text:
            print(text, file=sys.stdout if dbg.last_ok else sys.stderr, flush=True)
