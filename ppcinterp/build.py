"""Source to image: preprocess -> parse -> assemble -> fix up, with the kernel environment supplied.

The kernel environment is a header directory (our own, written from the kernel facts): `asm/include` in a
source checkout, `ppcinterp/_kernel_env` in an installed wheel. Include order: the user's -I directories,
then the chosen config's generated asm-offsets, then the environment; `ppcinterp/env.h` is force-included
(like `cc -include`) because the seed fragment has no #include lines of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ppcinterp.asm.assembler import assemble
from ppcinterp.asm.cpus import CpuModel, cpu_model
from ppcinterp.asm.fixup import Image, apply_features
from ppcinterp.asm.hunks import applies, locate_hunks, seed_patches
from ppcinterp.asm.program import Program
from ppcinterp.diagnostics import PpcError
from ppcinterp.source.parser import parse_source
from ppcinterp.source.preprocess import preprocess

ENV_HEADER = "ppcinterp/env.h"
DEFAULT_CONFIG = "pseries_defconfig"
DEFAULT_BASE = 0x100000


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

    def search_path(self) -> list[str]:
        env = kernel_env_dir()
        cfg = env / "config" / self.config
        if not cfg.is_dir():
            raise PpcError(f"unknown kernel config '{self.config}' (known: {', '.join(configs())})")
        return [*self.include_dirs, str(cfg), str(env)]


def load_program(path: str, options: BuildOptions | None = None, text: str | None = None) -> Program:
    """Read a .S file as the kernel build would and assemble it. Raises PpcError with a position."""
    opts = options or BuildOptions()
    if text is None and not Path(path).is_file():
        raise PpcError(f"cannot read '{path}': no such file")
    pre = preprocess(path, text=text, include_dirs=opts.search_path(), defines=opts.defines,
                     force_includes=[ENV_HEADER] if opts.kernel_env else [])
    program = assemble(parse_source(pre.lines), pre, path, opts.base, tuple(opts.externs))
    _locate_hunks(program, opts.patch)
    return program


def _locate_hunks(program: Program, patch: str | None) -> None:
    """Find a patch's hunks in a whole file (the fragment marks its own with pragmas)."""
    if patch is None or program.hunks:
        return
    paths = seed_patches(kernel_env_dir().parent / "seed") if patch == "auto" else [Path(patch)]
    for p in paths:
        try:
            text = p.read_text(encoding="utf-8", errors="replace")
        except OSError as e:
            raise PpcError(f"cannot read patch '{p}': {e.strerror}") from None
        found = locate_hunks(program, text)
        if patch != "auto" or applies(program, text, found):
            program.hunks = found
            return


def build_image(path: str, options: BuildOptions | None = None, cpu: CpuModel | str | None = None,
                text: str | None = None) -> Image:
    """Assemble and apply feature sections for a CPU model (default POWER7)."""
    model = cpu if isinstance(cpu, CpuModel) else cpu_model(cpu)
    return apply_features(load_program(path, options, text), model)
