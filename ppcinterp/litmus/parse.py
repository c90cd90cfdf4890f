"""herd7's litmus format, its PPC tests: the sections of a file and the initial state, every part with the position
it was written at (errors are file:line:col with the text under a caret).

    PPC NAME [(texname)]          the header; an optional "doc string" on it or the next line
    key=value ...                 information lines (Cycle=, Orig=, Prefetch=): kept, not used
    { 0:r2=x; 1:r4=y; x=1; uint64_t y; %x0=x; }      the initial state
     P0           | P1           ;                   the threads, one column each, rows ended by ';'
     lwz r1,0(r2) | LC00:        ;
    locations [0:r2; x;]          extra locations to show in the final states
    exists (0:r1=1 /\\ 1:r1=0)     the condition (cond.py): exists, ~exists, forall, or none (forall true)

`(* comments *)` may appear anywhere; a symbolic register `%name` is a register the reader chooses per thread
(one the thread's code does not name), initialised as the init section says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ppcinterp.diagnostics import Pos, PpcError

MAX_BYTES = 1 << 20            # a litmus file is small: anything bigger is not one
MAX_THREADS = 16
MAX_ROWS = 1000
TYPE_SIZES = {"int": 4, "int32_t": 4, "uint32_t": 4, "unsigned": 4, "long": 8, "int64_t": 8, "uint64_t": 8,
              "char": 1, "int8_t": 1, "uint8_t": 1, "short": 2, "int16_t": 2, "uint16_t": 2}
KEYWORDS = re.compile(r"(?<![\w.%])(~\s*exists|exists|forall|final|locations|filter|observed|Observed|cases)(?!\w)")
REG = re.compile(r"r([0-9]|[12][0-9]|3[01])")
NUMBER = re.compile(r"-?(0x[0-9a-fA-F]+|[0-9]+)")
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class LitmusError(PpcError):
    kind = "error"


@dataclass(slots=True)
class Cell:
    text: str
    pos: Pos


@dataclass(slots=True)
class Value:
    """An initial or expected value: a number, or a location's name (its address)."""

    num: int | None
    name: str | None
    pos: Pos

    def __str__(self) -> str:
        return self.name if self.name is not None else str(self.num)


@dataclass
class Litmus:
    path: str
    name: str
    doc: str = ""
    info: dict[str, str] = field(default_factory=dict)
    regs: dict[int, dict[int, Value]] = field(default_factory=dict)      # thread -> register -> value
    symbolic: dict[str, Value] = field(default_factory=dict)             # %name -> value
    memory: dict[str, Value] = field(default_factory=dict)               # location -> initial value
    sizes: dict[str, int] = field(default_factory=dict)                  # declared location sizes
    threads: list[list[Cell]] = field(default_factory=list)
    source: Text | None = None          # the file's text (the condition is read from `cond_at` on)
    cond_at: int = 0


class Text:
    """The file's text, comments blanked (positions kept), with offset -> Pos."""

    def __init__(self, path: str, raw: str):
        self.path = path
        self.starts = [0] + [m.end() for m in re.finditer("\n", raw)]
        self.text = self._blank_comments(raw)

    def pos(self, off: int) -> Pos:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= off:
                lo = mid
            else:
                hi = mid - 1
        return Pos(self.path, lo + 1, off - self.starts[lo] + 1)

    def _blank_comments(self, raw: str) -> str:
        """`(* ... *)` (nested, as OCaml's) replaced by spaces, newlines kept."""
        out, i, depth, start = [], 0, 0, 0
        while i < len(raw):
            if raw.startswith("(*", i):
                if depth == 0:
                    start = i
                depth += 1
                out.append("  ")
                i += 2
            elif depth and raw.startswith("*)", i):
                depth -= 1
                out.append("  ")
                i += 2
            else:
                out.append(raw[i] if not depth or raw[i] == "\n" else " ")
                i += 1
        if depth:
            raise LitmusError("unterminated comment '(*'", self.pos(start))
        return "".join(out)


def read(path: str) -> Litmus:
    p = Path(path)
    try:
        if not p.is_file():
            raise LitmusError(f"cannot read '{path}': " + ("not a regular file" if p.exists() else "no such file"))
        if p.stat().st_size > MAX_BYTES:
            raise LitmusError(f"'{path}' is {p.stat().st_size} bytes: a litmus test is at most {MAX_BYTES}")
        raw = p.read_bytes().decode("utf-8", errors="replace")
    except OSError as e:
        raise LitmusError(f"cannot read '{path}': {e.strerror}") from None
    return parse(path, raw)


def parse(path: str, raw: str) -> Litmus:
    t = Text(path, raw.replace("\r\n", "\n").replace("\r", "\n"))
    s = t.text
    m = re.compile(r"\s*([A-Za-z0-9_]+)[ \t]+([^\s(\"]+)[ \t]*(?:\(([^)\n]*)\))?[ \t]*").match(s)
    if not m:
        raise LitmusError("a litmus test starts with its architecture and name, as in 'PPC MP'", t.pos(0))
    if m[1] != "PPC":
        raise LitmusError(f"'{m[1]}' tests are not supported: ppcinterp reads PPC litmus tests", t.pos(m.start(1)))
    test = Litmus(path, m[2])
    doc = re.compile(r"\n?[ \t]*\"([^\"]*)\"").match(s, m.end())
    at = m.end()
    if doc:
        test.doc, at = doc[1], doc.end()
    brace = s.find("{", at)
    if brace < 0:
        raise LitmusError("no initial state: expected '{' after the header", t.pos(len(s)))
    for line in s[at:brace].split("\n"):
        kv = re.fullmatch(r"\s*([A-Za-z][\w./-]*)\s*=\s*(.*?)\s*", line)
        if kv:
            test.info[kv[1]] = kv[2]
    close = s.find("}", brace)
    if close < 0:
        raise LitmusError("the initial state is not closed: expected '}'", t.pos(brace))
    _init(t, brace + 1, close, test)
    kw = KEYWORDS.search(s, close + 1)
    code_end = kw.start() if kw else len(s)
    _code(t, close + 1, code_end, test)
    test.source, test.cond_at = t, code_end
    return test


