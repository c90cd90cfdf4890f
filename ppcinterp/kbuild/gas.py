"""GNU's side of a comparison: an object made by the host cpp and GNU as as kbuild would make it, read back
(sections and relocations), and compared with our Program section by section, relocation-aware.

A field GNU as leaves to the linker (a relocation: a branch to another object or section, `@got`, `@toc`, a
`.llong` of a symbol) holds 0 in the object, our address in ours; those bits are masked on both sides, the rest
of every byte must be equal.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ppcinterp.build import KBUILD_DEFINES, KBUILD_INCLUDES

if TYPE_CHECKING:
    from ppcinterp.asm.program import Program

TOOL_PREFIX = "powerpc64-linux-gnu-"
GAS = TOOL_PREFIX + "as"
READELF = TOOL_PREFIX + "readelf"
CPP = "cpp"
# kbuild's assembler flags for a 64-bit Book3S kernel (-Wa,-maltivec from CONFIG_ALTIVEC); -many where the
# file uses an instruction outside POWER7 (the kernel's gcc passes the CPU it was configured for).
GAS_FLAGS = ("-a64", "-mpower7", "-maltivec")
ANY_FLAGS = ("-a64", "-many", "-maltivec")
TIMEOUT = 120                   # seconds for one cpp or as run

# The bits each relocation type leaves to the linker, and the bytes it covers: (mask, size). Halfword fields
# (`@l`, `@ha`, `@toc`, `@got`) sit at the relocation's own offset, so a mask of two bytes needs no shifting.
_HALF = (0xFFFF, 2)
_HALF_DS = (0xFFFC, 2)
FIELDS: dict[str, tuple[int, int]] = {
    "R_PPC64_REL24": (0x03FFFFFC, 4), "R_PPC64_ADDR24": (0x03FFFFFC, 4),
    "R_PPC64_REL14": (0xFFFC, 4), "R_PPC64_REL14_BRTAKEN": (0xFFFC, 4), "R_PPC64_REL14_BRNTAKEN": (0xFFFC, 4),
    "R_PPC64_ADDR14": (0xFFFC, 4), "R_PPC64_ADDR32": (0xFFFFFFFF, 4), "R_PPC64_REL32": (0xFFFFFFFF, 4),
    "R_PPC64_UADDR32": (0xFFFFFFFF, 4), "R_PPC64_ADDR64": (2**64 - 1, 8), "R_PPC64_REL64": (2**64 - 1, 8),
    "R_PPC64_UADDR64": (2**64 - 1, 8), "R_PPC64_TOC": (2**64 - 1, 8),
}


def field_of(rtype: str) -> tuple[int, int]:
    """(mask, bytes) of a relocation type; a 16-bit one by its name, anything unknown the whole word."""
    if rtype in FIELDS:
        return FIELDS[rtype]
    if rtype.endswith("_DS"):
        return _HALF_DS
    if any(k in rtype for k in ("16", "_LO", "_HI", "_HA")):
        return _HALF
    return 0xFFFFFFFF, 4


class GasError(Exception):
    """GNU's tools refused the file (or are missing): the message is their first error line."""


@dataclass
class ObjectFile:
    sections: dict[str, bytes]                      # every allocated section with contents, by name
    masks: dict[str, bytearray]                     # per section, per byte: the bits left to the linker
    flags: tuple[str, ...] = ()                     # the assembler flags that made it


@dataclass
class Comparison:
    words: int = 0                                   # words compared
    masked: int = 0                                  # of them, with a field left to the linker
    bad: int = 0                                     # words that differ
    lines: list[str] = field(default_factory=list)   # one per difference (and per missing section)


def available() -> bool:
    return all(shutil.which(t) for t in (GAS, READELF, CPP))


def cpp_command(source: str, tree: str, include_dirs: Sequence[str] = (), defines: Iterable[str] = ()) -> list[str]:
    """The host cpp as kbuild runs the cross gcc on a .S file: kbuild's include order, kconfig.h, its defines,
    then the directory's and the object's own -I/-D (kbuild puts asflags after KBUILD_AFLAGS)."""
    t = Path(tree)
    return [CPP, "-undef", "-nostdinc", "-x", "assembler-with-cpp",
            *(f"-D{d}" for d in KBUILD_DEFINES), *(f"-I{t / d}" for d in KBUILD_INCLUDES),
            "-include", str(t / "include" / "linux" / "kconfig.h"),
            *(f"-I{d}" for d in include_dirs), *(f"-D{d}" for d in defines), source]


