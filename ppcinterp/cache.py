"""The on-disk build cache: assembled Programs, keyed by content, in the user's cache directory.

An entry is found by the hash of everything that names a build before it runs (ppcinterp's own code, the
Python version, the path as given, the working directory, the text given, the options) and is valid only
while every file the build read still has the content recorded in it: a header edited since invalidates it.
A file is two pickles, a small header (key and file hashes) then the Program, so a stale entry costs one
small read. Instruction definitions are pickled by name (they hold semantics functions) and resolved
against the ISA table on load. Anything wrong with an entry (truncated, corrupt, from another version,
unreadable) only means a rebuild: the cache never raises.

`PPCINTERP_CACHE_DIR` overrides the directory; `PPCINTERP_NO_CACHE=1` or `--no-cache` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

FORMAT = 1
MAX_ENTRIES = 200
MAX_BYTES = 200 << 20
SUFFIX = ".ppcc"

_disabled = False          # set for one command by --no-cache
_code_hash: str | None = None


def set_disabled(value: bool) -> bool:
    """Turn the disk cache off (or back on) in this process; returns the previous setting."""
    global _disabled
    old, _disabled = _disabled, value
    return old


def disabled() -> bool:
    return _disabled


def enabled() -> bool:
    return not _disabled and os.environ.get("PPCINTERP_NO_CACHE", "") in ("", "0")


def cache_dir() -> Path:
    explicit = os.environ.get("PPCINTERP_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        raise OSError("no home directory for the build cache")    # never a cache relative to the cwd
    return Path(base) / "ppcinterp"


def code_hash() -> str:
    """ppcinterp's version and its source files (by size and mtime: cheaper than reading them all at every
    start, and any edit changes one of them), so a changed assembler never reads an old entry."""
    global _code_hash
    if _code_hash is None:
        from ppcinterp import __version__
        h = hashlib.sha256(f"{FORMAT} {__version__} {sys.version}".encode())
        root = Path(__file__).resolve().parent
        for dirpath, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".py", ".lark")):
                    st = os.stat(os.path.join(dirpath, name))      # OSError: no cache this time
                    h.update(f"{os.path.relpath(os.path.join(dirpath, name), root)} {st.st_size} "
                             f"{st.st_mtime_ns}\n".encode())
        _code_hash = h.hexdigest()
    return _code_hash


def file_digest(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.blake2b(f.read(), digest_size=16).hexdigest()
    except (OSError, ValueError):           # ValueError: a NUL in the name
        return None


def digests(paths: Iterable[str]) -> tuple[tuple[str, str | None], ...]:
    return tuple((p, file_digest(p)) for p in paths)


def still_valid(files: Iterable[tuple[str, str | None]]) -> bool:
    return all(file_digest(p) == d for p, d in files)


# ---- pickling: instruction definitions by name ----
class _Pickler(pickle.Pickler):
    def persistent_id(self, obj: Any) -> Any:
        from ppcinterp.isa.table import InsnDef
        if type(obj) is InsnDef:
            return ("insn", obj.name)
        return None


_CONTAINERS = frozenset({"set", "frozenset", "bytearray", "bytes", "dict", "list", "tuple", "complex"})


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        from ppcinterp.isa.table import INSNS
        kind, name = pid
        if kind != "insn" or name not in INSNS:
            raise pickle.UnpicklingError(f"unknown reference {pid!r}")
        return INSNS[name]

    def find_class(self, module: str, name: str) -> Any:
        # Only our own classes and plain containers: no callable a damaged file could name, and never Lark's
        # (the parser stays unimported on a hit).
        if not (module.startswith("ppcinterp.") or module == "builtins" and name in _CONTAINERS):
            raise pickle.UnpicklingError(f"unexpected class {module}.{name}")
        return super().find_class(module, name)


def entry_path(key: tuple) -> Path:
    digest = hashlib.sha256(repr((code_hash(), key)).encode()).hexdigest()
    return cache_dir() / (digest[:40] + SUFFIX)


def load(key: tuple) -> tuple[Any, tuple[tuple[str, str | None], ...]] | None:
    """The cached value for `key` and the files it was built from, if an entry exists and is still valid."""
    if not enabled():
        return None
    try:
        path = entry_path(key)
    except OSError:
        return None
    try:
        with open(path, "rb") as f:
            head = _Unpickler(f).load()
            if not (isinstance(head, tuple) and len(head) == 3 and head[0] == FORMAT and head[1] == repr(key)):
                return None
            files = head[2]
            if not still_valid(files):
                return None
            value = _Unpickler(f).load()
        os.utime(path)                      # recently used: evicted last
        return value, files
    except Exception:  # noqa: BLE001 - any damaged or foreign entry is only a miss
        _remove(path)
        return None


def store(key: tuple, value: Any, files: tuple[tuple[str, str | None], ...]) -> None:
    """Write an entry (atomically: a reader never sees half of one), then keep the cache within bounds."""
    if not enabled():
        return
    try:
        path = entry_path(key)
        buf = io.BytesIO()
        _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump((FORMAT, repr(key), files))
        _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
        path.parent.mkdir(parents=True, exist_ok=True)
        import tempfile  # only when writing: it costs a cold start several imports

        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(buf.getbuffer())
            os.replace(tmp, path)
        except BaseException:
            _remove(Path(tmp))
            raise
        evict(path.parent)
    except Exception:  # noqa: BLE001 - the cache never raises: an unwritable directory, a value too deep, too
        return         # large or not picklable at all only means no entry


def evict(directory: Path, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
    """Remove the least recently used entries beyond the bounds."""
    entries = []
    try:
        with os.scandir(directory) as it:
            for e in it:
                if not e.name.endswith((SUFFIX, ".tmp")):
                    continue
                try:
                    st = e.stat()
                except OSError:
                    continue
                if e.name.endswith(SUFFIX):
                    entries.append((st.st_mtime_ns, st.st_size, Path(e.path)))
                elif st.st_mtime_ns < time.time_ns() - 3600 * 10**9:
                    _remove(Path(e.path))            # left by a writer that died

    except OSError:
        return
    entries.sort(reverse=True)
    total = 0
    for k, (_, size, p) in enumerate(entries):
        total += size
        if k >= max_entries or total > max_bytes:
            _remove(p)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
