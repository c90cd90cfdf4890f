""".S objects kbuild would assemble under arch/ARCH, with the -I/-D options it passes each: from the Makefiles and a
.config (kbuild's walk: the arch Makefile's head-y and core-y, then every directory's obj-y, obj-m, lib-y, extra-y
and targets, composite objects and subdirectories), or from the commands of a `make V=1` log.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from ppcinterp.build import KBUILD_DEFINES, KBUILD_INCLUDES
from ppcinterp.diagnostics import PpcError
from ppcinterp.kbuild.make import Make

MAX_DIRS = 2000                 # directories one walk descends into
MAX_LOG = 256 << 20             # bytes of a make V=1 log
MAX_LOG_LINE = 1 << 16          # characters of one command in it
DIR_LISTS = ("head-y", "core-y", "init-y", "drivers-y", "libs-y", "net-y")       # the arch Makefile's
OBJ_LISTS = ("obj-y", "obj-m", "lib-y", "extra-y", "targets", "subdir-y", "subdir-m")   # each directory's


@dataclass
class KObject:
    source: str                 # the .S file, relative to the tree
    includes: list[str] = field(default_factory=list)   # -I directories kbuild adds for it (absolute)
    defines: list[str] = field(default_factory=list)    # -D NAME[=VALUE] it adds (MODULE for a module's parts)


@dataclass
class Walk:
    objects: list[KObject] = field(default_factory=list)
    dirs: list[str] = field(default_factory=list)        # directories built, relative to the tree
    notes: list[str] = field(default_factory=list)       # what the reader did not evaluate that reached a list


def read_config(path: Path) -> dict[str, str]:
    """CONFIG_ symbols of a .config as make sees them (auto.conf: `y`, `m`, numbers, strings with quotes)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise PpcError(f"--config {path}: {e.strerror}") from None
    return dict(m.groups() for m in re.finditer(r"^(CONFIG_\w+)=(.*)$", text, re.M))


def walk(tree: Path, config: dict[str, str], arch: str = "powerpc") -> Walk:
    """The .S objects of arch/ARCH that kbuild would assemble for this configuration."""
    out = Walk()
    top = f"arch/{arch}"
    mk = _make(config, arch, top)
    _read(mk, tree, top, out)
    head, dirs = [], []
    for name in DIR_LISTS:
        words, notes = mk.words(name)
        out.notes += notes
        if name == "head-y":
            head += words
        else:
            dirs += [w.rstrip("/") for w in words if w.endswith("/")]
    queue = [(_norm(d), False, []) for d in dirs if _norm(d).startswith(top + "/")]
    found: dict[str, KObject] = {}
    seen: set[str] = set()
    while queue:
        d, module, inherited = queue.pop(0)
        if d in seen:
            continue
        if not (tree / d).is_dir():
            out.notes.append(f"{d}: no such directory (a Makefile lists it)")
            seen.add(d)
            continue
        if len(seen) >= MAX_DIRS:
            out.notes.append(f"more than {MAX_DIRS} directories: the walk stopped at {d}")
            break
        seen.add(d)
        out.dirs.append(d)
        mk = _make(config, arch, d)
        _read(mk, tree, d, out)
        sub_as, notes = mk.words("subdir-asflags-y")
        out.notes += notes
        lists = {}
        for name in OBJ_LISTS:
            lists[name], notes = mk.words(name)
            out.notes += notes
        for name in ("obj-y", "obj-m", "subdir-y", "subdir-m"):
            for w in lists[name]:
                if w.endswith("/") or name.startswith("subdir"):
                    queue.append((_norm(f"{d}/{w.rstrip('/')}"), module or name.endswith("-m"), inherited + sub_as))
        for name in ("obj-y", "obj-m", "lib-y", "extra-y", "targets"):
            in_module = module or name == "obj-m"
            for w in lists[name]:
                if not w.endswith(".o"):
                    continue
                for part in _parts(mk, w, in_module, out):
                    _add(found, tree, mk, f"{d}/{part}", in_module, inherited + sub_as, out)
    for h in head:                  # head-y objects are built from the arch Makefile (their dirs' extra-y has them)
        if h.endswith(".o") and _norm(h) not in {o.source[:-2] + ".o" for o in found.values()}:
            _add(found, tree, None, h, False, [], out)
    out.objects = list(found.values())
    out.notes = list(dict.fromkeys(out.notes))
    return out


