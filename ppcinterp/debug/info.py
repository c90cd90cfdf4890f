"""`info WHAT`: registers (gdb's name / hex / natural columns), SPRs, FP and vector state, the PACA, the ICPs,
threads, the path, the frame, breakpoints, displays, the recorded history."""

from __future__ import annotations

import math
import re
import struct
from typing import TYPE_CHECKING

from ppcinterp.debug import info_symbols as symbols
from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.present import frame_line, short_stop
from ppcinterp.debug.registry import find, number, numbers
from ppcinterp.debug.report import path_text, point_table
from ppcinterp.debug.runs import info_runs
from ppcinterp.debug.values import MEM
from ppcinterp.machine.names import StateNameError, resolve
from ppcinterp.machine.state import LPCR_BITS, MSR_BITS, spr_name

if TYPE_CHECKING:
    from ppcinterp.debug.commands import Commands
    from ppcinterp.debug.engine import DebugEngine
    from ppcinterp.machine.paca import Field

GENERAL = [f"r{i}" for i in range(32)] + ["pc", "msr", "cr", "lr", "ctr", "xer"]
XER_FLAGS = {"so": 31, "ov": 30, "ca": 29}
CR_FLAGS = ("lt", "gt", "eq", "so")


def _flags(value: int, table: dict[str, int]) -> str:
    on = [n.upper() for n, b in sorted(table.items(), key=lambda kv: -kv[1]) if value >> b & 1]
    return "[ " + " ".join(on) + " ]" if on else "[ ]"


def natural(dbg: DebugEngine, name: str, value: int, bits: int) -> str:
    """gdb's natural column of `info registers`: flags by name for msr, lpcr, xer and cr, a symbol for code
    addresses in lr, ctr and the save/restore registers, signed decimal otherwise."""
    if name == "msr":
        return _flags(value, MSR_BITS)
    if name == "lpcr":
        return _flags(value, LPCR_BITS)
    if name == "xer":
        return _flags(value, XER_FLAGS)
    if name == "cr":
        fields = [f"cr{i}:" + "|".join(f for j, f in enumerate(CR_FLAGS) if value >> (28 - 4 * i) & (8 >> j))
                  for i in range(8) if value >> (28 - 4 * i) & 0xF]
        return "[ " + " ".join(fields) + " ]" if fields else "[ ]"
    if re.fullmatch(r"f\d+", name):
        return double(value)
    if name in ("lr", "ctr", "srr0", "hsrr0") and dbg.symbols.symbol(value):
        return f"{value:#x} <{dbg.symbols.symbol(value)}>"
    signed = value - (1 << bits) if bits and value >> (bits - 1) & 1 else value
    return str(signed)


def registers(c: Commands, arg: str) -> str:
    dbg = c.dbg
    changed = dbg.changed()
    rows = []
    for raw in arg.replace(",", " ").split() or GENERAL:
        name = raw.lstrip("$").lower()
        if name == "pc":
            pc = dbg.pc
            sym = dbg.symbols.symbol(pc)
            rows.append(f"{'pc':<15}{pc:<#19x}{pc:#x}" + (f" <{sym}>" if sym else ""))
            continue
        if MEM.fullmatch(name):
            shown, bits = name, dbg.values.bits(("name", name, 1))
        else:
            try:
                ref = resolve(dbg.machine, name)
            except StateNameError:
                raise DebugError(f"Invalid register `{raw}'") from None
            shown, bits = ref.name, ref.bits
        value = dbg.values.lookup(name)                # memory through the side-effect-free peek
        mark = "  *" if _overlaid(shown) & changed.keys() else ""
        if bits == 128:                                # a vector register: gdb's union shape instead
            rows.append(f"{shown:<15}{_vector(value)}{mark}")
            continue
        rows.append(f"{shown:<15}{value:<#19x}{natural(dbg, shown, value, bits)}{mark}")
    return "\n".join(rows)


def double(bits: int) -> str:
    """An FPR's 64 bits as gdb prints a double: %.17g, NaNs with their payload, infinities as inf."""
    v = struct.unpack(">d", bits.to_bytes(8, "big"))[0]
    sign = "-" if bits >> 63 else ""
    if math.isnan(v):
        return f"{sign}nan({bits & ((1 << 52) - 1):#x})"
    if math.isinf(v):
        return f"{sign}inf"
    return f"{v:.17g}"


def _vector(v: int) -> str:
    """A 128-bit register in gdb's union shape (the whole value and its four words)."""
    words = ", ".join(f"{(v >> s) & 0xFFFFFFFF:#x}" for s in (96, 64, 32, 0))
    return f"{{uint128 = 0x{v:032x}, v4_int32 = {{{words}}}}}"


