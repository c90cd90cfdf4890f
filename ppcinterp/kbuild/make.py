"""The subset of GNU make that kbuild Makefiles use to list objects, evaluated without running make.

Variables (`:=`, `::=`, `=`, `+=`, `?=`, with `override`/`export` in front), `$(VAR)`, `${VAR}`, `$X` and
nested names (`$(x-$(CONFIG_Y))`), substitution references (`$(v:.o=.S)`), conditionals (`ifeq`, `ifneq`,
`ifdef`, `ifndef`, `else`, `endif`), line continuations, comments, `define`/`endef` (kept as variables), rules and
their recipes (skipped), and the functions subst, patsubst, addprefix, addsuffix, if, strip, sort, filter,
filter-out and foreach. Anything else (`$(call ...)`, `$(shell ...)`, `include`, a line of another kind) expands
to nothing and leaves a note with its place, which follows the value: a variable made from a note's text, or
assigned under a conditional that depended on one, carries it, so the census reports the notes that reached an
object list and no others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ppcinterp.kbuild.make_text import (
    assignment,
    closing,
    ifeq_args,
    is_rule,
    join,
    logical_lines,
    matches,
    patsubst_word,
    split_args,
    strip_comment,
    subst_ref,
)

MAX_FILE = 1 << 20              # bytes of one Makefile
MAX_DEPTH = 64                  # nested expansions (a variable that refers to itself stops here)
MAX_VALUE = 1 << 20             # characters of one expanded value
FUNCTIONS = frozenset({"subst", "patsubst", "addprefix", "addsuffix", "if", "strip", "sort", "filter",
                       "filter-out", "foreach"})
_NAME = re.compile(r"[^\s:#=]+$")


@dataclass
class Var:
    value: str
    recursive: bool             # `=`: expanded when used; `:=`: expanded once, when assigned
    notes: tuple[str, ...] = ()


@dataclass
class _Cond:
    active: bool                # this branch's lines are evaluated
    taken: bool                 # some branch of this conditional was (or is) taken
    notes: tuple[str, ...]      # what its test depended on that was not evaluated


class MakeError(Exception):
    """Expansion went past a bound; the message says which."""


@dataclass
class Make:
    """Variables of one evaluation; `read` evaluates a Makefile into them, `value` expands one."""

    vars: dict[str, Var] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)           # lines of a kind the reader skipped, with places
    _pending: list[str] = field(default_factory=list)        # notes met by the expansion in progress
    _where: str = ""                                          # "file:line" of the line being evaluated
    _file: str = ""                                           # the Makefile read last
    _depth: int = 0

    def define(self, name: str, value: str) -> None:
        self.vars[name] = Var(value, False)

    def value(self, name: str) -> tuple[str, list[str]]:
        """A variable's value, expanded, and the notes it depends on."""
        self._pending, self._where = [], f"{self._file}: $({name})"
        text = self._ref(name)
        return text, list(dict.fromkeys(self._pending))

    def words(self, name: str) -> tuple[list[str], list[str]]:
        text, notes = self.value(name)
        return text.split(), notes

    # ---- reading a file
    def read(self, path: Path, shown: str) -> None:
        """Evaluate a Makefile; `shown` is its name in notes. OSError if it cannot be read."""
        if path.stat().st_size > MAX_FILE:
            raise MakeError(f"{shown}: more than {MAX_FILE} bytes")
        conds: list[_Cond] = []
        in_rule, define, self._file = False, None, shown
        for line_no, raw in logical_lines(path.read_text(encoding="utf-8", errors="replace")):
            self._where = f"{shown}:{line_no}"
            if define is not None:                      # inside define ... endef: the lines are the value
                name, body, depth = define
                word = raw.strip().split(" ", 1)[0]
                depth += word == "define"
                depth -= word == "endef"
                if depth == 0:
                    if all(c.active for c in conds):
                        self.vars[name] = Var("\n".join(body), True)
                    define = None
                else:
                    define = (name, [*body, raw], depth)
                continue
            if raw.startswith("\t") and in_rule:
                continue                                 # a recipe
            line = strip_comment(raw).strip()
            if not line:
                continue
            if self._conditional(line, conds):
                continue
            if not all(c.active for c in conds):
                continue
            if line.startswith("define ") or line == "define":
                define = (line[6:].strip().split("=")[0].strip(), [], 1)
                continue
            try:
                in_rule = self._statement(line, conds)
            except MakeError as e:
                self.notes.append(str(e))
        if conds:
            self.notes.append(f"{shown}: {len(conds)} conditional(s) not closed by endif")

    def _conditional(self, line: str, conds: list[_Cond]) -> bool:
        word, _, rest = line.partition(" ")
        if word == "else":
            if not conds:
                self.notes.append(f"{self._where}: else without ifeq/ifdef (skipped)")
                return True
            c, outer = conds[-1], all(x.active for x in conds[:-1])
            if rest.strip():                             # else ifeq ...: a new test, taken only if none was
                test, notes = self._test(rest.strip()) if outer and not c.taken else (False, ())
                conds[-1] = _Cond(outer and not c.taken and test, c.taken or test, c.notes + notes)
                return True
            conds[-1] = _Cond(outer and not c.taken, True, c.notes)
            return True
        if word == "endif":
            if conds:
                conds.pop()
            else:
                self.notes.append(f"{self._where}: endif without ifeq/ifdef (skipped)")
            return True
        if word not in ("ifeq", "ifneq", "ifdef", "ifndef"):
            return False
        outer = all(c.active for c in conds)
        test, notes = self._test(line) if outer else (False, ())
        conds.append(_Cond(outer and test, test, notes))
        return True

    def _test(self, line: str) -> tuple[bool, tuple[str, ...]]:
        word, _, rest = line.partition(" ")
        self._pending = []
        if word in ("ifdef", "ifndef"):
            name = self._expand(rest.strip())
            var = self.vars.get(name)
            result = var is not None and var.value != ""
            self._pending.extend(var.notes if var is not None else ())
            return result == (word == "ifdef"), tuple(self._pending)
        args = ifeq_args(rest.strip())
        if args is None:
            self.notes.append(f"{self._where}: cannot read the test '{line[:60]}' (taken as false)")
            return False, ()
        a, b = (self._expand(x).strip() for x in args)
        return (a == b) == (word == "ifeq"), tuple(self._pending)

    def _statement(self, line: str, conds: list[_Cond]) -> bool:
        """Evaluate an assignment or skip a rule; True when the line is a rule (recipe lines may follow)."""
        head, _, rest = line.partition(" ")
        if head in ("export", "unexport") and assignment(rest) is None:
            return False                                 # `export NAME ...`: for make's children
        while head in ("override", "export", "private") and rest.strip():
            line = rest.strip()
            head, _, rest = line.partition(" ")
        if head in ("include", "-include", "sinclude", "vpath", "undefine"):
            self.notes.append(f"{self._where}: '{head}' is not followed (skipped)")
            return False
        op = assignment(line)
        if op is None:
            if is_rule(line):
                return True
            self._pending = []
            self._expand(line)                           # a lone $(eval ...), $(info ...): its note
            self.notes.append(f"{self._where}: a line the reader does not understand: '{line[:60]}'")
            return False
        at, op_text = op
        self._pending = []
        name = self._expand(line[:at]).strip()
        rhs = line[at + len(op_text):].strip()
        if not _NAME.match(name):
            self.notes.append(f"{self._where}: cannot assign to '{name[:60]}'")
            return False
        under = tuple(n for c in conds for n in c.notes) + tuple(self._pending)
        self._assign(name, op_text, rhs, under)
        return False

    def _assign(self, name: str, op: str, rhs: str, under: tuple[str, ...]) -> None:
        old = self.vars.get(name)
        if op == "?=" and old is not None:
            return
        if op == "!=":
            self.vars[name] = Var("", False, under + (f"{self._where}: '!=' runs the shell (not run: empty)",))
            return
        if op == "+=" and old is not None:
            if old.recursive:
                self.vars[name] = Var(join(old.value, rhs), True, old.notes + under)
            else:
                self._pending = []
                value = self._expand(rhs)
                self.vars[name] = Var(join(old.value, value), False, old.notes + under + tuple(self._pending))
            return
        if op in ("=", "?=", "+="):
            self.vars[name] = Var(rhs, True, under)
            return
        self._pending = []
        value = self._expand(rhs)
        self.vars[name] = Var(value, False, under + tuple(self._pending))

    # ---- expansion
    def _ref(self, name: str) -> str:
        var = self.vars.get(name)
        if var is None:
            return ""
        self._pending.extend(var.notes)
        return self._expand(var.value) if var.recursive else var.value

    def _expand(self, text: str) -> str:
        if "$" not in text:
            return text
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise MakeError(f"{self._where}: expansion nests more than {MAX_DEPTH} deep (a variable that refers "
                                "to itself?)")
            out: list[str] = []
            i = 0
            while i < len(text):
                j = text.find("$", i)
                if j < 0:
                    out.append(text[i:])
                    break
                out.append(text[i:j])
                piece, i = self._dollar(text, j)
                out.append(piece)
            value = "".join(out)
            if len(value) > MAX_VALUE:
                raise MakeError(f"{self._where}: an expanded value longer than {MAX_VALUE} characters")
            return value
        finally:
            self._depth -= 1

    def _dollar(self, text: str, j: int) -> tuple[str, int]:
        """The expansion of the reference at text[j] ('$') and the index after it."""
        if j + 1 >= len(text):
            return "", j + 1
        c = text[j + 1]
        if c == "$":
            return "$", j + 2
        if c not in "({":
            return self._ref(c), j + 2
        end = closing(text, j + 1)
        if end < 0:
            self._pending.append(f"{self._where}: unterminated variable reference (empty)")
            return "", len(text)
        body = text[j + 2:end]
        head = re.match(r"([\w-]+)[ \t]+", body)
        if head and head.group(1) in FUNCTIONS:
            return self._function(head.group(1), body[head.end():]), end + 1
        if head:
            shown = body if len(body) <= 40 else body[:37] + "..."
            self._pending.append(f"{self._where}: $({shown}) is not evaluated (empty)")
            return "", end + 1
        name = self._expand(body)
        sub = subst_ref(name)
        if sub is not None:
            var, frm, to = sub
            words = self._ref(var).split()
            return " ".join(patsubst_word(frm if "%" in frm else "%" + frm, to if "%" in frm else "%" + to, w)
                            for w in words), end + 1
        if self._depth > 1:
            return self._ref(name), end + 1
        try:                                     # a reference that goes past a bound is empty; the rest stays
            return self._ref(name), end + 1
        except MakeError as e:
            self._pending.append(str(e))
            return "", end + 1

    def _function(self, fn: str, body: str) -> str:
        args = split_args(body, 3 if fn in ("if", "foreach", "subst", "patsubst") else 2)
        x = self._expand
        if fn == "strip":
            return " ".join(x(body).split())
        if fn == "sort":
            return " ".join(sorted(set(x(body).split())))
        if fn == "if":
            return x(args[1]) if x(args[0]).strip() else x(args[2]) if len(args) > 2 else ""
        if len(args) < 2:
            self._pending.append(f"{self._where}: $({fn} ...) needs more arguments (empty)")
            return ""
        if fn == "subst":
            return x(",".join(args[2:])).replace(x(args[0]), x(args[1])) if len(args) > 2 else ""
        if fn == "patsubst":
            p, r = x(args[0]), x(args[1])
            return " ".join(patsubst_word(p, r, w) for w in x(",".join(args[2:])).split())
        if fn == "addprefix":
            return " ".join(x(args[0]) + w for w in x(args[1]).split())
        if fn == "addsuffix":
            return " ".join(w + x(args[0]) for w in x(args[1]).split())
        if fn in ("filter", "filter-out"):
            pats = x(args[0]).split()
            keep = fn == "filter"
            return " ".join(w for w in x(args[1]).split() if any(matches(p, w) for p in pats) == keep)
        # foreach var,list,text: text expanded with var bound to each word in turn
        var, words = x(args[0]).strip(), x(args[1]).split()
        saved = self.vars.get(var)
        out = []
        for w in words:
            self.vars[var] = Var(w, False)
            out.append(x(",".join(args[2:])))
        if saved is None:
            self.vars.pop(var, None)
        else:
            self.vars[var] = saved
        return " ".join(o for o in out if o.strip())
