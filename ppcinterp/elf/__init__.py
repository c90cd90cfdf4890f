"""An ELF executable of an Image for gdb and binutils: the fixed-up words at their addresses, every label as a
symbol (names: `ppcinterp.elf.symbols`), DWARF line info for every instruction (`ppcinterp.elf.dwarf`).
The last stage of the pipeline: it reads the Program and the Image, and nothing below imports it."""

from __future__ import annotations

from ppcinterp.asm.fixup import Image
from ppcinterp.diagnostics import PpcError
from ppcinterp.elf.writer import elf_bytes

__all__ = ["elf_bytes", "write_elf"]


def write_elf(image: Image, path: str, entry: int | None = None) -> None:
    """Write elf_bytes(image, entry) to path; PpcError if it cannot be written."""
    data = elf_bytes(image, entry)
    try:
        with open(path, "wb") as f:
            f.write(data)
    except OSError as e:
        raise PpcError(f"cannot write '{path}': {e.strerror or e}") from None
