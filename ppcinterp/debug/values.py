"""Expressions of the debugger: state names, constants, labels, gdb's value history and convenience variables,
memory peeks. Parsing, C types and arithmetic are expr.py's and ctype.py's (never eval); what a name means is
decided here:

  $r3 r3 $sp $toc $lr $cr0 cr0.eq msr.ee $lpcr $hsrr0   state of the current thread (machine/names.py); $sp is
                                                       r1 and $toc r2 (pointers), $pc and $lr code pointers
  paca.kvm_hstate.host_ipi icp[1].mfrr thread[1].r3    fields (typed by size: aggregate.py) and registers
  paca paca[1] paca.kvm_hstate vcpu.arch icp           whole structures (aggregate.py)
  mem8[EXPR] .. mem64[EXPR]                            memory at an address given by any expression
  IPI_PRIORITY                                         a constant of the kernel environment
  ext_stash_for_host                                   a label: {<text variable, no debug info>} 0x... <label>
  $ $$ $N $$N                                          gdb's value history
  $NAME $_ $__ $bpnum                                  convenience variables (void until set), x's last address
                                                       and its contents, the last breakpoint's number
  &paca[1] &icp[0] &paca.FIELD &icp.mfrr &mem32[EXPR] &LABEL    addresses

Reading for display never disturbs the machine: RAM is read from its bytes (no journal record), and an ICP
page shows its registers' state (XIRR as XIRR_POLL would read it), so looking never accepts an interrupt.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ppcinterp.debug import aggregate, expr
from ppcinterp.debug.ctype import (
    CODE_P,
    DOUBLE,
    FIELD_TYPES,
    INT,
    LONG,
    TEXT,
    UCHAR,
    ULONG,
    VECTOR,
    VOID,
    VOID_P,
    CType,
    fit,
    literal,
    pointer,
)
from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.expr import Val
from ppcinterp.debug.registry import number
from ppcinterp.machine.memory import Device
from ppcinterp.machine.names import StateNameError, resolve
from ppcinterp.machine.predicate import Node
from ppcinterp.machine.xics import MFRR, XIRR, XIRR_POLL, Icp

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine

M64 = (1 << 64) - 1
MEM = re.compile(r"mem(8|16|32|64)\[(.+)\]", re.I)
_FIELD = re.compile(r"(paca|icp)(?:\[(\d+)\])?(?:\.(.+))?", re.I)
ICP_REGS = {"xirr_poll": (XIRR_POLL, 4), "xirr": (XIRR, 4), "cppr": (XIRR, 1), "mfrr": (MFRR, 1)}
REGISTER_ALIASES = {"sp": "r1", "toc": "r2"}          # gdb's $sp; $toc as the ELFv1 ABI names r2
REGISTER_TYPES = {"sp": VOID_P, "toc": VOID_P, "lr": CODE_P, "ctr": ULONG}
MAX_CONVENIENCE = 10_000                              # convenience variables one session may create


def icp_bytes(icp: Icp) -> bytes:
    """The ICP page's first 16 bytes as a side-effect-free read shows them (XIRR reads like XIRR_POLL)."""
    x = icp.xirr().to_bytes(4, "big")
    return x + x + bytes(4) + bytes([icp.mfrr, 0, 0, 0])


def register_type(name: str, bits: int) -> CType:
    """gdb's type of a register: general registers and SPRs `long`, 32-bit ones `int`, FPRs `double`."""
    if name in REGISTER_TYPES:
        return REGISTER_TYPES[name]
    if re.fullmatch(r"f\d+", name):
        return DOUBLE
    if bits == 128:
        return VECTOR
    return LONG if bits == 64 else INT


