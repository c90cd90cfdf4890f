"""Views of the journal: one line per step (text or JSON), and change descriptions shared with the debugger."""

from __future__ import annotations

import json
import os
import textwrap
from typing import NamedTuple

from ppcinterp.api import Session
from ppcinterp.diagnostics import source_line
from ppcinterp.machine.names import CR_BITS
from ppcinterp.machine.state import spr_name
from ppcinterp.machine.structs import StructRegion
from ppcinterp.run.engine import Result
from ppcinterp.run.journal import THREAD_STATE, Change, Span, Step


def change_name(session: Session, change: Change, thread: int | None = None) -> str:
    """A change's state name (as names.py reads it); a register of a thread other than `thread` (default: the
    current one) is named `thread[N].r3`."""
    what, key = change.what, change.key
    if what in THREAD_STATE:
        own = session.machine.current if thread is None else thread
        name = _register_name(change)
        return name if change.thread == own else f"thread[{change.thread}].{name}"
    if what == "mem":
        region = session.machine.memory.region_at(key.addr)
        if isinstance(region, StructRegion):       # paca[0].kvm_hstate.host_ipi, vcpu.arch.gpr[3], frame.gpr[14]
            return region.name_of(key.addr)
        return f"mem{8 * key.size}[{key.addr:#x}]"
    if what == "icp":
        icp, fld = key
        return f"{icp.name}.{fld}"
    if what == "slb":
        return f"slb[{key}]"
    return what


def _mem(span: Span) -> Change:
    """A stand-in "mem" change, to name the memory a load read."""
    return Change("mem", span, None, None)


def _register_name(change: Change) -> str:
    what, key = change.what, change.key
    if what in ("gpr", "fpr", "vr"):
        return {"gpr": "r", "fpr": "f", "vr": "v"}[what] + str(key)
    if what == "vsr":
        return f"vs{key}"
    if what == "cr":
        return f"cr{key}"
    if what == "spr":
        return spr_name(key).lower()
    return what                     # msr, reservation, fpscr, vscr


def _fmt(v) -> str:
    if isinstance(v, tuple) and all(isinstance(x, int) for x in v):     # an SLB entry (ESID word, VSID word)
        return "(" + ", ".join(f"{x:#x}" for x in v) + ")"
    if isinstance(v, tuple):                                            # ICP pending (source, priority) pairs
        return "[" + ", ".join(f"({s:#x}, {p:#x})" for s, p in v) + "]"
    return hex(v) if isinstance(v, int) else str(v)


def cr_bits(field: int) -> str:
    """A CR field's set bits by name (`lt`, `gt|so`), `-` for none."""
    return "|".join(name for name, bit in CR_BITS.items() if field & bit) or "-"


def describe_changes(session: Session, step: Step) -> tuple[list[str], list[str]]:
    """(state changes as 'name: old -> new', device accesses as 'icp[0]: meaning')."""
    changes, mmio = [], []
    for c in step.changes:
        if c.what == "mmio":
            cached = "" if c.old.ci else " (cacheable access to a device page)"
            mmio.append(f"{c.key.name}: {c.new}{cached}")
        elif c.what == "note":
            mmio.append(c.new)
        elif c.what == "load":           # old: cache-inhibited, new: the value read
            name = change_name(session, _mem(c.key))
            mmio.append(f"{name} -> {c.new:#x}" + (" (cache-inhibited load from RAM)" if c.old else ""))
        elif c.what == "cr":             # a CR field by its bits, as the full screen shows it: cr0: - -> lt
            changes.append(f"{change_name(session, c, step.thread)}: {cr_bits(c.old)} -> {cr_bits(c.new)}")
        elif c.what != "icp":            # ICP register changes are told by the access's meaning
            changes.append(f"{change_name(session, c, step.thread)}: {_fmt(c.old)} -> {_fmt(c.new)}")
    return changes, mmio


def _branch(session: Session, step: Step) -> str | None:
    eng = session.engine
    if step.pc not in eng.conditional or step.next_pc is None:
        return None
    taken = step.next_pc != step.pc + 4
    if not taken:
        return "not taken"
    name = eng.exit_names.get(step.next_pc) or ", ".join(eng.labels_at.get(step.next_pc, ())) or hex(step.next_pc)
    return f"taken -> {name}"


def source_text(session: Session, pc: int) -> tuple[str, str]:
    """(line[upstream], the statement as written) of the instruction at pc, for a trace line."""
    ai = session.program.insns.get(pc)
    # An instruction a macro writes as a .long word (STXVD2X, MTFSF_L, PPC_SLBFEE_DOT) is shown by its line too.
    stmt = ai.stmt if ai else next((d.stmt for d in session.program.data if d.addr == pc and d.size == 4), None)
    if stmt is None:
        return f"{pc:#x}", ""
    up = session.program.upstream_line(stmt.pos)
    where = f"{stmt.pos.line}" + (f"[{up}]" if up else "")
    if len(session.program.paths) > 1:          # a program of several objects: whose line
        where = f"{stmt.pos.file.rsplit('/', 1)[-1]}:{where}"
    text = " ".join((source_line(stmt.pos) or stmt.text).split("/*")[0].split())
    if pc in session.image.patched:
        text += " [patched to nop]" if session.image.word(pc) == 0x60000000 else " [patched]"
    return where, text