def _overlaid(name: str) -> set[str]:
    """The names that share bits with a register: vs<i> with f<i> (i < 32) or v<i-32>."""
    m = re.fullmatch(r"(vs|v|f)(\d+)", name)
    if not m:
        return {name}
    kind, i = m.group(1), int(m.group(2))
    if kind == "vs":
        return {name, f"f{i}" if i < 32 else f"v{i - 32}"}
    return {name, f"vs{i if kind == 'f' else i + 32}"}


def _state_rows(c: Commands, names: list[str], value_of) -> str:
    """Rows for the named registers: name, value (value_of(ref)), `*` when it changed at the last stop (through
    any register it overlays)."""
    dbg = c.dbg
    changed = dbg.changed()
    rows = []
    for name in names:
        try:
            ref = resolve(dbg.machine, name)
        except StateNameError:
            raise DebugError(f"Invalid register `{name}'") from None
        mark = "  *" if _overlaid(ref.name) & changed.keys() else ""
        rows.append(f"{ref.name:<15}{value_of(ref)}{mark}")
    return "\n".join(rows)


def floats(c: Commands, arg: str) -> str:
    names = arg.replace(",", " ").split() or [f"f{i}" for i in range(32)] + ["fpscr"]

    def value(ref) -> str:
        v = ref.get()
        if ref.name == "fpscr":
            return f"{v:<#19x}{natural(c.dbg, 'fpscr', v, 64)}"
        if ref.bits == 128:
            return _vector(v)
        return f"{double(v):<19} (raw 0x{v:016x})" if re.fullmatch(r"f\d+", ref.name) else f"{v:<#19x}"
    return _state_rows(c, names, value)


def vectors(c: Commands, arg: str) -> str:
    words = arg.replace(",", " ").split()
    if words == ["v"] or words == ["vr"]:
        words = [f"v{i}" for i in range(32)]
    elif words == ["vs"]:
        words = [f"vs{i}" for i in range(64)]
    names = words or [f"v{i}" for i in range(32)] + ["vscr", "vrsave"] + [f"vs{i}" for i in range(64)]

    def value(ref) -> str:
        v = ref.get()
        return _vector(v) if ref.bits == 128 else f"{v:<#19x}{natural(c.dbg, ref.name, v, ref.bits)}"
    return _state_rows(c, names, value)


def sprs(c: Commands, arg: str) -> str:
    t = c.dbg.machine.thread
    rows = [f"{spr_name(n).lower():<15}{v:<#19x}{natural(c.dbg, spr_name(n).lower(), v, 64)}"
            for n, v in sorted(t.spr.items()) if v]
    return "\n".join(rows + [f"(every other SPR of hw thread {t.index} is 0)"])


def paca(c: Commands, arg: str) -> str:
    dbg = c.dbg
    words = arg.split()
    n = number(words.pop(0)) if words and words[0].isdigit() else dbg.thread
    if n >= len(dbg.machine.threads):
        raise DebugError(f"paca[{n}] does not exist (the core has {len(dbg.machine.threads)} threads)")
    arr = dbg.machine.paca
    base = arr.base + n * arr.layout.size
    rows = [f"paca[{n}] at {base:#x} (PACA_SIZE {arr.layout.size:#x})"]
    for f, value, shown in paca_fields(dbg, n):
        if words and not any(w.lower() in f.path.lower() or w.lower() in f.symbol.lower() for w in words):
            continue
        more = "" if shown == f.size else f" (first {shown} of {f.size} bytes)"
        rows.append(f"  {f.path:<30} {f.symbol:<24} +{f.offset:<#7x} {f.size:>2}  {value:#x}{more}")
    return "\n".join(rows)


def paca_fields(dbg: DebugEngine, n: int) -> list[tuple[Field, int, int]]:
    """(field, value, bytes shown) of every PACA field of thread n, read without side effects; a field wider
    than 8 bytes shows its first 8."""
    arr = dbg.machine.paca
    base = arr.base + n * arr.layout.size
    out = []
    for f in arr.layout.fields:
        size = f.size if f.size in (1, 2, 4, 8) else 8
        out.append((f, dbg.values.peek(base + f.offset, size), size))
    return out


