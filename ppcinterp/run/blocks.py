"""Basic blocks compiled to Python: the untraced (and path-only) run loop's unit of execution.

A block is a straight-line run of decoded instructions from one address: each templated instruction's
statements are inlined with its constants folded (isa/templates.py), any other instruction is called through
its closure and ends the block early if it does not fall through. The block ends at a templated branch, at
an exit or hunk end, or after MAX_BLOCK instructions; it returns (next pc, instructions executed). Compiled
once per start address and code table (the engine drops every block when it decodes again, e.g. for another
thread), on first execution.

Exactness: the generated code sets `k` to the index of each instruction before running it, and on any
exception stores k where the loop finds it; the loop then reports the fault at that instruction with the
step count the per-instruction loop would have. A block that would pass the step limit is single-stepped.
Stores into code are refused by CodeGuard (both loops see the same memory), so no block can be stale.
"""

from __future__ import annotations

import re
import struct
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from ppcinterp.isa.templates import ENV, HELPERS
from ppcinterp.machine.memory import MemoryFault
from ppcinterp.run.results import NOT_STEPS, Result
from ppcinterp.run.stops import Stop

MAX_BLOCK = 64
_MAKERS: dict[str, Callable] = {}
_INSNS: dict[tuple, tuple] = {}
_NO_STOPS: frozenset[int] = frozenset()
_MISSING = object()
_LOAD = re.compile(r"^(\S+) = read\((.*?), ([1248])\)$")
_STORE = re.compile(r"^write\((.*?), ([1248]), (.*)\)$")
_MAY_RAISE = re.compile(r"\b(read|write)\(")     # in a template, only a memory access can raise (MemoryFault)
_GREG = re.compile(r"\b(g|cr)\[(0x[0-9a-f]+|\d+)\]")         # a GPR or CR field, by constant index
_GWRITE = re.compile(r"^\s*(g|cr)\[(0x[0-9a-f]+|\d+)\] =")
_LOCAL = {"g": "G", "cr": "CR"}
_CONST = re.compile(r"\b(M64|M32|LT|GT|EQ|SO|XER)\b")
_PACK = {n: struct.Struct(f">{c}") for n, c in ((1, "B"), (2, "H"), (4, "I"), (8, "Q"))}
_RAM_NAMES = {**{f"U{n}": s.unpack_from for n, s in _PACK.items()}, **{f"P{n}": s.pack_into for n, s in _PACK.items()}}


@dataclass(slots=True)
class Block:
    run: Callable[[], tuple[int, int]]
    addrs: tuple[int, ...]
    n: int
    at: list[int]            # the index of the instruction that raised, and the instructions of earlier loops


class CodeGuard:
    """The memory instructions see: a store into an executable section is refused with a fault (the code runs
    as it was assembled, so a changed instruction would silently not take effect); all else is Memory's."""

    def __init__(self, memory, ranges: list[tuple[int, int]]):
        self.memory, self.ranges = memory, ranges
        self.read = memory.read
        self._write = memory.write
        self.lo = min((b for b, _ in ranges), default=0)
        self.hi = max((e for _, e in ranges), default=0)

    def write(self, addr: int, size: int, value: int, ci: bool = False) -> None:
        if addr < self.hi and addr + size > self.lo:
            for b, e in self.ranges:
                if addr < e and addr + size > b:
                    raise MemoryFault(addr, size, True, "a store into the code, which runs as assembled "
                                                        "(the interpreter does not execute modified code)")
        self._write(addr, size, value, ci)

    def __getattr__(self, name: str):
        return getattr(self.memory, name)


