"""Connections: gdb over TCP (`target remote :PORT`) or over our stdin/stdout (`target remote | ppcinterp gdbserver
--stdio ...`). Packets are acknowledged with `+` (a bad checksum with `-`) until gdb asks for no-ack mode; a `-`
from gdb sends the last packet again. While the target runs (continue, or a long reverse-continue) a thread
watches the connection, so that gdb's interrupt byte (Ctrl-C) stops the engine at its next chunk of instructions.
A client that leaves (EOF, D, k) ends its session: the next one starts from the beginning, or the server exits
(--once, or stdio)."""

from __future__ import annotations

import os
import select
import socket
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from ppcinterp.gdbstub.handlers import Stub
from ppcinterp.gdbstub.packets import MAX_PACKET, Event, Reader, frame

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine
    from ppcinterp.debug.stops import Stop

READ = 65536
POLL = 0.05                   # seconds between looks at the connection while the target runs
_HEXDIGITS = frozenset(b"0123456789abcdef")


class Connection:
    """A byte stream both ways: a socket, or a pair of file descriptors."""

    def __init__(self, rfd: int, send: Callable[[bytes], None], recv: Callable[[], bytes]):
        self.rfd, self.send, self.recv = rfd, send, recv

    @classmethod
    def of_socket(cls, s: socket.socket) -> Connection:
        return cls(s.fileno(), s.sendall, lambda: s.recv(READ))

    @classmethod
    def of_stdio(cls) -> Connection:
        def send(data: bytes) -> None:
            view = memoryview(data)
            while view:
                view = view[os.write(1, view):]
        return cls(0, send, lambda: os.read(0, READ))

    def ready(self, timeout: float | None) -> bool:
        return bool(select.select([self.rfd], [], [], timeout)[0])


class Session:
    """One client's session over the engine."""

    def __init__(self, dbg: DebugEngine, conn: Connection, exec_file: str | None = None):
        self.conn = conn
        self.reader = Reader()
        self.events: list[Event] = []
        self.eof = False
        self.last = b""
        self.nacks = 0
        self.stub = Stub(dbg, self._run, exec_file)

    def serve(self) -> None:
        try:
            while not self.stub.closing:
                ev = self._next()
                if ev is None:
                    break
                self._on(ev)
        except OSError:                         # the client went away mid-write (EPIPE, ECONNRESET)
            pass
        finally:
            self.stub.end()

    def _on(self, ev: Event) -> None:
        no_ack = self.stub.no_ack
        if ev.kind == "nack":
            self.nacks += 1
            if self.last and self.nacks <= 3:
                self.conn.send(self.last)
            return
        if ev.kind == "bad-checksum":
            if not no_ack:
                self.conn.send(b"-")
            return
        if ev.kind not in ("packet", "too-long"):
            return                              # acks; an interrupt byte while stopped asks nothing
        if not no_ack:
            self.conn.send(b"+")
        if ev.kind == "too-long":
            print(f"ppcinterp gdbserver: a packet over {MAX_PACKET} bytes (our PacketSize) refused",
                  file=sys.stderr, flush=True)
        replies = self.stub.handle(ev.data) if ev.kind == "packet" else [b"E01"]
        for r in replies:
            self._send(r)

    def _send(self, data: bytes) -> None:
        hexy = data[:1] == b"O" and set(data[1:]) <= _HEXDIGITS or set(data) <= _HEXDIGITS
        self.last = frame(data, rle=hexy)
        self.nacks = 0
        self.conn.send(self.last)

    def _next(self) -> Event | None:
        while not self.events:
            if self.eof:
                return None
            self._take(self._recv())
        return self.events.pop(0)

    def _recv(self) -> bytes:
        try:
            data = self.conn.recv()
        except OSError:
            data = b""
        if not data:
            self.eof = True
        return data

    def _take(self, data: bytes) -> None:
        self.events += self.reader.feed(data)

    def _run(self, movement: Callable[[], Stop]) -> Stop:
        """Run a movement while a thread watches the connection: an interrupt byte (or the client leaving)
        asks the engine to stop; other bytes wait for after the stop."""
        dbg = self.stub.dbg
        if any(e.kind == "interrupt" for e in self.events):   # Ctrl-C read with the resume packet: for this run
            self.events = [e for e in self.events if e.kind != "interrupt"]
            dbg.interrupt()
        done = threading.Event()
        got: list[bytes] = []

        def watch() -> None:
            while not done.is_set():
                if not self.conn.ready(POLL):
                    continue
                data = self._recv()
                got.append(data)
                if not data or 0x03 in data:
                    dbg.interrupt()
                if not data:
                    return

        t = threading.Thread(target=watch, name="gdbstub-interrupt", daemon=True)
        t.start()
        try:
            return movement()
        finally:
            done.set()
            t.join()
            dbg.interrupt(False)
            for data in got:
                self._take(data)


def serve_stdio(dbg: DebugEngine, exec_file: str | None = None) -> int:
    """gdb over our stdin/stdout: stdout carries only packets (anything else printed goes to stderr)."""
    sys.stdout.flush()
    saved, sys.stdout = sys.stdout, sys.stderr
    try:
        Session(dbg, Connection.of_stdio(), exec_file).serve()
    finally:
        sys.stdout = saved
    return 0


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(1)
    return s


def serve_tcp(dbg: DebugEngine, server: socket.socket, once: bool, exec_file: str | None = None) -> int:
    """Accept clients one at a time; each starts from the beginning of the run."""
    with server:
        while True:
            conn, peer = server.accept()
            print(f"ppcinterp gdbserver: client {peer[0]}:{peer[1]} connected", file=sys.stderr, flush=True)
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                Session(dbg, Connection.of_socket(conn), exec_file).serve()
            print("ppcinterp gdbserver: client left", file=sys.stderr, flush=True)
            if once:
                return 0