def regions(c: Commands, arg: str) -> str:
    """The memory map; with an object (vcpu, vcore, kvm, paca[1], frame...), its fields and their values."""
    dbg = c.dbg
    words = arg.split()
    if not words:
        rows = ["Memory map (info regions OBJ [FILTER...] shows an object's fields):"]
        rows += [f"  {name:<16} {base:#014x}-{base + size:#014x}  {what}"
                 for name, base, size, what in dbg.session.regions()]
        return "\n".join(rows)
    obj, _, idx = words.pop(0).partition("[")
    region = dbg.machine.objects.get(obj)
    if region is None:
        raise DebugError(f"No object named '{obj}' in memory (objects: {', '.join(dbg.machine.objects)}).")
    n = number(idx.rstrip("]")) if idx.rstrip("]").isdigit() else dbg.thread if region.count > 1 else 0
    if n >= region.count:
        raise DebugError(f"{obj}[{n}] does not exist (there are {region.count}).")
    base, lay = region.address(n), region.layout
    rows = [f"{region.label(n)} at {base:#x} (struct {lay.struct}, {lay.size:#x} bytes)"]
    for f in lay.fields:
        if words and not any(w.lower() in f.path.lower() or w.lower() in f.symbol.lower() for w in words):
            continue
        size = f.elem or f.size
        size = size if size in (1, 2, 4, 8) else 8
        shown = f"{f.path}[0..{f.size // f.elem - 1}]" if f.elem else f.path
        first = " (element 0)" if f.elem else ""
        rows.append(f"  {shown:<30} {f.symbol:<24} +{f.offset:<#7x} {f.size:>4}  "
                    f"{dbg.values.peek(base + f.offset, size):#x}{first}")
    return "\n".join(rows)


def icp(c: Commands, arg: str) -> str:
    dbg = c.dbg
    which = numbers(arg) if arg.strip() else range(len(dbg.machine.icps))
    rows = []
    for i in which:
        if i >= len(dbg.machine.icps):
            raise DebugError(f"icp[{i}] does not exist (the core has {len(dbg.machine.icps)} threads)")
        d = dbg.machine.icps[i]
        mark = "*" if i == dbg.thread else " "
        rows.append(f"{mark} icp[{i}] at {d.base:#x}: {d.describe()}  XIRR (poll) {d.xirr():#010x}")
    return "\n".join(rows)


def threads(c: Commands, arg: str) -> str:
    dbg = c.dbg
    rows = ["  Id   Target         Frame"]
    for t in dbg.machine.threads:
        mark = "*" if t.index == dbg.thread else " "
        frame = frame_line(dbg.location()) if t.index == dbg.thread else \
            f"(not executing; r13 {t.gpr[13]:#x})"
        rows.append(f"{mark} {t.index:<4} hw thread {t.index:<4} {frame}")
    return "\n".join(rows)


def path(c: Commands, arg: str, limit: int = 40) -> str:
    dbg = c.dbg
    p = dbg.path()
    rows = ["Path: " + (path_text(p) if p else "(no label passed yet)")]
    taken = branches(dbg)
    if taken:
        rows.append("Branches:" + (f" (the last {limit} of {len(taken)})" if len(taken) > limit else ""))
    for pc, where in taken[-limit:]:
        rows.append(f"  {short_stop(dbg, pc)}\t{where}")
    return "\n".join(rows + [_position(c)])


def branches(dbg: DebugEngine) -> list[tuple[int, str]]:
    """Every conditional branch executed so far (its pc) and where it went: `not taken`, `taken -> LABEL`."""
    eng, h = dbg.session.engine, dbg.history
    out = []
    for pc, nxt in h.journal.flow(eng.conditional, h.pos):
        if nxt is not None:
            out.append((pc, "not taken" if nxt == pc + 4 else "taken -> " + (
                eng.exit_names.get(nxt) or ", ".join(eng.labels_at.get(nxt, ())) or hex(nxt))))
    return out


def run_state(dbg: DebugEngine) -> str:
    """Where the position is in the recorded history: ended, past (replaying) or live."""
    return "ended" if dbg.exited is not None else "past" if dbg.in_past else "live"


STATE_WORDS = {"ended": "the run has ended", "past": "replaying the recorded past", "live": "at the live end"}


def _position(c: Commands) -> str:
    _, now, total = c.dbg.history_range()
    return f"Instruction {now} of {total} recorded ({STATE_WORDS[run_state(c.dbg)]})."


def frame(c: Commands, arg: str) -> str:
    dbg = c.dbg
    loc = dbg.location()
    t = dbg.machine.thread
    rows = [f"Stack level 0, frame at {loc.pc:#x}:",
            f" pc = {loc.pc:#x} in {loc.symbol} ({loc.where}); lr = {t.spr.get(8, 0):#x}; r1 = {t.gpr[1]:#x}"]
    if loc.hunk is not None:
        h = next(h for h in dbg.session.program.hunks if h.number == loc.hunk)
        rows.append(f" hunk {h.number}: upstream lines {h.first}-{h.last}  {h.header}")
    rows.append(f" hw thread {dbg.thread}; " + _position(c))
    return "\n".join(rows)


def breakpoints(c: Commands, arg: str) -> str:
    pts = [p for p in c.dbg.points.items.values() if not arg.strip() or p.number in numbers(arg)]
    return point_table(c.dbg, pts) or "No breakpoints or watchpoints."


