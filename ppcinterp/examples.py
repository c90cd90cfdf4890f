"""The seed's examples (the checkout's asm/ folder: fragment, scenarios, domains, debugger scripts, and the
sources and headers they name) and `ppcinterp examples [DIR]`.

A wheel carries them as package data in `ppcinterp/_examples/` (pyproject's force-include); a source checkout
reads them from the repository. They are copied out with the checkout's layout (`asm/...` below DIR), so that
the README's tour runs verbatim in DIR and each scenario's relative paths still name what they named.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ppcinterp.diagnostics import PpcError

FRAGMENT = "asm/book3s_hv_rmhandlers.S"
# What is copied, relative to the examples' root: folders taken whole (asm/ as a whole, so that whatever a
# scenario names beside the fragment travels with it).
PARTS = ("asm", "LICENSES")
DEFAULT_DIR = "ppcinterp-examples"
_SHOWN_CONFLICTS = 5


def examples_root() -> Path:
    """The folder that holds asm/book3s_hv_rmhandlers.S: the wheel's package data, else the checkout."""
    pkg = Path(__file__).resolve().parent
    for cand in (pkg / "_examples", pkg.parent):
        if (cand / FRAGMENT).is_file():
            return cand
    raise PpcError("the seed's examples are missing from this installation (reinstall ppcinterp)")


def fragment_path() -> Path | None:
    """The seed's fragment as installed (or in the checkout), None when it is missing."""
    try:
        return examples_root() / FRAGMENT
    except PpcError:
        return None


def example_files(root: Path) -> list[str]:
    """Every file to copy, as a POSIX path relative to root, sorted."""
    out: list[str] = []
    for part in PARTS:
        path = root / part
        if path.is_file():
            out.append(part)
        elif path.is_dir():
            out += [p.relative_to(root).as_posix() for p in path.rglob("*")
                    if p.is_file() and "__pycache__" not in p.parts]
    return sorted(out)


def _blocked(dest: Path, rel: str) -> Path | None:
    """The path below dest that is in the way of a file at rel and is not a plain file we may replace:
    a parent that is a file, or the target itself a folder."""
    target = dest / rel
    for parent in reversed(target.relative_to(dest).parents):
        here = dest / parent
        if parent != Path(".") and here.exists() and not here.is_dir():
            return here
    return target if target.is_dir() else None


def _write(target: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, so an interrupted copy never leaves half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def copy_examples(dest: Path, force: bool = False) -> tuple[list[str], list[str]]:
    """Copy the examples into dest: (files written, files already there with the same content).

    A file that exists with other content is replaced only with force; nothing is written when one would be
    refused, so a refusal leaves dest as it was. A folder or a file in the way of a path is always refused."""
    root = examples_root()
    if dest.exists() and not dest.is_dir():
        raise PpcError(f"{dest} exists and is not a folder")
    files = example_files(root)
    write: list[tuple[str, bytes]] = []
    same: list[str] = []
    differ: list[str] = []
    for rel in files:
        blocked = _blocked(dest, rel)
        if blocked is not None:
            raise PpcError(f"{blocked} is in the way of {rel} (nothing was copied)")
        data = (root / rel).read_bytes()
        target = dest / rel
        if target.is_file():
            if target.read_bytes() == data:
                same.append(rel)
                continue
            differ.append(rel)
        write.append((rel, data))
    if differ and not force:
        shown = ", ".join(differ[:_SHOWN_CONFLICTS])
        more = f" and {len(differ) - _SHOWN_CONFLICTS} more" if len(differ) > _SHOWN_CONFLICTS else ""
        raise PpcError(f"{len(differ)} file(s) in {dest} differ from the examples: {shown}{more}; "
                       "nothing was copied (--force replaces them)")
    try:
        for rel, data in write:
            _write(dest / rel, data)
    except OSError as e:
        raise PpcError(f"cannot write {e.filename or dest}: {e.strerror}") from None
    return [rel for rel, _ in write], same