class Values:
    def __init__(self, dbg: DebugEngine):
        self.dbg = dbg
        self.history: list[Val] = []                   # $1, $2, ...
        self.convenience: dict[str, Val] = {}          # $NAME (gdb's convenience variables), $_ and $__

    @property
    def machine(self):
        return self.dbg.session.machine

    # ---------------------------------------------------------------- parsing and evaluating
    def parse(self, text: str) -> Node:
        if not text.strip():
            raise DebugError("Argument required (expression to compute).")
        try:
            return expr.parse(text)
        except expr.ExprError as e:
            near = text[e.column - 1:].strip()
            if str(e).startswith("No symbol"):
                raise DebugError(str(e)) from None
            raise DebugError(f"A syntax error in expression, near `{near[:80]}'.") from None

    def value(self, text_or_node: str | Node) -> Val:
        node = self.parse(text_or_node) if isinstance(text_or_node, str) else text_or_node
        return expr.evaluate(node, self)

    def eval(self, text: str) -> tuple[int, int]:
        """(value, width in bits) of an expression that must be a number."""
        x = self.value(text)
        return expr.number(x), self._bits(x)

    def evaluate(self, node: Node) -> int:
        return expr.number(expr.evaluate(node, self))

    def bits(self, node: Node) -> int:
        """The width a value is shown with."""
        try:
            return self._bits(expr.evaluate(node, self))
        except DebugError:
            return 64

    @staticmethod
    def _bits(x: Val) -> int:
        return 64 if x.t.kind in ("ptr", "func", "void", "struct") or not x.t.size else x.t.bits

    # ---------------------------------------------------------------- what names mean (expr.Env)
    def name(self, name: str) -> Val:
        if name.startswith("$"):
            return self._dollar(name)
        if name.lower() == "pc":
            return Val(self.dbg.pc, CODE_P)
        if m := MEM.fullmatch(re.sub(r"^thread\[\d+\]\.", "", name)):      # memory is the threads' own
            addr = self.evaluate(self.parse(m.group(2))) & M64
            return self.read(addr, FIELD_TYPES[int(m.group(1)) // 8])
        whole = aggregate.lookup(self, name)
        if whole is not None:
            return whole
        try:
            ref = resolve(self.machine, name)
            value = ref.get()
        except StateNameError as e:
            return self._constant(name, e)
        if isinstance(value, tuple):
            raise DebugError(f"'{name}' is a list of (source, priority) pairs, not a number: see 'info icp'")
        if ref.addr is not None:                   # a field in memory: typed by its size and name
            path = ref.name.split(".", 1)[1] if "." in ref.name else ref.name
            return Val(value, aggregate.field_type(path, ref.bits // 8), ref.addr)
        if ref.name.startswith("icp["):
            return Val(value, FIELD_TYPES[ref.bits // 8])
        return Val(value, register_type(ref.name, ref.bits) if ref.bits >= 32 else INT)

    def _dollar(self, name: str) -> Val:
        key = name[1:]
        if re.fullmatch(r"\$?\d*", key):             # $ $$ $N $$N
            return self._history(name)
        if key in self.convenience:
            return self.convenience[key]
        if self.dbg.commands.depth and re.fullmatch(r"arg\d+", key):
            raise DebugError(f"Missing argument {key[3:]} in user function.")
        if key == "bpnum":
            n = self.dbg.points.next - 1
            return Val(n, INT) if n else Val(0, VOID)
        reg = REGISTER_ALIASES.get(key.lower(), key)
        if reg.lower() == "pc":
            return Val(self.dbg.pc, CODE_P)
        try:
            x = self.name(reg)
        except DebugError:
            if re.fullmatch(r"\w+", key):
                return Val(0, VOID)                 # gdb: a convenience variable never set is void
            raise
        if key.lower() in REGISTER_TYPES:
            return Val(x.v, REGISTER_TYPES[key.lower()])
        return x

    def set_convenience(self, name: str, x: Val) -> None:
        if name not in self.convenience and len(self.convenience) >= MAX_CONVENIENCE:
            raise DebugError(f"Too many convenience variables (at most {MAX_CONVENIENCE:,}).")
        self.convenience[name] = x

    def lookup(self, name: str) -> int:
        """A name's value as a number (info registers)."""
        return expr.number(self.name(name))

    def _constant(self, name: str, err: StateNameError) -> Val:
        p = self.dbg.session.program
        value = p.preprocessed.macro_value(name)
        if value is not None:
            return Val(fit(value, literal(value & M64)), literal(value & M64))
        addr = self.label(name)
        if addr is not None:
            return Val(addr, TEXT, addr)
        if "." in name or "[" in name:
            raise DebugError(str(err)[0].upper() + str(err)[1:] + ".")
        raise DebugError(f'No symbol "{name}" in current context.')

    def label(self, name: str) -> int | None:
        p = self.dbg.session.program
        if name in p.symbols:
            return p.symbols[name]
        for addr, names in self.dbg.session.engine.labels_at.items():
            if name in names:
                return addr
        return None

    def _history(self, name: str) -> Val:
        h = self.history
        if name == "$":
            index = len(h)
        elif name.startswith("$$"):
            index = len(h) - number(name[2:] or "1")
        else:
            index = number(name[1:])
        if not h:
            if name in ("$", "$$"):
                return Val(0, VOID)                 # gdb: empty history reads as void
            raise DebugError(f"History has not yet reached {name}.")
        if not 1 <= index <= len(h):
            raise DebugError(f"History has not yet reached ${index}.")
        return h[index - 1]

    def record(self, x: Val) -> int:
        """Put a printed value in the history; returns its number ($N)."""
        self.history.append(x)
        return len(self.history)

    def read(self, addr: int, t: CType) -> Val:
        """The value of type t at addr (expr.Env), without side effects."""
        addr &= M64
        if t.kind == "func":
            return Val(addr, t, addr)
        return Val(fit(self.peek(addr, t.size), t), t, addr)

    def thread_index(self, obj: str, idx: str | None, count: int | None = None) -> int:
        """The object `obj[idx]` names (`obj` alone: the current thread's, or the only one); `count` objects
        exist (None: one per ICP)."""
        have = len(self.machine.icps) if count is None else count
        n = number(idx) if idx is not None else self.machine.current if have > 1 else 0
        if n >= have:
            raise DebugError(f"{obj}[{n}] does not exist (" + (f"the core has {have} threads)" if obj in ("paca", "icp")
                                                                 else f"there are {have})"))
        return n

    # ---------------------------------------------------------------- addresses
    def address(self, name: str) -> Val:
        """&NAME: a pointer to what a name lives in (expr.Env)."""
        name = name.strip()
        try:
            x = self.name(name)
        except DebugError:
            x = None
        if x is not None and x.addr is not None:
            return Val(x.addr, pointer(x.t))
        if m := MEM.fullmatch(name):
            return Val(self.evaluate(self.parse(m.group(2))) & M64, pointer(FIELD_TYPES[int(m.group(1)) // 8]))
        if m := _FIELD.fullmatch(name):
            addr, size, _ = self.region(name)
            return Val(addr, pointer(FIELD_TYPES.get(size, UCHAR)))
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
