"""The one entry point: `ppcinterp SUBCOMMAND ...`. Bad input ends in a positioned message and exit 1."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from ppcinterp import cache
from ppcinterp.about import VersionAction
from ppcinterp.diagnostics import PpcError


def _int(text: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None


def _size(text: str) -> tuple[int, int]:
    w, x, h = text.lower().partition("x")
    if not (x and w.isdigit() and h.isdigit() and 40 <= int(w) <= 1000 and 10 <= int(h) <= 500):
        raise argparse.ArgumentTypeError(f"'{text}' is not a screen size: WIDTHxHEIGHT, 40x10 to 1000x500")
    return int(w), int(h)


def _define(text: str) -> tuple[str, str | None]:
    name, eq, value = text.partition("=")
    if not name.isidentifier():
        raise argparse.ArgumentTypeError(f"'{name}' is not a macro name")
    return name, value if eq else None


def _tree_options(p) -> None:
    p.add_argument("--kernel-tree", default=None, metavar="DIR",
                   help="preprocess as kbuild does in this configured kernel tree (its headers, kconfig.h and "
                   "autoconf.h; none of ppcinterp's own environment)")
    p.add_argument("--asm-offsets", default=None, metavar="FILE",
                   help="the asm-offsets.h that <asm/asm-offsets.h> and <generated/asm-offsets.h> read")
    # Every command that builds takes the tree options, so --no-cache lives here once.
    p.add_argument("--no-cache", action="store_true",
                   help="neither read nor write the build cache (also: PPCINTERP_NO_CACHE=1)")


def _with_tree(sc, args: argparse.Namespace):
    """--kernel-tree, --asm-offsets and --icp-base on the command line win over a scenario's keys."""
    from ppcinterp.study.inputs import given

    for key in ("kernel_tree", "asm_offsets"):
        if getattr(args, key) is not None:
            sc.data[key] = str(given(getattr(args, key), f"--{key.replace('_', '-')}"))
    if getattr(args, "icp_base", None) is not None:
        sc.data["icp_base"] = args.icp_base
    if getattr(args, "ram_size", None) is not None:
        sc.data["ram_size"] = args.ram_size
    return sc


def _placement_option(p) -> None:
    p.add_argument("--icp-base", type=_int, default=None, metavar="ADDR",
                   help="real address of thread 0's ICP page (thread N's at ADDR + N * 0x1000; each PACA's "
                   "kvm_hstate.xics_phys points at its own); default 0x3fffe00000000")


def _ram_bytes(text: str) -> int:
    from ppcinterp.api_call import check_ram_size, parse_size

    try:
        return check_ram_size(parse_size(text))
    except PpcError as e:
        raise argparse.ArgumentTypeError(e.message) from None


def _ram_option(p) -> None:
    p.add_argument("--ram-size", type=_ram_bytes, default=None, metavar="BYTES",
                   help="bytes of RAM at 0x1000000 (64K to 1G, e.g. 64M; default: the scenario's ram_size, or 1M)")


def _source_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="assembly source (.S); several are each an object, linked into one program")
    p.add_argument("--map", action="store_true",
                   help="also print the link map: where each object's sections and each global symbol went")
    p.add_argument("--cpu", default=None,
                   help="CPU model for feature sections: POWER7 (default), POWER8, POWER6, PPC970")
    p.add_argument("--features", type=_int, default=None, metavar="MASK",
                   help="use this cpu_features value instead of the CPU model's")
    p.add_argument("--config", default=None, help="kernel config for asm-offsets: pseries_defconfig (default), "
                   "ppc64_defconfig")
    p.add_argument("-I", dest="include", action="append", default=[], metavar="DIR",
                   help="search DIR for #include before the kernel environment")
    p.add_argument("-D", dest="define", action="append", default=[], type=_define, metavar="NAME[=VALUE]",
                   help="define a preprocessor macro")
    p.add_argument("--no-kernel-env", action="store_true",
                   help=f"do not force-include {'ppcinterp/env.h'} (the file includes what it needs itself)")
    p.add_argument("--base", type=_int, default=None, help="address of .text (default 0x100000)")
    p.add_argument("--extern", action="append", default=[], metavar="SYMBOL",
                   help="SYMBOL is defined in another object (as .extern SYMBOL would say)")
    _tree_options(p)


