"""Our own C preprocessor for `.S` files (assembler-with-cpp), keeping exact source positions.

This module reads files and runs directives; `cpp_lines` gives logical lines and tokens, `cpp_macros` expands
macros, `cpp_expr` evaluates `#if`. Every output character maps back to the file, line and column the user
wrote: characters copied from the source to their own place, characters a macro produced to the macro name
at its outermost invocation. `#pragma` lines pass through to the output (later stages read
`#pragma ppcinterp ...`), and so do lines whose `#` is not a directive (GNU as reads them as comments).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ppcinterp.diagnostics import Pos, SourceError
from ppcinterp.source.cpp_expr import ExprError, evaluate
from ppcinterp.source.cpp_lines import Line, Logical, Tok, join, logical_lines, tokenize
from ppcinterp.source.cpp_macros import Expander, Macro, parse_define

__all__ = ["Line", "Macro", "Preprocessed", "preprocess", "MAX_INCLUDE_DEPTH"]

MAX_INCLUDE_DEPTH = 200
# What one preprocessing run reads and writes, so that a huge input ends in an error within seconds (v3.10's
# largest object, head_64.S with its headers, reads about 20,000 lines and writes about 15,000 of assembly):
MAX_SOURCE_BYTES = 8 << 20      # characters of one file (the kernel's largest .S is about 200 KB)
MAX_LINES_READ = 500_000        # lines of all files together, the #included ones and those #if skips too
# Lines of assembly written: each is at least one statement unless `.if` skips it or it is a `.macro` body, and
# the assembler stops at 100,000 statements (asm/limits.py); the margin is for those.
MAX_OUTPUT_LINES = 120_000


@dataclass
class Preprocessed:
    lines: list[Line]
    files: list[str]
    macros: dict[str, Macro] = field(default_factory=dict)
    # CONFIG_* name -> lines of the main file skipped by a false conditional that tests it
    skipped_by_config: dict[str, int] = field(default_factory=dict)
    warnings: list[tuple[Pos, str]] = field(default_factory=list)      # #warning lines, in order

    def defined(self, name: str) -> bool:
        return name in self.macros

    def macro_names(self) -> list[str]:
        return list(self.macros)

    def macro_value(self, name: str) -> int | None:
        m = self.macros.get(name)
        if m is None or m.params is not None:
            return None
        try:
            toks = Expander(self.macros).expand([Tok("id", name, None)])
            return evaluate([t for t in toks if t.kind not in ("ws", "pad")])
        except (ExprError, SourceError, RecursionError):
            return None


_DIRECTIVE = re.compile(r"^\s*#\s*([A-Za-z_]\w*)?")
_KNOWN = {"include", "define", "undef", "if", "ifdef", "ifndef", "elif", "else", "endif", "error", "warning",
          "line", "pragma", "include_next", "ident", "sccs", "assert", "unassert"}
_CONDITIONALS = {"if", "ifdef", "ifndef", "elif", "else", "endif"}
_CONFIG = re.compile(r"\bCONFIG_\w+")


@dataclass
class _Cond:
    """One open #if group: is it taken, was any branch taken, #else seen, where it opened, CONFIG_ names its
    chain tests, and the logical line where skipping started when this group is what skips the main file."""

    taking: bool
    any_taken: bool
    pos: Pos
    kind: str
    names: set[str]
    seen_else: bool = False
    skip_from: int | None = None


@dataclass
class _File:
    path: str                  # as written (what __FILE__ says)
    dir_index: int | None      # the search-path entry it was found in (for #include_next)


class _Processor:
    def __init__(self, include_dirs: Sequence[str], defines: Mapping[str, str | None],
                 overrides: Mapping[str, str] | None = None):
        self.include_dirs = [str(d) for d in include_dirs]
        self.overrides = dict(overrides or {})
        self.macros: dict[str, Macro] = {}
        self.expander = Expander(self.macros, self)
        self.lines: list[Line] = []
        self.files: list[str] = []
        self.stack: list[_File] = []
        self.main = ""
        self.skipped: dict[str, int] = {}
        self.warnings: list[tuple[Pos, str]] = []
        self.read = 0                           # lines of every file read so far (MAX_LINES_READ)
        cmdline = Pos("<command line>", 1, 1)
        self._define_text("__ASSEMBLY__ 1", cmdline)
        for k, v in (defines or {}).items():
            self._define_text(f"{k} {1 if v is None else v}", cmdline)

    # ---- the Host protocol of cpp_macros ----
    def current_file(self) -> str:
        return self.stack[-1].path if self.stack else ""

    def base_file(self) -> str:
        return self.main

    def include_level(self) -> int:
        return max(len(self.stack) - 1, 0)

    def has_include(self, name: str, angled: bool, next_: bool, pos: Pos | None) -> bool:
        return self._find_include(name, angled, next_) is not None

    # ---- files ----
    def run_file(self, path: str, text: str | None, include_pos: Pos | None, dir_index: int | None = None) -> None:
        if len(self.stack) >= MAX_INCLUDE_DEPTH:
            raise SourceError("#include nested too deeply (recursive include?)", include_pos)
        if text is None:
            try:
                size = os.path.getsize(path)                        # measured before it is read in
                if size > MAX_SOURCE_BYTES:
                    raise SourceError(f"'{path}' is {size:,} bytes: larger than the {MAX_SOURCE_BYTES:,} ppcinterp "
                                      "reads from one source file", include_pos)
                text = Path(path).read_text(encoding="utf-8", errors="replace")
            except OSError as e:
                raise SourceError(f"cannot read '{path}': {e.strerror}", include_pos) from None
        if len(text) > MAX_SOURCE_BYTES:
            raise SourceError(f"'{path}' is {len(text):,} characters: more than the {MAX_SOURCE_BYTES:,} "
                              "ppcinterp reads from one source file", include_pos)
        lines = text.count("\n") + (not text.endswith("\n"))
        if self.read + lines > MAX_LINES_READ:
            raise SourceError(f"preprocessing reads more than {MAX_LINES_READ:,} lines in all (with every #include): "
                              "the most ppcinterp reads for one file", Pos(path, MAX_LINES_READ - self.read + 1, 1))
        self.read += lines
        if path not in self.files:
            self.files.append(path)
        self.stack.append(_File(path, dir_index))
        self._run_lines(logical_lines(text, path), path == self.main and len(self.stack) == 1)
        self.stack.pop()

    def _find_include(self, name: str, angled: bool, next_: bool = False) -> tuple[str, int | None] | None:
        """Where `#include` finds `name`: "x" first in the including file's directory; #include_next
        continues after the search-path entry the current file was found in (from the start if none)."""
        cur = self.stack[-1] if self.stack else None
        if name in self.overrides and not next_:
            return self.overrides[name], None
        if os.path.isabs(name):
            return (name, None) if os.path.isfile(name) else None
        start = 0
        if next_ and cur is not None and cur.dir_index is not None:
            start = cur.dir_index + 1
        elif not angled and not next_ and cur is not None:
            cand = os.path.join(os.path.dirname(cur.path), name)
            if os.path.isfile(cand):
                return cand, None
        for k in range(start, len(self.include_dirs)):
            cand = os.path.join(self.include_dirs[k], name)
            if os.path.isfile(cand):
                return cand, k
        return None

    # ---- lines ----
    def _run_lines(self, lines: Sequence[Logical], count_skips: bool) -> None:
        stack: list[_Cond] = []
        i = 0
        while i < len(lines):
            lg = lines[i]
            i += 1
            active = not stack or stack[-1].taking
            m = _DIRECTIVE.match(lg.text)
            name = m.group(1) if m else None
            if m and name in _CONDITIONALS:
                self._conditional(name, lg, m.end(), stack, active, i, lines if count_skips else None)
            elif not active:
                continue
            elif m and name in _KNOWN:
                self._directive(name, lg, m.end())
            elif m and name is None and not lg.text[m.end():].strip():
                continue                                        # the null directive
            else:
                i = self._text_line(lg, lines, i)
        if stack:
            raise SourceError(f"unterminated #{stack[-1].kind}", stack[-1].pos)

    def _conditional(self, name: str, lg: Logical, start: int, stack: list[_Cond], active: bool, i: int,
                     lines: Sequence[Logical] | None) -> None:
        hash_pos = lg.pos(lg.text.index("#"))
        if name in ("if", "ifdef", "ifndef"):
            names = set(_CONFIG.findall(lg.text[start:])) if active else set()
            if lines is not None:           # every option the main file tests is reported, 0 lines or more
                for c in names:
                    self.skipped.setdefault(c, 0)
            take = active and self._condition(name, lg, start)
            stack.append(_Cond(take, take, hash_pos, name, names))
            if active and not take:
                stack[-1].skip_from = i
            return
        if not stack:
            raise SourceError(f"#{name} without #if", hash_pos)
        top = stack[-1]
        outer = len(stack) == 1 or stack[-2].taking
        if top.seen_else and name != "endif":
            raise SourceError(f"#{name} after #else", hash_pos)
        if top.skip_from is not None and lines is not None:
            n = lg.first_line - lines[top.skip_from].first_line if top.skip_from < len(lines) else 0
            for c in top.names:
                self.skipped[c] = self.skipped.get(c, 0) + n
            top.skip_from = None
        if name == "endif":
            stack.pop()
            return
        if name == "else":
            top.seen_else = True
            top.taking = outer and not top.any_taken
        else:
            if outer:
                top.names |= set(_CONFIG.findall(lg.text[start:]))
                if lines is not None:
                    for c in top.names:
                        self.skipped.setdefault(c, 0)
            top.taking = outer and not top.any_taken and self._condition("if", lg, start)
        top.any_taken = top.any_taken or top.taking
        if outer and not top.taking:
            top.skip_from = i

    def _rest_tokens(self, lg: Logical, start: int) -> list[Tok]:
        return [t for t in tokenize(lg.text[start:], lambda k: lg.pos(start + k)) if t.kind != "ws"]

    def _condition(self, name: str, lg: Logical, start: int) -> bool:
        toks = self._rest_tokens(lg, start)
        if name in ("ifdef", "ifndef"):
            if not toks or toks[0].kind != "id":
                raise SourceError(f"#{name} needs a macro name", toks[0].pos if toks else lg.pos(start))
            return self.expander.is_defined(toks[0].text) == (name == "ifdef")
        if not toks:
            raise SourceError(f"#{name} with no expression", lg.pos(start))
        expanded = [t for t in self.expander.expand(toks, in_if=True) if t.kind not in ("ws", "pad")]
        try:
            return evaluate(expanded) != 0
        except ExprError as e:
            where = e.tok.pos if e.tok is not None and e.tok.pos is not None else toks[0].pos
            raise SourceError(f"invalid #if expression: {e}", where) from None

    def _directive(self, name: str, lg: Logical, start: int) -> None:
        hash_pos = lg.pos(lg.text.index("#"))
        if name == "define":
            m = parse_define(lg, start)
            self.macros[m.name] = m
        elif name == "undef":
            toks = self._rest_tokens(lg, start)
            if not toks or toks[0].kind != "id":
                raise SourceError("#undef needs a macro name", hash_pos)
            self.macros.pop(toks[0].text, None)
            self.expander.builtins.discard(toks[0].text)
        elif name in ("include", "include_next"):
            self._include(lg, start, hash_pos, name == "include_next")
        elif name == "error":
            raise SourceError(f"#error {lg.text[start:].strip()}", hash_pos)
        elif name == "warning":
            self.warnings.append((hash_pos, lg.text[start:].strip()))
        elif name == "pragma":
            text = re.sub(r"^#\s*", "#", lg.text.strip())
            self.lines.append(Line(text, hash_pos, ((0, lg.file, hash_pos.line, hash_pos.col, False),)))
        # #line, #ident, #sccs, #assert and #unassert have no effect on what we assemble.

    def _include(self, lg: Logical, start: int, hash_pos: Pos, next_: bool) -> None:
        rest = lg.text[start:].strip()
        at = lg.pos(start + len(lg.text[start:]) - len(lg.text[start:].lstrip()))
        if not rest.startswith(("<", '"')):
            toks = self.expander.expand(self._rest_tokens(lg, start))
            rest = join(toks)[0].strip()
        m = re.fullmatch(r'<([^>]+)>|"([^"]+)"', rest)
        if not m:
            raise SourceError("#include expects \"FILE\" or <FILE>", at)
        name = m.group(1) or m.group(2)
        found = self._find_include(name, m.group(1) is not None, next_)
        if found is None:
            raise SourceError(f"cannot find include file '{name}'", at)
        self.run_file(found[0], None, hash_pos, found[1])

    def _define_text(self, text: str, pos: Pos) -> None:
        m = parse_define(Logical(text, [(pos.line, pos.col)] * len(text), pos.file, pos.line), 0)
        self.macros[m.name] = m

    # ---- text lines ----
    def _text_line(self, lg: Logical, lines: Sequence[Logical], i: int) -> int:
        toks = list(_line_tokens(lg))
        # A function-like macro invocation may continue on following lines: pull them in.
        while i < len(lines) and self._open_call(toks, lines[i]):
            nxt = lines[i]
            m = _DIRECTIVE.match(nxt.text)
            if m and m.group(1) in _KNOWN:
                break
            i += 1
            toks.append(Tok("ws", " ", None))
            toks.extend(_line_tokens(nxt))
        self._emit(self.expander.expand(toks), lg)
        return i

    def _open_call(self, toks: list[Tok], nxt: Logical) -> bool:
        """True if the line ends inside the arguments of a function-like macro, or with its name when the
        next line opens the arguments."""
        depth = 0
        k = 0
        pending = False                    # a function-like macro's name, waiting for '('
        while k < len(toks):
            t = toks[k]
            k += 1
            if t.kind == "ws":
                continue
            if depth:
                depth += (t.text == "(") - (t.text == ")")
            elif pending and t.text == "(":
                depth = 1
            pending = not depth and t.kind == "id" and (m := self.macros.get(t.text)) is not None \
                and m.params is not None
        return depth > 0 or pending and nxt.text.lstrip().startswith("(")

    def _emit(self, toks: list[Tok], lg: Logical) -> None:
        text, cols = join(toks)
        segs = tuple((col, t.pos.file, t.pos.line, t.pos.col, t.macro) for col, t in cols if t.pos is not None)
        text = text.rstrip()
        if not text.strip():
            return
        line = Line(text, lg.pos(0), segs)
        line.pos = line.pos_at(len(text) - len(text.lstrip()))
        if len(self.lines) >= MAX_OUTPUT_LINES:
            raise SourceError(f"this file makes more than {MAX_OUTPUT_LINES:,} lines of assembly after "
                              "preprocessing: the most ppcinterp assembles for one file", line.pos)
        self.lines.append(line)


_TOKENS: dict[tuple[str, int, str, tuple[int, int] | None], tuple[Tok, ...]] = {}


def _line_tokens(lg: Logical) -> tuple[Tok, ...]:
    """A text line's tokens, kept per line like the logical lines themselves (tokens are never changed)."""
    key = (lg.file, lg.first_line, lg.text, lg.origins[-1] if lg.origins else None)
    toks = _TOKENS.get(key)
    if toks is None:
        if len(_TOKENS) > 100_000:
            _TOKENS.clear()
        toks = _TOKENS[key] = tuple(tokenize(lg.text, lg.pos))
    return toks


def preprocess(path: str, *, text: str | None = None, include_dirs: Sequence[str] = (),
               defines: Mapping[str, str | None] | None = None,
               force_includes: Sequence[str] = (), include_overrides: Mapping[str, str] | None = None,
               ) -> Preprocessed:
    """Preprocess `path` (or `text`, reported as `path`) as `cc -E -x assembler-with-cpp` would.
    `force_includes` are read first, like `cc -include FILE` (the working directory, then the search path);
    `include_overrides` maps an include name (`asm/asm-offsets.h`) to the file it reads, before any search."""
    pp = _Processor(include_dirs, defines or {}, include_overrides)
    pp.main = path
    for inc in force_includes:
        found = (inc, None) if os.path.isfile(inc) else pp._find_include(inc, True)
        if found is None:
            raise SourceError(f"cannot find forced include file '{inc}'", Pos("<command line>", 1, 1))
        pp.run_file(found[0], None, None, found[1])
    pp.run_file(path, text, None)
    files = [path] + [f for f in pp.files if f != path]
    return Preprocessed(pp.lines, files, pp.macros, pp.skipped, pp.warnings)