def compile_block(engine, start: int, code: dict, stops: frozenset[int] = frozenset()) -> Block | None:
    """The block starting at `start` in the code table `code`, or None if no decoded instruction is there.
    It ends before any address in `stops` (where hooks run) but its first.

    GPRs and CR fields live in locals (G3 for r3, CR1 for cr1) within the block: loaded at its start, written
    back before anything that may raise or read them otherwise (a load, a store, a closure call) and before
    it returns, so that a fault finds the registers exactly as the per-instruction loop leaves them."""
    tmpl_at, nxt_at, base = engine.tmpl_at, engine.nxt_at, engine.base_code
    addrs: list[int] = []
    items: list[tuple[str, object, int]] = []       # ("t", text, nxt) or ("c", closure, nxt)
    addr, ended, looping = start, False, False
    while len(addrs) < MAX_BLOCK:
        if addr not in nxt_at or code.get(addr) is not base.get(addr):     # an exit, or outside the bound hunk
            break
        if addr in stops and addrs:
            break
        addrs.append(addr)
        nxt = nxt_at[addr]
        t = tmpl_at.get(addr)
        if t is None:
            items.append(("c", code[addr], nxt))
        else:
            items.append(("t", _insn_code(t, nxt, engine.machine.ram), nxt))
            if t.branch:
                ended = True
                looping = dict(t.params).get("T") == start and start not in stops
                break
        addr = nxt
    if not addrs:
        return None
    regs = sorted({reg for kind, code_, _ in items if kind == "t" for reg in code_[3]})
    load = [f"{_LOCAL[c]}{r} = {c}[{r}]" for c, r in regs]
    lines: list[str] = []
    dirty: list[tuple[str, int]] = []
    calls: list[Callable[[], int]] = []

    def flush() -> None:
        lines.extend(f"{c}[{r}] = {_LOCAL[c]}{r}" for c, r in dirty)
        dirty.clear()

    for i, (kind, what, nxt) in enumerate(items):
        if kind == "c" or what[2]:
            flush()
            if i or looping:
                lines.append(f"k = {i}")            # where a fault is reported; ALU statements cannot raise
        if kind == "c":
            calls.append(what)
            lines.append(f"r = C{len(calls) - 1}()")
            lines += load
            lines += [f"if r != {nxt:#x}:", f"    return r, done + {i + 1}"]
            continue
        lines += what[0]
        dirty += [w for w in what[1] if w not in dirty]
    flush()
    n = len(addrs)
    if looping:                 # a loop closed by its own branch: iterate here while the budget allows
        lines = load + ["while True:", *("    " + ln for ln in lines), f"    done += {n}",
                        f"    if npc != {start:#x} or done + {n} > left:", "        return npc, done"]
    else:
        lines = load + lines + [f"return npc, {n}" if ended else f"return {addr:#x}, {n}"]
    params = ", ".join(ENV + ("K", "RD", "DA") + tuple(f"C{j}" for j in range(len(calls))))
    body = "\n".join("            " + ln for ln in lines)
    src = (f"def make({params}):\n    def block(left):\n        k = done = 0\n        try:\n{body}\n"
           f"        except BaseException:\n            K[0], K[1] = k, done\n            raise\n    return block\n")
    make = _MAKERS.get(src)
    if make is None:                    # compiled once per text: sessions of one program share their blocks' code
        if len(_MAKERS) > 20_000:
            _MAKERS.clear()
        ns = {**HELPERS, **_RAM_NAMES}
        exec(compile(src, f"<block {start:#x}>", "exec"), ns)     # noqa: S102 - our own generated source
        make = _MAKERS[src] = ns["make"]
    at = [0, 0]
    ram = engine.machine.ram
    return Block(make(*engine.env, at, ram.data, ram.dirty.add, *calls), tuple(addrs), len(addrs), at)


def _insn_code(t, nxt: int, ram) -> tuple[list[str], list[tuple[str, int]], bool, set[tuple[str, int]]]:
    """A templated instruction as block lines (cached: sessions of one program compile the same text): its
    statements with registers as locals, the registers it writes, whether it may raise, the registers it names."""
    key = (t, nxt, ram.base, ram.limit)
    got = _INSNS.get(key)
    if got is None:
        text = _CONST.sub(lambda m: hex(HELPERS[m.group(0)]), t.folded(nxt))      # constants as literals
        lines, writes = [], []
        for ln in (ln for x in text.splitlines() for ln in _inline_ram(x, ram)):
            m = _GWRITE.match(ln)
            if m and (m.group(1), int(m.group(2), 0)) not in writes:
                writes.append((m.group(1), int(m.group(2), 0)))
            lines.append(_GREG.sub(lambda m: f"{_LOCAL[m.group(1)]}{int(m.group(2), 0)}", ln))
        regs = {(c, int(x, 0)) for c, x in _GREG.findall(text)}
        if len(_INSNS) > 100_000:
            _INSNS.clear()
        got = _INSNS[key] = (lines, writes, bool(_MAY_RAISE.search(text)), regs)
    return got


