"""Source to image: preprocess -> parse -> assemble -> fix up, with the kernel environment supplied.

The kernel environment is a header directory (our own, written from the kernel facts): `asm/include` in a
source checkout, `ppcinterp/_kernel_env` in an installed wheel. Include order: the user's -I directories,
then the chosen config's generated asm-offsets, then the environment; `ppcinterp/env.h` is force-included
(like `cc -include`) because the seed fragment has no #include lines of its own.

With a kernel tree (`kernel_tree`), the file is preprocessed as kbuild does for a 64-bit powerpc `.S` instead:
the tree's include directories in kbuild's order, `-include include/linux/kconfig.h` (which brings the tree's
generated autoconf.h), kbuild's defines, and none of our environment. `asm_offsets` names a file that
`<asm/asm-offsets.h>` and `<generated/asm-offsets.h>` then read, with or without a tree.

Builds are shared: `load_program` returns the same Program for the same source and options while every file
the build read is unchanged (in this process, then from the disk cache of `ppcinterp.cache`), so CPU models,
Sessions and scenarios pay for preprocessing, parsing and assembling once. A Program is therefore read-only
once returned; what differs per CPU lives in the Image that `build_image` makes.
"""

from __future__ import annotations

import gc
import os
import re
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ppcinterp import cache
from ppcinterp.asm.cpus import CpuModel, cpu_model
from ppcinterp.diagnostics import PpcError, SourceError
from ppcinterp.link import MAX_OBJECTS

if TYPE_CHECKING:           # the assembler, parser (Lark) and fixups load only when a build needs them
    from ppcinterp.asm.fixup import Image
    from ppcinterp.asm.program import Program

ENV_HEADER = "ppcinterp/env.h"
EXTERNS_HEADER = "ppcinterp/externs.h"     # pragmas only: what other kernel objects define
DEFAULT_CONFIG = "pseries_defconfig"
DEFAULT_BASE = 0x100000
# What kbuild (and gcc for 64-bit big-endian powerpc) defines for a .S file.
KBUILD_DEFINES = ("__KERNEL__", "__ASSEMBLY__", "__powerpc64__", "__powerpc__", "__PPC64__", "__BIG_ENDIAN__")
KBUILD_INCLUDES = ("arch/powerpc/include", "arch/powerpc/include/generated", "include", "arch/powerpc/include/uapi",
                   "arch/powerpc/include/generated/uapi", "include/uapi", "include/generated/uapi", "arch/powerpc")
ASM_OFFSETS_NAMES = ("asm/asm-offsets.h", "generated/asm-offsets.h")


def kernel_env_dir() -> Path:
    pkg = Path(__file__).resolve().parent
    for cand in (pkg / "_kernel_env", pkg.parent / "asm" / "include"):
        if (cand / ENV_HEADER).is_file():
            return cand
    raise PpcError("the kernel environment (asm/include) is missing from this installation")


def configs() -> list[str]:
    root = kernel_env_dir() / "config"
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


@dataclass
class BuildOptions:
    include_dirs: list[str] = field(default_factory=list)
    defines: dict[str, str | None] = field(default_factory=dict)
    config: str = DEFAULT_CONFIG
    kernel_env: bool = True          # force-include ppcinterp/env.h
    base: int = DEFAULT_BASE
    externs: list[str] = field(default_factory=list)   # symbols other objects define (like .extern)
    patch: str | None = "auto"       # a patch whose hunks `hunk N` names in a whole file ("auto": the seed's)

    kernel_tree: str | None = None   # preprocess as kbuild does in this tree (no environment of our own)
    asm_offsets: str | None = None   # the file <asm/asm-offsets.h> and <generated/asm-offsets.h> read

    def key(self) -> tuple:
        """Everything that makes one build differ from another, hashable (the build caches' key)."""
        return (tuple(self.include_dirs), tuple(self.defines.items()), self.config, self.kernel_env, self.base,
                tuple(self.externs), self.patch, self.kernel_tree, self.asm_offsets)

    def search_path(self) -> list[str]:
        if self.kernel_tree is not None:
            tree = _check_tree(self.kernel_tree, self.config, self.asm_offsets is None)
            return [*self.include_dirs, *(str(tree / d) for d in KBUILD_INCLUDES)]
        env = kernel_env_dir()
        cfg = env / "config" / self.config
        if not _is_dir(cfg):
            raise PpcError(f"unknown kernel config '{self.config}' (known: {', '.join(configs())})")
        return [*self.include_dirs, str(cfg), str(env)]

    def preprocessor_args(self) -> dict:
        """Keyword arguments of `preprocess` for these options."""
        overrides = {}
        if self.asm_offsets is not None:
            if not _is_file(Path(self.asm_offsets)):
                raise PpcError(f"--asm-offsets {self.asm_offsets}: no such file")
            overrides = dict.fromkeys(ASM_OFFSETS_NAMES, self.asm_offsets)
        if self.kernel_tree is not None:
            dirs = self.search_path()
            return {"include_dirs": dirs, "include_overrides": overrides,
                    "defines": {**dict.fromkeys(KBUILD_DEFINES), **self.defines},
                    "force_includes": [str(Path(self.kernel_tree) / "include" / "linux" / "kconfig.h"),
                                       str(kernel_env_dir() / EXTERNS_HEADER)]}
        return {"include_dirs": self.search_path(), "defines": self.defines, "include_overrides": overrides,
                "force_includes": [ENV_HEADER] if self.kernel_env else []}