def _build(args: argparse.Namespace):
    from ppcinterp.asm.cpus import cpu_model
    from ppcinterp.build import DEFAULT_BASE, DEFAULT_CONFIG, BuildOptions, build_image

    opts = BuildOptions(include_dirs=args.include, defines=dict(args.define),
                        config=args.config or DEFAULT_CONFIG, kernel_env=not args.no_kernel_env,
                        base=DEFAULT_BASE if args.base is None else args.base, externs=args.extern,
                        kernel_tree=args.kernel_tree, asm_offsets=args.asm_offsets)
    files = args.files[0] if len(args.files) == 1 else args.files
    return build_image(files, opts, cpu_model(args.cpu, args.features)), opts


def cmd_check(args: argparse.Namespace) -> int:
    from ppcinterp.views.summary import summary

    img, opts = _build(args)
    if args.features_list:
        from ppcinterp.views.feature_words import feature_words

        print(feature_words(img))
        return 0
    print(summary(img, opts.config))
    _print_map(args, img)
    return 0


def _check_options(p: argparse.ArgumentParser) -> None:
    _source_options(p)
    p.add_argument("--features-list", action="store_true",
                   help="print every bit of the CPU's cpu_features, mmu_features and fw_features words with its "
                   "kernel name (from the file's headers) and whether the CPU has it, instead of the summary")


def _print_map(args: argparse.Namespace, img) -> None:
    if args.map:
        from ppcinterp.views.linkmap import link_map

        print(link_map(img.program))


def cmd_disasm(args: argparse.Namespace) -> int:
    from ppcinterp.views.listing import listing

    img, _ = _build(args)
    _print_map(args, img)
    print(listing(img))
    return 0


def _elf_options(p: argparse.ArgumentParser) -> None:
    _source_options(p)
    p.add_argument("-o", dest="output", required=True, metavar="OUT", help="the ELF file to write")


def cmd_elf(args: argparse.Namespace) -> int:
    from ppcinterp.elf import write_elf

    img, _ = _build(args)
    write_elf(img, args.output)
    _print_map(args, img)
    return 0


def _other_source(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", action="append", default=None, metavar="FILE",
                   help="run on FILE instead of the scenario's source (e.g. the whole upstream file); repeated: "
                   "several objects linked into one program")
    p.add_argument("--patch", default=None, metavar="PATCH",
                   help="the patch whose hunks 'hunk N' names in that file (default: the seed's)")


ASSEMBLY = (".S", ".s", ".sx", ".asm")


def _run_targets(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO|FILE.S",
                   help="scenario files (.toml), or assembly sources (.S) with --entry: linked into one program")
    p.add_argument("--entry", help="where an assembly source's run starts: a label, 'hunk N', 'line N', 'FILE:LINE', "
                   "'upstream N'")
    p.add_argument("--cpu", default=None, help="CPU model for an assembly source: POWER7 (default), POWER8, POWER6, "
                   "PPC970")
    _other_source(p)
    _tree_options(p)
    _placement_option(p)
    _ram_option(p)


def _scenario_options(p: argparse.ArgumentParser) -> None:
    _run_targets(p)


def _trace_options(p: argparse.ArgumentParser) -> None:
    _run_targets(p)
    p.add_argument("--json", action="store_true", help="JSON lines, one per step, for other tools")


def _scenarios(args: argparse.Namespace) -> list[Callable[[], object]]:
    """What run and trace run, in order: each scenario file, and the assembly sources given with --entry as one
    program (a scenario of the command line), each made when its turn comes (an error ends that one only)."""
    from ppcinterp.study import scenario

    sources = [t for t in args.scenarios if t.endswith(ASSEMBLY)]
    if sources and args.entry is None:
        raise PpcError(f"{sources[0]} is assembly source, not a scenario: give where to start, as in "
                       f"'ppcinterp {args.command} {sources[0]} --entry LABEL' (or 'ppcinterp debug {sources[0]} "
                       f"--entry LABEL'; 'ppcinterp scenario new my.toml --entry LABEL --source {sources[0]}' writes a "
                       "scenario)")
    if args.entry is not None and not sources:
        raise PpcError("--entry is for an assembly source (FILE.S): a scenario names its own entry")
    if sources and args.source:
        raise PpcError("--source is for scenarios: give the assembly sources themselves")
    out: list[Callable[[], object]] = []
    for t in args.scenarios:
        if t not in sources:
            out.append(lambda t=t: _with_tree(scenario.load(t, args.source, args.patch), args))
        elif t == sources[0]:
            out.append(lambda: _with_tree(scenario.from_source(sources, args.entry, args.cpu, args.patch), args))
    return out


