"""The TUI's state panes and its status line, as pure functions of the engine (rich Text, no terminal).

Names and values as `info registers`, `info paca`, `info icp` and `info path` give them (info.py), laid out for
a narrow pane; what changed since the previous stop (DebugEngine.changed) is highlighted. Every read is
side-effect free: memory through Values.peek, an ICP from its state, never a device load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ppcinterp.debug.info import branches, natural, paca_fields, run_state
from ppcinterp.debug.panes import View
from ppcinterp.debug.report import path_text
from ppcinterp.machine.state import CTR, LPCR_BITS, LR, MSR_BITS, SPR_NUMBERS, XER, spr_name

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine

CHANGED = "bold yellow"
ON, OFF = "bold green", "dim"
HEAD = "bold"
SHOWN_IN_REGISTERS = {XER, LR, CTR}


def _view(rows: list[Text]) -> View:
    return View(Text("\n").join(rows))


def _item(name: str, width: int, value: str, changed: bool) -> Text:
    return Text.assemble((f"{name:<{width}} ", "dim"), (value, CHANGED if changed else ""))


# ---------------------------------------------------------------- registers
def _hex(value: int, digits: int, changed: bool) -> Text:
    """A value in fixed width as the kernel's show_regs prints it; leading zeros dim so the digits stand out."""
    text = f"{value:0{digits}x}"
    lead = len(text) - len(text.lstrip("0")) if value else digits - 1
    return Text.assemble((text[:lead], CHANGED if changed else "dim"), (text[lead:], CHANGED if changed else ""))


def _flow(cells: list[Text], width: int, gap: int = 2) -> list[Text]:
    """Cells left to right, a new row where the next would not fit."""
    rows = [Text()]
    for cell in cells:
        if rows[-1].plain and len(rows[-1].plain) + gap + len(cell.plain) > width:
            rows.append(Text())
        if rows[-1].plain:
            rows[-1].append(" " * gap)
        rows[-1].append_text(cell)
    return rows


def _set_bits(value: int, table: dict[str, int]) -> str:
    return "<" + ",".join(n.upper() for n, b in sorted(table.items(), key=lambda kv: -kv[1]) if value >> b & 1) + ">"


def registers_pane(dbg: DebugEngine, width: int = 34) -> View:
    """The kernel's show_regs form (an oops' register dump): LR, CTR, XER, CR, MSR and LPCR with their set bits
    by name, then `GPR00:` rows of 16-digit values, 4 a row from 75 columns (10 rows at 80x24), 2 from 40, else
    1; each change since the last stop highlighted, a CR field digit by digit. The pc is on the status line."""
    t = dbg.machine.thread
    ch = dbg.changed()
    lpcr = t.spr.get(SPR_NUMBERS["LPCR"], 0)

    def cell(name: str, value: int, digits: int, key: str, bits: str = "") -> Text:
        return Text.assemble((f"{name}: ", "dim"), _hex(value, digits, key in ch), (f" {bits}" if bits else "", ""))

    cr = Text.assemble(("CR: ", "dim"))
    for i, field in enumerate(t.cr):
        cr.append(f"{field:x}", CHANGED if f"cr{i}" in ch else "")
    cells = [cell("LR", t.spr.get(LR, 0), 16, "lr"), cell("CTR", t.spr.get(CTR, 0), 16, "ctr"),
             cell("XER", t.spr.get(XER, 0) & 0xFFFFFFFF, 8, "xer"), cr,
             cell("MSR", t.msr, 16, "msr", _set_bits(t.msr, MSR_BITS)),
             cell("LPCR", lpcr, 16, "lpcr", _set_bits(lpcr, LPCR_BITS))]
    rows = _flow(cells, width)
    per = 4 if width >= 75 else 2 if width >= 40 else 1
    for first in range(0, 32, per):
        row = Text(f"GPR{first:02d}:", "dim")
        for i in range(first, first + per):
            row.append(" ")
            row.append_text(_hex(t.gpr[i], 16, f"r{i}" in ch))
        rows.append(row)
    return _view(rows)


