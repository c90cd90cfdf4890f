"""Python source for basic blocks, from the instruction templates (isa/templates.py).

Each templated instruction's folded text is analysed once (run/analysis.py, cached): the registers it reads
and writes become locals (G3 for r3, CR1 for cr1, S9 for CTR), and its one memory access is split out. A block
is then assembled (`block_source`) in one of two variants from the same analysis:

- plain: what untraced and path-only runs execute;
- journaled: the same statements, plus the values the journal keeps (run/journal.py reads them back through
  the block's Layout): at block entry the values of every location the block writes, then per instruction its
  access (address, value; a store's old value) and the new value of each location it writes.

RAM (the machine's main region) is accessed inline: an access whose base register the block does not change
before it is checked against the region once, at block entry (the cached bounds check); others per access.
A cache-inhibited access, an access outside the region, and an instruction without a template (called
through its closure) take the slow path: locals written so far are stored back and the instruction index is
set first, so a fault leaves the registers exactly as the per-instruction loop would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# (re-exported, as before: the analysis was split out of this module)
from ppcinterp.run.analysis import Insn as Insn
from ppcinterp.run.analysis import MemOp as MemOp
from ppcinterp.run.analysis import analyse as analyse
from ppcinterp.run.analysis import local_of as local_of
from ppcinterp.run.analysis import location as location

M64 = (1 << 64) - 1
_NUM = r"(0x[0-9a-f]+|\d+)"
_EA = re.compile(rf"^\((G\d+) \+ ({_NUM}|\(-\d+\))\) & 0xffffffffffffffff$|^(G\d+)$")
_SO_READ = "(S1 >> 31 & 1)"           # XER[SO], as the templates read it (CR0, compares)
_SO = "_so = S1 >> 31 & 1"
_BDNZ = ("c = (S9 - 1) & 0xffffffffffffffff", "S9 = c")
# its test: of CTR whole (64-bit mode), or of CTR's low word (32-bit mode: it runs 2**32 times from a low word 0)
_BDNZ_TEST = re.compile(r"npc = \w+ if c( & 0xffffffff)? else \w+")


# ---------------------------------------------------------------- assembling a block

@dataclass
class Item:
    """One instruction of a block: analysed (insn) or called through its closure (index into the closures)."""

    addr: int
    nxt: int
    insn: Insn | None
    closure: int = -1


@dataclass
class Ram:
    base: int
    limit: int


@dataclass
class Layout:
    """Where a journaled block puts its values: the entry locals, then per instruction (per iteration of a
    loop) its access values (address, value[, old]) and the new value of each local it writes."""

    entry: tuple[str, ...]
    offsets: list[int] = field(default_factory=list)       # of each instruction's values, within an iteration
    width: int = 0                                          # values per iteration


@dataclass
class Source:
    text: str
    closures: int
    layout: Layout


class _Gen:
    def __init__(self, items: list[Item], start: int, looping: bool, journal: bool, ram: Ram, end_pc: int):
        self.items, self.start, self.looping, self.journal, self.ram = items, start, looping, journal, ram
        self.end_pc = end_pc
        self.out: list[str] = []
        self.pend: list[str] = []          # journal values not yet appended, in order
        self.tmp = 0
        self.count = 0                      # journal values so far in the (first) iteration
        self.all_writes = list(dict.fromkeys(w for it in items if it.insn for w in it.insn.writes))
        self.all_reads = list(dict.fromkeys(r for it in items if it.insn for r in it.insn.reads))
        self.written: list[str] = list(self.all_writes) if looping else []    # locals that may differ from g/cr/spr
        self.hoisted: set[int] = set()      # instructions whose access is checked at entry
        self.hoist = self._hoistable()
        self.uses_so = any(it.insn and any(_SO_READ in ln for ln in it.insn.lines) for it in items)
        self.fast = False
        # a plain loop closed by bdnz whose body leaves CTR alone runs a counted `for` (CTR set after it)
        last_insn = items[-1].insn                 # a loop ends at its templated branch
        last = last_insn.lines if looping and last_insn is not None else ()
        test = _BDNZ_TEST.fullmatch(last[2]) if len(last) == 3 and last[:2] == _BDNZ else None
        self.low32 = bool(test and test.group(1))
        self.counted = (looping and not journal and test is not None
                        and all(it.insn is not None and "S9" not in it.insn.writes for it in items[:-1]))
        self.layout = Layout(tuple(self.all_writes) if journal else ())

    def _hoistable(self) -> dict[str, list[tuple[int, int, bool]]]:
        """Base registers checked once at entry: not written before the access (in a loop: never), and no
        closure call before it (a closure may change any register)."""
        out: dict[str, list[tuple[int, int, bool]]] = {}
        written: set[str] = set(self.all_writes) if self.looping else set()
        seen_call = self.looping and any(it.insn is None for it in self.items)
        for i, it in enumerate(self.items):
            if it.insn is None:
                seen_call = True
                continue
            m = it.insn.mem
            if m is not None and not m.ci and not seen_call:
                base, disp = _base_disp(m.ea)
                if base is not None and base not in written:
                    out.setdefault(base, []).append((disp, disp + m.size, m.store))
                    self.hoisted.add(i)
            written.update(it.insn.writes)
        return out

    def emit(self, ln: str, depth: int = 0) -> None:
        self.out.append("    " * depth + ln)

    def flush_regs(self, depth: int) -> None:
        for loc in self.written:
            if loc[0] == "S" and loc not in self.now:       # maybe not written yet: an absent SPR stays absent
                self.emit(f"if {loc} or {loc[1:]} in spr:", depth)
                self.emit(f"    {_store(loc)} = {loc}", depth)
            else:
                self.emit(f"{_store(loc)} = {loc}", depth)

    def journal_line(self) -> list[str]:
        return [f"JX(({', '.join(self.pend)},))"] if self.journal and self.pend else []

    def take(self, expr: str) -> None:
        self.pend.append(expr)
        self.count += 1

    def protect(self, locs: tuple[str, ...]) -> None:
        """Before an instruction writes locals, pending journal values that name them are captured."""
        for i, p in enumerate(self.pend):
            if p in locs:
                self.tmp += 1
                self.emit(f"_t{self.tmp} = {p}")
                self.pend[i] = f"_t{self.tmp}"

    def body(self, fast: bool) -> list[str]:
        """The statements of the instructions; fast: the version run when every access checked at entry is in
        RAM (those accesses unconditional)."""
        self.fast, self.out, self.pend, self.count = fast, [], [], 0
        self.written = list(self.all_writes) if self.looping else []
        self.now: set[str] = set()          # locals written so far in the (first) pass
        self.layout.offsets = []
        for i, it in enumerate(self.items):
            self.layout.offsets.append(self.count)
            if it.insn is None:
                self.closure(i, it)
            elif not (self.counted and i == len(self.items) - 1):
                self.template(i, it)
        self.layout.width = self.count
        return self.out + self.journal_line()

    def closure(self, i: int, it: Item) -> None:
        self.flush_regs(0)
        self.emit(f"_k = {i}")
        if self.journal:
            self.emit("try:")
            self.emit(f"_r{i} = CJ(FN{it.closure}, {len(self.pend)})", 1)
            self.emit("except BaseException:")
            for ln in self.journal_line():
                self.emit(ln, 1)
            self.emit("raise", 1)
            self.take("0")                      # a place of its own in the values: where its changes are kept
            for ln in self.journal_line():      # before the locals are reloaded
                self.emit(ln)
            self.pend = []
        else:
            self.emit(f"_r{i} = FN{it.closure}()")
        for loc in dict.fromkeys(self.all_reads + self.all_writes):
            self.emit(f"{loc} = {_load(loc)}")
        if self.uses_so:
            self.emit(_SO)
        self.emit(f"if _r{i} != {it.nxt:#x}:")
        self.emit(f"return _r{i}, _done + {i + 1}", 1)

    def template(self, i: int, it: Item) -> None:
        ins = it.insn
        assert ins is not None                      # called for the analysed instructions
        if self.journal:
            self.protect(ins.writes)
        for ln in ins.lines:
            if ln == "@MEM":
                assert ins.mem is not None          # "@MEM" stands for the instruction's one access
                self.access(i, ins.mem)
                continue
            self.emit(ln.replace(_SO_READ, "_so"))
            if ln.startswith("S1 = "):        # XER written: its SO bit again
                self.emit(_SO)
        for loc in ins.writes:
            self.now.add(loc)
            if loc not in self.written:
                self.written.append(loc)
            if self.journal:
                self.take(loc)
        if ins.branch and i < len(self.items) - 1:      # a side exit: the block goes on where it falls through
            self.emit(f"if npc != {it.nxt:#x}:")
            if self.counted:
                self.emit("S9 = (_c0 - _i) & 0xffffffffffffffff", 1)
                self.emit(f"_done = _i * {len(self.items)}", 1)
            for ln in self.journal_line():
                self.emit(ln, 1)
            self.flush_regs(1)
            self.emit(f"return npc, _done + {i + 1}", 1)

    def access(self, i: int, m: MemOp) -> None:
        ram, j = self.ram, self.journal
        base, disp = _base_disp(m.ea)
        hoisted = i in self.hoisted
        a = f"_a{i}" if j or not hoisted else m.ea
        if a != m.ea:
            self.emit(f"{a} = {m.ea}")
        if m.store:
            whole = re.fullmatch(r"(G\d+) & 0xffffffffffffffff", m.value)
            value = whole.group(1) if whole else m.value
            if j:                               # the journal keeps the value: compute it once
                self.emit(f"_v{i} = {value}")
            self.sv = f"_v{i}" if j else value
        if m.ci:
            self.slow(i, m, a, 0)
            return
        off = (f"_o{base} + {disp:#x}" if disp else f"_o{base}") if hoisted else "_o"
        buf = f"_d{base}" if hoisted else "RD"
        if hoisted and self.fast:          # checked at entry: the access only
            if m.store:
                if j:
                    self.emit(f"_p{i} = U{m.size}(_d{base}, {off})[0]")
                self.emit(f"P{m.size}(_d{base}, {off}, {self.sv})")
            else:
                self.emit(f"{f'_v{i}' if j else m.value} = U{m.size}(_d{base}, {off})[0]")
                if j:
                    self.emit(f"{m.value} = _v{i}")
            self.take(a)
            self.take(f"_v{i}")
            if m.store:
                self.take(f"_p{i}")
            return
        if hoisted:
            self.emit(f"if _h{base}:")
        else:
            self.emit(f"if {ram.base:#x} <= {a} <= {ram.limit - m.size:#x}:")
            self.emit(f"_o = {a} - {ram.base:#x}", 1)
        if m.store:
            if not hoisted:
                self.emit("if _o >> 12 != _lp:", 1)
                self.emit("_lp = _o >> 12", 2)
                self.emit("DA(_lp)", 2)
                if m.size > 1:
                    self.emit(f"if (_o & 0xfff) > {0x1000 - m.size:#x}:", 1)
                    self.emit("DA(_lp + 1)", 2)
            if j:
                self.emit(f"_p{i} = U{m.size}({buf}, {off})[0]", 1)
            self.emit(f"P{m.size}({buf}, {off}, {self.sv})", 1)
        else:
            self.emit(f"{f'_v{i}' if j else m.value} = U{m.size}({buf}, {off})[0]", 1)
        self.emit("else:")
        self.slow(i, m, a, 1)
        if j and not m.store:
            self.emit(f"{m.value} = _v{i}")

    def slow(self, i: int, m: MemOp, a: str, depth: int) -> None:
        """The access through the machine's memory: devices, other regions, faults."""
        if self.counted:                   # CTR and the steps done, as at this iteration
            self.emit("S9 = (_c0 - _i) & 0xffffffffffffffff", depth)
            self.emit(f"_done = _i * {len(self.items)}", depth)
        self.flush_regs(depth)
        self.emit(f"_k = {i}", depth)
        ci = ", True" if m.ci else ""
        if not self.journal:
            if m.store:
                self.emit(f"write({a}, {m.size}, {self.sv}{ci})", depth)
            else:
                self.emit(f"{m.value} = read({a}, {m.size}{ci})", depth)
            return
        self.emit("try:", depth)
        if m.store:
            self.emit(f"WJ({a}, {m.size}, _v{i}, {m.ci}, {len(self.pend)})", depth + 1)
        else:
            self.emit(f"_v{i} = RJ({a}, {m.size}, {m.ci}, {len(self.pend)})", depth + 1)
        self.emit("except BaseException:", depth)
        for ln in self.journal_line():
            self.emit(ln, depth + 1)
        self.emit("raise", depth + 1)
        if m.store:
            self.emit(f"_p{i} = 0", depth)
        if m.ci and not m.store:
            self.emit(f"{m.value} = _v{i}", depth)
        self.take(a)
        self.take(f"_v{i}")
        if m.store:
            self.take(f"_p{i}")

    def head(self) -> list[str]:
        out = [f"{loc} = {_load(loc)}" for loc in dict.fromkeys(self.all_reads + self.all_writes)]
        for base, spans in self.hoist.items():
            lo, hi = min(d for d, _, _ in spans), max(e for _, e, _ in spans)
            store = any(st for _, _, st in spans)
            mark = (f"DS.update(range((_o{base} + {lo:#x}) >> 12, ((_o{base} + {hi - 1:#x}) >> 12) + 1))"
                    if hi - lo > 0x1000 else f"DA((_o{base} + {lo:#x}) >> 12); DA((_o{base} + {hi - 1:#x}) >> 12)")
            out += [f"_h{base} = {self.ram.base - lo:#x} <= {base} <= {self.ram.limit - hi:#x}",   # the main RAM
                    f"if _h{base}:", f"    _d{base}, _o{base} = RD, {base} - {self.ram.base:#x}"]
            if store:                               # marked once: the pages a restore copies back
                out.append(f"    {mark}")
            out += ["else:",                        # another RAM region holding every access of the block
                    f"    _r{base} = RG({base} + {lo:#x}, {base} + {hi:#x}, {store})",
                    f"    _h{base} = _r{base} is not None", f"    if _h{base}:",
                    f"        _d{base}, _o{base} = _r{base}[0], {base} - _r{base}[1]"]
            if store:
                out.append(f"        {mark.replace('DA(', f'_r{base}[2](').replace('DS.update(', f'_r{base}[3](')}")
        if any(it.insn and it.insn.mem and it.insn.mem.store and not it.insn.mem.ci and i not in self.hoisted
               for i, it in enumerate(self.items)):
            out.append("_lp = -1")
        if self.journal and self.all_writes:
            out.append(f"JX(({', '.join(self.all_writes)},))")
        if self.uses_so:
            out.append(_SO)
        return out

    def finish(self) -> list[str]:
        n = len(self.items)
        head = self.head()
        general = self.body(False)
        fast = self.body(True) if self.hoisted else None
        back = [f"{_store(loc)} = {loc}" for loc in self.all_writes]
        last = self.items[-1].insn
        nxt = "npc" if last is not None and last.branch else f"{self.end_pc:#x}"
        if self.counted:
            times = "(_c0 & 0xffffffff) or 0x100000000" if self.low32 else "_c0 or 0x10000000000000000"
            head += ["_c0 = S9", f"_it = min({times}, _left // {n})"]
            general, fast = (self._counted(b) for b in (general, fast or []))
            test = "S9 & 0xffffffff" if self.low32 else "S9"
            back = ["S9 = (_c0 - _it) & 0xffffffffffffffff", f"_done = _it * {n}",
                    f"npc = {self.start:#x} if {test} else {self.items[-1].nxt:#x}", *back]
        elif self.looping:
            head.append(f"_stop = _left - {n}")
            general, fast = (self._loop(b, n) for b in (general, fast or []))
        if fast:
            body = [f"if {' and '.join(f'_h{b}' for b in self.hoist)}:", *("    " + ln for ln in fast),
                    "else:", *("    " + ln for ln in general)]
        else:
            body = general
        return head + body + back + (["return npc, _done"] if self.looping else [f"return {nxt}, {n}"])

    def _counted(self, body: list[str]) -> list[str]:
        return ["for _i in range(_it):", *("    " + ln for ln in body)] if body else []

    def _loop(self, body: list[str], n: int) -> list[str]:
        if not body:
            return []
        return ["while True:", *("    " + ln for ln in body), f"    _done += {n}",
                f"    if npc != {self.start:#x} or _done > _stop:", "        break"]


