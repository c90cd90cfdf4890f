"""Reading a scenario or domain file safely: bounded in size, UTF-8 checked, TOML parsed, every string, list and
table bounded, paths checked. Each problem is a ScenarioError at its place in the file.

The bounds are far above anything a real scenario needs and low enough that no input takes more than a moment
to refuse: a file of a megabyte, strings of 10,000 characters, lists of 10,000 items, tables 16 deep.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ppcinterp.diagnostics import Pos, ScenarioError
from ppcinterp.machine.core import check_icp_base

MAX_BYTES = 1 << 20
MAX_STRING = 10_000
MAX_LIST = 10_000
MAX_DEPTH = 16


def pos_of(text: str, path: Path, key: str) -> Pos:
    """Where a key is written in the file (for messages), or its first line."""
    leaf = key.split(".")[-1][:200]
    pattern = re.compile(rf'(^|[\s."\[{{]){re.escape(leaf)}(?=["\s=.\]])')
    for i, line in enumerate(text.splitlines(), 1):
        m = pattern.search(line)
        if m and not line.lstrip().startswith("#"):
            return Pos(str(path), i, m.start() + (1 if m.group(1) else 0) + 1)
    return Pos(str(path), 1, 1)


def read(p: Path, what: str) -> str:
    """The file's text: at most MAX_BYTES, UTF-8 (a bad byte is reported at its line and column)."""
    try:
        with open(p, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise ScenarioError(f"cannot read {what} '{p}': {e.strerror or e}") from None
    except ValueError as e:                  # an embedded NUL in the name
        raise ScenarioError(f"cannot read {what} '{p!s:.200}': {e}") from None
    if len(raw) > MAX_BYTES:
        raise ScenarioError(f"the {what} '{p}' is larger than {MAX_BYTES >> 20} MiB", Pos(str(p), 1, 1))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise ScenarioError(f"the {what} is not UTF-8 text: byte {raw[e.start]:#04x} at offset {e.start} "
                            f"({e.reason})", Pos(str(p), line, col)) from None


def parse(text: str, p: Path) -> dict:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        pos = Pos(str(p), int(m.group(1)), int(m.group(2))) if m else Pos(str(p), 1, 1)
        raise ScenarioError(f"invalid TOML: {str(e).split(' (at line')[0]}", pos) from None
    except RecursionError:
        raise ScenarioError("invalid TOML: arrays or tables nest too deeply", Pos(str(p), 1, 1)) from None
    bounded(data, text, p)
    return data


def bounded(data: dict, text: str, p: Path) -> None:
    """Every string, key, list and table of the file within the bounds (walked without recursion)."""
    todo: list[tuple[str, object, int]] = [("", data, 0)]
    while todo:
        key, v, depth = todo.pop()
        if depth > MAX_DEPTH:
            raise ScenarioError(f"'{key[:80]}' nests more than {MAX_DEPTH} tables or arrays deep", pos_of(text, p, key))
        if isinstance(v, str) and len(v) > MAX_STRING:
            raise ScenarioError(f"'{key[:80]}' is a string of {len(v)} characters (at most {MAX_STRING})",
                                pos_of(text, p, key))
        if isinstance(v, list):
            if len(v) > MAX_LIST:
                raise ScenarioError(f"'{key[:80]}' has {len(v)} items (at most {MAX_LIST})", pos_of(text, p, key))
            todo += [(key, x, depth + 1) for x in v]
        elif isinstance(v, dict):
            if len(v) > MAX_LIST:
                raise ScenarioError(f"'{key[:80]}' has {len(v)} keys (at most {MAX_LIST})", pos_of(text, p, key))
            for k, x in v.items():
                if len(k) > MAX_STRING // 10:
                    raise ScenarioError(f"a key of {len(k)} characters (at most {MAX_STRING // 10})",
                                        pos_of(text, p, k))
                todo.append((f"{key}.{k}" if key else k, x, depth + 1))


def path_beside(p: Path, text: str, key: str, value: str) -> Path:
    """A path the file names (source, include, kernel_tree...), relative to the file, resolved."""
    if "\0" in value:
        raise ScenarioError(f"'{key}': a path cannot contain a NUL character", pos_of(text, p, key))
    if not value.strip():
        raise ScenarioError(f"'{key}': the path is empty", pos_of(text, p, key))
    if (why := _too_long(value)) is not None:
        raise ScenarioError(f"'{key}': {why}", pos_of(text, p, key))
    try:
        return (p.parent / value).resolve()
    except (OSError, ValueError, RuntimeError) as e:
        raise ScenarioError(f"'{key}': cannot resolve the path '{value[:200]}': {e}", pos_of(text, p, key)) from None


def _too_long(path: str) -> str | None:
    """Why no file system would take this path (the OS refuses it with ENAMETOOLONG wherever it is used)."""
    if len(path.encode("utf-8", "surrogatepass")) > 4096:
        return f"the path is {len(path):,} characters long (a file system takes 4096 bytes)"
    if any(len(part.encode("utf-8", "surrogatepass")) > 255 for part in path.split("/")):
        return "a name in the path is longer than 255 bytes"
    return None


def given(path: str | Path, option: str) -> Path:
    """A path given on the command line or by a caller, resolved."""
    if (why := _too_long(str(path))) is not None:
        raise ScenarioError(f"{option}: {why}")
    try:
        return Path(path).resolve()
    except (OSError, ValueError, RuntimeError) as e:
        raise ScenarioError(f"{option}: cannot resolve the path '{str(path)[:200]}': {e}") from None


def check_numbers(data: dict, text: str, p: Path, max_steps: int) -> None:
    """The top-level numbers within what a run can take."""
    for key, low, high in (("max_steps", 1, max_steps), ("threads", 1, 64), ("current", 0, 63)):
        if key in data and not low <= data[key] <= high:
            raise ScenarioError(f"'{key}' must be {low} to {high:,}, not {data[key]:,}", pos_of(text, p, key))
    if data.get("current", 0) >= data.get("threads", 1):
        raise ScenarioError(f"'current' is thread {data['current']}, but the core has {data.get('threads', 1)} "
                            "(threads)", pos_of(text, p, "current"))
    if "icp_base" in data:
        try:
            check_icp_base(data["icp_base"], data.get("threads", 1))
        except ValueError as e:
            raise ScenarioError(str(e), pos_of(text, p, "icp_base")) from None