def _inline_ram(line: str, ram) -> list[str]:
    """A template's plain load or store, with the machine's RAM accessed inline behind a bounds check: what
    Memory.read/Ram.write do when nothing observes (the engine runs blocks only then); else the call."""
    m = _LOAD.match(line)
    if m:
        dest, ea, n = m.group(1), m.group(2), int(m.group(3))
        return [f"a = {ea}", f"if {ram.base:#x} <= a <= {ram.limit - n:#x}:",
                f"    {dest} = U{n}(RD, a - {ram.base:#x})[0]", "else:", f"    {dest} = read(a, {n})"]
    m = _STORE.match(line)
    if m:
        ea, n, value = m.group(1), int(m.group(2)), m.group(3)
        return [f"a = {ea}", f"if {ram.base:#x} <= a <= {ram.limit - n:#x}:", f"    o = a - {ram.base:#x}",
                "    DA(o >> 12)", *([f"    DA((o + {n - 1}) >> 12)"] if n > 1 else []),
                f"    P{n}(RD, o, {value})", "else:", f"    write(a, {n}, {value})"]
    return [line]


def run_blocks(engine, pc: int, max_steps: int, pcs: list[int] | None, hooks: dict | None = None,
               step_hooks: dict | None = None) -> Result:
    """Engine.run without a journal, block by block; `pcs` (a list) records the path. Hooks run as in
    Engine._run_recorded: at step n, step_hooks[n] then hooks[pc], before the instruction; a block never
    spans a hook's address or step."""
    if hooks or step_hooks:
        return _run_hooked(engine, pc, max_steps, pcs, hooks or {}, step_hooks or {})
    code = engine.code
    blocks = engine.blocks_for(code, _NO_STOPS)
    n = 0
    b = None
    try:
        while True:
            b = blocks.get(pc, _MISSING)
            if b is _MISSING:
                b = blocks[pc] = compile_block(engine, pc, code)
            if b is not None and n + b.n <= max_steps:
                pc, c = b.run(max_steps - n)
                if pcs is not None:
                    _passed(pcs, b, c)
                n += c
                continue
            b = None                                # one instruction: an exit, or the last few before the limit
            if n >= max_steps:
                break
            nxt = code[pc]()
            if pcs is not None:
                pcs.append(pc)
            n += 1
            pc = nxt
    except (KeyError, Stop, MemoryFault) as e:
        return _ended(engine, e, b, pc, n, pcs)
    return engine._result_limit(pc, max_steps, pcs, None)


def _run_hooked(engine, pc: int, max_steps: int, pcs: list[int] | None, hooks: dict, step_hooks: dict) -> Result:
    code = engine.code
    stops = frozenset(hooks)
    blocks = engine.blocks_for(code, stops)
    at_steps = sorted(step_hooks)
    n = 0
    nh = _next_at(at_steps, 0)                      # the first step hook after step n
    b = None
    try:
        while n < max_steps:
            b = None
            if n in step_hooks:
                engine._event(step_hooks[n], n, None, [])
            if nh <= n:
                nh = _next_at(at_steps, n)
            if pc in stops:
                engine._event(hooks[pc], n, None, [])
            b = blocks.get(pc, _MISSING)
            if b is _MISSING:
                b = blocks[pc] = compile_block(engine, pc, code, stops)
            if b is not None and n + b.n <= max_steps and n + b.n <= nh:
                pc, c = b.run(min(max_steps, nh) - n)
                if pcs is not None:
                    _passed(pcs, b, c)
                n += c
                continue
            b = None
            nxt = code[pc]()
            if pcs is not None:
                pcs.append(pc)
            n += 1
            pc = nxt
    except (KeyError, Stop, MemoryFault) as e:
        return _ended(engine, e, b, pc, n, pcs)
    return engine._result_limit(pc, max_steps, pcs, None)


def _passed(pcs: list[int], b: Block, c: int) -> None:
    """Record the first c instructions a block executed (a looping block repeats its addresses)."""
    if c == b.n:
        pcs.extend(b.addrs)
    else:
        full, rest = divmod(c, b.n)
        pcs.extend(b.addrs * full + b.addrs[:rest] if full else b.addrs[:rest])


def _next_at(at_steps: list[int], n: int) -> int:
    """The first step hook after step n (a block must end before it); past every step: no limit."""
    i = bisect_right(at_steps, n)
    return at_steps[i] if i < len(at_steps) else 1 << 62


def _ended(engine, e: Exception, b: Block | None, pc: int, n: int, pcs: list[int] | None) -> Result:
    """The Result of a run a Stop, a fault or a jump to no code ended, as the per-instruction loops make it."""
    if isinstance(e, KeyError):
        if b is not None or pc in engine.code:
            raise e
        return engine._result_nocode(pc, n, pcs)
    if b is not None:                               # raised inside a block: at its instruction at[0]
        k, done = b.at
        if pcs is not None:
            _passed(pcs, b, done + k)
        pc, n = b.addrs[k], n + done + k
    if pcs is not None and not isinstance(e, NOT_STEPS):
        pcs.append(pc)
    return engine._result(e, pc, n, pcs, None)
