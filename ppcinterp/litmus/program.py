"""A litmus test's threads assembled by ppcinterp's own assembler, each column a small program of its own.

Each thread's cells are put back at the lines and columns they were written at (everything else blank), so the
assembler's errors point into the litmus file; labels are each thread's own. Locations get addresses of their own
(registers initialised with a location hold its address), and symbolic registers `%x` the highest register the
thread leaves unused.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ppcinterp.diagnostics import PpcError
from ppcinterp.isa.table import INSNS, decode, field_values
from ppcinterp.litmus.parse import Litmus, LitmusError, Value
from ppcinterp.mm.threads import Insn, ThreadProgram

CODE_BASE = 0x100000
DATA_BASE = 0x10000000
LOC_STRIDE = 0x100
SYMBOLIC = re.compile(r"%[A-Za-z_]\w*")
# herd also writes a D-form access's displacement and base as two operands: `lwz r1,0,r2` for `lwz r1,0(r2)`
OLD_FORM = re.compile(r"(?P<head>(?P<op>[a-z]+)\s+\w+\s*,\s*)(?P<disp>-?\w+)\s*,(?P<sp>\s*)(?P<base>r\d+)\s*$")


def addresses(test: Litmus, extra: list[str]) -> dict[str, int]:
    """Every location of the test (initialised, named as a value, or in `extra`) and its address."""
    names = list(test.memory)
    values = [v for regs in test.regs.values() for v in regs.values()] + list(test.symbolic.values()) + \
        list(test.memory.values())
    names += [v.name for v in values if v.name is not None] + extra
    return {n: DATA_BASE + k * LOC_STRIDE for k, n in enumerate(dict.fromkeys(names))}


def value_of(v: Value, addr: dict[str, int]) -> int:
    if v.name is not None:
        return addr[v.name]
    return (v.num or 0) & ((1 << 64) - 1)


def build(test: Litmus, addr: dict[str, int]) -> list[ThreadProgram]:
    from ppcinterp.asm.assembler import assemble_object
    from ppcinterp.link.layout import link
    from ppcinterp.source.parser import parse_source
    from ppcinterp.source.preprocess import preprocess

    for th, given in test.regs.items():
        if th >= len(test.threads):
            v = next(iter(given.values()))
            raise LitmusError(f"thread {th} is given registers, but the test has {len(test.threads)} threads", v.pos)
    progs = []
    for k, cells in enumerate(test.threads):
        regs = {r: value_of(v, addr) for r, v in test.regs.get(k, {}).items()}
        named = {int(m) for c in cells for m in re.findall(r"\br(\d+)\b", c.text)} | set(regs)
        free = [r for r in range(31, 0, -1) if r not in named]
        chosen: dict[str, int] = {}
        lines: dict[int, str] = {}
        for c in cells:
            text = c.text
            for name in SYMBOLIC.findall(text):
                if name not in chosen:
                    if name not in test.symbolic:
                        raise LitmusError(f"symbolic register '{name}' has no initial value", c.pos)
                    if not free:
                        raise LitmusError(f"P{k} has no register left for '{name}'", c.pos)
                    chosen[name] = free.pop(0)
                    regs[chosen[name]] = value_of(test.symbolic[name], addr)
            text = _two_operand_form(SYMBOLIC.sub(_renamer(chosen), text))
            line = lines.get(c.pos.line, "")
            lines[c.pos.line] = line.ljust(c.pos.col - 1) + text + " "
        src = "\n".join(lines.get(n, "") for n in range(1, max(lines, default=0) + 1)) + "\n"
        pre = preprocess(test.path, text=src)
        obj = assemble_object(parse_source(pre.lines), pre, test.path)
        program = link([obj], CODE_BASE)
        for out in program.outside.values():
            raise LitmusError(f"P{k}: '{out.name}' is not a label of this thread", out.declared)
        text_bytes = sum(len(sec.data) for sec in program.sections.values())
        if text_bytes != 4 * len(program.insns):
            raise LitmusError(f"P{k}: a litmus thread holds instructions and labels, no data or directives",
                              cells[0].pos)
        code = []
        for a, ai in sorted(program.insns.items()):
            d = decode(ai.word)
            if d is None:
                raise PpcError(f"P{k}: '{ai.stmt.text}' does not decode", ai.pos)
            code.append(Insn(a, d, field_values(d, ai.word), ai.pos, ai.stmt.text))
        progs.append(ThreadProgram(k, code, regs, {a: n for n, a in addr.items()}))
    return progs


def _renamer(chosen: dict[str, int]) -> Callable[[re.Match[str]], str]:
    return lambda m: f"r{chosen[m[0]]}"


def _two_operand_form(text: str) -> str:
    """`lwz r1,0,r2` (herd's) as `lwz r1,0(r2)`, for an instruction whose second operand is D(RA) or DS(RA)."""
    m = OLD_FORM.search(text)
    d = INSNS.get(m["op"]) if m else None
    if m is None or d is None or len(d.operands) != 2 or d.operands[1].base is None:
        return text
    return f"{text[:m.start()]}{m['head']}{m['disp']}({m['base']}){m['sp']}"