def _bits(value: int, table: dict[str, int]) -> Text:
    out = Text(" ")
    for name, bit in sorted(table.items(), key=lambda kv: -kv[1]):
        out.append(name.upper(), ON if value >> bit & 1 else OFF)
        out.append(" ")
    return out


def sprs_pane(dbg: DebugEngine, width: int = 34) -> View:
    """MSR and LPCR with every named bit (set ones bright), then every other SPR that is not 0."""
    t = dbg.machine.thread
    ch = dbg.changed()
    lpcr = t.spr.get(SPR_NUMBERS["LPCR"], 0)
    rows = [_item("msr", 4, f"{t.msr:#x}", "msr" in ch), _bits(t.msr, MSR_BITS),
            _item("lpcr", 4, f"{lpcr:#x}", "lpcr" in ch), _bits(lpcr, LPCR_BITS)]
    others = [(spr_name(n).lower(), v) for n, v in sorted(t.spr.items())
              if v and n not in SHOWN_IN_REGISTERS and n != SPR_NUMBERS["LPCR"]]
    w = max((len(name) for name, _ in others), default=0)
    for name, v in others:
        nat = natural(dbg, name, v, 64)
        rows.append(_item(name, w, f"{v:#x}", name in ch) + Text(f" {nat}" if "<" in nat else "", "dim"))
    rows.append(Text(f"(every other SPR of thread {t.index} is 0)", "dim"))
    return _view(rows)


# ---------------------------------------------------------------- PACA and ICPs
def paca_pane(dbg: DebugEngine, width: int = 34) -> View:
    """The current thread's PACA by field name: kvm_hstate first, then the rest."""
    n = dbg.thread
    ch = dbg.changed()
    fields = paca_fields(dbg, n)
    arr = dbg.machine.paca
    rows = [Text(f"paca[{n}] @ {arr.base + n * arr.layout.size:#x}", HEAD)]
    groups = (("kvm_hstate", [f for f in fields if f[0].path.startswith("kvm_hstate.")]),
              ("other fields", [f for f in fields if not f[0].path.startswith("kvm_hstate.")]))
    for title, group in groups:
        if not group:
            continue
        rows.append(Text(title, HEAD))
        names = [f.path.removeprefix("kvm_hstate.") for f, _, _ in group]
        w = min(max(map(len, names)), 22)
        for name, (f, value, shown) in zip(names, group, strict=True):
            key = f"paca[{n}].{f.path}"
            hit = any(k == key or k.startswith(key + "+") for k in ch)
            rows.append(Text(" ") + _item(name, w, f"{value:#x}" + ("…" if shown < f.size else ""), hit))
    return _view(rows)


def icp_pane(dbg: DebugEngine, width: int = 34) -> View:
    """Each thread's ICP: CPPR, MFRR, pending sources, what it presents, XIRR as a poll reads it."""
    ch = dbg.changed()
    rows = []
    for i, d in enumerate(dbg.machine.icps):
        mark = "*" if i == dbg.thread else " "
        rows.append(Text(f"{mark} icp[{i}] @ {d.base:#x}", HEAD))
        parts = d.describe().split("  ")                 # the device's own words: `CPPR 0x04`, `MFRR 0x04`, ...
        regs = Text("  ")
        for part in parts[:2]:
            reg = part.split()[0].lower()
            regs.append_text(_item(part.split()[0], 0, part.split()[1], f"icp[{i}].{reg}" in ch))
            regs.append("  ")
        rows.append(regs)
        for part in parts[2:]:
            rows.append(Text("  " + part, CHANGED if part.startswith("pending") and f"icp[{i}].pending" in ch else ""))
        rows.append(Text(f"  XIRR (poll) {d.xirr():#010x}", "dim"))
    return _view(rows)


