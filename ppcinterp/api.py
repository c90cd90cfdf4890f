"""The Python API: load a source, build a machine, set state by name, run, inspect the result.

    s = Session("asm/book3s_hv_rmhandlers.S", cpu="POWER7", threads=2)
    s.set("r12", 0x500); s.set("msr.ee", 1); s.set("icp.mfrr", 4)     # msr.ee: the MSR of the handler
    r = s.run("hunk 3")
    r.exit, r.path, s.get("lpcr.mer"), r.journal

    s = Session("whole.S", preset="guest-running")      # vcpu, vcore, kvm... in memory, linked (presets.py)
    s.get("vcpu.arch.slb_max"); s.value("&vcpu")
    s.stand_in(".kvmppc_hpte_hv_fault", lambda args: 0)    # a C function the code calls, in Python

    s = Session(["memcpy_64.S", "memcpy_power7.S"], kernel_tree="linux")   # several objects, linked as one
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from ppcinterp.api_call import Calls, check_ram_size
from ppcinterp.api_machine import MachineSetup
from ppcinterp.asm.cpus import cpu_model
from ppcinterp.build import DEFAULT_BASE, DEFAULT_CONFIG, BuildOptions, build_image, kernel_env_dir
from ppcinterp.diagnostics import PpcError
from ppcinterp.machine.core import DEFAULT_ICP_BASE, DEFAULT_RAM, Machine
from ppcinterp.machine.memory import Device, MemoryFault
from ppcinterp.machine.names import Ref, StateNameError, StateValueError, kind_of, pending_pairs, resolve
from ppcinterp.machine.paca import paca_layout
from ppcinterp.machine.predicate import PredicateError, evaluate, parse
from ppcinterp.machine.predicate import names as predicate_names
from ppcinterp.machine.presets import apply as apply_preset
from ppcinterp.machine.structs import OffsetTable, count_rows
from ppcinterp.run.engine import DEFAULT_STEP_LIMIT, Engine, Result
from ppcinterp.run.events import EventHook, rearm  # noqa: F401 - rearm is re-exported
from ppcinterp.run.stops import Paused


class Session(MachineSetup, Calls):
    """A program built for one CPU and a machine to run it on: state by name, runs, calls (docs/api.md).

    path: a .S file, or a list of them (each an object, linked into one program). cpu, features: the CPU model
    and, optionally, its cpu_features word instead of the model's. config, include_dirs, defines, kernel_env,
    externs, kernel_tree, asm_offsets: how the source is preprocessed and assembled (as the command line's
    options). base: the address of .text. threads, current: the core's hardware threads and the one that runs.
    text: the source's text instead of the file's. preset: a machine a guest runs on (`guest-running`). patch:
    the patch whose hunks `hunk N` names in a whole file. icp_base, ram_size: where the ICPs are, how much RAM."""

    # Called as observer(session, result) after every run of every session (the pytest plugin's coverage).
    observers: list[Callable[[Session, Result], None]] = []

    def __init__(self, path: str | Sequence[str], *, cpu: str | None = None, features: int | None = None,
                 config: str | None = None, include_dirs: list[str] | None = None,
                 defines: dict[str, str | None] | None = None, kernel_env: bool = True,
                 base: int = DEFAULT_BASE, threads: int = 1, current: int = 0, text: str | None = None,
                 preset: str | None = None, externs: Iterable[str] = (), patch: str | None = "auto",
                 kernel_tree: str | None = None, asm_offsets: str | None = None, icp_base: int = DEFAULT_ICP_BASE,
                 ram_size: int = DEFAULT_RAM[1]):
        self.options = BuildOptions(include_dirs=list(include_dirs or []), defines=dict(defines or {}),
                                    config=config or DEFAULT_CONFIG, kernel_env=kernel_env, base=base,
                                    externs=list(externs), patch=patch, kernel_tree=kernel_tree,
                                    asm_offsets=asm_offsets)
        self.image = build_image(path, self.options, cpu_model(cpu, features), text=text)
        self.program = self.image.program
        table = OffsetTable.from_file(self._asm_offsets())
        try:
            self.machine = Machine(paca_layout(table), threads=threads, current=current, offsets=table,
                                   icp_base=icp_base, ram=(DEFAULT_RAM[0], check_ram_size(ram_size)))
        except ValueError as e:
            raise PpcError(str(e)) from None
        self._map_image()
        self.engine = Engine(self.image, self.machine)
        if preset is not None:
            apply_preset(self.machine, preset, self.program.preprocessed.macro_value, self.program.toc_base)
        self._initial = self.machine.snapshot()
        self._entries: dict[str, tuple[int, int | None]] = {}      # run(): each entry's address and hunk bound

    def _asm_offsets(self) -> str:
        """The asm-offsets header the preprocessor read that holds the values: a kernel tree's
        asm/asm-offsets.h is a one-line wrapper around generated/asm-offsets.h, ours holds them itself."""
        found = [f for f in self.program.preprocessed.files
                 if f.replace("\\", "/").endswith("/asm-offsets.h") or f == self.options.asm_offsets]
        rows = [(count_rows(f), f) for f in found]
        best = max(rows, default=(0, ""))
        if best[0]:
            return best[1]
        if found:
            raise PpcError(f"{found[0]} (asm-offsets) defines no values with their offsetof() comments, so the "
                           "PACA layout is unknown")
        # A self-contained file (no asm-offsets read, e.g. --no-kernel-env): the machine is still the kernel's,
        # with the PACAs of our environment's table for the configured config.
        own = kernel_env_dir() / "config" / self.options.config / "asm" / "asm-offsets.h"
        if own.is_file():
            return str(own)
        raise PpcError("the source does not include asm/asm-offsets.h, and the kernel environment has no table "
                       f"for config {self.options.config}, so the PACA layout is unknown")

    # ---- state by name ----
    def ref(self, name: str) -> Ref:
        """The state a name resolves to (`r3`, `cr0.eq`, `lpcr.mer`, `paca.kvm_hstate.host_ipi`, `icp[1].mfrr`,
        `mem64[0x1000000]`, `vcpu.arch.gpr[3]`): a Ref with its get and set functions, its width in bits (0 for
        icp.pending's pairs) and the address behind it (None for a register or a device's)."""
        if not isinstance(name, str):
            raise PpcError(f"a state name is a string, not {kind_of(name)}")
        try:
            return resolve(self.machine, name)
        except StateNameError as e:
            raise PpcError(str(e)) from None

    def get(self, name: str) -> int:
        """The value of state by name (as ref() names it); icp.pending gives its (source, priority) pairs."""
        ref = self.ref(name)
        try:
            return ref.get()
        except MemoryFault as e:
            raise PpcError(f"'{name}': {_fault_text(e)}") from None

    def set(self, name: str, value) -> None:
        """Set state by name; the value is an integer, a bool, a list of (source, priority) pairs for
        `icp.pending`, or a string: a number, a constant of the kernel environment, `&paca[N]`, `&icp[N]`."""
        self.prepare(name, value)()

    def prepare(self, name: str, value) -> Callable[[], None]:
        """set(name, value) resolved now (name and value, for the thread current now; errors as set's) and made
        each time the returned function is called: exploration assigns the same inputs thousands of times."""
        ref = self.ref(name)
        self.writable(ref)
        put = ref.set
        if not ref.bits:                       # icp.pending: (source, priority) pairs, checked once here
            try:
                pairs = pending_pairs(value, lambda x: self.value(x) if isinstance(x, str) else x)
            except (StateValueError, PpcError) as e:
                raise PpcError(f"'{name}' {e.message if isinstance(e, PpcError) else e}") from None
            return lambda: put(pairs)
        if isinstance(value, str):
            value = self.value(value)
        if isinstance(value, bool):
            value = int(value)
        if not isinstance(value, int):
            raise PpcError(f"'{name}' needs a number (an integer, a boolean or a constant's name), not "
                           f"{kind_of(value)}")
        if ref.addr is not None:
            self.reachable(name, ref.addr, max(1, ref.bits // 8), True)
        return lambda: put(value)

    def reachable(self, name: str, addr: int, size: int, store: bool) -> None:
        """Refuse a name whose memory no region holds (or a device has no such register): regions are only
        ever added, so a write prepared now cannot fault later."""
        r = self.machine.memory.region_at(addr)
        if r is None or addr + size > r.base + r.size:
            raise PpcError(f"'{name}': address {addr:#x} is outside every mapped region")
        register = getattr(r, "register", None)
        if isinstance(r, Device) and register is not None and not register(addr - r.base, size, store):
            raise PpcError(f"'{name}': {r.name} has no {size}-byte register at offset {addr - r.base:#x} "
                           f"to {'write' if store else 'read'}")

    def writable(self, ref: Ref) -> None:
        """Refuse a write into the code: it runs as assembled (blocks are compiled from it), so a changed
        instruction would silently not take effect."""
        if ref.addr is not None and self.engine.guard.covers(ref.addr, max(1, ref.bits // 8)):
            raise PpcError(f"'{ref.name}' is in the code ({ref.addr:#x}), which runs as assembled: the "
                           "interpreter does not execute modified code")

    def value(self, text: str) -> int:
        """The integer a scenario string stands for: `0x500`, `IPI_PRIORITY` (a constant), `buf` or `&buf` (a
        label's address, or a buffer's: alloc()), `&paca[1]`, `&icp[0]`, `&vcpu`, `&vcpu.arch.gpr[3]`."""
        t = text.strip()
        if len(t) > 1000:
            raise PpcError(f"'{t[:40]}...' is {len(t)} characters: too long for a number or a constant's name")
        if m := re.fullmatch(r"&(paca|icp)\[(\d+)\]", t):
            n, mach = int(m.group(2)), self.machine
            if n >= len(mach.threads):
                raise PpcError(f"{t} does not exist (the core has {len(mach.threads)} threads)")
            return mach.paca.base + n * mach.paca.layout.size if m.group(1) == "paca" else mach.icps[n].base
        if (buf := self.buffer(t)) is not None:     # alloc()'s buffers, as `buf` or `&buf`
            return buf
        if t.startswith("&"):
            return self._address(t[1:].strip())
        if re.fullmatch(r"-?(0x[0-9a-fA-F]+|0b[01]+|0o[0-7]+|\d+)", t):
            if re.fullmatch(r"-?0+[1-9]\d*", t):
                raise PpcError(f"'{t}': a number with a leading 0 is octal in C but decimal in TOML: write "
                               f"{t.replace('0', '', 1)} or 0o{t.lstrip('-0')}")
            return int(t, 0)

        c = self.constant(t)
        if c is None:
            raise PpcError(f"'{t}' is not a number or a constant of the kernel environment, nor a label")
        return c

    def constant(self, name: str) -> int | None:
        """What a name stands for in a value: a constant of the kernel environment (a macro: IPI_PRIORITY), else
        a symbol's value (a label's address, as the code's own `LOAD_REG_ADDR(r3, buf)` would load it); None if
        neither."""
        c = self.program.preprocessed.macro_value(name)
        if c is not None:
            return c
        if name in self.program.ambiguous:
            where = " and ".join(f"{p.file}:{p.line}" for p in self.program.ambiguous[name])
            raise PpcError(f"'{name}' is a label of several objects ({where}): write its address")
        return self.program.symbols.get(name)

    def _address(self, name: str) -> int:
        """&vcpu, &vcpu[1], &vcore, &vcpu.arch.gpr[3], &REGION: where an object, a field or a region is."""
        mach = self.machine
        m = re.fullmatch(r"(\w+)(?:\[(\d+)\])?", name)
        if m and m.group(1) in mach.objects:
            r = mach.objects[m.group(1)]
            n = int(m.group(2)) if m.group(2) else mach.current if r.count > 1 else 0
            if n >= r.count:
                raise PpcError(f"&{name} does not exist (there {'is' if r.count == 1 else 'are'} {r.count})")
            return r.address(n)
        region = next((r for r in mach.memory.regions if r.name == name), None)
        if region is not None:
            return region.base
        if name in self.program.symbols or name in self.program.ambiguous:     # &label: the label itself
            return self.constant(name)
        ref = self.ref(name)
        if ref.addr is None:
            raise PpcError(f"&{name}: '{name}' is not in memory (an object, a field of one, or a region)")
        return ref.addr

    def reset(self) -> None:
        """Back to the state the session started in (power-on machine, program image in memory)."""
        self.machine.restore(self._initial)
        self.buffers.clear()

    def snapshot(self) -> tuple:
        """The whole machine's state (registers, SPRs, memory, devices of every thread), for restore()."""
        return self.machine.snapshot()

    def restore(self, snap: tuple) -> None:
        """Put the machine back as snapshot() took it."""
        self.machine.restore(snap)

    def condition(self, text: str) -> Callable[[], int]:
        """A user's condition over state (`paca.kvm_hstate.host_ipi == 0 || icp.mfrr != 0xff`), checked
        now for unknown names, evaluated each time the returned function is called."""
        try:
            node = parse(text)
        except PredicateError as e:
            raise PpcError(f"in condition '{text[:200]}' at column {e.column}: {e}") from None
        except ValueError:                     # int() refuses a number of thousands of digits
            raise PpcError(f"in condition '{text[:80]}...': a number is too long") from None
        except RecursionError:
            raise PpcError(f"in condition '{text[:80]}...': the expression nests too deeply") from None
        getters: dict[str, Callable[[], int]] = {}
        for name in predicate_names(node):
            if name.startswith("&"):                 # an address: &vcpu, &vcpu.arch.gpr[3]
                try:
                    getters[name] = (lambda v: lambda: v)(self.value(name))
                except PpcError as e:
                    raise PpcError(f"in condition '{text}': {e.message}") from None
                continue
            try:
                ref = resolve(self.machine, name)
                if not ref.bits:
                    raise PpcError(f"in condition '{text[:200]}': '{name}' is a list of (source, priority) pairs, "
                                   "not a number")
                if ref.addr is not None:       # memory no region holds is an error now, not a fault later
                    try:
                        self.reachable(name, ref.addr, max(1, ref.bits // 8), False)
                    except PpcError as e:
                        raise PpcError(f"in condition '{text[:200]}': {e.message}") from None
                getters[name] = ref.get
            except StateNameError as e:
                try:
                    value = self.constant(name)
                except PpcError as err:
                    raise PpcError(f"in condition '{text[:200]}': {err.message}") from None
                if value is None:
                    raise PpcError(f"in condition '{text}': {e}") from None
                getters[name] = (lambda v: lambda: v)(value)
        return lambda: evaluate(node, lambda name, _col: getters[name]())

    # ---- where to start ----
    def address_of(self, spec: str) -> int:
        """A label (numeric ones also as paths name them: `1:713`), `hunk N`, `line N` / `FILE:N` (the first
        instruction at or after it), `upstream N`, or an address."""
        memo = self.__dict__.setdefault("_addresses", {})   # the program never changes: look each spec up once
        if len(spec) > 1000:
            raise PpcError(f"'{spec[:40]}...' is {len(spec)} characters: too long for a location")
        if spec not in memo:
            memo[spec] = self._find_address(spec)
        return memo[spec]

    def _find_address(self, spec: str) -> int:
        p = self.program
        s = spec.strip()
        if m := re.fullmatch(r"hunk\s+(\d+)", s):
            n = int(m.group(1))
            h = next((h for h in p.hunks if h.number == n), None)
            if h is None or h.end <= h.start:
                raise PpcError(f"there is no hunk {n} with code (hunks with code: "
                               f"{', '.join(str(h.number) for h in p.hunks if h.end > h.start)})")
            return h.start
        if m := re.fullmatch(r"upstream\s+(\d+)", s):
            line = int(m.group(1))
            if p.is_fragment and not any(h.first <= line <= h.last for h in p.hunks):
                ranges = ", ".join(f"{h.first}-{h.last}" for h in p.hunks)
                raise PpcError(f"upstream line {line} is in none of the fragment's hunks (upstream lines {ranges})")
            return self._first_insn(lambda a: (p.upstream_line(a.pos) or -1) >= line, f"upstream line {line}")
        if s in p.symbols or s in p.ambiguous:      # a descriptor (`memcpy`, in .opd) means its code (`.memcpy`)
            return p.code_entry(s)
        for addr, names in self.engine.labels_at.items():      # numeric labels as paths name them: 1:713
            if s in names:
                return addr
        if m := re.fullmatch(r"(?:(.+):|line\s+)(\d+)", s):
            file, line = m.group(1), int(m.group(2))
            return self._first_insn(lambda a: (file is None or Path(a.pos.file).name == Path(file).name
                                               or a.pos.file == file) and a.pos.line >= line, s)
        if re.fullmatch(r"0x[0-9a-fA-F]+|\d+", s):
            return int(s, 16 if s.startswith("0x") else 10)      # 0123 is decimal here (int(s, 0) refuses it)
        raise PpcError(f"unknown entry '{spec}' (a label, 'hunk N', 'line N', 'FILE:LINE', 'upstream N' "
                       "or an address)")

    def _first_insn(self, pred: Callable, what: str) -> int:
        for a in self.program.insns.values():
            if pred(a):
                return a.addr
        raise PpcError(f"no instruction at or after {what}")

    # ---- running ----
    def run(self, entry: str | int, *, max_steps: int = DEFAULT_STEP_LIMIT, journal: bool = True,
            until: str | int | None = None, events: Mapping[str, Mapping[str, object]] | None = None,
            hooks: dict | None = None, step_hooks: dict | None = None, within: int | None = None,
            path: bool = True) -> Result:
        """Run from `entry` to the exit (or to `until`, a location at which to stop before executing it).

        events: {location: {name: value, ...}}: state set the first time the run reaches the location,
        before the instruction there runs (the host's racing writes, say). hooks / step_hooks: the engine's
        raw hooks, fn(engine, step) by address or by step number. within: the hunk to stay in (default: the
        one `hunk N` names in a whole file, see hunk_bound). path=False with journal=False and no hooks: the
        untraced loop (no labels passed, no branch decisions in the Result)."""
        if isinstance(entry, int):
            pc, bound = entry, within
        else:
            where = self._entries.get(entry)       # exploration runs one entry thousands of times: looked up once
            if where is None:
                where = self._entries[entry] = (self.address_of(entry), self.hunk_bound(entry))
            pc, bound = where if within is None else (where[0], within)
        if events or until is not None or (hooks and any(type(f) is not list for f in hooks.values())):
            hooks = {a: list(fns) if isinstance(fns, list) else [fns] for a, fns in (hooks or {}).items()}
        for where, assignments in (events or {}).items():
            hooks.setdefault(self._location(where), []).append(self.event_hook(assignments.items()))
        if until is not None:
            stop_at = self._location(until)
            name = until if isinstance(until, str) else f"{until:#x}"

            def pause(_engine, n):
                if n:                          # the entry itself does not count as reaching it
                    raise Paused(name)
            hooks.setdefault(stop_at, []).insert(0, pause)
        if bound is None:                      # the common case pays for no context manager
            res = self.engine.run(pc, max_steps, journal, path, hooks, step_hooks)
        else:
            saved = self.engine.bind(bound)
            try:
                res = self.engine.run(pc, max_steps, journal, path, hooks, step_hooks)
            finally:
                self.engine.unbind(saved)
        for observe in Session.observers:
            observe(self, res)
        return res

    def hunk_bound(self, entry: str | int) -> int | None:
        """The hunk a run from `entry` stays in: `hunk N` of a whole file (whose hunks a patch located) stays
        within that hunk, as the fragment runs it; None for every other entry."""
        if not isinstance(entry, str) or not self.program.hunks:
            return None
        m = re.fullmatch(r"hunk\s+(\d+)", entry.strip())
        h = next((h for h in self.program.hunks if m and h.number == int(m.group(1))), None)
        return h.number if h is not None and h.located else None

    def _location(self, where: str | int) -> int:
        return where if isinstance(where, int) else self.address_of(where)

    def event_hook(self, assignments: Iterable[tuple[str, object]], note: str = "",
                   assign: Callable[[str, object], None] | None = None,
                   prepare: Callable[[str, object], Callable[[], None]] | None = None,
                   clock: Callable[[], int] | None = None) -> EventHook:
        """An engine hook that makes the assignments once, the first time the run reaches its point, and
        says so in the journal (`note`, or the assignments); rearm() it before running again. `assign`
        replaces Session.set, `prepare` Session.prepare (scenarios use them to report a bad value at its place
        in the file). Each assignment is prepared now too: a bad name or value (an address no region holds) is
        an error before the run, never a fault blamed on the instruction the event fires before."""
        pairs = list(assignments)
        check = prepare if prepare is not None else self.prepare if assign is None else None
        if check is None:
            for name, _value in pairs:
                self.ref(name)
            return EventHook(self.machine, pairs, note, assign, None, clock)
        # a bad name or value fails now, not halfway through the run; what it prepared serves the first firing
        setters = [check(name, value) for name, value in pairs]
        return EventHook(self.machine, pairs, note, assign, check, clock, setters)



def _fault_text(e: MemoryFault) -> str:
    return f"address {e.addr:#x} is outside every mapped region" if e.why == "unmapped" else e.why
