"""One packet in, its replies out (gdb's manual, "Packets"): registers, memory, breakpoints, resuming, threads.
The q/Q/v queries are queries.py's. A malformed packet gets an error reply (`E NN`) and one we do not support
the empty reply, as the protocol asks; nothing a client sends ends the server."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from ppcinterp.debug.errors import DebugError
from ppcinterp.diagnostics import PpcError
from ppcinterp.gdbstub import queries
from ppcinterp.gdbstub.hostio import HostIO
from ppcinterp.gdbstub.packets import MAX_PACKET, BadPacket, hexbytes, hexdata, hexnum, unescape
from ppcinterp.gdbstub.regs import REGS, Reg
from ppcinterp.gdbstub.resume import GdbPoint, GdbPoints, Stopped, move, stop_reply
from ppcinterp.gdbstub.target import (
    EFAULT,
    EINVAL,
    TargetError,
    read_memory,
    read_register,
    write_memory,
    write_register,
)

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine
    from ppcinterp.debug.stops import Stop

MAX_READ = (MAX_PACKET - 8) // 2       # bytes one `m` reply carries as hex
Runner = Callable[[Callable[[], "Stop"]], "Stop"]


class Stub:
    """A connection's state over the engine: gdb's points, the threads `Hg`/`Hc` chose, acknowledgment mode.
    handle() returns the packets to send (console output first, the reply last; none for `k`)."""

    def __init__(self, dbg: DebugEngine, run: Runner | None = None, exec_file: str | None = None):
        self.dbg = dbg
        self.points = GdbPoints(dbg)
        self.run: Runner = run or (lambda movement: movement())
        self.exec_file = exec_file
        self.hostio = HostIO(exec_file)           # gdb reads the ELF through vFile packets
        self.g_thread = 0                     # 0: the current thread (the one executing)
        self.c_thread: int | None = None      # the thread `s`/`c` resume (Hc; None: the current one)
        self.no_ack = False
        self.closing = False                  # after D, k, vKill: the connection ends
        self.max_steps = dbg.max_steps

    def end(self) -> None:
        """The client left: the next one starts from the beginning, without the points, displays or step limit
        this one set (through Z packets or monitor commands)."""
        self.points.clear()
        for n in list(self.dbg.points.items):
            self.dbg.points.delete(n)
        self.dbg.displays.clear()
        self.dbg.max_steps = self.max_steps
        self.dbg.restart()

    # ---------------------------------------------------------------- dispatch
    def handle(self, data: bytes) -> list[bytes]:
        try:
            return self._dispatch(data)
        except BadPacket:
            return [b"E%02x" % EINVAL]
        except TargetError as e:
            return [b"E%02x" % e.code]
        except (DebugError, PpcError):
            return [b"E%02x" % EINVAL]
        except RecursionError:
            return [b"E%02x" % EINVAL]
        except Exception as e:      # noqa: BLE001 - a bug: say it on stderr, answer an error, serve on
            print(f"ppcinterp gdbserver: internal error on packet {data[:60]!r}: {type(e).__name__}: {e}",
                  file=sys.stderr, flush=True)
            return [b"E7f"]

    def _dispatch(self, data: bytes) -> list[bytes]:
        if not data:
            return [b""]
        head, rest = data[:1], data[1:]
        if head in (b"q", b"Q", b"v"):
            return queries.handle(self, data)
        simple = {b"?": self._why, b"g": self._g, b"G": self._big_g, b"p": self._p, b"P": self._big_p,
                  b"m": self._m, b"M": self._big_m, b"X": self._x, b"Z": self._z, b"z": self._z, b"H": self._h,
                  b"T": self._alive, b"s": self._resume, b"c": self._resume, b"S": self._resume,
                  b"C": self._resume, b"b": self._reverse, b"D": self._detach, b"k": self._kill}
        fn = simple.get(head)
        return fn(head, rest) if fn else [b""]

    # ---------------------------------------------------------------- threads
    def thread_index(self, tid: bytes) -> int | None:
        """A thread-id (hex, `pPID.TID`, 0 any, -1 all) as a hardware thread index; None for any/all."""
        if tid.startswith(b"p") and b"." in tid:
            tid = tid.split(b".", 1)[1]
        if tid in (b"0", b"-1"):
            return None
        n = hexnum(tid, 1 << 16) - 1
        if not 0 <= n < len(self.dbg.machine.threads):
            raise TargetError(EINVAL, "no such thread")
        return n

    def reg_thread(self) -> int:
        n = self.g_thread - 1
        return n if 0 <= n < len(self.dbg.machine.threads) else self.dbg.machine.current

    def _h(self, head: bytes, rest: bytes) -> list[bytes]:
        op, tid = rest[:1], rest[1:]
        if op not in (b"g", b"c") or not tid:
            raise BadPacket(rest)
        n = self.thread_index(tid)
        if op == b"g":
            self.g_thread = 0 if n is None else n + 1
        else:
            self.c_thread = n
        return [b"OK"]

    def _alive(self, head: bytes, rest: bytes) -> list[bytes]:
        self.thread_index(rest)
        return [b"OK"]

    # ---------------------------------------------------------------- registers
    def _g(self, head: bytes, rest: bytes) -> list[bytes]:
        t = self.reg_thread()
        return [hexbytes(b"".join(read_register(self.dbg, t, r) for r in REGS))]

    def _big_g(self, head: bytes, rest: bytes) -> list[bytes]:
        data, t, at = hexdata(rest), self.reg_thread(), 0
        for r in REGS:
            size = r.bits // 8
            if at + size > len(data):
                break
            write_register(self.dbg, t, r, data[at:at + size])
            at += size
        return [b"OK"]

    def _reg(self, text: bytes) -> Reg:
        n = hexnum(text, 1 << 16)
        if n >= len(REGS):
            raise TargetError(EINVAL, "no such register")
        return REGS[n]

    def _p(self, head: bytes, rest: bytes) -> list[bytes]:
        return [hexbytes(read_register(self.dbg, self.reg_thread(), self._reg(rest)))]

    def _big_p(self, head: bytes, rest: bytes) -> list[bytes]:
        num, eq, value = rest.partition(b"=")
        if not eq:
            raise BadPacket(rest)
        write_register(self.dbg, self.reg_thread(), self._reg(num), hexdata(value))
        return [b"OK"]

    # ---------------------------------------------------------------- memory
    def _span(self, text: bytes) -> tuple[int, int]:
        addr, comma, length = text.partition(b",")
        if not comma:
            raise BadPacket(text)
        return hexnum(addr), hexnum(length)

    def _m(self, head: bytes, rest: bytes) -> list[bytes]:
        addr, length = self._span(rest)
        if length == 0:
            return [b""]
        data = read_memory(self.dbg, addr, min(length, MAX_READ))
        if not data:
            raise TargetError(EFAULT, "cannot read")
        return [hexbytes(data)]

    def _write(self, rest: bytes, decode: Callable[[bytes], bytes]) -> list[bytes]:
        where, colon, payload = rest.partition(b":")
        if not colon:
            raise BadPacket(rest)
        addr, length = self._span(where)
        data = decode(payload)
        if len(data) != length:
            raise BadPacket(rest)
        write_memory(self.dbg, addr, data)
        return [b"OK"]

    def _big_m(self, head: bytes, rest: bytes) -> list[bytes]:
        return self._write(rest, hexdata)

    def _x(self, head: bytes, rest: bytes) -> list[bytes]:
        def binary(payload: bytes) -> bytes:
            try:
                return unescape(payload)
            except ValueError:
                raise BadPacket(payload) from None
        return self._write(rest, binary)

    # ---------------------------------------------------------------- breakpoints and watchpoints
    def _z(self, head: bytes, rest: bytes) -> list[bytes]:
        fields = rest.split(b";", 1)[0].split(b",")
        if len(fields) != 3:
            raise BadPacket(rest)
        kind = hexnum(fields[0], 0xFF)
        if kind > 4:
            return [b""]                        # not a point type we know: unsupported
        p = GdbPoint(kind, hexnum(fields[1]), hexnum(fields[2], 1 << 16))
        if head == b"Z":
            self.points.insert(p)
        else:
            self.points.remove(p)
        return [b"OK"]

    # ---------------------------------------------------------------- resuming
    def stopped(self, s: Stopped) -> list[bytes]:
        out = [b"O" + hexbytes((text + "\n").encode()) for text in s.said if text]
        return out + [s.reply]

    def why(self) -> list[bytes]:
        return self.stopped(stop_reply(self.dbg, self.points, None))

    def _why(self, head: bytes, rest: bytes) -> list[bytes]:
        return self.why()

    def resume(self, how: str, thread: int | None = None, addr: int | None = None) -> list[bytes]:
        """Resume (c or s) the given thread (None: the current one), from addr if given."""
        dbg = self.dbg
        if thread is not None and thread != dbg.machine.current:
            dbg.switch_thread(thread)           # the core runs one thread: gdb's choice becomes the current one
        if addr is not None and addr != dbg.pc:
            dbg.assign("pc", hex(addr))
        return self.stopped(move(dbg, self.points, how, self.run))

    def _resume(self, head: bytes, rest: bytes) -> list[bytes]:
        if head in (b"S", b"C"):                # the signal is not delivered: a machine has no signals
            sig, _, rest = rest.partition(b";")
            hexnum(sig, 0xFF)
        addr = hexnum(rest) if rest else None
        return self.resume("s" if head in (b"s", b"S") else "c", self.c_thread, addr)

    def _reverse(self, head: bytes, rest: bytes) -> list[bytes]:
        if rest not in (b"s", b"c"):
            return [b""]
        return self.stopped(move(self.dbg, self.points, "b" + rest.decode(), self.run))

    def vcont(self, actions: bytes) -> list[bytes]:
        """vCont;ACTION[:TID]...: the core executes one thread, so the action for a named thread wins (gdb's
        `thread 2` then `stepi` sends vCont;s:2;c), else the default action."""
        chosen: tuple[bytes, int | None] | None = None
        for part in actions.split(b";"):
            action, _, tid = part.partition(b":")
            op = action[:1]
            if op not in (b"c", b"C", b"s", b"S") or (len(action) > 1) != (op in (b"C", b"S")):
                raise BadPacket(part)
            if len(action) > 1:
                hexnum(action[1:], 0xFF)            # the signal: not delivered (a machine has no signals)
            n = self.thread_index(tid) if tid else None
            if chosen is None or (n is not None and chosen[1] is None):
                chosen = (op, n)
        if chosen is None:
            raise BadPacket(actions)
        return self.resume("s" if chosen[0] in (b"s", b"S") else "c", chosen[1])

    # ---------------------------------------------------------------- leaving
    def _detach(self, head: bytes, rest: bytes) -> list[bytes]:
        self.closing = True
        return [b"OK"]

    def _kill(self, head: bytes, rest: bytes) -> list[bytes]:
        self.closing = True
        return []