def _make(config: dict[str, str], arch: str, d: str) -> Make:
    mk = Make()
    for k, v in {**config, "ARCH": arch, "SRCARCH": arch, "srctree": ".", "objtree": ".", "obj": d, "src": d,
                 "comma": ",", "empty": "", "space": " "}.items():
        mk.define(k, v)
    return mk


def _read(mk: Make, tree: Path, d: str, out: Walk) -> None:
    """A directory's Kbuild file (kbuild prefers it) or Makefile, its notes into `out`."""
    for name in ("Kbuild", "Makefile"):
        path = tree / d / name
        if path.is_file():
            try:
                mk.read(path, f"{d}/{name}")
            except OSError as e:
                out.notes.append(f"{d}/{name}: cannot read it ({e.strerror})")
            out.notes += mk.notes
            mk.notes.clear()
            return
    out.notes.append(f"{d}: no Makefile (nothing built there)")


def _parts(mk: Make, obj: str, module: bool, out: Walk) -> list[str]:
    """A composite object's parts (`foo-objs`, `foo-y`, and `foo-m` in a module), or the object itself."""
    stem = obj[:-2]
    parts: list[str] = []
    for suffix in ("-objs", "-y") + (("-m",) if module else ()):
        words, notes = mk.words(stem + suffix)
        parts += words
        out.notes += notes if words else []
    return parts or [obj]


def _add(found: dict[str, KObject], tree: Path, mk: Make | None, obj: str, module: bool, inherited: list[str],
         out: Walk) -> None:
    rel = _norm(obj)
    src = rel[:-2] + ".S"
    if src in found or not (tree / src).is_file():
        return
    flags = list(inherited)
    if mk is not None:
        for name in ("asflags-y", "EXTRA_AFLAGS", f"AFLAGS_{Path(rel).name}"):
            words, notes = mk.words(name)
            flags += words
            out.notes += notes
    includes, defines = _options(flags, tree)
    found[src] = KObject(src, includes, defines + (["MODULE"] if module else []))


def _options(words: list[str], tree: Path) -> tuple[list[str], list[str]]:
    """The -I directories (made absolute: kbuild runs in the tree) and -D definitions among compiler options."""
    includes, defines = [], []
    it = iter(words)
    for w in it:
        for flag, into in (("-I", includes), ("-D", defines)):
            if w.startswith(flag):
                value = w[2:] or next(it, "")
                if value:
                    into.append(value)
    includes = [str(tree / p) if not os.path.isabs(p) else p for p in includes]
    return includes, defines


def _norm(path: str) -> str:
    return os.path.normpath(path).replace(os.sep, "/")


def from_log(tree: Path, log: Path) -> Walk:
    """The .S files a `make V=1` log assembles (`... -c -o X.o X.S`), each with the -I/-D options its command
    gives beyond kbuild's own (which every build has)."""
    out = Walk()
    try:
        if log.stat().st_size > MAX_LOG:
            raise PpcError(f"--log {log}: larger than {MAX_LOG >> 20} MiB")
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as e:
        raise PpcError(f"--log {log}: {e.strerror}") from None
    standard = {os.path.normpath(tree / d) for d in KBUILD_INCLUDES}
    found: dict[str, KObject] = {}
    for n, line in enumerate(lines, 1):
        if ".S" not in line or " -c " not in line:
            continue
        if len(line) > MAX_LOG_LINE:
            out.notes.append(f"{log.name}:{n}: a command longer than {MAX_LOG_LINE} characters (skipped)")
            continue
        try:
            words = shlex.split(line)
        except ValueError:
            out.notes.append(f"{log.name}:{n}: cannot split the command (unbalanced quotes; skipped)")
            continue
        sources = [w for w in words if w.endswith(".S") and not w.startswith("-")]
        if "-c" not in words or len(sources) != 1:
            continue
        src = _norm(os.path.relpath(tree / sources[0], tree))
        includes, defines = _options([w for w in words if w != "-isystem"], tree)
        includes = [i for i in includes if os.path.normpath(i) not in standard]
        defines = [d for d in defines if d.split("=")[0] not in KBUILD_DEFINES]
        found.setdefault(src, KObject(src, includes, defines))
        d = os.path.dirname(src)
        if d not in out.dirs:
            out.dirs.append(d)
    out.objects = list(found.values())
    return out
