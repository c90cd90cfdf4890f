"""Expressions of the debugger: state names, constants, labels, gdb's value history, memory peeks.

Parsing and arithmetic are predicate.py's (our own evaluator, never eval). What a name means is decided here:

  $r3 r3 cr0 msr.ee lpcr $pc       state of the current thread (machine/names.py), pc is the position
  paca.kvm_hstate.host_ipi icp[1].mfrr thread[1].r3
  mem8[EXPR] .. mem64[EXPR]       memory at an address given by any expression
  IPI_PRIORITY                    a constant of the kernel environment
  ext_stash_for_host              a label's address
  $ $$ $N $$N                     gdb's value history
  &paca[1] &icp[0] &paca.FIELD &icp.mfrr &mem32[EXPR] &LABEL    addresses

Reading for display never disturbs the machine: RAM is read from its bytes (no journal record), and an ICP
page shows its registers' state (XIRR as XIRR_POLL would read it), so looking never accepts an interrupt.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.registry import number
from ppcinterp.machine.memory import Device
from ppcinterp.machine.names import StateNameError, resolve
from ppcinterp.machine.predicate import Node, PredicateError, evaluate, parse
from ppcinterp.machine.xics import MFRR, XIRR, XIRR_POLL, Icp

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine

M64 = (1 << 64) - 1
MEM = re.compile(r"mem(8|16|32|64)\[(.+)\]", re.I)
_FIELD = re.compile(r"(paca|icp)(?:\[(\d+)\])?(?:\.(.+))?", re.I)
ICP_REGS = {"xirr_poll": (XIRR_POLL, 4), "xirr": (XIRR, 4), "cppr": (XIRR, 1), "mfrr": (MFRR, 1)}


def icp_bytes(icp: Icp) -> bytes:
    """The ICP page's first 16 bytes as a side-effect-free read shows them (XIRR reads like XIRR_POLL)."""
    x = icp.xirr().to_bytes(4, "big")
    return x + x + bytes(4) + bytes([icp.mfrr, 0, 0, 0])