def assemble(source: str, tree: str, include_dirs: Sequence[str] = (), defines: Iterable[str] = ()) -> ObjectFile:
    """Preprocess and assemble as kbuild would; GNU as with -mpower7 first, then -many (its flags say which)."""
    with tempfile.TemporaryDirectory(prefix="ppcinterp-gas-") as tmp:
        pre, obj = Path(tmp) / "f.s", Path(tmp) / "f.o"
        out = _run(cpp_command(source, tree, include_dirs, list(defines)) + ["-o", str(pre)])
        if out:
            raise GasError(f"cpp: {out}")
        first = ""
        for flags in (GAS_FLAGS, ANY_FLAGS):
            first = _run([GAS, *flags, str(pre), "-o", str(obj)])
            if not first:
                return read_object(str(obj), flags)
        raise GasError(f"GNU as: {first}")


def _run(cmd: list[str]) -> str:
    """'' when the command succeeded, else its first error line."""
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        return str(e)
    if r.returncode == 0:
        return ""
    errs = [ln for ln in r.stderr.splitlines() if "rror" in ln] or r.stderr.splitlines() or [f"status {r.returncode}"]
    return errs[0].strip()


def read_object(path: str, flags: tuple[str, ...] = ()) -> ObjectFile:
    """The allocated sections with contents of an ELF object, and the linker's bits of each (from .rela*)."""
    data = Path(path).read_bytes()
    sections: dict[str, bytes] = {}
    for name, typ, flg, off, size in _section_table(path):
        if typ == "PROGBITS" and "A" in flg and size:
            sections[name] = data[off:off + size]
    masks = {name: bytearray(len(body)) for name, body in sections.items()}
    for sec, off, rtype in _relocations(path):
        m = masks.get(sec)
        if m is None:
            continue
        mask, size = field_of(rtype)
        for k, byte in enumerate(mask.to_bytes(size, "big")):
            if off + k < len(m):
                m[off + k] |= byte
    return ObjectFile(sections, masks, flags)


def _readelf(path: str, option: str) -> list[str]:
    r = subprocess.run([READELF, option, "-W", path], capture_output=True, text=True, timeout=TIMEOUT)
    if r.returncode:
        raise GasError(f"readelf: {r.stderr.strip() or r.returncode}")
    return r.stdout.splitlines()


def _section_table(path: str) -> list[tuple[str, str, str, int, int]]:
    """(name, type, flags, file offset, size) of every section, from `readelf -S`."""
    rows = []
    for line in _readelf(path, "-S"):
        if not line.lstrip().startswith("[") or "]" not in line:
            continue
        parts = line.split("]", 1)[1].split()
        if len(parts) < 7 or parts[0] == "Name":
            continue
        name, typ, off, size = parts[0], parts[1], int(parts[3], 16), int(parts[4], 16)
        flags = parts[6] if len(parts) > 9 else ""          # Flg is absent when a section has none
        rows.append((name, typ, flags, off, size))
    return rows


def _relocations(path: str) -> list[tuple[str, int, str]]:
    """(section relocated, offset, type) of every relocation, from `readelf -r`."""
    rows, section = [], ""
    for line in _readelf(path, "-r"):
        if line.startswith("Relocation section"):
            section = line.split("'")[1].removeprefix(".rela")
            continue
        parts = line.split()
        if section and len(parts) >= 3 and parts[2].startswith("R_PPC64_"):
            rows.append((section, int(parts[0], 16), parts[2]))
    return rows


def compare(obj: ObjectFile, prog: Program, only: Sequence[str] | None = None, limit: int = 50) -> Comparison:
    """Our sections against the object's, word by word with the linker's bits masked. A section GNU as made
    that we lack, or made shorter, differs in all its missing words; ours may be longer (exit slots after .text
    for symbols left to other objects)."""
    cmp = Comparison()
    for name, gnu in obj.sections.items():
        if only is not None and name not in only:
            continue
        mask = obj.masks[name]
        ours = prog.sections[name].data if name in prog.sections else b""
        base = prog.sections[name].base if name in prog.sections else 0
        if len(ours) < len(gnu):
            cmp.lines.append(f"{name}: ours has {len(ours)} bytes, GNU as {len(gnu)}")
        for off in range(0, len(gnu), 4):
            g, m = gnu[off:off + 4], mask[off:off + 4]
            o = bytes(ours[off:off + len(g)])
            cmp.words += 1
            cmp.masked += any(m)
            if len(o) == len(g) and all((a & ~k) == (b & ~k) for a, b, k in zip(g, o, m, strict=True)):
                continue
            cmp.bad += 1
            if len(cmp.lines) < limit:
                where = _where(prog, base + off)
                cmp.lines.append(f"{name}+{off:#06x}: GNU as {g.hex()}, ours {o.hex() or '-'}{where}")
    return cmp


def _where(prog: Program, addr: int) -> str:
    ai = prog.insns.get(addr)
    return f" ({ai.pos.file}:{ai.pos.line})" if ai else ""
