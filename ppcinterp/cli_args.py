"""Argument types and option groups the commands share (ppcinterp/cli.py); values checked as they are parsed."""

from __future__ import annotations

import argparse

from ppcinterp.diagnostics import PpcError


def int_arg(text: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None


def screen_size(text: str) -> tuple[int, int]:
    w, x, h = text.lower().partition("x")
    if not (x and w.isdigit() and h.isdigit() and 40 <= int(w) <= 1000 and 10 <= int(h) <= 500):
        raise argparse.ArgumentTypeError(f"'{text}' is not a screen size: WIDTHxHEIGHT, 40x10 to 1000x500")
    return int(w), int(h)


def define_arg(text: str) -> tuple[str, str | None]:
    name, eq, value = text.partition("=")
    if not name.isidentifier():
        raise argparse.ArgumentTypeError(f"'{name}' is not a macro name")
    return name, value if eq else None


def tree_options(p) -> None:
    p.add_argument("--kernel-tree", default=None, metavar="DIR",
                   help="preprocess as kbuild does in this configured kernel tree (its headers, kconfig.h and "
                   "autoconf.h; none of ppcinterp's own environment)")
    p.add_argument("--asm-offsets", default=None, metavar="FILE",
                   help="the asm-offsets.h that <asm/asm-offsets.h> and <generated/asm-offsets.h> read")
    # Every command that builds takes the tree options, so --no-cache lives here once.
    p.add_argument("--no-cache", action="store_true",
                   help="neither read nor write the build cache (also: PPCINTERP_NO_CACHE=1)")


def with_tree(sc, args: argparse.Namespace):
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


def placement_option(p) -> None:
    p.add_argument("--icp-base", type=int_arg, default=None, metavar="ADDR",
                   help="real address of thread 0's ICP page (thread N's at ADDR + N * 0x1000; each PACA's "
                   "kvm_hstate.xics_phys points at its own); default 0x3fffe00000000")


def ram_bytes(text: str) -> int:
    from ppcinterp.api_call import check_ram_size, parse_size

    try:
        return check_ram_size(parse_size(text))
    except PpcError as e:
        raise argparse.ArgumentTypeError(e.message) from None


def ram_option(p) -> None:
    p.add_argument("--ram-size", type=ram_bytes, default=None, metavar="BYTES",
                   help="bytes of RAM at 0x1000000 (64K to 1G, e.g. 64M; default: the scenario's ram_size, or 1M)")


def source_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="assembly source (.S); several are each an object, linked into one program")
    p.add_argument("--map", action="store_true",
                   help="also print the link map: where each object's sections and each global symbol went")
    p.add_argument("--cpu", default=None,
                   help="CPU model for feature sections: POWER7 (default), POWER8, POWER6, PPC970")
    p.add_argument("--features", type=int_arg, default=None, metavar="MASK",
                   help="use this cpu_features value instead of the CPU model's")
    p.add_argument("--config", default=None, help="kernel config for asm-offsets: pseries_defconfig (default), "
                   "ppc64_defconfig")
    p.add_argument("-I", dest="include", action="append", default=[], metavar="DIR",
                   help="search DIR for #include before the kernel environment")
    p.add_argument("-D", dest="define", action="append", default=[], type=define_arg, metavar="NAME[=VALUE]",
                   help="define a preprocessor macro")
    p.add_argument("--no-kernel-env", action="store_true",
                   help=f"do not force-include {'ppcinterp/env.h'} (the file includes what it needs itself)")
    p.add_argument("--base", type=int_arg, default=None, help="address of .text (default 0x100000)")
    p.add_argument("--extern", action="append", default=[], metavar="SYMBOL",
                   help="SYMBOL is defined in another object (as .extern SYMBOL would say)")
    tree_options(p)


def other_source(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", action="append", default=None, metavar="FILE",
                   help="run on FILE instead of the scenario's source (e.g. the whole upstream file); repeated: "
                   "several objects linked into one program")
    p.add_argument("--patch", default=None, metavar="PATCH",
                   help="the patch whose hunks 'hunk N' names in that file (default: the seed's)")


def positive(text: str) -> int:
    n = int_arg(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive number")
    return n


def unroll(text: str) -> int:
    n = int_arg(text)
    if not 0 <= n <= 100:
        raise argparse.ArgumentTypeError(f"'{text}' is not 0 to 100")
    return n


def build_from_args(args: argparse.Namespace):
    from ppcinterp.asm.cpus import cpu_model
    from ppcinterp.build import DEFAULT_BASE, DEFAULT_CONFIG, BuildOptions, build_image

    opts = BuildOptions(include_dirs=args.include, defines=dict(args.define),
                        config=args.config or DEFAULT_CONFIG, kernel_env=not args.no_kernel_env,
                        base=DEFAULT_BASE if args.base is None else args.base, externs=args.extern,
                        kernel_tree=args.kernel_tree, asm_offsets=args.asm_offsets)
    files = args.files[0] if len(args.files) == 1 else args.files
    return build_image(files, opts, cpu_model(args.cpu, args.features)), opts
