"""The census: every .S object kbuild would assemble under chosen directories of a configured kernel tree, built
as `check --kernel-tree` builds it and compared with GNU as's object of the same source (when GNU's tools are
installed); a row per object, one per .S file an object includes, one per .S file this configuration does not
build, and the totals.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ppcinterp.build import BuildOptions, load_program
from ppcinterp.diagnostics import PpcError
from ppcinterp.kbuild import gas
from ppcinterp.kbuild.objects import KObject, from_log, read_config, walk

DEFAULT_DIRS = ("arch/powerpc/kernel", "arch/powerpc/kvm", "arch/powerpc/lib", "arch/powerpc/mm",
                "arch/powerpc/platforms/powernv", "arch/powerpc/platforms/pseries")
# A row's status: ours built and equals GNU as's words; differs; ours failed; GNU as refused the file; not
# compared (GNU's tools are not installed, or --no-compare); included by an object; not built by the configuration.
STATUSES = ("ok", "differs", "fails", "gas-fails", "checked", "included", "not-built")


@dataclass
class Row:
    path: str                    # relative to the tree
    status: str
    detail: str = ""             # the first error, the object that includes it, GNU as's flags
    words: int = 0               # words compared with GNU as's
    masked: int = 0              # of them, with a field GNU as left to the linker (compared without it)
    differing: int = 0
    seconds: float = 0.0         # our build
    differences: list[str] = field(default_factory=list)


@dataclass
class Census:
    tree: str
    source: str                  # where the object list came from: "Makefiles and CONFIG" or "log FILE"
    rows: list[Row]
    notes: list[str]
    compared: bool               # GNU as was run

    @property
    def ok(self) -> bool:
        return not any(r.status in ("differs", "fails") for r in self.rows)


def census(tree: str, config: str | None = None, log: str | None = None, dirs: tuple[str, ...] = DEFAULT_DIRS,
           compare: bool = True) -> Census:
    root = Path(tree)
    if not (root / "arch").is_dir():
        raise PpcError(f"--kernel-tree {tree}: not a kernel tree (no arch/)")
    BuildOptions(kernel_tree=tree).search_path()         # configured, with asm-offsets: as check needs it
    if log is not None:
        found, source = from_log(root, Path(log)), f"log {log}"
    else:
        cfg = Path(config) if config else root / ".config"
        found, source = walk(root, read_config(cfg)), f"Makefiles and {cfg}"
    wanted = [d.strip("/") for d in dirs]
    objects = sorted((o for o in found.objects if os.path.dirname(o.source) in wanted), key=lambda o: o.source)
    compare = compare and gas.available()
    rows = _check(root, objects, compare) + _others(root, wanted, objects)
    notes = found.notes + [f"{d}: not built by this configuration" for d in wanted
                           if d not in found.dirs and (root / d).is_dir()]
    return Census(str(root), source, sorted(rows, key=lambda r: r.path), notes, compare)


def _check(root: Path, objects: list[KObject], compare: bool) -> list[Row]:
    rows, pool = [], ThreadPoolExecutor(1)          # GNU's side runs in the background while ours builds
    try:
        gnu: list[Future | None] = [pool.submit(gas.assemble, str(root / o.source), str(root), o.includes,
                                                o.defines) if compare else None for o in objects]
        for obj, fut in zip(objects, gnu, strict=True):
            rows.append(_row(root, obj, fut))
    finally:
        pool.shutdown(cancel_futures=True)
    return rows


def _row(root: Path, obj: KObject, fut: Future | None) -> Row:
    opts = BuildOptions(kernel_tree=str(root), include_dirs=obj.includes, patch=None,
                        defines=dict((d.split("=", 1) + [""])[:2] if "=" in d else (d, None) for d in obj.defines))
    t = time.perf_counter()
    try:
        prog = load_program(str(root / obj.source), opts)
    except PpcError as e:
        return Row(obj.source, "fails", _short(e.render().splitlines()[0], root), seconds=time.perf_counter() - t)
    except Exception as e:                       # noqa: BLE001 - a census reports a crash and goes on
        return Row(obj.source, "fails", f"internal error: {type(e).__name__}: {e}", seconds=time.perf_counter() - t)
    row = Row(obj.source, "checked", seconds=time.perf_counter() - t)
    if fut is None:
        return row
    try:
        theirs = fut.result()
    except gas.GasError as e:
        return Row(obj.source, "gas-fails", _short(str(e), root), seconds=row.seconds)
    cmp = gas.compare(theirs, prog)
    row.words, row.masked, row.differing = cmp.words, cmp.masked, cmp.bad
    row.differences = [_short(x, root) for x in cmp.lines]
    row.status = "differs" if cmp.bad else "ok"
    if "-many" in theirs.flags:
        row.detail = "GNU as needs -many"
    return row


_INCLUDE_S = re.compile(r'^\s*#\s*include\s*"([^"]+\.S)"', re.M)


def _includes(root: Path, source: str, depth: int = 0) -> list[str]:
    """The .S files a source includes by `#include "x.S"` (and those include), relative to the tree."""
    try:
        text = (root / source).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    out = []
    for name in _INCLUDE_S.findall(text):
        rel = os.path.normpath(os.path.join(os.path.dirname(source), name))
        if (root / rel).is_file() and rel not in out and depth < 8:
            out += [rel, *_includes(root, rel, depth + 1)]
    return out


def _others(root: Path, wanted: list[str], objects: list[KObject]) -> list[Row]:
    """Rows for the other .S files of the wanted directories: included by an object (and checked through it), or
    not assembled by this configuration."""
    by: dict[str, str] = {}
    for o in objects:
        for inc in _includes(root, o.source):
            by.setdefault(inc, o.source)
    built = {o.source for o in objects}
    rows = []
    for d in wanted:
        for p in sorted((root / d).glob("*.S")) if (root / d).is_dir() else ():
            rel = f"{d}/{p.name}"
            if rel not in built:
                rows.append(Row(rel, "included", f"by {by[rel]}") if rel in by else Row(rel, "not-built"))
    return rows


def _short(text: str, root: Path) -> str:
    return text.replace(str(root) + os.sep, "")


def render_text(c: Census) -> str:
    out = [f"census of {c.tree} ({c.source})" + ("" if c.compared else "; not compared with GNU as")]
    width = max((len(r.path) for r in c.rows), default=0)
    for r in c.rows:
        out.append(f"{r.path:<{width}}  {_status_text(r)}")
        if r.status == "not-built":
            out[-1] += " in the log" if c.source.startswith("log") else " by this configuration"
    counts = Counter(r.status for r in c.rows)
    objects = sum(counts[s] for s in STATUSES[:5])
    kinds = ", ".join(f"{counts[s]} {s}" for s in STATUSES[:5] if counts[s])
    out.append(f"total: {objects} objects{': ' + kinds if kinds else ''}; {counts['included']} included by them, "
               f"{counts['not-built']} not built")
    out += [f"note: {n}" for n in c.notes]
    return "\n".join(out)


def _status_text(r: Row) -> str:
    took = f"  {r.seconds:.1f}s"
    if r.status == "ok":
        return f"ok ({r.words} words{', ' + r.detail if r.detail else ''}){took}"
    if r.status == "differs":
        return f"differs {r.differing} of {r.words} words: {r.differences[0] if r.differences else ''}{took}"
    if r.status in ("fails", "gas-fails"):
        return f"{'fails' if r.status == 'fails' else 'checked; GNU as refuses it'}: {r.detail}{took}"
    if r.status == "checked":
        return f"checked (not compared){took}"
    if r.status == "included":
        return f"included {r.detail}"
    return "not assembled"


def render_json(c: Census) -> str:
    return json.dumps({"tree": c.tree, "source": c.source, "compared": c.compared,
                       "rows": [asdict(r) for r in c.rows], "notes": c.notes,
                       "totals": dict(Counter(r.status for r in c.rows))}, indent=1)
