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

from ppcinterp.debug.cmd_script import prompt_text
from ppcinterp.debug.complete import complete
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


def completion(dbg: DebugEngine, readline) -> None:
    """Tab completes as gdb's does (complete.py): the word before the cursor, from the whole line so far."""
    found: list[str] = []

    def completer(text: str, state: int) -> str | None:
        if state == 0:
            line = readline.get_line_buffer()[:readline.get_endidx()]
            start = len(line) - len(text)
            found[:] = [c[start:] for c in complete(dbg, line) if c.startswith(line[:start])]
        return found[state] if state < len(found) else None

    readline.set_completer_delims(" \t,()*+-/=<>!&|^~{}")
    readline.set_completer(completer)
    readline.parse_and_bind("tab: complete")


def repl(dbg: DebugEngine) -> None:
    with contextlib.suppress(ImportError):
        import readline  # line editing and history for input(); nothing is written to disk
        completion(dbg, readline)
    print(banner(dbg))
    c = dbg.commands
    while not c.quit:
        try:
            line = input(">" if c.block is not None else PROMPT)
        except EOFError:
            if c.block is not None:            # Ctrl-D ends a block as `end` would
                print("end")
                dbg.execute("end")
                continue
            print("quit")
            return
        except KeyboardInterrupt:
            print("\nQuit")
            c.block = None
            continue
        with interrupts_stop(dbg):
            text = dbg.execute(line)
        if c.raw is not None and dbg.last_ok:
            print(c.raw, end="", flush=True)
        elif text:
            print(text, file=sys.stdout if dbg.last_ok else sys.stderr, flush=True)
        if c.block is not None and not c.block.lines and dbg.last_ok and (hint := prompt_text(c.block)):
            print(hint, flush=True)