# ---------------------------------------------------------------- path and device accesses
def path_pane(dbg: DebugEngine, width: int = 34) -> View:
    """The labels passed so far, then every conditional branch and where it went."""
    p = dbg.path()
    rows = [Text.assemble(("Path: ", HEAD), path_text(p) if p else "(no label passed yet)")]
    taken = branches(dbg)
    if taken:
        rows.append(Text("Branches:", HEAD))
    for pc, where in taken:
        loc = dbg.location(pc)
        at = f"{loc.line}" + (f"[{loc.upstream}]" if loc.upstream else "") if loc.file else f"{pc:#x}"
        went = (where, ON if where.startswith("taken") else "")
        rows.append(Text.assemble(f" {at} ", went, (f"  {loc.text}", "dim")))
    _, now, total = dbg.history_range()
    rows.append(Text(f"instruction {now} of {total} recorded", "dim"))
    return _view(rows)


def mmio_pane(dbg: DebugEngine, width: int = 34, last: int = 8) -> View:
    """The last device accesses, newest last, each with what the device made of it."""
    accesses = dbg.mmio(last)
    if not accesses:
        return _view([Text("(no device access yet)", "dim")])
    rows = []
    for a in accesses:
        who = f"event: {a.event}" if a.pc is None else dbg.location(a.pc).symbol
        reg = dbg.symbols.symbol(a.addr) or f"{a.device}+{a.addr:#x}"
        arrow = "<-" if a.store else "->"
        rows.append(Text.assemble((f"#{a.step} ", "dim"), (reg, HEAD), f" {arrow} {a.value:#x}", (f"  {who}", "dim")))
        rows.append(Text(f"   {a.meaning}"))
    return _view(rows)


# ---------------------------------------------------------------- the status line
def stop_words(dbg: DebugEngine) -> str:
    """Why the last command stopped, in a few words."""
    s = dbg.last_stop
    if s is None:
        return "at the entry"
    if s.reason == "breakpoint":
        return "breakpoint " + ", ".join(str(b.number) for b in s.breakpoints) if s.breakpoints else "breakpoint"
    if s.reason == "exit":
        return f"exited: {s.exit.exit}" if s.exit else "exited"
    words = {"step": "step", "location": "reached", "watchpoint": "watchpoint", "history-start": "start of history",
             "limit": "step limit", "interrupted": "interrupted"}
    return ("reverse " if s.backward and s.reason == "step" else "") + words.get(s.reason, s.reason)


def status_line(dbg: DebugEngine, mode: str, busy: str | None = None, width: int = 0) -> Text:
    """`thread 0 │ 0x100090 1:713+28 │ 85[733] │ live │ breakpoint 1  CMD` (mode: CMD or KEYS, at the right
    end of width)."""
    loc = dbg.location()
    state = run_state(dbg)
    _, now, total = dbg.history_range()
    where = f"{loc.line}" + (f"[{loc.upstream}]" if loc.upstream else "") if loc.file else "-"
    state_text = {"live": "live", "ended": "exited", "past": f"past {now}/{total}"}[state]
    parts = [f"thread {dbg.thread}", f"{dbg.pc:#x} {loc.symbol}", where, state_text,
             f"running: {busy} (Ctrl-C stops it)" if busy else stop_words(dbg)]
    text = Text(" " + " │ ".join(parts) + " ")
    text.pad_right(width - len(text.plain) - len(mode) - 2)
    text.append(f" {mode} ", "reverse bold")
    return text


KEYS = {                      # each fits in 80 columns
    "CMD": "F1 help  Enter run  ↑↓ history  Tab complete  Esc single-key  / search  F9 zoom",
    "KEYS": "F1 help  Esc command line  Enter repeat  2-8,0 panes  9 zoom  / search  q quit",
    "SEARCH": "Enter: find a label, a line, upstream N or a regex (empty: again)  Esc cancel",
    "ASK": "y quit (the recorded history is lost)  n or Esc: stay",
}
SINGLE_KEYS = "keys: s/i stepi  n nexti  c cont  f finish  r run  S/I N C reverse  q quit"


def keys_line(mode: str) -> Text:
    return Text(" " + KEYS[mode], "dim")
