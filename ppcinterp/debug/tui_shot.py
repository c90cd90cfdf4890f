"""A picture of the full screen for a report: `ppcinterp debug SCENARIO --screenshot out.svg [--size 80x24]
-x FILE -ex CMD...` runs the -x scripts (their output goes to the log, as before the full screen), then types
each -ex command in the full screen, headless at that size, saves the screen as SVG and exits: status 1 when a
command failed, as --batch. (On a terminal, Ctrl-S saves the screen the same way.)"""

from __future__ import annotations

import argparse
import os
import sys

from ppcinterp.debug.engine import DebugEngine
from ppcinterp.debug.fatal import report_internal_error
from ppcinterp.diagnostics import PpcError


def screenshot(dbg: DebugEngine, args: argparse.Namespace) -> int:
    from ppcinterp.debug.batch import run_script
    from ppcinterp.debug.tui import DebuggerApp

    if args.batch or args.no_tui:
        raise PpcError("--screenshot runs the full screen: not with --batch or --no-tui")
    path = args.screenshot
    if not os.path.isdir(os.path.dirname(path) or "."):
        raise PpcError(f"{path}: cannot save the screen there: no such directory")
    kept: list[tuple[str, bool]] = []
    ok = True
    for script in args.scripts:
        ok &= run_script(dbg, script, lambda text, good, end="\n": kept.append((text, good)))
    app = DebuggerApp(dbg, kept, 0 if ok else 1, script=list(args.commands), shot=path)
    app.run(headless=True, size=args.size)
    if app.failure is not None:
        return report_internal_error(app.failure)
    if app.shot_error is not None:
        print(app.shot_error, file=sys.stderr)
        return 1
    print(f"Saved the screen ({args.size[0]}x{args.size[1]}) to {path}")
    return app.return_code or 0
