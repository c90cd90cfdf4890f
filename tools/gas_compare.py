#!/usr/bin/env python3
"""Compare ppcinterp's .text words with GNU as's object file for the same source.

    python tools/gas_compare.py OBJECT.o FILE.S [--kernel-tree DIR | -I DIR ... | --config C] [--cpu C]

Make OBJECT.o from the same source with GNU's tools, e.g. for the whole upstream handler in a v3.10 tree:
    gcc -E -undef -nostdinc -D__powerpc64__ -D__powerpc__ -D__PPC64__ -D__KERNEL__ -D__ASSEMBLY__ \\
        -I$T/arch/powerpc/include -I$T/include -I$T/arch/powerpc/include/uapi -I$T/include/uapi \\
        -include $T/include/linux/kconfig.h -I$T/arch/powerpc FILE.S > f.i
    powerpc64-linux-gnu-as -a64 -mpower7 -maltivec f.i -o OBJECT.o

A field GNU as leaves to the linker (a relocation: a branch to another object, `@got`, `@toc`, a `.long` of
an external) holds 0 in the object; those fields are masked on both sides, the rest of each word must be
equal. Exit status 0 when every word matches.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ppcinterp.build import BuildOptions, load_program  # noqa: E402
from ppcinterp.diagnostics import PpcError  # noqa: E402

# The bits of a word each relocation type writes (the linker's part of the instruction).
FIELD = {"R_PPC64_REL24": 0x03FFFFFC, "R_PPC64_REL14": 0x0000FFFC, "R_PPC64_ADDR16_DS": 0xFFFC,
         "R_PPC64_TOC16_DS": 0xFFFC, "R_PPC64_GOT16_DS": 0xFFFC, "R_PPC64_TOC16": 0xFFFF,
         "R_PPC64_TOC16_HA": 0xFFFF, "R_PPC64_TOC16_LO": 0xFFFF, "R_PPC64_ADDR16_HA": 0xFFFF,
         "R_PPC64_ADDR16_LO": 0xFFFF, "R_PPC64_ADDR16_HI": 0xFFFF, "R_PPC64_REL32": 0xFFFFFFFF,
         "R_PPC64_ADDR32": 0xFFFFFFFF}


def gas_text(obj: str, tool_prefix: str = "powerpc64-linux-gnu-") -> tuple[bytes, dict[int, int]]:
    """The object's .text bytes and, per word offset, the mask of bits a relocation leaves to the linker."""
    with_bin = Path(obj).with_suffix(".text.bin")
    subprocess.run([tool_prefix + "objcopy", "-O", "binary", "--only-section=.text", obj, str(with_bin)],
                   check=True)
    data = with_bin.read_bytes()
    with_bin.unlink()
    out = subprocess.run([tool_prefix + "readelf", "-rW", obj], check=True, capture_output=True,
                         text=True).stdout
    masks: dict[int, int] = {}
    section = ""
    for line in out.splitlines():
        if line.startswith("Relocation section"):
            section = line.split("'")[1]
            continue
        parts = line.split()
        if section == ".rela.text" and len(parts) >= 3 and parts[2].startswith("R_PPC64_"):
            off = int(parts[0], 16)
            mask = FIELD.get(parts[2], 0xFFFFFFFF)
            if parts[2].endswith(("_DS", "16", "_HA", "_LO", "_HI")) and off % 4 == 2:
                off -= 2                    # a halfword field at the low half of its instruction
            masks[off & ~3] = masks.get(off & ~3, 0) | mask
    return data, masks


def compare(obj: str, source: str, options: BuildOptions) -> tuple[int, int, int, list[str]]:
    """(words, masked words, mismatches, report lines)."""
    data, masks = gas_text(obj)
    prog = load_program(source, options)
    text = prog.text
    ours = bytes(text.data[:len(data)])
    lines: list[str] = []
    if len(prog.text.data) < len(data):
        lines.append(f"ours has {len(prog.text.data) // 4} .text words, GNU as {len(data) // 4}")
    bad = 0
    for off in range(0, len(data), 4):
        g = int.from_bytes(data[off:off + 4], "big")
        o = int.from_bytes(ours[off:off + 4], "big") if off + 4 <= len(ours) else None
        keep = ~masks.get(off, 0) & 0xFFFFFFFF
        if o is None or (g & keep) != (o & keep):
            bad += 1
            ai = prog.insns.get(text.base + off)
            where = f"{ai.pos.file}:{ai.pos.line}" if ai else "data"
            lines.append(f"+{off:#06x}: GNU as {g:#010x}, ours {o if o is None else f'{o:#010x}'} ({where})")
    extra = len(prog.text.data) - len(data)
    return len(data) // 4, len(masks), bad, lines + ([f"ours has {extra // 4} more words (exit slots "
                                                      "for symbols left to other objects)"] if extra > 0 else [])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="compare .text words with a GNU as object of the same source")
    ap.add_argument("object")
    ap.add_argument("source")
    ap.add_argument("-I", dest="include", action="append", default=[])
    ap.add_argument("--config", default="pseries_defconfig")
    ap.add_argument("--no-kernel-env", action="store_true")
    ap.add_argument("--kernel-tree", default=None)
    args = ap.parse_args(argv)
    opts = BuildOptions(include_dirs=args.include, config=args.config, kernel_env=not args.no_kernel_env,
                        kernel_tree=args.kernel_tree)
    if not Path(args.object).is_file():
        print(f"gas_compare: cannot read object '{args.object}'", file=sys.stderr)
        return 1
    try:
        words, masked, bad, lines = compare(args.object, args.source, opts)
    except PpcError as e:
        print(e, file=sys.stderr)
        return 1
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"gas_compare: {e}", file=sys.stderr)
        return 1
    print("\n".join(lines[:50]))
    print(f"{words} words, {masked} with a field left to the linker (masked), {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
