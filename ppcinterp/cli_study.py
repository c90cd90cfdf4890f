"""The commands that run scenarios and studies: run, trace, paths, interleave, scenario."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ppcinterp.cli_args import other_source, placement_option, ram_option, tree_options, with_tree
from ppcinterp.diagnostics import PpcError

ASSEMBLY = (".S", ".s", ".sx", ".asm")


def _run_targets(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO|FILE.S",
                   help="scenario files (.toml), or assembly sources (.S) with --entry: linked into one program")
    p.add_argument("--entry", help="where an assembly source's run starts: a label, 'hunk N', 'line N', 'FILE:LINE', "
                   "'upstream N'")
    p.add_argument("--cpu", default=None, help="CPU model for an assembly source: POWER7 (default), POWER8, POWER6, "
                   "PPC970")
    other_source(p)
    tree_options(p)
    placement_option(p)
    ram_option(p)


def scenario_options(p: argparse.ArgumentParser) -> None:
    _run_targets(p)


def trace_options(p: argparse.ArgumentParser) -> None:
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
            out.append(lambda t=t: with_tree(scenario.load(t, args.source, args.patch), args))
        elif t == sources[0]:
            out.append(lambda: with_tree(scenario.from_source(sources, args.entry, args.cpu, args.patch), args))
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


def paths_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="assembly source (.S)")
    p.add_argument("--entry", required=True, help="where to start: a label, 'hunk N', 'line N', 'upstream N'")
    p.add_argument("--domain", help="input domain (.toml); default: the shipped one for this entry")
    cpu = p.add_mutually_exclusive_group()
    cpu.add_argument("--cpu", help="explore on this CPU only")
    cpu.add_argument("--all-cpus", action="store_true", help="explore on every CPU model")
    p.add_argument("--config", default=None, help="kernel config for asm-offsets")
    tree_options(p)
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


def interleave_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", metavar="SCENARIO", help="scenario file (.toml): the handler's run")
    p.add_argument("--actor", help="the second actor (default host-ipi; not for a race study's [[race]] threads)")
    p.add_argument("--invariant", help="condition that must hold once both are done (default: a host IPI is "
                   "never lost: paca.kvm_hstate.host_ipi == 0 || icp.mfrr != 0xff)")
    other_source(p)
    tree_options(p)
    placement_option(p)
    ram_option(p)
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

    sc = with_tree(scenario.load(args.scenario, args.source, args.patch), args)
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

    limit = args.max_executions or sc.data.get("max_executions", DEFAULT_MAX_EXECUTIONS)
    study = explore_power(sc, args.invariant, limit, jobs=args.jobs)
    print((power_json if args.json else power_text)(study))
    return 1 if study.violations or study.cut else 0


def scenario_file_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--schema", action="store_true", help="print the JSON Schema of a scenario file")
    p.add_argument("action", nargs="?", choices=["new"], help="new FILE: write a commented starter scenario")
    p.add_argument("file", nargs="?", metavar="FILE", help="the scenario file to write (.toml)")
    p.add_argument("--entry", help="where the run starts: a label, 'hunk N', 'line N', 'FILE:LINE', 'upstream N'")
    p.add_argument("--source", action="append", default=None, metavar="FILE",
                   help="the assembly source (.S; repeated: several objects linked); default: the seed's fragment")
    p.add_argument("--cpu", default=None, help="CPU model: POWER7 (default), POWER8, POWER6, PPC970")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")


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
