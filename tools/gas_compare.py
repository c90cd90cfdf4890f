#!/usr/bin/env python3
"""Compare ppcinterp's words with GNU as's object file for the same source.

    python tools/gas_compare.py OBJECT.o FILE.S [--kernel-tree DIR | -I DIR ... | --config C] [--all-sections]

Make OBJECT.o from the same source with GNU's tools, e.g. for the whole upstream handler in a v3.10 tree:
    gcc -E -undef -nostdinc -D__powerpc64__ -D__powerpc__ -D__PPC64__ -D__KERNEL__ -D__ASSEMBLY__ \\
        -I$T/arch/powerpc/include -I$T/include -I$T/arch/powerpc/include/uapi -I$T/include/uapi \\
        -include $T/include/linux/kconfig.h -I$T/arch/powerpc FILE.S > f.i
    powerpc64-linux-gnu-as -a64 -mpower7 -maltivec f.i -o OBJECT.o
(`ppcinterp census` does this for every .S object of a tree.)

A field GNU as leaves to the linker (a relocation: a branch to another object, `@got`, `@toc`, a `.long` of
an external) holds 0 in the object; those fields are masked on both sides, the rest of each word must be
equal (ppcinterp/kbuild/gas.py, which the census shares). .text only, unless --all-sections. Exit status 0 when
every word matches.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ppcinterp.build import BuildOptions, load_program  # noqa: E402
from ppcinterp.diagnostics import PpcError  # noqa: E402
from ppcinterp.kbuild import gas  # noqa: E402


def compare(obj: str, source: str, options: BuildOptions, all_sections: bool = False
            ) -> tuple[int, int, int, list[str]]:
    """(words, masked words, mismatches, report lines)."""
    prog, theirs = load_program(source, options), gas.read_object(obj)
    c = gas.compare(theirs, prog, None if all_sections else (".text",))
    text = prog.sections[".text"].data if ".text" in prog.sections else b""
    extra = len(text) - len(theirs.sections.get(".text", b""))
    more = [f"ours has {extra // 4} more words (exit slots for symbols left to other objects)"] if extra > 0 else []
    return c.words, c.masked, c.bad, c.lines + more


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="compare words with a GNU as object of the same source")
    ap.add_argument("object")
    ap.add_argument("source")
    ap.add_argument("-I", dest="include", action="append", default=[])
    ap.add_argument("--config", default="pseries_defconfig")
    ap.add_argument("--no-kernel-env", action="store_true")
    ap.add_argument("--kernel-tree", default=None)
    ap.add_argument("--all-sections", action="store_true", help="every section GNU as made, not only .text")
    args = ap.parse_args(argv)
    opts = BuildOptions(include_dirs=args.include, config=args.config, kernel_env=not args.no_kernel_env,
                        kernel_tree=args.kernel_tree)
    if not Path(args.object).is_file():
        print(f"gas_compare: cannot read object '{args.object}'", file=sys.stderr)
        return 1
    try:
        words, masked, bad, lines = compare(args.object, args.source, opts, args.all_sections)
    except PpcError as e:
        print(e, file=sys.stderr)
        return 1
    except (OSError, subprocess.CalledProcessError, gas.GasError) as e:
        print(f"gas_compare: {e}", file=sys.stderr)
        return 1
    print("\n".join(lines[:50]))
    print(f"{words} words, {masked} with a field left to the linker (masked), {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