def _store(loc: str) -> str:
    kind, n = location(loc)
    return f"g[{n}]" if kind == "gpr" else f"cr[{n}]" if kind == "cr" else f"spr[{n}]"


def _load(loc: str) -> str:
    kind, n = location(loc)
    return f"g[{n}]" if kind == "gpr" else f"cr[{n}]" if kind == "cr" else f"spr.get({n}, 0)"


def _base_disp(ea: str) -> tuple[str | None, int]:
    m = _EA.match(ea)
    if not m:
        return None, 0
    if m.group(4):
        return m.group(4), 0
    return m.group(1), int(m.group(2).strip("()"), 0)


def block_source(items: list[Item], start: int, looping: bool, journal: bool, ram: Ram, end_pc: int,
                 closures: int) -> Source:
    """The source of `make(...)`, which returns the block function: block(_left[, W]) -> (next pc, executed)."""
    gen = _Gen(items, start, looping, journal, ram, end_pc)
    lines = gen.finish()
    params = ["g", "cr", "spr", "read", "write", "K", "RD", "DA", "DS", "RG"] + [f"FN{j}" for j in range(closures)]
    sig = "_left, W" if journal else "_left"
    pre = ["JX, RJ, WJ, CJ = W.jx, W.rd, W.wr, W.call"] if journal else []
    body = "\n".join("            " + ln for ln in pre + lines)
    text = (f"def make({', '.join(params)}):\n    def block({sig}):\n        _k = _done = 0\n        try:\n{body}\n"
            f"        except BaseException:\n            K[0], K[1] = _k, _done\n            raise\n    return block\n")
    return Source(text, closures, gen.layout)