def _check_tree(path: str, config: str, need_offsets: bool) -> Path:
    """A kernel tree we can preprocess in: configured, and with asm-offsets unless the caller brings them."""
    tree = Path(path)
    if not _is_dir(tree):
        raise PpcError(f"--kernel-tree {path}: not a directory")
    if not _is_file(tree / "include" / "linux" / "kconfig.h"):
        raise PpcError(f"--kernel-tree {path}: not a kernel tree (no include/linux/kconfig.h)")
    if not _is_file(tree / "include" / "generated" / "autoconf.h"):
        cfg = config if config.endswith("_defconfig") else f"{config}_defconfig"
        raise PpcError(f"--kernel-tree {path}: not configured (no include/generated/autoconf.h); run "
                       f"'make ARCH=powerpc {cfg} silentoldconfig' in it")
    if need_offsets and not _is_file(tree / "include" / "generated" / "asm-offsets.h"):
        raise PpcError(f"--kernel-tree {path}: no include/generated/asm-offsets.h; pass --asm-offsets FILE or run "
                       f"'python tools/gen_asm_offsets.py --tree {path}'")
    return tree


def _is_file(p: Path) -> bool:
    return _is(p, Path.is_file)


def _is_dir(p: Path) -> bool:
    return _is(p, Path.is_dir)


def _is(p: Path, test) -> bool:
    """Path.is_file/is_dir, with a path the system refuses (a name too long, a NUL) an error, not an OSError."""
    try:
        return test(p)
    except (OSError, ValueError) as e:
        shown = str(p) if len(str(p)) <= 80 else str(p)[:77] + "..."
        raise PpcError(f"cannot use '{shown}': {getattr(e, 'strerror', None) or e}") from None


Files = tuple[tuple[str, str | None], ...]       # (path, content digest) of every file a build read
MEMO_SIZE = 32
_memo: OrderedDict[tuple, tuple[Program, Files]] = OrderedDict()


def load_program(path: str | Sequence[str], options: BuildOptions | None = None, text: str | None = None) -> Program:
    """Read a .S file as the kernel build would and assemble it; several files are assembled each as its own
    object and linked into one program (ppcinterp/link). Raises PpcError with a position. `text` stands for
    the (first) file's content. The Program may be shared with other callers: do not change it."""
    opts = options or BuildOptions()
    paths = _paths(path)
    for k, p in enumerate(paths):
        if (text is None or k) and not _is_file(Path(p)):
            raise PpcError(f"cannot read '{p}': " + ("not a regular file" if Path(p).exists() else "no such file"))
    if not isinstance(opts.base, int) or not 0 <= opts.base < 1 << 64:
        raise PpcError(f"the base address {opts.base!r} is not a 64-bit address")
    # The paths as given and the working directory: positions name files as the build found them.
    key = (paths[0] if len(paths) == 1 else paths, os.getcwd(), text, opts.key())
    hit = _memo.get(key)
    if hit is not None and cache.still_valid(hit[1]):
        _memo.move_to_end(key)
        return hit[0]
    found = cache.load(key)
    if found is None:
        try:
            program, files = _build(paths, opts, text)
        except RecursionError:              # each stage bounds its nesting with a positioned error; never this
            raise PpcError(f"{paths[0]}: input nests too deeply") from None
        cache.store(key, program, files)
    else:
        program, files = found
    _memo[key] = (program, files)
    if len(_memo) > MEMO_SIZE:
        _memo.popitem(last=False)
    return program