def watchpoints(c: Commands, arg: str) -> str:
    return point_table(c.dbg, c.dbg.points.watchpoints()) or "No watchpoints."


def display(c: Commands, arg: str) -> str:
    ds = c.dbg.displays
    if not ds:
        return "There are no auto-display expressions now."
    rows = ["Auto-display expressions now in effect:", "Num Enb Expression"]
    for d in ds:
        shown = (f"/{d.fmt} " if d.fmt and not d.examine else f"x/{d.fmt} " if d.examine else "") + d.expr
        rows.append(f"{d.number}:   {'y' if d.enabled else 'n'}  {shown}")
    return "\n".join(rows)


def record(c: Commands, arg: str) -> str:
    dbg = c.dbg
    first, now, total = dbg.history_range()
    rows = ["Active record target: the journal (always on)",
            f"Replay mode: {'on' if dbg.in_past else 'off'}",
            f"Lowest recorded instruction number is {first}.",
            f"Highest recorded instruction number is {total}.",
            f"Current instruction number is {now}."]
    return "\n".join(rows)


SUBCOMMANDS = {
    "registers": (registers, "registers [NAMES]: registers in gdb's columns (name, hex, natural; * = changed at "
                  "the last stop); default r0-r31, pc, msr, cr, lr, ctr, xer; NAMES: any state names"),
    "all-registers": (lambda c, a: "\n".join((registers(c, ""), floats(c, ""), vectors(c, ""), sprs(c, a))),
                      "all-registers: registers, FP and vector registers, and SPRs"),
    "sprs": (sprs, "sprs: every SPR of the current thread that is not 0"),
    "float": (floats, "float [NAMES]: f0-f31 as double and raw bits, and the FPSCR (* = changed at the last stop, "
              "also through the VSX register it overlays)"),
    "vector": (vectors, "vector [v | vs | NAMES]: v0-v31, VSCR, VRSAVE and vs0-vs63 (vs0-31 overlay f0-31 and "
               "a doubleword of their own, vs32-63 are v0-31) as 128 bits and four words"),
    "paca": (paca, "paca [N] [FILTER...]: the PACA fields of thread N (default: current), by C path and "
             "asm-offsets symbol, with offset, size and value; FILTER keeps fields whose names contain it"),
    "icp": (icp, "icp [N...]: each ICP's CPPR, MFRR, pending sources, what it presents, and XIRR as a poll "
            "would read it (no side effect); * marks the current thread's"),
    "threads": (threads, "threads: the hardware threads; * is the current one (the one executing)"),
    "path": (path, "path: the labels passed so far, every conditional branch and where it went, and the "
             "position in the recorded history"),
    "frame": (frame, "frame: pc, source and upstream line, LR and r1, hunk, thread, history position"),
    "breakpoints": (breakpoints, "breakpoints [N...]: breakpoints and watchpoints, with conditions and hits"),
    "watchpoints": (watchpoints, "watchpoints: the watchpoints"),
    "display": (display, "display: the auto-display expressions"),
    "record": (record, "record: the recorded history: lowest, highest and current instruction numbers"),
    "regions": (regions, "regions [OBJ [FILTER...]]: the memory map (RAM, PACA, vcpu and the other objects a "
                "preset or scenario maps, devices); with an object (vcpu, vcore, kvm, paca[1], frame...), its "
                "fields by C path and asm-offsets symbol, with offset, size and value"),
    "runs": (lambda c, a: info_runs(c.dbg), "runs: the scenario's runs (the first, then each [[then]]), * the one "
             "being played"),
    "symbol": (symbols.symbol, "symbol ADDR: the label (or PACA field, ICP register) at an address, and its "
               "section: `ext_interrupt_to_host in section .text`"),
    "address": (symbols.address, "address NAME: where a label, a field or a register lives"),
    "line": (symbols.line, "line [LOCATION]: the source line of a location and the addresses of its code"),
}
INFO_ALIASES = {"r": "registers", "reg": "registers", "b": "breakpoints", "break": "breakpoints",
                "f": "frame", "s": "frame", "stack": "frame", "w": "watchpoints", "disp": "display"}


def info(c: Commands, arg: str) -> str:
    if not arg.strip():
        return "\n".join(f"info {text}" for _, text in SUBCOMMANDS.values())
    word, _, rest = arg.strip().partition(" ")
    name = find(word, SUBCOMMANDS, INFO_ALIASES, "info command")
    return SUBCOMMANDS[name][0](c, rest.strip())


def help_for(word: str) -> str:
    return "info " + SUBCOMMANDS[find(word, SUBCOMMANDS, INFO_ALIASES, "info command")][1]
