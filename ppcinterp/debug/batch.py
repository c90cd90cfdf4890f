"""`ppcinterp debug`: build the engine from a scenario or a source, run the -x scripts and -ex commands (like
gdb: scripts first, then -ex in order), then, without --batch, the full-screen debugger (tui.py) on a terminal
or the line-mode prompt (repl.py).

A failing command prints its message on stderr (`FILE:LINE: ` in front for a script line, and the rest of that
script is skipped, as gdb does) and makes the exit status 1. Scripts are only read.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import TextIO

from ppcinterp.debug.engine import DebugEngine
from ppcinterp.diagnostics import PpcError

MAX_SCRIPT = 1 << 20          # bytes of a -x command file
SOURCE_ONLY = ("cpu", "features", "config", "base", "threads", "current", "kernel_tree", "asm_offsets")


def build(args: argparse.Namespace) -> DebugEngine:
    targets = [args.target] if isinstance(args.target, str) else args.target
    target = targets[0] if len(targets) == 1 else targets          # several sources: objects linked into one
    if isinstance(target, str) and target.endswith(".toml"):
        given = [f"--{name.replace('_', '-')}" for name in SOURCE_ONLY if getattr(args, name) is not None]
        given += ["-I"] * bool(args.include) + ["-D"] * bool(args.define) + ["--entry"] * bool(args.entry)
        given += ["--no-kernel-env"] * args.no_kernel_env
        if given:
            raise PpcError(f"{', '.join(dict.fromkeys(given))}: these options are for a source file; a scenario "
                           "sets them itself")
        return DebugEngine.from_scenario(target, args.source, args.patch, icp_base=args.icp_base,
                                         ram_size=getattr(args, "ram_size", None))
    if not args.entry:
        raise PpcError(f"{' '.join(targets)}: --entry is needed to debug a source file (a label, 'hunk N', 'line N', "
                       "'FILE:LINE', 'upstream N' or an address), or give a scenario (.toml)")
    options = {"cpu": args.cpu, "features": args.features, "config": args.config, "include_dirs": args.include,
               "defines": dict(args.define), "kernel_env": not args.no_kernel_env, "threads": args.threads or 1,
               "current": args.current or 0}
    if args.source is not None:
        raise PpcError("--source is for a scenario; give the source file itself")
    for key in ("base", "kernel_tree", "asm_offsets", "patch", "icp_base", "ram_size"):
        if getattr(args, key, None) is not None:
            options[key] = getattr(args, key)
    return DebugEngine.from_source(target, args.entry, **options)


Emit = Callable[..., None]        # (text, ok, end="\n"): where a command's output goes


def printer(out: TextIO | None = None, err: TextIO | None = None) -> Emit:
    """Output to `out`, errors to `err`; by default the sys.stdout and sys.stderr of the moment of printing
    (a default bound when this module was imported would outlive a redirection)."""
    return lambda text, ok, end="\n": print(text, end=end, file=(out or sys.stdout) if ok else (err or sys.stderr),
                                            flush=not ok)


def show(dbg: DebugEngine, text: str, ok: bool, emit: Emit) -> None:
    """A command's output: exactly as echo / printf / output made it, else as whole lines."""
    raw = dbg.commands.raw
    if ok and raw is not None:
        if raw:
            emit(raw, True, "")
    elif text:
        emit(text, ok)


def run_line(dbg: DebugEngine, line: str, emit: Emit) -> bool:
    """Execute one command line, emit what it prints; False when it failed."""
    if dbg.commands.trace_commands and line.strip():
        emit(f"+{line.strip()}", True)
    text = dbg.execute(line)
    ok = dbg.last_ok
    show(dbg, text, ok, emit)
    return ok


def run_script(dbg: DebugEngine, path: str, emit: Emit) -> bool:
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_SCRIPT + 1)
        if len(raw) > MAX_SCRIPT:
            raise ValueError(f"larger than {MAX_SCRIPT >> 20} MiB")
        lines = raw.decode("utf-8").splitlines()
    except (OSError, ValueError) as e:         # ValueError: a NUL in the name, not UTF-8 text, too large
        why = e.strerror if isinstance(e, OSError) else "not UTF-8 text" if isinstance(e, UnicodeDecodeError) else e
        emit(f"{path[:200]}: cannot read the command file: {why}", False)
        return False
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue                                   # in a file, an empty line does not repeat
        if dbg.commands.trace_commands:
            emit(f"+{line.strip()}", True)
        text = dbg.execute(line)
        if not dbg.last_ok:
            emit(f"{path}:{number}: Error in sourced command file:\n{text}", False)
            return False
        show(dbg, text, True, emit)
        if dbg.commands.quit:
            break
    if dbg.commands.block is not None:
        emit(f"{path}: the file ends inside '{dbg.commands.block.kind} {dbg.commands.block.head[:80]}' (no `end').",
             False)
        dbg.commands.block = None
        return False
    return True


def main(args: argparse.Namespace) -> int:
    """Scripts, then -ex commands, then (unless --batch, or they quit) the full-screen debugger on a terminal,
    the line-mode prompt elsewhere or with --no-tui. Before the TUI, their output goes to its log."""
    dbg = build(args)
    if getattr(args, "screenshot", None):
        from ppcinterp.debug.tui_shot import screenshot
        return screenshot(dbg, args)
    tui = not args.batch and not args.no_tui and terminal()
    kept: list[tuple[str, bool]] = []
    emit = (lambda text, ok, end="\n": kept.append((text, ok))) if tui else printer()
    if not tui:
        for note in dbg.notes:
            print(note, file=sys.stderr)
    ok = True
    for path in args.scripts:
        ok &= run_script(dbg, path, emit)
        if dbg.commands.quit:
            return _flush(kept, ok)
    for line in args.commands:
        ok &= run_line(dbg, line, emit)
        if dbg.commands.quit:
            return _flush(kept, ok)
    if args.batch:
        return 0 if ok else 1
    if tui:
        from ppcinterp.debug.tui import run_tui
        return run_tui(dbg, kept, 0 if ok else 1)
    from ppcinterp.debug.repl import repl
    repl(dbg)
    return 0 if ok else 1


def terminal() -> bool:
    """Full screen only on a terminal: stdin for keys, stdout as the user's, stderr where textual draws."""
    streams = (sys.stdin, sys.stdout, sys.stderr)
    return all(s is not None and s.isatty() for s in streams) and os.environ.get("TERM", "dumb") != "dumb"


def _flush(kept: list[tuple[str, bool]], ok: bool) -> int:
    """The commands quit before the TUI started: print what they said."""
    emit = printer()
    for text, good in kept:
        emit(text, good)
    return 0 if ok else 1