class Values:
    def __init__(self, dbg: DebugEngine):
        self.dbg = dbg
        self.history: list[tuple[int, int]] = []        # (value, bits) of $1, $2, ...

    @property
    def machine(self):
        return self.dbg.session.machine

    # ---------------------------------------------------------------- parsing and evaluating
    def parse(self, text: str) -> Node:
        if not text.strip():
            raise DebugError("Argument required (expression to compute).")
        try:
            return parse(text)
        except PredicateError as e:
            near = text[e.column - 1:].strip()
            raise DebugError(f"A syntax error in expression, near `{near[:80]}'.") from None
        except ValueError:                     # int() refuses a number of thousands of digits (gdb's words)
            raise DebugError("Numeric constant too large.") from None

    def eval(self, text: str) -> tuple[int, int]:
        """(value, width in bits) of an expression."""
        node = self.parse(text)
        return self.evaluate(node), self.bits(node)

    def evaluate(self, node: Node) -> int:
        return evaluate(node, lambda name, _col: self.lookup(name))

    def bits(self, node: Node) -> int:
        """The width a value is shown with: a single name's own width, 64 for anything computed."""
        if node[0] != "name":
            return 64
        name = node[1]
        if name.startswith("$") and name[1:].lstrip("$").isdigit() or name in ("$", "$$"):
            return self._history(name)[1]
        if m := MEM.fullmatch(name):
            return int(m.group(1))
        try:
            return resolve(self.machine, name).bits or 64
        except StateNameError:
            return 64

    def lookup(self, name: str) -> int:
        if name.startswith("$"):
            return self._history(name)[0]
        if name.startswith("&"):
            return self.address(name[1:])
        if name.lower() == "pc":
            return self.dbg.pc
        if m := MEM.fullmatch(re.sub(r"^thread\[\d+\]\.", "", name)):      # memory is the threads' own
            return self.peek(self.evaluate(self.parse(m.group(2))), int(m.group(1)) // 8)
        try:
            value = resolve(self.machine, name).get()
        except StateNameError as e:
            return self._constant(name, e)
        if isinstance(value, tuple):
            raise DebugError(f"'{name}' is a list of (source, priority) pairs, not a number: see 'info icp'")
        return value

    def _constant(self, name: str, err: StateNameError) -> int:
        p = self.dbg.session.program
        value = p.preprocessed.macro_value(name)
        if value is not None:
            return value
        if name in p.symbols:
            return p.symbols[name]
        if "." in name or "[" in name:
            raise DebugError(str(err)[0].upper() + str(err)[1:] + ".")
        raise DebugError(f'No symbol "{name}" in current context.')

    def _history(self, name: str) -> tuple[int, int]:
        h = self.history
        if name == "$":
            index = len(h)
        elif name.startswith("$$"):
            index = len(h) - number(name[2:] or "1")
        else:
            index = number(name[1:])
        if not h:
            raise DebugError("History is empty." if name in ("$", "$$") else f"History has not yet reached {name}.")
        if not 1 <= index <= len(h):
            raise DebugError(f"History has not yet reached ${index}.")
        return h[index - 1]

    def record(self, value: int, bits: int) -> int:
        """Put a printed value in the history; returns its number ($N)."""
        self.history.append((value, bits))
        return len(self.history)

    # ---------------------------------------------------------------- addresses
    def address(self, name: str) -> int:
        """The address of a name that lives in memory (for &NAME and read/access watchpoints)."""
        name = name.strip()
        if m := MEM.fullmatch(name):
            return self.evaluate(self.parse(m.group(2))) & M64
        if m := _FIELD.fullmatch(name):
            return self.region(name)[0]
        p = self.dbg.session.program
        if name in p.symbols:
            return p.symbols[name]
        for addr, names in self.dbg.session.engine.labels_at.items():
            if name in names:
                return addr
        try:
            resolve(self.machine, name)
        except StateNameError:
            raise DebugError(f'No symbol "{name}" in current context.') from None
        raise DebugError(f"Attempt to take address of value not located in memory ('{name}' is a register).")

    def region(self, name: str) -> tuple[int, int, str]:
        """(address, size, canonical name) of a memory-backed name: a PACA field, an ICP register, memN[...].
        Registers have no address: the journal records their writes, never their reads."""
        m = self.machine
        if mm := MEM.fullmatch(name.strip()):
            size = int(mm.group(1)) // 8
            addr = self.evaluate(self.parse(mm.group(2))) & M64
            return addr, size, f"mem{8 * size}[{addr:#x}]"
        mf = _FIELD.fullmatch(name.strip())
        if mf is None:
            try:
                resolve(m, name)
            except StateNameError as e:
                raise DebugError(str(e)) from None
            raise DebugError(f"Expression cannot be implemented with read/access watchpoint: '{name}' is a "
                             "register (the journal records register writes, not reads); use 'watch'.")
        which, idx, rest = mf.group(1).lower(), mf.group(2), mf.group(3)
        n = number(idx) if idx is not None else m.current
        if n >= len(m.threads):
            raise DebugError(f"{which}[{n}] does not exist (the core has {len(m.threads)} threads)")
        if which == "paca":
            base = m.paca.base + n * m.paca.layout.size
            if rest is None:
                return base, m.paca.layout.size, f"paca[{n}]"
            f = m.paca.layout.field(rest)
            if f is None:
                raise DebugError(f"The PACA has no field '{rest}'.")
            return base + f.offset, f.size, f"paca[{n}].{f.path}"
        icp = m.icps[n]
        if rest is None:
            return icp.base, icp.size, f"icp[{n}]"
        if rest.lower() not in ICP_REGS:
            raise DebugError(f"Unknown ICP register '{rest}' (known: {', '.join(ICP_REGS)}).")
        off, size = ICP_REGS[rest.lower()]
        return icp.base + off, size, f"icp[{n}].{rest.lower()}"

    # ---------------------------------------------------------------- side-effect-free memory
    def peek_bytes(self, addr: int, n: int) -> bytes:
        out = bytearray()
        mem = self.machine.memory
        a, end = addr, addr + n
        while a < end:
            r = mem.region_at(a)
            if r is None:
                raise DebugError(f"Cannot access memory at address {a:#x}")
            stop = min(end, r.base + r.size)
            if isinstance(r, Icp):
                regs = icp_bytes(r)
                out += bytes(regs[o] if o < len(regs) else 0 for o in range(a - r.base, stop - r.base))
            elif isinstance(r, Device):
                raise DebugError(f"Cannot read device {r.name} at {a:#x} without side effects")
            else:
                out += r.data[a - r.base:stop - r.base]
            a = stop
        return bytes(out)

    def peek(self, addr: int, size: int) -> int:
        return int.from_bytes(self.peek_bytes(addr & M64, size), "big")
