"""The debugger's and the other tools' commands: debug, gdbserver, examples, census, litmus."""

from __future__ import annotations

import argparse

from ppcinterp.cli_args import (
    define_arg,
    int_arg,
    other_source,
    placement_option,
    positive,
    ram_option,
    screen_size,
    tree_options,
    unroll,
)
from ppcinterp.diagnostics import PpcError


def debug_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("target", nargs="+", metavar="SCENARIO|FILE",
                   help="a scenario (.toml), or an assembly source (.S) with --entry")
    p.add_argument("--entry", help="where a source file's run starts: a label, 'hunk N', 'line N', 'upstream N'")
    p.add_argument("--batch", action="store_true", help="run the -x and -ex commands, print their output, exit")
    p.add_argument("--no-tui", action="store_true", help="the line-mode (ppc) prompt instead of the full-screen "
                   "debugger (the default on a terminal; elsewhere the prompt is used anyway)")
    p.add_argument("-x", dest="scripts", action="append", default=[], metavar="FILE",
                   help="execute debugger commands from FILE ('#' starts a comment)")
    p.add_argument("-ex", dest="commands", action="append", default=[], metavar="CMD",
                   help="execute one command (repeatable; after the -x files, in order)")
    p.add_argument("--screenshot", metavar="FILE.svg", help="run the -ex commands in the full screen, headless, "
                   "save it as SVG and exit (a picture for a report)")
    p.add_argument("--size", type=screen_size, default=(80, 24), metavar="WxH",
                   help="the full screen's size for --screenshot (default 80x24)")
    _engine_options(p)


def _engine_options(p: argparse.ArgumentParser) -> None:
    """What `debug` and `gdbserver` build their session from (debug/batch.py): a scenario's or a FILE's options."""
    other_source(p)
    placement_option(p)
    ram_option(p)
    src = p.add_argument_group("source options (a FILE, not a scenario)")
    src.add_argument("--cpu", default=None, help="CPU model for feature sections (default POWER7)")
    src.add_argument("--features", type=int_arg, default=None, metavar="MASK", help="cpu_features value to use")
    src.add_argument("--config", default=None, help="kernel config for asm-offsets (default pseries_defconfig)")
    src.add_argument("-I", dest="include", action="append", default=[], metavar="DIR", help="#include search dir")
    src.add_argument("-D", dest="define", action="append", default=[], type=define_arg, metavar="NAME[=VALUE]",
                     help="define a preprocessor macro")
    src.add_argument("--no-kernel-env", action="store_true", help="do not force-include ppcinterp/env.h")
    tree_options(src)
    src.add_argument("--base", type=int_arg, default=None, help="address of .text (default 0x100000)")
    src.add_argument("--threads", type=int_arg, default=None, help="hardware threads in the core (default 1)")
    src.add_argument("--current", type=int_arg, default=None, help="the thread that runs (default 0)")


def cmd_debug(args: argparse.Namespace) -> int:
    from ppcinterp.debug.batch import main
    from ppcinterp.debug.errors import InternalError
    from ppcinterp.debug.fatal import internal_error_text, report_internal_error

    try:
        return main(args)
    except InternalError as e:              # `maintenance internal-error`, in batch or line mode
        return report_internal_error(str(e))
    except (PpcError, KeyboardInterrupt, BrokenPipeError, RecursionError):
        raise
    except Exception as e:                   # noqa: BLE001 - a bug: one line and status 70, not a traceback
        return report_internal_error(internal_error_text(e))


def gdbserver_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("target", nargs="+", metavar="SCENARIO|FILE",
                   help="a scenario (.toml), or an assembly source (.S) with --entry")
    p.add_argument("--entry", help="where a source file's run starts: a label, 'hunk N', 'line N', 'upstream N'")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--listen", metavar="[HOST:]PORT", help="serve gdb over TCP: target remote :PORT (HOST: "
                     "127.0.0.1 unless given; PORT 0 picks a free port, said on stderr)")
    how.add_argument("--stdio", action="store_true", help="serve one gdb over stdin/stdout: "
                     "target remote | ppcinterp gdbserver --stdio ...")
    p.add_argument("--once", action="store_true", help="exit when the first client leaves")
    _engine_options(p)


def cmd_gdbserver(args: argparse.Namespace) -> int:
    from ppcinterp.gdbstub.main import main

    return main(args)


def examples_options(p: argparse.ArgumentParser) -> None:
    from ppcinterp.examples import DEFAULT_DIR

    p.add_argument("dir", nargs="?", default=DEFAULT_DIR, metavar="DIR", help=f"where to copy (default: {DEFAULT_DIR})")
    p.add_argument("--force", action="store_true", help="replace files in DIR that differ from the examples")


def cmd_examples(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ppcinterp.examples import FRAGMENT, copy_examples

    dest = Path(args.dir)
    written, same = copy_examples(dest, force=args.force)
    print(f"{len(written)} file(s) copied to {dest}" + (f", {len(same)} already there" if same else ""))
    print(f"the README's tour runs there: cd {dest} && ppcinterp check {FRAGMENT}")
    return 0


def census_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kernel-tree", required=True, metavar="DIR", help="a configured kernel tree (as for check)")
    p.add_argument("--config", metavar="FILE", help="the .config the Makefiles are read with (default DIR/.config)")
    p.add_argument("--log", metavar="FILE", help="the .S files a 'make V=1' log assembles, with their -I/-D options, "
                   "instead of reading the Makefiles")
    p.add_argument("--dirs", metavar="DIR,...", help="the directories whose objects to check, relative to the tree "
                   "(default: arch/powerpc/{kernel,kvm,lib,mm} and arch/powerpc/platforms/{powernv,pseries})")
    p.add_argument("--no-compare", action="store_true", help="do not compare with GNU as (also when it is absent)")
    p.add_argument("--json", action="store_true", help="the rows, notes and totals as JSON")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the build cache")


def litmus_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE.litmus", help="herd7 PPC litmus tests")
    p.add_argument("--model", choices=("power", "sc"), default="power",
                   help="the memory model: power (herd7's ppc.cat, the default) or sc")
    p.add_argument("--max-executions", type=positive, default=100_000, metavar="N",
                   help="candidate executions (and thread runs) examined per test before stopping (default 100000)")
    p.add_argument("--unroll", type=unroll, default=2, metavar="N",
                   help="times a backward branch may be taken in a run, as herd's -unroll (0 to 100, default 2)")


def cmd_litmus(args: argparse.Namespace) -> int:
    from ppcinterp.litmus.run import run_file

    for k, path in enumerate(args.files):
        print(("\n" if k else "") + run_file(path, args.model, args.max_executions, args.unroll).render())
    return 0


def cmd_census(args: argparse.Namespace) -> int:
    from ppcinterp.kbuild.census import DEFAULT_DIRS, census, render_json, render_text

    dirs = tuple(d.strip() for d in args.dirs.split(",") if d.strip()) if args.dirs else DEFAULT_DIRS
    c = census(args.kernel_tree, args.config, args.log, dirs, not args.no_compare)
    print(render_json(c) if args.json else render_text(c))
    return 0 if c.ok else 1