def cmd_run(args: argparse.Namespace) -> int:
    from ppcinterp.study import scenario
    from ppcinterp.views.report import report

    status = 0
    for made in _scenarios(args):
        try:
            out = scenario.run(made())
        except PpcError as e:
            print(e.render(), file=sys.stderr)
            status = 1
            continue
        print(report(out))
        status |= 0 if out.ok else 1
    return status


def cmd_trace(args: argparse.Namespace) -> int:
    import json

    from ppcinterp.study import scenario
    from ppcinterp.views.trace import trace_json, trace_lines

    made = _scenarios(args)
    if len(made) != 1:
        raise PpcError("trace takes one scenario (or the assembly sources of one program, with --entry)")
    out = scenario.run(made[0]())
    for i, res in enumerate(out.runs):
        if i:
            print(json.dumps({"run": i + 1}) if args.json else f"-- run {i + 1}: from {out.scenario.then[i - 1][0]}")
        print("\n".join((trace_json if args.json else trace_lines)(out.session, res)))
    return 0 if out.result.ok else 1


def _paths_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="assembly source (.S)")
    p.add_argument("--entry", required=True, help="where to start: a label, 'hunk N', 'line N', 'upstream N'")
    p.add_argument("--domain", help="input domain (.toml); default: the shipped one for this entry")
    cpu = p.add_mutually_exclusive_group()
    cpu.add_argument("--cpu", help="explore on this CPU only")
    cpu.add_argument("--all-cpus", action="store_true", help="explore on every CPU model")
    p.add_argument("--config", default=None, help="kernel config for asm-offsets")
    _tree_options(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")


def cmd_paths(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ppcinterp.asm.cpus import CPUS
    from ppcinterp.study.explore import explore, find_domain, load_domain
    from ppcinterp.views.paths import paths_json, paths_text

    domain_path = args.domain or find_domain(Path(args.file), args.entry)
    if domain_path is None:
        raise PpcError(f"no domain for entry '{args.entry}': give one with --domain (see asm/domains/)")
    domain = load_domain(domain_path)
    cpus = list(CPUS) if args.all_cpus else [args.cpu] if args.cpu else domain.cpus
    progress = _progress(domain.size * len(cpus) // max(1, len(domain.cpus)), quiet=args.json)
    with progress as update:
        ex = explore(args.file, domain, args.entry, cpus, update, args.config,
                     {k: v for k in ("kernel_tree", "asm_offsets") if (v := getattr(args, k)) is not None})
    print(paths_json(ex, cpus) if args.json else paths_text(ex, cpus))
    return 0


class _progress:
    """A rich progress bar on stderr when it is a terminal and there are many runs; nothing otherwise (stdout is
    the report's alone, so that `paths ... > out` holds the report only)."""

    def __init__(self, total: int, quiet: bool):
        self.total, self.quiet, self.bar = total, quiet, None

    def __enter__(self):
        if self.quiet or self.total < 2000 or not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import Progress
        self.bar = Progress(console=Console(stderr=True), transient=True)
        self.bar.__enter__()
        task = self.bar.add_task("exploring", total=self.total)
        return lambda done, total: self.bar.update(task, completed=done, total=total)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False


def _interleave_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", metavar="SCENARIO", help="scenario file (.toml): the handler's run")
    p.add_argument("--actor", help="the second actor (default host-ipi; not for a race study's [[race]] threads)")
    p.add_argument("--invariant", help="condition that must hold once both are done (default: a host IPI is "
                   "never lost: paca.kvm_hstate.host_ipi == 0 || icp.mfrr != 0xff)")
    _other_source(p)
    _tree_options(p)
    _placement_option(p)
    _ram_option(p)
    p.add_argument("--json", action="store_true", help="the same facts as JSON: counts, the violations' window, the "
                   "first violation's writes and reads, and its trace")
    study = p.add_argument_group("race studies (a scenario with [[race]] threads)")
    study.add_argument("--max-executions", type=int, metavar="N", help="stop after N executions (default: the "
                       "scenario's max_executions, else 100,000)")
    study.add_argument("--jobs", type=int, default=1, metavar="N", help="explore in N local processes (the same "
                       "results as one)")
    study.add_argument("--model", help="the memory model: sc (sequential consistency, the default) or power "
                       "(herd7's ppc.cat)")


def cmd_interleave(args: argparse.Namespace) -> int:
    from ppcinterp.study import scenario
    from ppcinterp.study.interleave import actor_from, explore_races
    from ppcinterp.views.race import race_json, race_text

    sc = _with_tree(scenario.load(args.scenario, args.source, args.patch), args)
    if "race" in sc.data:
        return _race_study(sc, args)
    if args.max_executions is not None or args.jobs != 1 or args.model is not None:
        raise PpcError("--max-executions, --jobs and --model are for a race study (a scenario with [[race]] threads)")
    report = explore_races(sc, actor_from(sc, args.actor or "host-ipi"), args.invariant)
    print((race_json if args.json else race_text)(sc, report))
    return 1 if report.violations else 0


def _race_study(sc, args: argparse.Namespace) -> int:
    from ppcinterp.study.dpor import explore_threads
    from ppcinterp.study.validate import MAX_EXECUTIONS
    from ppcinterp.views.race_threads import study_json, study_text

    if args.actor is not None:
        raise PpcError("--actor is for a scenario without [[race]] threads: a race study's threads run its code")
    if args.max_executions is not None and not 1 <= args.max_executions <= MAX_EXECUTIONS:
        raise PpcError(f"--max-executions must be 1 to {MAX_EXECUTIONS:,}, not {args.max_executions:,}")
    if (args.model or sc.data.get("model")) == "power":
        return _power_study(sc, args)
    study = explore_threads(sc, args.invariant, max_executions=args.max_executions, jobs=args.jobs,
                            model=args.model)
    print((study_json if args.json else study_text)(study))
    return 1 if study.violations or study.cut else 0


def _power_study(sc, args: argparse.Namespace) -> int:
    from ppcinterp.study.dpor import DEFAULT_MAX_EXECUTIONS
    from ppcinterp.study.power import explore_power
    from ppcinterp.views.race_power import power_json, power_text

    if args.jobs != 1:
        raise PpcError("--jobs is for --model sc: under power the threads' runs are combined in one process")
    limit = args.max_executions or sc.data.get("max_executions", DEFAULT_MAX_EXECUTIONS)
    study = explore_power(sc, args.invariant, limit)
    print((power_json if args.json else power_text)(study))
    return 1 if study.violations or study.cut else 0


def _debug_options(p: argparse.ArgumentParser) -> None:
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
    p.add_argument("--size", type=_size, default=(80, 24), metavar="WxH",
                   help="the full screen's size for --screenshot (default 80x24)")
    _engine_options(p)


def _engine_options(p: argparse.ArgumentParser) -> None:
    """What `debug` and `gdbserver` build their session from (debug/batch.py): a scenario's or a FILE's options."""
    _other_source(p)
    _placement_option(p)
    _ram_option(p)
    src = p.add_argument_group("source options (a FILE, not a scenario)")
    src.add_argument("--cpu", default=None, help="CPU model for feature sections (default POWER7)")
    src.add_argument("--features", type=_int, default=None, metavar="MASK", help="cpu_features value to use")
    src.add_argument("--config", default=None, help="kernel config for asm-offsets (default pseries_defconfig)")
    src.add_argument("-I", dest="include", action="append", default=[], metavar="DIR", help="#include search dir")
    src.add_argument("-D", dest="define", action="append", default=[], type=_define, metavar="NAME[=VALUE]",
                     help="define a preprocessor macro")
    src.add_argument("--no-kernel-env", action="store_true", help="do not force-include ppcinterp/env.h")
    _tree_options(src)
    src.add_argument("--base", type=_int, default=None, help="address of .text (default 0x100000)")
    src.add_argument("--threads", type=_int, default=None, help="hardware threads in the core (default 1)")
    src.add_argument("--current", type=_int, default=None, help="the thread that runs (default 0)")


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


def _gdbserver_options(p: argparse.ArgumentParser) -> None:
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


def _scenario_file_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--schema", action="store_true", help="print the JSON Schema of a scenario file")
    p.add_argument("action", nargs="?", choices=["new"], help="new FILE: write a commented starter scenario")
    p.add_argument("file", nargs="?", metavar="FILE", help="the scenario file to write (.toml)")
    p.add_argument("--entry", help="where the run starts: a label, 'hunk N', 'line N', 'FILE:LINE', 'upstream N'")
    p.add_argument("--source", action="append", default=None, metavar="FILE",
                   help="the assembly source (.S; repeated: several objects linked); default: the seed's fragment")
    p.add_argument("--cpu", default=None, help="CPU model: POWER7 (default), POWER8, POWER6, PPC970")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")


def _examples_options(p: argparse.ArgumentParser) -> None:
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


def cmd_scenario(args: argparse.Namespace) -> int:
    from pathlib import Path

    if args.schema:
        import json

        from ppcinterp.study.schema import schema

        print(json.dumps(schema(), indent=1))
        return 0
    if args.action != "new" or not args.file or not args.entry:
        raise PpcError("usage: ppcinterp scenario --schema | ppcinterp scenario new FILE --entry E [--source S.S]")
    from ppcinterp.study.template import default_source, write

    sources = args.source or [default_source()]
    if sources[0] is None:
        raise PpcError("scenario new: give the assembly source with --source FILE.S")
    said = write(Path(args.file), args.entry, sources, args.cpu, args.force)
    print(f"wrote {args.file}: its run {said}; edit [state] and [expect], then: ppcinterp run {args.file}")
    return 0


def _census_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kernel-tree", required=True, metavar="DIR", help="a configured kernel tree (as for check)")
    p.add_argument("--config", metavar="FILE", help="the .config the Makefiles are read with (default DIR/.config)")
    p.add_argument("--log", metavar="FILE", help="the .S files a 'make V=1' log assembles, with their -I/-D options, "
                   "instead of reading the Makefiles")
    p.add_argument("--dirs", metavar="DIR,...", help="the directories whose objects to check, relative to the tree "
                   "(default: arch/powerpc/{kernel,kvm,lib,mm} and arch/powerpc/platforms/{powernv,pseries})")
    p.add_argument("--no-compare", action="store_true", help="do not compare with GNU as (also when it is absent)")
    p.add_argument("--json", action="store_true", help="the rows, notes and totals as JSON")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the build cache")


def _positive(text: str) -> int:
    n = _int(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive number")
    return n


def _unroll(text: str) -> int:
    n = _int(text)
    if not 0 <= n <= 100:
        raise argparse.ArgumentTypeError(f"'{text}' is not 0 to 100")
    return n


def _litmus_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE.litmus", help="herd7 PPC litmus tests")
    p.add_argument("--model", choices=("power", "sc"), default="power",
                   help="the memory model: power (herd7's ppc.cat, the default) or sc")
    p.add_argument("--max-executions", type=_positive, default=100_000, metavar="N",
                   help="candidate executions (and thread runs) examined per test before stopping (default 100000)")
    p.add_argument("--unroll", type=_unroll, default=2, metavar="N",
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


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], str, Callable[[argparse.ArgumentParser], None]]] = {
    "check": (cmd_check, "read and assemble a file; print a summary", _check_options),
    "disasm": (cmd_disasm, "objdump-style listing for a CPU", _source_options),
    "elf": (cmd_elf, "write an ELF executable of the image for gdb and binutils: symbols and DWARF line info",
            _elf_options),
    "run": (cmd_run, "run scenarios and check their expectations", _scenario_options),
    "trace": (cmd_trace, "run a scenario, printing every step and what it changed", _trace_options),
    "interleave": (cmd_interleave, "interleave a second actor at every instruction boundary; check an invariant",
                   _interleave_options),
    "paths": (cmd_paths, "every path an entry takes over an input domain, with branch coverage", _paths_options),
    "debug": (cmd_debug, "step through a scenario or an entry with a gdb-like debugger (reverse steps too)",
              _debug_options),
    "gdbserver": (cmd_gdbserver, "let gdb attach: its remote protocol (reverse execution too) over TCP or stdio",
                  _gdbserver_options),
    "census": (cmd_census, "every .S object kbuild assembles in a kernel tree: built, and compared with GNU as",
               _census_options),
    "litmus": (cmd_litmus, "run herd7 PPC litmus tests under the Power memory model (or sc); print herd's result",
               _litmus_options),
    "examples": (cmd_examples, "copy the seed's examples (asm/: the fragment, scenarios, domains, debugger scripts) "
                 "into DIR, where the README's tour runs", _examples_options),
    "scenario": (cmd_scenario, "the scenario format: --schema prints its JSON Schema, new FILE writes a starter",
                 _scenario_file_options),
}


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="ppcinterp", description="Run Linux kernel PowerPC assembly source.")
    ap.add_argument("--version", action=VersionAction,
                    help="show the versions of ppcinterp, Python and the dependencies, and exit")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, help_text, add) in COMMANDS.items():
        add(sub.add_parser(name, help=help_text, description=help_text))
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
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
