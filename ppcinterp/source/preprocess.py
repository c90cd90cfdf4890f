"""Our own C preprocessor for `.S` files (assembler-with-cpp), keeping exact source positions.

Translation phases as GCC runs them: backslash-newline joins lines, block comments become one space (a
comment that starts on a directive line belongs to that directive), then directives and macro expansion.
Every output character maps back to the file, line and column the user wrote: characters copied from the
source to their own place, characters a macro produced to the macro name at its outermost invocation.
`#pragma` lines pass through to the output (later stages read `#pragma ppcinterp ...`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ppcinterp.diagnostics import Pos, SourceError

MAX_INCLUDE_DEPTH = 200

# ---------------------------------------------------------------- positions


@dataclass(slots=True)
class Line:
    """One output line. `segs` are (out_col, file, line, col, from_macro) runs, sorted by out_col."""

    text: str
    pos: Pos
    segs: tuple = ()

    def pos_at(self, col: int) -> Pos:
        seg = None
        for s in self.segs:
            if s[0] > col:
                break
            seg = s
        if seg is None:
            return self.pos
        out_col, file, line, scol, from_macro = seg
        return Pos(file, line, scol if from_macro else scol + (col - out_col))


# A character of logical-line text with its origin: (char, file, line, col). Logical lines are kept as
# parallel lists so that comments and continuations do not lose positions.


@dataclass(slots=True)
class _Logical:
    text: str
    origins: list[tuple[int, int]]      # (line, col) per character, within `file`
    file: str

    def pos(self, i: int) -> Pos:
        if not self.origins:
            return Pos(self.file, 1, 1)
        line, col = self.origins[min(i, len(self.origins) - 1)]
        return Pos(self.file, line, col + (1 if i >= len(self.origins) else 0))


@lru_cache(maxsize=256)
def _logical_lines(text: str, file: str) -> tuple[_Logical, ...]:
    """Phases 1-3: join continuations, replace comments by a space, keep per-character origins.
    Cached: every Session reads the same kernel headers again, and the lines are never changed."""
    out: list[_Logical] = []
    chars: list[str] = []
    origins: list[tuple[int, int]] = []
    line_no, col = 1, 1
    i, n = 0, len(text)
    in_comment = False
    comment_start: tuple[int, int] | None = None
    in_str: str | None = None
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] == "\n":          # continuation
            i += 2
            line_no, col = line_no + 1, 1
            continue
        if c == "\\" and text.startswith("\r\n", i + 1):
            i += 3
            line_no, col = line_no + 1, 1
            continue
        if in_comment:
            if c == "*" and i + 1 < n and text[i + 1] == "/":
                in_comment = False
                i, col = i + 2, col + 2
                continue
            if c == "\n":
                line_no, col = line_no + 1, 1
            else:
                col += 1
            i += 1
            continue
        if c == "\n":
            out.append(_Logical("".join(chars), origins, file))
            chars, origins = [], []
            in_str = None
            i, line_no, col = i + 1, line_no + 1, 1
            continue
        if in_str is None and c == "/" and i + 1 < n and text[i + 1] == "*":
            in_comment = True
            comment_start = (line_no, col)
            chars.append(" ")
            origins.append((line_no, col))
            i, col = i + 2, col + 2
            continue
        if c == '"' and in_str is None:
            in_str = '"'
        elif c == '"' and in_str == '"' and (not chars or chars[-1] != "\\"):
            in_str = None
        chars.append(c)
        origins.append((line_no, col))
        i, col = i + 1, col + 1
    if in_comment:
        raise SourceError("unterminated comment", Pos(file, *comment_start))
    if chars:
        out.append(_Logical("".join(chars), origins, file))
    return tuple(out)


# ---------------------------------------------------------------- tokens

_TOKEN = re.compile(r"""
    (?P<ws>[ \t\f\v\r]+)
  | (?P<str>"(?:\\.|[^"\\])*")
  | (?P<chr>'(?:\\.|[^'\\])')
  | (?P<id>[A-Za-z_]\w*)
  | (?P<num>\.?[0-9](?:[eEpP][+-]|[\w.])*)
  | (?P<punct>\#\#|\#|\.\.\.|<<|>>|<=|>=|==|!=|&&|\|\||.)
""", re.X | re.S)


@dataclass(slots=True)
class Tok:
    kind: str            # ws, str, chr, id, num, punct
    text: str
    pos: Pos | None      # where it came from (None for synthesized tokens)
    macro: bool = False  # produced by a macro expansion (pos is the outermost invocation)
    hide: frozenset = frozenset()   # macros that must not expand this token (C's "painted blue")


def _tokenize(text: str, pos_of=None, macro: bool = False) -> list[Tok]:
    toks = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        toks.append(Tok(kind, m.group(), pos_of(m.start()) if pos_of else None, macro))
    return toks


# ---------------------------------------------------------------- macros


@dataclass
class Macro:
    name: str
    params: list[str] | None          # None: object-like
    variadic: bool
    body: list[Tok]
    pos: Pos


# ---------------------------------------------------------------- #if expressions

_EXPR_TOKEN = re.compile(r"\s*(?:(0[xX][0-9a-fA-F]+|\d+)[uUlL]*|('(?:\\.|[^'\\])')|([A-Za-z_]\w*)|"
                         r"(<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%<>&|^!~?:()]))")


class _ExprError(Exception):
    pass


def _cdiv(a: int, b: int) -> int:
    """C division: truncates toward zero."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


_C_OPS = {
    "||": lambda a, b: int(bool(a) or bool(b)), "&&": lambda a, b: int(bool(a) and bool(b)),
    "|": lambda a, b: a | b, "^": lambda a, b: a ^ b, "&": lambda a, b: a & b,
    "==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b), "<": lambda a, b: int(a < b),
    ">": lambda a, b: int(a > b), "<=": lambda a, b: int(a <= b), ">=": lambda a, b: int(a >= b),
    "<<": lambda a, b: a << (b & 63), ">>": lambda a, b: a >> (b & 63), "+": lambda a, b: a + b,
    "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": _cdiv, "%": lambda a, b: a - b * _cdiv(a, b),
}


def _eval_c(text: str) -> int:
    """C integer constant expression (64-bit), identifiers already replaced (undefined ones are 0)."""
    toks: list[tuple[str, object]] = []
    i = 0
    text = text.rstrip()
    while i < len(text):
        m = _EXPR_TOKEN.match(text, i)
        if not m or m.end() == i:
            raise _ExprError(f"unexpected '{text[i:].strip()[:20]}' in expression")
        if m.group(1):
            s = m.group(1)
            toks.append(("n", int(s, 16) if s[:2] in ("0x", "0X") else int(s, 8) if len(s) > 1 and s[0] == "0"
                         else int(s)))
        elif m.group(2):
            body = m.group(2)[1:-1]
            toks.append(("n", ord(bytes(body, "utf-8").decode("unicode_escape")) if body else 0))
        elif m.group(3):
            toks.append(("n", 0))
        else:
            toks.append(("o", m.group(4)))
        i = m.end()
    pos = 0

    def peek():
        return toks[pos] if pos < len(toks) else ("e", None)

    def take():
        nonlocal pos
        t = peek()
        pos += 1
        return t

    prec = [("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", ">", "<=", ">="), ("<<", ">>"),
            ("+", "-"), ("*", "/", "%")]

    def unary():
        k, v = take()
        if k == "n":
            return v
        if v == "(":
            r = cond()
            if take() != ("o", ")"):
                raise _ExprError("missing ')' in expression")
            return r
        if v in ("-", "+", "~", "!"):
            x = unary()
            return {"-": -x, "+": x, "~": ~x, "!": int(not x)}[v]
        raise _ExprError("expected a value in expression")

    def binary(level):
        if level == len(prec):
            return unary()
        left = binary(level + 1)
        while peek()[0] == "o" and peek()[1] in prec[level]:
            op = take()[1]
            right = binary(level + 1)
            if op in ("/", "%") and right == 0:
                raise _ExprError("division by zero in expression")
            left = _C_OPS[op](left, right)
            left = ((left + (1 << 63)) & ((1 << 64) - 1)) - (1 << 63)
        return left

    def cond():
        c = binary(0)
        if peek() == ("o", "?"):
            take()
            a = cond()
            if take() != ("o", ":"):
                raise _ExprError("missing ':' in expression")
            b = cond()
            return a if c else b
        return c

    if not toks:
        raise _ExprError("empty expression")
    r = cond()
    if pos != len(toks):
        raise _ExprError(f"unexpected '{toks[pos][1]}' in expression")
    return r


# ---------------------------------------------------------------- the preprocessor


@dataclass
class Preprocessed:
    lines: list[Line]
    files: list[str]
    macros: dict[str, Macro] = field(default_factory=dict)

    def defined(self, name: str) -> bool:
        return name in self.macros

    def macro_names(self) -> list[str]:
        return list(self.macros)

    def macro_value(self, name: str) -> int | None:
        m = self.macros.get(name)
        if m is None or m.params is not None:
            return None
        pp = _Processor([], {})
        pp.macros = self.macros
        try:
            toks = pp._expand([Tok("id", name, None)], None)
            return _eval_c("".join(t.text for t in toks))
        except (_ExprError, SourceError, RecursionError):
            return None


_DIRECTIVE = re.compile(r"^\s*#\s*([A-Za-z_]\w*)?")
_KNOWN = {"include", "define", "undef", "if", "ifdef", "ifndef", "elif", "else", "endif", "error", "warning",
          "line", "pragma", "include_next"}


class _Processor:
    def __init__(self, include_dirs: Sequence[str], defines: Mapping[str, str | None]):
        self.include_dirs = [str(d) for d in include_dirs]
        self.macros: dict[str, Macro] = {}
        self.lines: list[Line] = []
        self.files: list[str] = []
        self.depth = 0
        cmdline = Pos("<command line>", 1, 1)
        self._define_text("__ASSEMBLY__ 1", cmdline)
        for k, v in (defines or {}).items():
            self._define_text(f"{k} {1 if v is None else v}", cmdline)

    # ---- files ----
    def run_file(self, path: str, text: str | None, include_pos: Pos | None) -> None:
        if self.depth >= MAX_INCLUDE_DEPTH:
            raise SourceError("#include nested too deeply (recursive include?)", include_pos)
        if text is None:
            try:
                text = Path(path).read_text(encoding="utf-8", errors="replace")
            except OSError as e:
                raise SourceError(f"cannot read '{path}': {e.strerror}", include_pos) from None
        if path not in self.files:
            self.files.append(path)
        self.depth += 1
        self._run_lines(_logical_lines(text, path))
        self.depth -= 1

    def _find_include(self, name: str, angled: bool, current: str) -> str | None:
        dirs = ([] if angled else [str(Path(current).parent)]) + self.include_dirs
        for d in dirs:
            cand = Path(d) / name
            if cand.is_file():
                return str(cand)
        return None

    # ---- lines ----
    def _run_lines(self, lines: Sequence[_Logical]) -> None:
        # Conditional stack entries: [taking, any_taken, seen_else, pos]
        stack: list[list] = []
        i = 0
        while i < len(lines):
            lg = lines[i]
            i += 1
            active = all(s[0] for s in stack)
            m = _DIRECTIVE.match(lg.text)
            if m and (m.group(1) in _KNOWN or m.group(1) is None):
                name = m.group(1)
                rest_at = m.end()
                if name in ("if", "ifdef", "ifndef"):
                    take = active and self._condition(name, lg, rest_at)
                    stack.append([take, take, False, lg.pos(lg.text.index("#")), name])
                elif name in ("elif", "else"):
                    if not stack:
                        raise SourceError(f"#{name} without #if", lg.pos(lg.text.index("#")))
                    top = stack[-1]
                    if top[2]:
                        raise SourceError(f"#{name} after #else", lg.pos(lg.text.index("#")))
                    outer = all(s[0] for s in stack[:-1])
                    if name == "else":
                        top[2] = True
                        top[0] = outer and not top[1]
                    else:
                        top[0] = outer and not top[1] and self._condition("if", lg, rest_at)
                    top[1] = top[1] or top[0]
                elif name == "endif":
                    if not stack:
                        raise SourceError("#endif without #if", lg.pos(lg.text.index("#")))
                    stack.pop()
                elif active:
                    self._directive(name, lg, rest_at, lines, i)
                continue
            if not active:
                continue
            i = self._text_line(lg, lines, i)
        if stack:
            raise SourceError(f"unterminated #{stack[-1][4]}", stack[-1][3])

    def _rest_tokens(self, lg: _Logical, start: int) -> list[Tok]:
        return [t for t in _tokenize(lg.text[start:], lambda k: lg.pos(start + k)) if t.kind != "ws"]

    def _condition(self, name: str, lg: _Logical, start: int) -> bool:
        toks = self._rest_tokens(lg, start)
        if name in ("ifdef", "ifndef"):
            if not toks or toks[0].kind != "id":
                raise SourceError(f"#{name} needs a macro name", toks[0].pos if toks else lg.pos(start))
            return (toks[0].text in self.macros) == (name == "ifdef")
        if not toks:
            raise SourceError("#if with no expression", lg.pos(start))
        # defined NAME / defined(NAME) before expansion
        resolved: list[Tok] = []
        k = 0
        while k < len(toks):
            t = toks[k]
            if t.kind == "id" and t.text == "defined":
                paren = k + 1 < len(toks) and toks[k + 1].text == "("
                j = k + 2 if paren else k + 1
                if j >= len(toks) or toks[j].kind != "id":
                    raise SourceError("'defined' needs a macro name", t.pos)
                resolved.append(Tok("num", "1" if toks[j].text in self.macros else "0", t.pos))
                k = j + (2 if paren else 1)
                if paren and (j + 1 >= len(toks) or toks[j + 1].text != ")"):
                    raise SourceError("missing ')' after 'defined'", t.pos)
                continue
            resolved.append(t)
            k += 1
        expanded = self._expand(resolved, None)
        try:
            return _eval_c(" ".join(t.text for t in expanded)) != 0
        except _ExprError as e:
            raise SourceError(f"invalid #if expression: {e}", toks[0].pos) from None

    def _directive(self, name: str, lg: _Logical, start: int, lines: Sequence[_Logical], i: int) -> None:
        hash_pos = lg.pos(lg.text.index("#"))
        if name == "define":
            self._define(lg, start)
        elif name == "undef":
            toks = self._rest_tokens(lg, start)
            if not toks or toks[0].kind != "id":
                raise SourceError("#undef needs a macro name", hash_pos)
            self.macros.pop(toks[0].text, None)
        elif name in ("include", "include_next"):
            self._include(lg, start, hash_pos)
        elif name == "error":
            raise SourceError(f"#error {lg.text[start:].strip()}", hash_pos)
        elif name == "pragma":
            text = re.sub(r"^#\s*", "#", lg.text.strip())
            self.lines.append(Line(text, hash_pos, ((0, lg.file, hash_pos.line, hash_pos.col, False),)))
        # #warning, #line and a bare '#' have no effect here.

    def _include(self, lg: _Logical, start: int, hash_pos: Pos) -> None:
        rest = lg.text[start:].strip()
        if not rest.startswith(("<", '"')):
            toks = self._expand(self._rest_tokens(lg, start), None)
            rest = "".join(t.text for t in toks).strip()
        m = re.fullmatch(r'<([^>]+)>|"([^"]+)"', rest)
        if not m:
            raise SourceError("#include expects \"FILE\" or <FILE>", lg.pos(start + (len(lg.text[start:]) -
                                                                                      len(lg.text[start:].lstrip()))))
        name = m.group(1) or m.group(2)
        found = self._find_include(name, m.group(1) is not None, lg.file)
        if found is None:
            col = lg.text.find(rest[0], start)
            raise SourceError(f"cannot find include file '{name}'", lg.pos(col))
        self.run_file(found, None, hash_pos)

    def _define_text(self, text: str, pos: Pos) -> None:
        lg = _Logical(text, [(pos.line, pos.col)] * len(text), pos.file)
        self._define(lg, 0)

    def _define(self, lg: _Logical, start: int) -> None:
        text = lg.text
        m = re.compile(r"\s*([A-Za-z_]\w*)").match(text, start)
        if not m:
            raise SourceError("#define needs a macro name", lg.pos(start))
        name = m.group(1)
        j = m.end()
        params = None
        variadic = False
        if j < len(text) and text[j] == "(":
            close = text.find(")", j)
            if close < 0:
                raise SourceError(f"missing ')' in parameters of macro '{name}'", lg.pos(j))
            params = []
            for p in filter(None, (x.strip() for x in text[j + 1:close].split(","))):
                if p == "...":
                    variadic = True
                    params.append("__VA_ARGS__")
                elif re.fullmatch(r"[A-Za-z_]\w*", p):
                    params.append(p)
                else:
                    raise SourceError(f"invalid parameter '{p}' in macro '{name}'", lg.pos(j))
            j = close + 1
        body = [t for t in _tokenize(text[j:], lambda k: lg.pos(j + k))]
        while body and body[0].kind == "ws":
            body.pop(0)
        while body and body[-1].kind == "ws":
            body.pop()
        self.macros[name] = Macro(name, params, variadic, body, lg.pos(m.start(1)))

    # ---- text lines and macro expansion ----
    def _text_line(self, lg: _Logical, lines: Sequence[_Logical], i: int) -> int:
        toks = _tokenize(lg.text, lg.pos)
        # A function-like macro invocation may continue on following lines: pull them in.
        while self._open_call(toks):
            if i >= len(lines):
                break
            nxt = lines[i]
            if _DIRECTIVE.match(nxt.text) and (_DIRECTIVE.match(nxt.text).group(1) in _KNOWN):
                break
            i += 1
            toks.append(Tok("ws", " ", None))
            toks.extend(_tokenize(nxt.text, nxt.pos))
        out = self._expand(toks, None)
        self._emit(out, lg)
        return i

    def _open_call(self, toks: list[Tok]) -> bool:
        """True if the line ends inside the argument list of a function-like macro invocation."""
        depth = 0
        in_call = False
        k = 0
        while k < len(toks):
            t = toks[k]
            if depth == 0 and t.kind == "id" and (m := self.macros.get(t.text)) and m.params is not None:
                j = k + 1
                while j < len(toks) and toks[j].kind == "ws":
                    j += 1
                if j < len(toks) and toks[j].text == "(":
                    in_call, depth, k = True, 1, j + 1
                    continue
            elif in_call:
                if t.text == "(":
                    depth += 1
                elif t.text == ")":
                    depth -= 1
                    if depth == 0:
                        in_call = False
            k += 1
        return in_call and depth > 0

    def _emit(self, toks: list[Tok], lg: _Logical) -> None:
        parts, segs = [], []
        col = 0
        for t in toks:
            if t.pos is not None:
                segs.append((col, t.pos.file, t.pos.line, t.pos.col, t.macro))
            parts.append(t.text)
            col += len(t.text)
        text = "".join(parts).rstrip()
        if not text.strip():
            return
        line = Line(text, lg.pos(0), tuple(segs))
        line.pos = line.pos_at(len(text) - len(text.lstrip()))
        self.lines.append(line)

    def _expand(self, toks: list[Tok], origin: Tok | None) -> list[Tok]:
        """Expand macros in a token list (C rescanning with the hide-set rule)."""
        out: list[Tok] = []
        k = 0
        while k < len(toks):
            t = toks[k]
            m = self.macros.get(t.text) if t.kind == "id" else None
            if m is None or t.text in t.hide:
                out.append(t)
                k += 1
                continue
            where = origin or t
            if m.params is None:
                body = self._instantiate(m, {}, where, t.hide | {m.name})
                out.extend(self._expand(body, where))
                k += 1
                continue
            j = k + 1
            while j < len(toks) and toks[j].kind == "ws":
                j += 1
            if j >= len(toks) or toks[j].text != "(":
                out.append(t)
                k += 1
                continue
            args, end = self._collect_args(toks, j, t)
            if m.variadic:
                fixed = len(m.params) - 1
                if len(args) > fixed:
                    rest = []
                    for n_, a in enumerate(args[fixed:]):
                        if n_:
                            rest.append(Tok("punct", ",", None))
                        rest.extend(a)
                    args = args[:fixed] + [rest]
            if len(args) == 1 and not any(x.kind != "ws" for x in args[0]) and len(m.params) == 0:
                args = []
            if len(args) != len(m.params) and not (m.variadic and len(args) == len(m.params) - 1):
                raise SourceError(f"macro '{m.name}' requires {len(m.params)} argument"
                                  f"{'s' * (len(m.params) != 1)}, but {len(args)} given", t.pos)
            binding = {p: (args[n_] if n_ < len(args) else []) for n_, p in enumerate(m.params)}
            body = self._instantiate(m, binding, where, t.hide | {m.name})
            out.extend(self._expand(body, where))
            k = end + 1
        return out

    def _collect_args(self, toks: list[Tok], j: int, name: Tok) -> tuple[list[list[Tok]], int]:
        depth, args, cur = 0, [], []
        k = j
        while k < len(toks):
            t = toks[k]
            if t.text == "(":
                depth += 1
                if depth == 1:
                    k += 1
                    continue
            elif t.text == ")":
                depth -= 1
                if depth == 0:
                    args.append(cur)
                    return args, k
            elif t.text == "," and depth == 1:
                args.append(cur)
                cur = []
                k += 1
                continue
            cur.append(t)
            k += 1
        raise SourceError(f"unterminated argument list invoking macro '{name.text}'", name.pos)

    def _instantiate(self, m: Macro, binding: dict[str, list[Tok]], where: Tok, hide: frozenset) -> list[Tok]:
        """Substitute arguments (expanded, or raw next to # and ##) and paste, all placed at `where`."""
        pos = where.pos
        body = m.body
        res: list[Tok] = []
        k = 0

        def strip(ts):
            ts = list(ts)
            while ts and ts[0].kind == "ws":
                ts.pop(0)
            while ts and ts[-1].kind == "ws":
                ts.pop()
            return ts

        while k < len(body):
            t = body[k]
            if t.text == "#" and m.params is not None:
                j = k + 1
                while j < len(body) and body[j].kind == "ws":
                    j += 1
                if j < len(body) and body[j].text in binding:
                    s = "".join(x.text for x in strip(binding[body[j].text]))
                    s = '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
                    res.append(Tok("str", s, pos, True, hide))
                    k = j + 1
                    continue
            if t.kind == "id" and t.text in binding:
                nxt = next((x for x in body[k + 1:] if x.kind != "ws"), None)
                prv = next((x for x in reversed(res) if x.kind != "ws"), None)
                raw = (nxt is not None and nxt.text == "##") or (prv is not None and prv.text == "##")
                arg = strip(binding[t.text]) if raw else self._expand(strip(binding[t.text]), where)
                res.extend(Tok(x.kind, x.text, pos if where is not None else x.pos, True, x.hide | hide)
                           for x in arg)
                if raw and not arg:
                    res.append(Tok("placemarker", "", pos, True, hide))
                k += 1
                continue
            res.append(Tok(t.kind, t.text, pos, True, hide))
            k += 1
        # ## pastes the tokens on each side
        out: list[Tok] = []
        k = 0
        while k < len(res):
            t = res[k]
            if t.text == "##" and t.kind == "punct":
                while out and out[-1].kind == "ws":
                    out.pop()
                k += 1
                while k < len(res) and res[k].kind == "ws":
                    k += 1
                left = out.pop() if out else Tok("placemarker", "", pos, True, hide)
                right = res[k] if k < len(res) else Tok("placemarker", "", pos, True, hide)
                text = left.text + right.text
                pasted = _tokenize(text) if text else []
                out.extend(Tok(p.kind, p.text, pos, True, hide) for p in pasted)
                k += 1
                continue
            out.append(t)
            k += 1
        return [t for t in out if t.kind != "placemarker"]


def preprocess(path: str, *, text: str | None = None, include_dirs: Sequence[str] = (),
               defines: Mapping[str, str | None] | None = None,
               force_includes: Sequence[str] = ()) -> Preprocessed:
    """Preprocess `path` (or `text`, reported as `path`) as `cc -E -x assembler-with-cpp` would."""
    pp = _Processor(include_dirs, defines or {})
    for inc in force_includes:
        found = inc if Path(inc).is_file() else pp._find_include(inc, True, path)
        if found is None:
            raise SourceError(f"cannot find forced include file '{inc}'", Pos("<command line>", 1, 1))
        pp.run_file(found, None, None)
    pp.run_file(path, text, None)
    files = [path] + [f for f in pp.files if f != path]
    return Preprocessed(pp.lines, files, pp.macros)