def _items(t: Text, start: int, end: int, sep: str) -> Iterator[tuple[int, str]]:
    """(offset, text) of each non-empty item of s[start:end] split at `sep`, stripped."""
    s = t.text
    i = start
    while i <= end:
        j = s.find(sep, i, end)
        j = end if j < 0 else j
        item = s[i:j]
        stripped = item.strip()
        if stripped:
            yield i + len(item) - len(item.lstrip()), stripped
        i = j + 1


def number(text: str) -> int:
    """A litmus number: decimal (leading zeros allowed) or 0x hexadecimal, with an optional '-'."""
    digits = text.lstrip("-")
    n = int(digits, 16) if digits[:2] in ("0x", "0X") else int(digits, 10)
    return -n if text.startswith("-") else n


def _value(t: Text, off: int, text: str) -> Value:
    pos = t.pos(off)
    if NUMBER.fullmatch(text):
        return Value(number(text), None, pos)
    name = text[1:] if text.startswith("&") else text
    if IDENT.fullmatch(name):
        return Value(None, name, pos)
    raise LitmusError(f"'{text}' is not a value: a number or a location's name", pos)


def reg_number(text: str, pos: Pos) -> int:
    m = REG.fullmatch(text)
    if not m:
        raise LitmusError(f"'{text}' is not a general-purpose register (r0 to r31)", pos)
    return int(m[1])


def _init(t: Text, start: int, end: int, test: Litmus) -> None:
    for off, item in _items(t, start, end, ";"):
        lhs, eq, rhs = item.partition("=")
        rhs_off = off + len(lhs) + 1 + len(rhs) - len(rhs.lstrip())
        words = lhs.split()
        if not words:
            raise LitmusError(f"'{item}' gives a value to nothing", t.pos(off))
        target = words[-1]
        types = words[:-1]
        toff = off + lhs.rfind(target)
        size = None
        for w in types:
            if w.rstrip("*") not in TYPE_SIZES:
                raise LitmusError(f"unknown type '{w}' (known: {', '.join(TYPE_SIZES)})", t.pos(off + lhs.find(w)))
            size = 8 if w.endswith("*") else TYPE_SIZES[w]
        value = _value(t, rhs_off, rhs.strip()) if eq else Value(0, None, t.pos(toff))
        if eq and not rhs.strip():
            raise LitmusError(f"'{item}': no value after '='", t.pos(rhs_off))
        reg = re.fullmatch(r"P?(\d+):(\S+)", target)
        if reg:
            thread = int(reg[1])
            if thread >= MAX_THREADS:
                raise LitmusError(f"thread {thread}: at most {MAX_THREADS} threads", t.pos(toff))
            if reg[2].startswith("%"):
                test.symbolic[reg[2]] = value
                continue
            test.regs.setdefault(thread, {})[reg_number(reg[2], t.pos(toff + reg.start(2)))] = value
        elif target.startswith("%") and IDENT.fullmatch(target[1:]):
            test.symbolic[target] = value
        elif IDENT.fullmatch(target.strip("[]")):
            name = target.strip("[]")
            test.memory[name] = value
            if size is not None:
                test.sizes[name] = size
        else:
            raise LitmusError(f"'{target}' is neither a register (0:r2) nor a location (x)", t.pos(toff))


def _code(t: Text, start: int, end: int, test: Litmus) -> None:
    rows = list(_items(t, start, end, ";"))
    if not rows:
        raise LitmusError("no threads: expected a row 'P0 | P1 ;' after the initial state", t.pos(start))
    hoff, header = rows[0]
    names = [(off, c.strip()) for off, c in _cells(t, hoff, header)]
    for k, (off, name) in enumerate(names):
        if name != f"P{k}":
            raise LitmusError(f"expected thread name 'P{k}' in the threads' header, found '{name}'", t.pos(off))
    if len(names) > MAX_THREADS:
        raise LitmusError(f"{len(names)} threads: at most {MAX_THREADS}", t.pos(hoff))
    if len(rows) > MAX_ROWS:
        raise LitmusError(f"{len(rows)} rows of code: at most {MAX_ROWS}", t.pos(rows[MAX_ROWS][0]))
    test.threads = [[] for _ in names]
    for off, row in rows[1:]:
        cells = _cells(t, off, row)
        if len(cells) > len(names):
            extra = cells[len(names)][0]
            raise LitmusError(f"this row has {len(cells)} columns, the test {len(names)} threads", t.pos(extra))
        for k, (coff, text) in enumerate(cells):
            if text.strip():
                test.threads[k].append(Cell(text.strip(), t.pos(coff)))


def _cells(t: Text, off: int, row: str) -> list[tuple[int, str]]:
    """(offset of its text, text) of each cell of a row: an empty cell's offset is where it starts."""
    out, i = [], 0
    for part in row.split("|"):
        lead = len(part) - len(part.lstrip()) if part.strip() else 0
        out.append((off + i + lead, part[lead:]))
        i += len(part) + 1
    return out
