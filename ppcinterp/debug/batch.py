"""`ppcinterp debug`: build the engine from a scenario or a source, run the -x scripts and -ex commands (like
gdb: scripts first, then -ex in order), then, without --batch, the line-mode prompt.

A failing command prints its message on stderr (`FILE:LINE: ` in front for a script line, and the rest of that
script is skipped, as gdb does) and makes the exit status 1. Scripts are only read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from ppcinterp.debug.engine import DebugEngine
from ppcinterp.diagnostics import PpcError

SOURCE_ONLY = ("cpu", "features", "config", "base", "threads", "current")


def build(args: argparse.Namespace) -> DebugEngine:
    target = args.target
    if target.endswith(".toml"):
        given = [f"--{name}" for name in SOURCE_ONLY if getattr(args, name) is not None]
        given += ["-I"] * bool(args.include) + ["-D"] * bool(args.define) + ["--entry"] * bool(args.entry)
        given += ["--no-kernel-env"] * args.no_kernel_env
        if given:
            raise PpcError(f"{', '.join(dict.fromkeys(given))}: these options are for a source file; a scenario "
                           "sets them itself")
        return DebugEngine.from_scenario(target)
    if not args.entry:
        raise PpcError(f"{target}: --entry is needed to debug a source file (a label, 'hunk N', 'line N', "
                       "'FILE:LINE', 'upstream N' or an address), or give a scenario (.toml)")
    options = {"cpu": args.cpu, "features": args.features, "config": args.config, "include_dirs": args.include,
               "defines": dict(args.define), "kernel_env": not args.no_kernel_env, "threads": args.threads or 1,
               "current": args.current or 0}
    if args.base is not None:
        options["base"] = args.base
    return DebugEngine.from_source(target, args.entry, **options)


def run_line(dbg: DebugEngine, line: str, out: TextIO) -> bool:
    """Execute one command line, print what it prints; False when it failed."""
    if dbg.commands.trace_commands and line.strip():
        print(f"+{line.strip()}", file=out)
    text = dbg.execute(line)
    ok = dbg.last_ok
    if text:
        print(text, file=out if ok else sys.stderr)
    return ok


def run_script(dbg: DebugEngine, path: str, out: TextIO) -> bool:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        why = e.strerror if isinstance(e, OSError) else "not UTF-8 text"
        print(f"{path}: cannot read the command file: {why}", file=sys.stderr)
        return False
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue                                   # in a file, an empty line does not repeat
        if dbg.commands.trace_commands:
            print(f"+{line.strip()}", file=out)
        text = dbg.execute(line)
        if not dbg.last_ok:
            print(f"{path}:{number}: Error in sourced command file:\n{text}", file=sys.stderr)
            return False
        if text:
            print(text, file=out)
        if dbg.commands.quit:
            break
    return True


def main(args: argparse.Namespace) -> int:
    dbg = build(args)
    out = sys.stdout
    for note in dbg.notes:
        print(note, file=sys.stderr)
    ok = True
    for path in args.scripts:
        ok &= run_script(dbg, path, out)
        if dbg.commands.quit:
            return 0 if ok else 1
    for line in args.commands:
        ok &= run_line(dbg, line, out)
        if dbg.commands.quit:
            return 0 if ok else 1
    if args.batch:
        return 0 if ok else 1
    from ppcinterp.debug.repl import repl
    repl(dbg)
    return 0 if ok else 1