class Call(NamedTuple):
    function: str
    args: tuple[int, ...]
    result: int | None
    text: str


def _call(step: Step) -> Call | None:
    """A stand-in's call made by this step (run/outside.py), if any: its note's (name, args, result) and text."""
    return next((Call(*c.old, c.new) for c in step.changes if c.what == "note" and c.key == "call"), None)


def memory_map(session: Session) -> list[str]:
    """The named objects and added RAM, for a trace's header: `vcpu  0x3000000  0x2000  struct kvm_vcpu`.
    Empty for the plain machine (RAM, PACA, ICPs and the program image only)."""
    rows = [r for r in session.regions() if not r[0].startswith(("image:", "icp[")) and r[0] not in ("ram", "paca")]
    if not rows:
        return []
    return ["memory:"] + [f"  {name:<12} {base:#012x}  {size:#8x}  {what}" for name, base, size, what in
                          session.regions() if not name.startswith("image:")]


def trace_lines(session: Session, result: Result, width: int | None = None) -> list[str]:
    """One line per step (an event's changes below it); `width`: each line folded to that many columns, the
    continuation lines indented under the instruction's text (for mail)."""
    out = memory_map(session)
    for step in result.journal or ():
        changes, mmio = describe_changes(session, step)
        if step.pc is None:
            out += [f"{'':>10}  -- event: {step.event}"] + [f"{'':>14}{x}" for x in changes + mmio]
            continue
        where, text = source_text(session, step.pc)
        call = _call(step)
        if call is not None:             # a C function's stand-in: the call is the step's text
            where, text = "(C)", call.text
            mmio = [m for m in mmio if m != call.text]
        parts = changes + [f"[{m}]" for m in mmio]
        br = _branch(session, step)
        if br:
            parts.append(f"({br})")
        head = f"{step.pc:#010x}  {where:>9}  {text:<38}"
        full = "  ".join([head, *parts]).rstrip()
        if width is None or len(full) <= width:
            out.append(full)
            continue
        line = head.rstrip()
        lines = []
        for part in parts:
            if len(line) + 2 + len(part) > width and line.strip():
                lines.append(line)
                line = " " * 23
            line += ("  " if line.strip() else "") + part
        out += lines + [line]
    out.append(f"=> {result.message} after {result.steps} step{'s' * (result.steps != 1)}")
    return _fold(out, width)


def _fold(lines: list[str], width: int | None) -> list[str]:
    """Lines longer than `width` broken at spaces, each continuation indented as its line plus two."""
    if width is None:
        return lines
    out = []
    for line in lines:
        indent = " " * (len(line) - len(line.lstrip()) + 2)
        out += textwrap.wrap(line, width, subsequent_indent=indent, break_on_hyphens=False) \
            if len(line) > width else [line]
    return out


def trace_json(session: Session, result: Result) -> list[str]:
    out = [json.dumps({"memory": [{"name": n, "base": b, "size": s, "what": w} for n, b, s, w in session.regions()
                                  if not n.startswith("image:")]})] if memory_map(session) else []
    for step in result.journal or ():
        changes = [{"name": change_name(session, c, step.thread), "old": _json(c.old), "new": _json(c.new)}
                   for c in step.changes if c.what not in ("mmio", "note", "icp", "load")]
        loads = [{"name": change_name(session, _mem(c.key)), "addr": c.key.addr, "size": c.key.size, "value": c.new}
                 for c in step.changes if c.what == "load"]
        mmio = [{"device": c.key.name, "addr": c.old.addr, "size": c.old.size, "store": c.old.store,
                 "value": c.old.value, "cache_inhibited": c.old.ci, "meaning": c.new}
                for c in step.changes if c.what == "mmio"]
        rec: dict = {"step": step.index, "thread": step.thread}
        if step.pc is None:
            rec["event"] = step.event
        else:
            ai = session.program.insns.get(step.pc)
            rec["pc"] = step.pc
            if ai is not None:
                rec.update(file=shown_path(ai.pos.file), line=ai.pos.line,
                           upstream=session.program.upstream_line(ai.pos), insn=ai.stmt.text, base=ai.base_text())
            br = _branch(session, step)
            if br:
                rec["branch"] = {"taken": br.startswith("taken"), "target": step.next_pc}
        call = _call(step)
        if call is not None:
            rec["call"] = {"function": call.function, "args": list(call.args), "result": call.result,
                           "stand_in": True}
        rec["changes"] = changes
        rec["loads"] = loads
        rec["mmio"] = mmio
        out.append(json.dumps(rec))
    out.append(json.dumps({"exit": result.exit, "kind": result.kind, "message": result.message,
                           "steps": result.steps, "path": result.path}))
    return out


def shown_path(file: str) -> str:
    """A source's path for output: relative to the current directory when the file is below it, else as it is."""
    try:
        rel = os.path.relpath(file)
    except ValueError:              # another drive (Windows)
        return file
    return file if rel.startswith("..") else rel


def _json(v):
    if isinstance(v, tuple):            # ICP pending pairs, or an SLB entry (ESID word, VSID word)
        return [list(x) if isinstance(x, tuple) else x for x in v]
    return v
