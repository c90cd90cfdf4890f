"""The one entry point: `ppcinterp SUBCOMMAND ...`. Bad input ends in a positioned message and exit 1."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from ppcinterp import cache
from ppcinterp.about import VersionAction
from ppcinterp.cli_args import build_from_args, source_options
from ppcinterp.cli_study import (
    cmd_interleave,
    cmd_paths,
    cmd_run,
    cmd_scenario,
    cmd_trace,
    interleave_options,
    paths_options,
    scenario_file_options,
    scenario_options,
    trace_options,
)
from ppcinterp.cli_tools import (
    census_options,
    cmd_census,
    cmd_debug,
    cmd_examples,
    cmd_gdbserver,
    cmd_litmus,
    debug_options,
    examples_options,
    gdbserver_options,
    litmus_options,
)
from ppcinterp.diagnostics import PpcError


def cmd_check(args: argparse.Namespace) -> int:
    from ppcinterp.views.summary import summary

    img, opts = build_from_args(args)
    if args.features_list:
        from ppcinterp.views.feature_words import feature_words

        print(feature_words(img))
        return 0
    print(summary(img, opts.config))
    _print_map(args, img)
    return 0


def _check_options(p: argparse.ArgumentParser) -> None:
    source_options(p)
    p.add_argument("--features-list", action="store_true",
                   help="print every bit of the CPU's cpu_features, mmu_features and fw_features words with its "
                   "kernel name (from the file's headers) and whether the CPU has it, instead of the summary")


def _print_map(args: argparse.Namespace, img) -> None:
    if args.map:
        from ppcinterp.views.linkmap import link_map

        print(link_map(img.program))


def cmd_disasm(args: argparse.Namespace) -> int:
    from ppcinterp.views.listing import listing

    img, _ = build_from_args(args)
    _print_map(args, img)
    print(listing(img))
    return 0


def _elf_options(p: argparse.ArgumentParser) -> None:
    source_options(p)
    p.add_argument("-o", dest="output", required=True, metavar="OUT", help="the ELF file to write")


def cmd_elf(args: argparse.Namespace) -> int:
    from ppcinterp.elf import write_elf

    img, _ = build_from_args(args)
    write_elf(img, args.output)
    _print_map(args, img)
    return 0


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], str, Callable[[argparse.ArgumentParser], None]]] = {
    "check": (cmd_check, "read and assemble a file; print a summary", _check_options),
    "disasm": (cmd_disasm, "objdump-style listing for a CPU", source_options),
    "elf": (cmd_elf, "write an ELF executable of the image for gdb and binutils: symbols and DWARF line info",
            _elf_options),
    "run": (cmd_run, "run scenarios and check their expectations", scenario_options),
    "trace": (cmd_trace, "run a scenario, printing every step and what it changed", trace_options),
    "interleave": (cmd_interleave, "interleave a second actor at every instruction boundary; check an invariant",
                   interleave_options),
    "paths": (cmd_paths, "every path an entry takes over an input domain, with branch coverage", paths_options),
    "debug": (cmd_debug, "step through a scenario or an entry with a gdb-like debugger (reverse steps too)",
              debug_options),
    "gdbserver": (cmd_gdbserver, "let gdb attach: its remote protocol (reverse execution too) over TCP or stdio",
                  gdbserver_options),
    "census": (cmd_census, "every .S object kbuild assembles in a kernel tree: built, and compared with GNU as",
               census_options),
    "litmus": (cmd_litmus, "run herd7 PPC litmus tests under the Power memory model (or sc); print herd's result",
               litmus_options),
    "examples": (cmd_examples, "copy the seed's examples (asm/: the fragment, scenarios, domains, debugger scripts) "
                 "into DIR, where the README's tour runs", examples_options),
    "scenario": (cmd_scenario, "the scenario format: --schema prints its JSON Schema, new FILE writes a starter",
                 scenario_file_options),
}


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="ppcinterp", description="Run Linux kernel PowerPC assembly source.")
    ap.add_argument("--version", action=VersionAction,
                    help="show the versions of ppcinterp, Python and the dependencies, and exit")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, help_text, add) in COMMANDS.items():
        add(sub.add_parser(name, help=help_text, description=help_text))
    return ap


def run() -> NoReturn:
    """The console script and `python -m ppcinterp`: main(), then exit without freeing the heap object by object
    (after a large build that teardown took seconds: 4 s of 15 for a file of 99,000 instructions)."""
    try:
        status = main()
    except SystemExit as e:             # argparse's --help, --version and usage errors (it printed them)
        if not isinstance(e.code, int | None):
            raise
        status = e.code or 0
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except BrokenPipeError:             # --help or --version into a reader that stopped early
        return 0
    was_disabled = cache.set_disabled(cache.disabled() or getattr(args, "no_cache", False))
    try:
        return COMMANDS[args.command][0](args)
    except PpcError as e:
        print(e.render(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ppcinterp: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except RecursionError:
        print("ppcinterp: error: input nests too deeply", file=sys.stderr)
        return 1
    finally:
        cache.set_disabled(was_disabled)