def _paths(path: str | Sequence[str]) -> tuple[str, ...]:
    """The sources of a program: one path, or several (each an object of its own)."""
    paths = (path,) if isinstance(path, str) else tuple(path)
    if not paths:
        raise PpcError("no source file given")
    if len(paths) > MAX_OBJECTS:
        raise PpcError(f"{len(paths)} source files: ppcinterp links at most {MAX_OBJECTS} objects into one program")
    if not all(isinstance(p, str) for p in paths):
        raise PpcError("a source file is named by a string (a path)")
    return paths


def forget_builds() -> None:
    """Drop this process's shared builds (the disk cache keeps its entries)."""
    _memo.clear()


def _build(paths: tuple[str, ...], opts: BuildOptions, text: str | None) -> tuple[Program, Files]:
    from ppcinterp.link.layout import link

    objects, read = [], []
    with _gc_paused():              # linking too: it runs the assembler's second pass
        _build_objects(paths, opts, text, objects, read)
        program = link(objects, opts.base)
    patches = _locate_hunks(program, opts.patch, text)
    return program, cache.digests(dict.fromkeys(read + [str(p) for p in patches]))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The collector off while a source is read and assembled: that makes many objects and few cycles, and the
    collections it triggers would scan the whole heap again and again (a third of the time, more in a process that
    holds much else); what cycles it leaves are collected after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _build_objects(paths: tuple[str, ...], opts: BuildOptions, text: str | None, objects: list, read: list) -> None:
    from ppcinterp.asm.assembler import assemble_object
    from ppcinterp.source.parser import parse_source
    from ppcinterp.source.preprocess import preprocess

    for k, path in enumerate(paths):
        given = text if k == 0 else None
        try:
            pre = preprocess(path, text=given, **opts.preprocessor_args())
            objects.append(assemble_object(parse_source(pre.lines), pre, path, tuple(opts.externs)))
        except SourceError as e:
            if opts.kernel_tree is None:
                _needs_tree(e)
            raise
        # Given text stands for the main file, whatever the disk holds under its name.
        read += [f for f in pre.files if given is None or f != path]


_KERNEL_MACRO = re.compile(r"unknown instruction '([A-Z][A-Z0-9_]*)'")
_NO_INCLUDE = re.compile(r"cannot find include file '(.+)'")


def _needs_tree(e: SourceError) -> None:
    """A kernel file built in our own environment: the first error that is a kernel header or macro the
    environment lacks gets a note saying so, and that the file needs --kernel-tree (not a bare unknown name)."""
    for err in getattr(e, "errors", [e]):
        if m := _NO_INCLUDE.fullmatch(err.message):
            what = f"'{m[1]}' is not in ppcinterp's own kernel environment either"
        elif m := _KERNEL_MACRO.fullmatch(err.message):
            what = f"'{m[1]}' looks like a kernel macro, and ppcinterp's own kernel environment does not define it"
        else:
            continue
        err.notes.append((None, f"{what} (it covers what the seed's file needs): check a kernel file with "
                                "--kernel-tree DIR, a configured kernel tree"))
        return


def _locate_hunks(program: Program, patch: str | None, source: str | None) -> list[Path]:
    """Find a patch's hunks in a whole file, or match the lines of a fragment's hunks (marked with pragmas) that
    were edited to the patch's text, before the Program is shared. Returns the patch files read (the build
    depends on them too)."""
    from ppcinterp.asm.hunks import align_edited_hunks, applies, locate_hunks, seed_patches

    if patch is None:
        return []
    paths = seed_patches(kernel_env_dir().parent / "seed") if patch == "auto" else [Path(patch)]
    for p in paths:
        try:
            text = p.read_text(encoding="utf-8", errors="replace")
        except OSError as e:
            raise PpcError(f"cannot read patch '{p}': {e.strerror}") from None
        if program.hunks:                       # a fragment marks its own; edited ones are matched to the patch
            align_edited_hunks(program, text, source)
            continue
        found = locate_hunks(program, text, source)
        if patch != "auto" or applies(program, text, found):
            program.hunks = found
            break
    return paths


def build_image(path: str | Sequence[str], options: BuildOptions | None = None, cpu: CpuModel | str | None = None,
                text: str | None = None) -> Image:
    """Assemble and apply feature sections for a CPU model (default POWER7)."""
    from ppcinterp.asm.fixup import apply_features

    model = cpu if isinstance(cpu, CpuModel) else cpu_model(cpu)
    return apply_features(load_program(path, options, text), model)
