"""The interpreter: the fixed-up image pre-decoded into one closure per instruction and compiled into blocks.

Each closure executes its instruction and returns the next pc (`pc = code[pc]()`), in the computation mode
MSR[SF] says (64-bit, or 32-bit: run/decoding.py makes that variant when first needed). Exits are closures too:
the labels the file leaves to, and sentinels past the end of every hunk, raise a Stop. Runs execute blocks
compiled from the instruction templates (run/blocks.py) in the one run loop (run/loop.py), recording what
they are asked to: nothing, the path, or the journal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import cast

from ppcinterp.asm.fixup import Image
from ppcinterp.asm.program import Hunk, Label
from ppcinterp.diagnostics import Pos
from ppcinterp.isa.sem import M32, MSR_WRITERS
from ppcinterp.isa.table import InsnDef, decode, field_values, semantics_of
from ppcinterp.isa.templates import Tmpl, closure, template_of
from ppcinterp.machine.core import Machine
from ppcinterp.machine.state import Thread
from ppcinterp.run import outside
from ppcinterp.run.blocks import MAX_BLOCK, MISSING, Block, BlockTables, CodeGuard, compile_block
from ppcinterp.run.decoding import SENTINEL, Narrow, context
from ppcinterp.run.decoding import DecodeCtx as DecodeCtx  # re-exported
from ppcinterp.run.events import Hook
from ppcinterp.run.journal import Journal, Trail
from ppcinterp.run.loop import NoCode, execute
from ppcinterp.run.results import NOT_STEPS as NOT_STEPS  # re-exported
from ppcinterp.run.results import Result as Result  # re-exported
from ppcinterp.run.results import Results
from ppcinterp.run.stops import FellOffCode, FellOffHunk, ReachedOutside, Stop, Unimplemented

END_OF_TEXT = SENTINEL + 0xFFFF
DEFAULT_STEP_LIMIT = 100_000

Code = dict[int, Callable[[], int]]        # a code table: each address's closure (exits too)
# What bind() swaps: the code table, exit names, exit labels, labels by address.
BoundTables = tuple[Code, dict[int, str], dict[int, list[str]], dict[int, list[str]]]


class Engine(Results):
    use_blocks = True       # execute compiled blocks (run/blocks.py); False: every instruction by its closure

    def __init__(self, image: Image, machine: Machine):
        self.image = image
        self.program = image.program
        self.machine = machine
        self.code: dict[int, Callable[[], int]] = {}
        self.insn_at: dict[int, InsnDef] = {}
        self.exit_names: dict[int, str] = {}
        self.exit_labels: dict[int, list[str]] = {}
        self.outside_names: dict[int, str] = {}          # the slots of symbols other objects define
        self.stand_ins: dict[str, outside.StandIn] = {}  # Python in their place (run/outside.py)
        self.labels_at: dict[int, list[str]] = self._labels()
        self.conditional: set[int] = set()
        self.guard = CodeGuard(machine.memory, [(s.base, s.end) for s in self.program.sections.values()
                                                if s.is_code and s.end > s.base])
        self.decode()

    # ---------------------------------------------------------------- pre-decoding
    def _labels(self, within: Hunk | None = None) -> dict[int, list[str]]:
        """Labels as paths name them, by address; `within` a hunk: only those written inside it."""
        out: dict[int, list[str]] = {}
        p = self.program
        for lb in p.labels:
            if lb.addr in p.outside or not lb.written:
                continue
            if within is not None and not within.contains_line(lb.pos.file, lb.pos.line):
                continue
            ai = p.insns.get(lb.addr)
            if p.is_fragment and ai is not None and p.hunk_of(ai.pos) is not p.hunk_of(lb.pos):
                continue            # written at the end of the previous hunk: not passed by this code
            name = lb.name if not lb.local else f"{lb.name}:{self.program.upstream_line(lb.pos) or lb.pos.line}"
            out.setdefault(lb.addr, []).append(name)
        return out

    def decode(self) -> None:
        """Build the closures for the current thread (call again after changing the current thread)."""
        p, img = self.program, self.image
        t = self.thread = self.machine.thread       # whose registers the closures and blocks use
        code: dict[int, Callable[[], int]] = {}
        self.tmpl_at: dict[int, Tmpl] = {}          # what blocks inline, by address (64-bit mode)
        self.nxt_at: dict[int, int] = {}            # each decoded instruction's fall-through successor
        self.nxt32_at: dict[int, int] = {}          # ... in 32-bit mode: its high 32 bits 0 (a sentinel stays)
        self.narrow = Narrow(img, self.machine, self.guard, t, self.nxt32_at)     # 32-bit mode, made when needed
        self.msr_at: set[int] = set()               # instructions that may change the MSR: never in a block
        # by (id of code table, stop addresses, journaled): (32-bit mode's, 64-bit mode's) start -> Block
        self._blocks: dict[tuple[int, frozenset[int], bool], BlockTables] = {}
        self.block_list: list[Block] = []
        # the last (code table, stops, journaled) asked for and its tables
        self._last_table: tuple[Code | None, frozenset[int] | None, bool | None, BlockTables] = (None, None, None,
                                                                                                ({}, {}))
        self._exits = {}                            # what an exit's Result says (Results._result)
        self.env = (t.gpr, t.cr, t.spr, self.guard.read, self.guard.write, t)     # as templates.env_of
        pieces = [h for h in p.hunks if not h.located]     # a fragment's hunks: falling off one ends a run
        hunk_end = {h.end - 4: SENTINEL + h.number for h in pieces if h.end > h.start}
        text = p.text
        code_end = min([*p.outside, text.end])      # the outside slots follow the code in .text
        self._bounded: dict[int, BoundTables] = {}
        for h in pieces:
            if h.end > h.start:
                code[SENTINEL + h.number] = _raiser(FellOffHunk(h.number))
                self.exit_names[SENTINEL + h.number] = self._end_of_hunk_name(h)
        code[END_OF_TEXT] = _raiser(FellOffCode("ran past the end of the code"))
        self.exit_names[END_OF_TEXT] = "end-of-code"
        for addr, out in p.outside.items():
            name = f"{out.name}f" if out.name.isdigit() else out.name
            code[addr] = outside.closure(self, name, t)      # an exit, or a stand-in's call
            self.exit_names[addr] = self.outside_names[addr] = name
        for sec in p.sections.values():
            if not sec.is_code:
                continue
            for addr in range(sec.base, sec.end, 4):
                if addr in code:
                    continue
                nxt = hunk_end.get(addr, END_OF_TEXT if addr + 4 == code_end and sec is text else addr + 4)
                self.nxt32_at[addr] = nxt & M32 if nxt < SENTINEL else nxt
                code[addr] = self._closure(addr, img.word(addr), nxt, t)
                self.nxt_at[addr] = nxt
        self.code = self.base_code = code

    @contextmanager
    def bounded(self, number: int | None) -> Iterator[None]:
        """Run within one hunk found in a whole file, as the fragment runs it: leaving the hunk's code (a
        branch out, or falling off its end) ends the run, named by the labels written there."""
        saved = self.bind(number)
        try:
            yield
        finally:
            self.unbind(saved)

    def unbind(self, saved: BoundTables) -> None:
        """Put back the tables bind() returned."""
        self.code, self.exit_names, self.exit_labels, self.labels_at = saved

    def bind(self, number: int | None) -> BoundTables:
        """Bound every run from now on to hunk `number` (None: the whole program); returns the tables it
        replaced (the debugger binds for its whole session, Session.run for one run)."""
        saved = self.code, self.exit_names, self.exit_labels, self.labels_at
        if number is not None:
            if number not in self._bounded:
                h = next(h for h in self.program.hunks if h.number == number)
                self._bounded[number] = self._bound_tables(h)
            self.code, self.exit_names, self.exit_labels, self.labels_at = self._bounded[number]
        return saved

    def _bound_tables(self, h: Hunk) -> BoundTables:
        code, names, labels = dict(self.code), dict(self.exit_names), dict(self.exit_labels)
        written: dict[int, list[Label]] = {}
        for lb in self.program.labels:
            if lb.written and lb.addr not in self.program.outside:
                written.setdefault(lb.addr, []).append(lb)
        passed = self._labels(within=h)     # a label just above the hunk shares its first address
        for addr in self.code:
            if addr >= SENTINEL or h.start <= addr < h.end or addr in self.program.outside:
                continue
            lbs = written.get(addr, [])
            if addr == h.end:
                inside = [lb.name for lb in lbs if h.contains_line(lb.pos.file, lb.pos.line)]
                code[addr] = _raiser(FellOffHunk(h.number))
                names[addr] = inside[0] if inside else f"end of hunk {h.number}"
                labels[addr] = inside
                continue
            here = [f"{lb.name}{'f' if addr >= h.end else 'b'}" if lb.local else lb.name for lb in lbs]
            name = here[0] if here else f"line {p.line}" if (p := self.pos(addr)) else f"{addr:#x}"
            code[addr] = _raiser(ReachedOutside(name))
            names[addr], labels[addr] = name, here or [name]
        return code, names, labels, passed

    def set_stand_in(self, name: str, fn: Callable[..., int | None] | None, session: object = None) -> None:
        """Python for a symbol another object defines: fn(args) or fn(args, session); None removes it."""
        if fn is None:
            self.stand_ins.pop(name, None)
        else:
            self.stand_ins[name] = outside.adapt(fn, session)

    def _end_of_hunk_name(self, h: Hunk) -> str:
        names = [lb.name for lb in self.program.labels
                 if lb.addr == h.end and lb.written and h.contains_line(lb.pos.file, lb.pos.line)]
        self.exit_labels[SENTINEL + h.number] = names
        return names[0] if names else f"end of hunk {h.number}"

    def _closure(self, addr: int, word: int, nxt: int, thread: Thread) -> Callable[[], int]:
        d = decode(word)
        if d is None:
            return _raiser(Unimplemented(f"word {word:#010x} at {addr:#x} is not an instruction"))
        self.insn_at[addr] = d
        fn = semantics_of(d)
        if fn is None:
            return _raiser(Unimplemented(f"unimplemented instruction {d.name}"))
        if d.base_name in MSR_WRITERS:
            self.msr_at.add(addr)
        f = field_values(d, word)
        if d.base_name == "bc" or (d.base_name in ("bclr", "bcctr") and (f["BO"] & 20) != 20):
            self.conditional.add(addr)
        ctx = context(self.program, self.machine, self.guard, addr, d, nxt, thread)
        t = template_of(d, ctx, f)
        if t is None:                       # a semantics factory: it looks at MSR[SF] itself where it matters
            nxt32 = self.nxt32_at[addr]
            return _narrowed(fn(ctx, f), nxt, nxt32, thread) if nxt32 != nxt else fn(ctx, f)
        self.tmpl_at[addr] = t
        self.narrow.templated.add(addr)
        return closure(ctx, t, self.narrow)

    def blocks_for(self, code: Code, stops: frozenset[int], journal: bool) -> BlockTables:
        """The compiled blocks of a code table (the whole program's, or one bound to a hunk), ending at `stops`:
        a table for each mode, indexed by MSR[SF] (32-bit mode's first)."""
        last = self._last_table
        if last[0] is code and last[1] is stops and last[2] is journal:
            return last[3]
        key = (id(code), stops, journal)
        tables = self._blocks.get(key)
        if tables is None:
            tables = self._blocks[key] = ({}, {})
        self._last_table = (code, stops, journal, tables)
        return tables

    def compile(self, pc: int, code: Code, stops: frozenset[int], journal: bool, sf: int,
                max_len: int = MAX_BLOCK) -> Block | None:
        """The block from pc for the mode MSR[SF] = sf (None if there is none: an exit, an MSR write ...)."""
        b = compile_block(self, pc, code, stops, journal, bool(sf), max_len)
        if b is not None:
            b.id = len(self.block_list)
            self.block_list.append(b)
        return b

    def short_block(self, pc: int, code: Code, stops: frozenset[int], length: int, sf: int) -> Block | None:
        """A journaled block from pc of at most `length` instructions (to stop exactly at a step budget)."""
        table = self.blocks_for(code, stops, True)[sf]
        key = (pc, length)
        b = table.get(key, MISSING)
        if b is MISSING:
            b = table[key] = self.compile(pc, code, stops, True, sf, min(length, MAX_BLOCK))
        return b

    # ---------------------------------------------------------------- positions
    def pos(self, addr: int) -> Pos | None:
        ai = self.program.insns.get(addr)
        return ai.pos if ai else None

    def where(self, addr: int | None) -> str:
        pos = self.pos(addr) if addr is not None else None
        return self.program.where(pos) if pos else (f"{addr:#x}" if addr is not None else "?")

    # ---------------------------------------------------------------- running
    def run(self, entry: int, max_steps: int = DEFAULT_STEP_LIMIT, journal: bool = False,
            path: bool = True, hooks: dict[int, Hook | list[Hook]] | None = None,
            step_hooks: dict[int, Hook | list[Hook]] | None = None) -> Result:
        """A run from `entry` (a hooked run records its path too). Session.run passes the arguments by position
        (a keyword call costs a run's worth of a short instruction)."""
        rec = Journal() if journal else Trail() if path or hooks or step_hooks else None
        self.entry_lr = self.thread.spr.get(8, 0) & ~3
        pc, n, exc = execute(self, entry, 0, max_steps, rec, _lists(hooks) if hooks else None,
                             _lists(step_hooks) if step_hooks else None)
        jr = rec if isinstance(rec, Journal) else None     # (a Journal exactly when `journal`)
        if exc is None:
            return self._result_limit(pc, max_steps, rec, jr)
        if isinstance(exc, NoCode):
            return self._result_nocode(pc, n, rec, jr)
        return self._result(exc, pc, n, rec, jr)

    def resume(self, pc: int, journal: Journal, *, max_steps: int = 1, first: int = 0, arrive: bool = False,
               breaks: frozenset[int] = frozenset(), hooks: dict[int, list[Hook]] | None = None,
               step_hooks: dict[int, list[Hook]] | None = None) -> tuple[int, Result | None]:
        """Go on with a journaled run from pc, appending to `journal`: the debugger's primitive.

        Executes up to max_steps instructions, numbered from `first`. Hooks run when the run arrives at their
        address (or step number): after the instruction before them and before any stop there, so that a stop
        shows what happened on the way; `arrive` runs pc's own hooks first (the run has just arrived at pc).
        Stops on arriving at an address in `breaks`. Returns the pc to execute next and, when the run ended
        (an exit, a fault...), its Result as Engine.run names it; the caller has the journal for the path."""
        if first == 0:                      # the run starts: a jump to this LR is its return
            self.entry_lr = self.thread.spr.get(8, 0) & ~3
        pc, n, exc = execute(self, pc, first, first + max_steps, journal, hooks, step_hooks, breaks, arrive,
                             hooks_at_end=True)
        if exc is None:
            fn = self.code.get(pc)
            if fn is None:
                exc = NoCode(pc)
            elif pc in self.exit_names and self.outside_names.get(pc) not in self.stand_ins:
                try:
                    fn()                              # an exit raises its Stop
                except Stop as e:
                    exc = e
        if exc is None:
            return pc, None
        if isinstance(exc, NoCode):
            return pc, self._result_nocode(pc, n, None, journal)
        return pc, self._result(exc, pc, n, None, journal)


def _lists(hooks: dict[int, Hook | list[Hook]] | None) -> dict[int, list[Hook]] | None:
    if not hooks or all(type(v) is list for v in hooks.values()):
        return cast("dict[int, list[Hook]] | None", hooks or None)     # every value is a list
    return {k: v if isinstance(v, list) else [v] for k, v in hooks.items()}


def _narrowed(fn: Callable[[], int], nxt: int, nxt32: int, thread: Thread) -> Callable[[], int]:
    """A semantics factory's closure at an address above 4 GiB: in 32-bit mode it falls through to the next
    address with its high 32 bits 0 (the factories return the 64-bit mode's successor)."""
    def run() -> int:
        npc = fn()
        return nxt32 if npc == nxt and not thread.msr >> 63 else npc
    return run


def _raiser(exc: Stop) -> Callable[[], int]:
    def run() -> int:
        # One instance serves every run: drop the traceback the last raise left, or it keeps every run's
        # frames (and their journals) alive, a leak that grows with each run.
        raise exc.with_traceback(None)
    run.stop = exc  # type: ignore[attr-defined]  # the run loop ends a run here without raising (run/loop.py)
    return run

