"""What a block inlines of one instruction: its template's folded text analysed (run/codegen.py assembles blocks).

The registers the text reads and writes become locals (G3 for r3, CR1 for cr1, S9 for CTR) and its one memory
access is split out (`@MEM` where it goes). A text that uses what a block cannot inline (the thread object, a
helper function, a register by computed index, a conditional register write) is not analysed: the block calls
the instruction's closure instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_NUM = r"(0x[0-9a-f]+|\d+)"
_LOC = re.compile(rf"\bg\[{_NUM}\]|\bcr\[{_NUM}\]|\bspr\.get\({_NUM}, 0\)|\bspr\[{_NUM}\]")
_LOAD = re.compile(r"^(\w+(?:\[\w+\])?) = read\((.*), ([1248])(, True)?\)$")
_STORE = re.compile(r"^write\((.*), ([1248]), (.*?)(, True)?\)$")
_WRITE = re.compile(r"^(G\d+|CR\d+|S\d+) = (.*)$")
_LOCAL = re.compile(r"\b(G\d+|CR\d+|S\d+)\b")
_OPAQUE = re.compile(r"\b(spr|g|cr|t|read|write|set_xer|cr0_bits)\b")
_CONST = re.compile(r"\b(M64|M32|LT|GT|EQ|SO|XER)\b")
KIND = {"G": "gpr", "CR": "cr", "S": "spr"}


@dataclass(frozen=True, slots=True)
class MemOp:
    store: bool
    size: int
    ci: bool
    ea: str                      # the effective address, over locals
    value: str                   # a store's value; a load's destination (a local or a template temporary)


@dataclass(frozen=True, slots=True)
class Insn:
    """One templated instruction, analysed: its statements over locals, with `@MEM` where the access goes."""

    lines: tuple[str, ...]
    reads: tuple[str, ...]       # locals read before the instruction writes them
    writes: tuple[str, ...]      # locals written, in order (each once)
    mem: MemOp | None
    branch: bool
    order: tuple[str, ...]       # the change order: "@MEM" and the written locals, as the statements run
    cond: bool = False           # a conditional branch: it may fall through (a block goes on past it)


def local_of(kind: str, n: int) -> str:
    return {"g": "G", "cr": "CR", "spr": "S"}[kind] + str(n)


def location(local: str) -> tuple[str, int]:
    """("gpr" | "cr" | "spr", number) of a local."""
    m = re.fullmatch(r"(G|CR|S)(\d+)", local)
    assert m is not None                        # a local the analysis named
    return KIND[m.group(1)], int(m.group(2))


def analyse(text: str, branch: bool, constants: Mapping[str, Any]) -> Insn | None:
    """A folded template's statements as an Insn, or None when they use something a block cannot inline
    (the thread object, a helper function, a register by computed index, a conditional register write)."""
    text = _CONST.sub(lambda m: hex(constants[m.group(0)]), text)
    lines: list[str] = []
    reads: list[str] = []
    writes: list[str] = []
    order: list[str] = []
    mem = None

    def use(expr: str) -> None:
        for name in _LOCAL.findall(expr):
            if name not in writes and name not in reads:
                reads.append(name)

    for raw in text.splitlines():
        ln = _LOC.sub(_rename, raw)
        indent = len(ln) - len(ln.lstrip())
        body = ln.strip()
        ml, ms = _LOAD.match(body), _STORE.match(body)
        if (ml or ms) and (indent or mem is not None):
            return None
        if ml:
            dest, ea, size, ci = ml.groups()
            if _OPAQUE.search(ea) or _OPAQUE.search(dest):
                return None
            use(ea)
            mem = MemOp(False, int(size), bool(ci), ea, dest)
            lines.append("@MEM")
            order.append("@MEM")
            if _LOCAL.fullmatch(dest):
                if dest in writes:
                    return None
                writes.append(dest)
                order.append(dest)
            continue
        if ms:
            ea, size, value, ci = ms.groups()
            if _OPAQUE.search(ea) or _OPAQUE.search(value):
                return None
            use(ea)
            use(value)
            mem = MemOp(True, int(size), bool(ci), ea, value)
            lines.append("@MEM")
            order.append("@MEM")
            continue
        if _OPAQUE.search(ln):
            return None
        mw = _WRITE.match(body)
        if mw and indent == 0:
            use(mw.group(2))
            if mw.group(1) in writes:
                return None
            writes.append(mw.group(1))
            order.append(mw.group(1))
        elif _LOCAL.search(ln) and re.search(r"\b(G\d+|CR\d+|S\d+) =", ln):
            return None                 # a register written conditionally: the closure does it
        else:
            use(ln)
        lines.append(ln)
    cond = branch and any(ln.startswith("npc = ") and " else " in ln for ln in lines)
    return Insn(tuple(_simplify(lines)), tuple(reads), tuple(writes), mem, branch, tuple(order), cond)


def _rename(m: re.Match[str]) -> str:
    g, cr, sget, sset = m.groups()
    if g is not None:
        return f"G{int(g, 0)}"
    if cr is not None:
        return f"CR{int(cr, 0)}"
    return f"S{int(sget or sset, 0)}"


def _simplify(lines: list[str]) -> list[str]:
    """Peephole rewrites of the common shapes: a temporary copied straight into a local, x | 0."""
    out: list[str] = []
    for i, ln in enumerate(lines):
        m = re.fullmatch(r"(G\d+|CR\d+|S\d+) = r", ln)
        if m and out and re.fullmatch(r"r = .*", out[-1]):
            later = any(re.search(r"\br\b", x) for x in lines[i + 1:])      # CR0 of a record form reads r
            out[-1] = f"{m.group(1)} = {'r = ' if later else ''}{out[-1][4:]}"
            continue
        m = re.fullmatch(r"(G\d+) = (G\d+) \| 0x0", ln)
        if m and m.group(1) == m.group(2):
            continue                                            # nop (ori 0,0,0)
        out.append(ln)
    return out
