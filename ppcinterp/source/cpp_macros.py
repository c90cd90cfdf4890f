"""Macro definitions and expansion, with GNU cpp's extensions.

Expansion is C's rescanning with hide sets (Prosser's algorithm): an invocation's replacement is pushed back
in front of the rest of the input, so a function-like macro name produced by one expansion takes its
arguments from the text that follows. GNU extensions: named variadic parameters (`x...`), `, ## __VA_ARGS__`
(the comma goes when the variadic argument is left out), pasting that does not give one token keeps both
(assembler-with-cpp), `#` before a non-parameter is an ordinary token. Inside `#if`, `defined` and
`__has_include` are evaluated where they appear, also in the output of a macro.
Everything a macro produces is placed at its outermost invocation. A line's expansion is bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ppcinterp.diagnostics import Pos, SourceError
from ppcinterp.source.cpp_lines import PAD, Logical, Tok, is_space, strip_space, tokenize

MAX_LINE_TOKENS = 100_000        # tokens one line's expansions may produce (a kernel line: a few hundred)
MAX_FILE_TOKENS = 500_000        # ... and all lines of one preprocessing run together
MAX_ARG_DEPTH = 200              # arguments nested inside arguments
BUILTINS = ("__LINE__", "__FILE__", "__BASE_FILE__", "__COUNTER__", "__INCLUDE_LEVEL__")
HAS_INCLUDE = ("__has_include", "__has_include_next")


@dataclass
class Macro:
    name: str
    params: list[str] | None          # None: object-like; a variadic macro's last one is its variadic name
    variadic: bool
    body: list[Tok]
    pos: Pos | None                   # the name's token (tokens of a #define line always have one)


class Host(Protocol):
    """What expansion needs from the file being read."""

    def current_file(self) -> str: ...
    def base_file(self) -> str: ...
    def include_level(self) -> int: ...
    def has_include(self, name: str, angled: bool, next_: bool, pos: Pos | None) -> bool: ...


_DEFINES: dict[tuple[str, int, str, tuple[int, int] | None], Macro] = {}


def parse_define(lg: Logical, start: int) -> Macro:
    """The macro a `#define` line defines; `start` is where the text after `define` begins. Kept per line:
    every Session reads the same headers again, and a Macro is never changed."""
    key = (lg.file, lg.first_line, lg.text, lg.origins[-1] if lg.origins else None)
    m = _DEFINES.get(key)
    if m is None:
        if len(_DEFINES) > 50_000:
            _DEFINES.clear()
        m = _DEFINES[key] = _parse_define(lg, start)
    return m


def _parse_define(lg: Logical, start: int) -> Macro:
    toks = [t for t in tokenize(lg.text[start:], lambda k: lg.pos(start + k))]
    k = 0
    while k < len(toks) and toks[k].kind == "ws":
        k += 1
    if k == len(toks):
        raise SourceError("no macro name given in #define directive", lg.pos(len(lg.text)))
    name = toks[k]
    if name.kind != "id":
        raise SourceError("macro names must be identifiers", name.pos)
    if name.text in ("defined", *HAS_INCLUDE):
        raise SourceError(f"'{name.text}' cannot be used as a macro name", name.pos)
    k += 1
    params: list[str] | None = None
    variadic = False
    if k < len(toks) and toks[k].text == "(":
        params, variadic, k = _parameters(toks, k + 1, name)
    body = strip_space(toks[k:])
    for i, t in enumerate(body):
        if t.text == "##":
            body[i] = Tok("paste", "##", t.pos)
    if body and (body[0].kind == "paste" or body[-1].kind == "paste"):
        raise SourceError("'##' cannot appear at either end of a macro expansion",
                          (body[0] if body[0].kind == "paste" else body[-1]).pos)
    return Macro(name.text, params, variadic, body, name.pos)


def _parameters(toks: list[Tok], k: int, name: Tok) -> tuple[list[str], bool, int]:
    params: list[str] = []
    want_name = True
    while True:
        while k < len(toks) and toks[k].kind == "ws":
            k += 1
        if k == len(toks):
            raise SourceError(f"missing ')' in the parameter list of macro '{name.text}'", toks[-1].pos)
        t = toks[k]
        if t.text == ")" and (not want_name or not params):
            return params, False, k + 1
        if want_name and t.text == "...":
            params.append("__VA_ARGS__")
            return params, True, _close_after_dots(toks, k + 1)
        if want_name and t.kind == "id":
            if t.text in params:
                raise SourceError(f"duplicate macro parameter '{t.text}'", t.pos)
            if t.text == "__VA_ARGS__":
                raise SourceError("__VA_ARGS__ can only name the variable arguments of '...'", t.pos)
            params.append(t.text)
            if k + 1 < len(toks) and toks[k + 1].text == "...":          # GNU: `args...`
                return params, True, _close_after_dots(toks, k + 2)
            want_name = False
        elif not want_name and t.text == ",":
            want_name = True
        else:
            raise SourceError(f"invalid parameter '{t.text}' in macro '{name.text}'", t.pos)
        k += 1


def _close_after_dots(toks: list[Tok], k: int) -> int:
    while k < len(toks) and toks[k].kind == "ws":
        k += 1
    if k == len(toks) or toks[k].text != ")":
        raise SourceError("expected ')' after '...'", toks[min(k, len(toks) - 1)].pos)
    return k + 1


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def stringify(arg: list[Tok]) -> str:
    """`#x`: the argument's spelling, each run of white space one space, quotes and backslashes escaped
    inside string and character literals only."""
    parts: list[str] = []
    space = False
    for t in strip_space(arg):
        if t.kind == "ws":
            space = True
            continue
        if t.kind == "pad":
            continue
        if space:
            parts.append(" ")
            space = False
        parts.append(t.text.replace("\\", "\\\\").replace('"', '\\"') if t.kind in ("str", "chr") else t.text)
    return '"' + "".join(parts) + '"'


class Expander:
    def __init__(self, macros: dict[str, Macro], host: Host | None = None):
        self.macros = macros
        self.host = host
        self.builtins = set(BUILTINS)      # #undef removes one
        self.counter = 0
        self.spent = 0                     # tokens made by expansions, all lines
        self.line_start = 0                # `spent` when this line began

    def expand(self, toks: list[Tok], in_if: bool = False) -> list[Tok]:
        """Expand one line (a text line, a #if or #include expression); may contain `pad` tokens."""
        self.line_start = self.spent
        return self._expand(toks, in_if, 0)

    def is_defined(self, name: str) -> bool:
        return name in self.macros or name in self.builtins or name in HAS_INCLUDE

    def _expand(self, toks: list[Tok], in_if: bool, depth: int) -> list[Tok]:
        if depth > MAX_ARG_DEPTH:
            first = next((t for t in toks if t.pos is not None), None)
            raise SourceError("macro arguments nest too deeply", first.pos if first else None)
        stack = toks[::-1]               # the input, next token last
        out: list[Tok] = []
        while stack:
            t = stack.pop()
            if t.kind != "id":
                out.append(t)
                continue
            name = t.text
            m = self.macros.get(name)
            if in_if and name == "defined":
                out.append(self._defined(t, stack))
                continue
            if in_if and name in HAS_INCLUDE and m is None:
                out.append(self._has_include(t, stack))
                continue
            if m is None or name in t.hide:
                out.append(self._builtin(t) if m is None and name in self.builtins else t)
                continue
            if m.params is None:
                result = self._subst(m, t, [], False, t.hide | {name}, in_if, depth)
            else:
                j = len(stack) - 1
                while j >= 0 and is_space(stack[j]):
                    j -= 1
                if j < 0 or stack[j].text != "(":
                    out.append(t)             # a function-like macro's name without arguments
                    continue
                del stack[j:]
                args, rparen = self._collect(stack, t, m)
                omitted = m.variadic and (len(args) < len(m.params) or
                                          len(m.params) == 1 and not strip_space(args[0]))
                args += [[]] * (len(m.params) - len(args))
                result = self._subst(m, t, args, omitted, (t.hide & rparen.hide) | {name}, in_if, depth)
            self.spent += len(result) + 1
            if self.spent - self.line_start > MAX_LINE_TOKENS:
                raise SourceError(f"macro expansion of this line exceeds {MAX_LINE_TOKENS} tokens (at "
                                  f"'{name}': a macro that uses another twice or more at each level?)", t.pos)
            if self.spent > MAX_FILE_TOKENS:
                raise SourceError(f"macro expansions exceed {MAX_FILE_TOKENS} tokens in all, in this "
                                  "file and the files it includes", t.pos)
            stack.append(PAD)
            stack.extend(reversed(result))
            out.append(PAD)
        return out

    def _collect(self, stack: list[Tok], t: Tok, m: Macro) -> tuple[list[list[Tok]], Tok]:
        """Arguments of an invocation (the '(' is taken); commas inside parentheses and in the variadic
        argument do not separate."""
        n = len(m.params or [])
        args: list[list[Tok]] = []
        cur: list[Tok] = []
        level = 0
        while stack:
            x = stack.pop()
            if x.text == "(" and x.kind == "punct":
                level += 1
            elif x.text == ")" and x.kind == "punct":
                if level == 0:
                    args.append(cur)
                    if n == 0 and len(args) == 1 and not strip_space(cur):
                        args = []
                    self._check_count(m, t, len(args))
                    return args, x
                level -= 1
            elif x.text == "," and level == 0 and not (m.variadic and len(args) == n - 1):
                args.append(cur)
                cur = []
                continue
            cur.append(x)
        raise SourceError(f"unterminated argument list invoking macro '{m.name}'", t.pos)

    @staticmethod
    def _check_count(m: Macro, t: Tok, given: int) -> None:
        n = len(m.params or [])
        if given == n or m.variadic and given == n - 1:
            return
        if given < n:
            raise SourceError(f"macro '{m.name}' requires {n} argument{'s' * (n != 1)}, but {given} given", t.pos)
        raise SourceError(f"macro '{m.name}' passed {given} arguments, but takes just {n}", t.pos)

    def _subst(self, m: Macro, t: Tok, args: list[list[Tok]], va_omitted: bool, hide: frozenset[str],
               in_if: bool, depth: int) -> list[Tok]:
        """Replace parameters (expanded, or as written next to # and ##), then paste; all at `t`'s place."""
        pos = t.pos
        index = {p: i for i, p in enumerate(m.params or [])}
        last = len(index) - 1
        body = m.body
        res: list[Tok] = []
        expanded: dict[int, list[Tok]] = {}
        k = 0
        while k < len(body):
            b = body[k]
            if b.text == "#" and b.kind == "punct" and index:
                j = _skip_ws(body, k + 1)
                if j < len(body) and body[j].kind == "id" and body[j].text in index:
                    s = stringify(args[index[body[j].text]])
                    res.append(Tok("str", s, pos, True, hide))
                    k = j + 1
                    continue
            if b.kind == "id" and b.text in index:
                i = index[b.text]
                before = _last_real(res)
                after = _skip_ws(body, k + 1)
                if before is not None and res[before].kind == "paste":
                    comma = _last_real(res, before)
                    if m.variadic and i == last and comma is not None and res[comma].text == ",":
                        del res[before if not va_omitted else comma:]      # GNU `, ## __VA_ARGS__`
                        if not va_omitted:
                            res.extend(_placed(strip_space(args[i]), pos, hide))
                        k += 1
                        continue
                if before is not None and res[before].kind == "paste" or \
                        after < len(body) and body[after].kind == "paste":
                    raw = strip_space(args[i])
                    res.extend(_placed(raw, pos, hide) if raw else [Tok("pm", "", pos, True, hide)])
                else:
                    if i not in expanded:
                        expanded[i] = self._expand(strip_space(args[i]), in_if, depth + 1)
                    res.append(PAD)
                    res.extend(_placed(expanded[i], pos, hide))
                    res.append(PAD)
                k += 1
                continue
            res.append(Tok(b.kind, b.text, pos, True, hide))
            k += 1
        return _paste(res, pos, hide) if any(r.kind == "paste" for r in res) else res

    def _defined(self, t: Tok, stack: list[Tok]) -> Tok:
        x = _pop_real(stack)
        paren = x if x is not None and x.text == "(" else None
        if paren:
            x = _pop_real(stack)
        if x is None or x.kind != "id":
            raise SourceError("operator 'defined' requires an identifier", (x or paren or t).pos)
        if paren:
            close = _pop_real(stack)
            if close is None or close.text != ")":
                raise SourceError("missing ')' after 'defined'", (close or x).pos)
        return Tok("num", "1" if self.is_defined(x.text) else "0", t.pos, t.macro)

    def _has_include(self, t: Tok, stack: list[Tok]) -> Tok:
        x = _pop_real(stack)
        if x is None or x.text != "(":
            raise SourceError(f"missing '(' after '{t.text}'", (x or t).pos)
        x = _pop_real(stack)
        if x is not None and x.kind == "str":
            name, angled = x.text[1:-1], False
        elif x is not None and x.text == "<":
            parts = []
            while stack and stack[-1].text != ">":
                parts.append(stack.pop().text)
            if not stack:
                raise SourceError(f"missing '>' in '{t.text}'", x.pos)
            stack.pop()
            name, angled = "".join(parts).strip(), True
        else:
            raise SourceError(f"'{t.text}' requires a header name: \"FILE\" or <FILE>", (x or t).pos)
        close = _pop_real(stack)
        if close is None or close.text != ")":
            raise SourceError(f"missing ')' after '{t.text}' operand", (close or x).pos)
        found = self.host is not None and self.host.has_include(name, angled, t.text.endswith("next"), t.pos)
        return Tok("num", "1" if found else "0", t.pos, t.macro)

    def _builtin(self, t: Tok) -> Tok:
        h = self.host
        if t.text == "__LINE__":
            text = str(t.pos.line if t.pos else 0)
        elif t.text == "__COUNTER__":
            text, self.counter = str(self.counter), self.counter + 1
        elif t.text == "__INCLUDE_LEVEL__":
            text = str(h.include_level() if h else 0)
        else:
            name = (h.current_file() if t.text == "__FILE__" else h.base_file()) if h else ""
            return Tok("str", _quote(name), t.pos, True)
        return Tok("num", text, t.pos, True)


def _placed(toks: list[Tok], pos: Pos | None, hide: frozenset[str]) -> list[Tok]:
    return [x if x.kind == "pad" else Tok(x.kind, x.text, pos, True, x.hide | hide) for x in toks]


def _skip_ws(toks: list[Tok], k: int) -> int:
    while k < len(toks) and toks[k].kind == "ws":
        k += 1
    return k


def _last_real(toks: list[Tok], before: int | None = None) -> int | None:
    k = (len(toks) if before is None else before) - 1
    while k >= 0 and is_space(toks[k]):
        k -= 1
    return k if k >= 0 else None


def _pop_real(stack: list[Tok]) -> Tok | None:
    while stack and is_space(stack[-1]):
        stack.pop()
    return stack.pop() if stack else None


def _paste(res: list[Tok], pos: Pos | None, hide: frozenset[str]) -> list[Tok]:
    """`##`: glue the tokens on each side; a result that is not one token stays as its tokens (GCC in
    assembler-with-cpp does not complain), and empty arguments are placemarkers."""
    out: list[Tok] = []
    k = 0
    while k < len(res):
        r = res[k]
        if r.kind != "paste":
            out.append(r)
            k += 1
            continue
        while out and is_space(out[-1]):
            out.pop()
        left = out.pop() if out else None
        k += 1
        while k < len(res) and is_space(res[k]):
            k += 1
        right = res[k] if k < len(res) else None
        k += 1
        text = (left.text if left else "") + (right.text if right else "")
        glued = tokenize(text) if text else [Tok("pm", "", pos)]
        out.extend(Tok(g.kind, g.text, pos, True, hide) for g in glued)
    return [t for t in out if t.kind != "pm"]
