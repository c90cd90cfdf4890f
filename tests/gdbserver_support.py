"""What the gdbserver tests share: a server on a loopback port (a subprocess, its stderr kept), a minimal client
of gdb's remote protocol over a socket, and gdb-multiarch in batch mode. Every wait has a timeout, so a broken
server fails a test instead of hanging it."""

from __future__ import annotations

import os
import re
import select
import socket
import subprocess
import sys
import threading
import time

from conftest import ROOT, need

from ppcinterp.gdbstub.packets import checksum, rle_decode

SCENARIOS = ROOT / "asm" / "scenarios"
RACE = SCENARIOS / "race_host_ipi.toml"
FRAGMENT = ROOT / "asm" / "book3s_hv_rmhandlers.S"
GDB = "gdb-multiarch"
WAIT = 60.0                     # seconds any one wait may take before the test fails
SERVER = [sys.executable, "-m", "ppcinterp", "gdbserver"]


def need_gdb() -> None:
    need(GDB, "gdb-multiarch")                    # skipped without it, failed under CI=1


class Server:
    """`ppcinterp gdbserver ARGS --listen 127.0.0.1:0`: the port it says on stderr, the rest of stderr kept."""

    def __init__(self, *args: str, listen: str = "127.0.0.1:0"):
        self.proc = subprocess.Popen([*SERVER, *args, "--listen", listen], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        self.lines: list[str] = []
        said = re.compile(r"listening on \S+:(\d+) \(")
        fd, text, deadline = self.proc.stderr.fileno(), b"", time.monotonic() + WAIT
        while not said.search(text.decode(errors="replace")):
            left = deadline - time.monotonic()
            chunk = os.read(fd, 4096) if left > 0 and select.select([fd], [], [], left)[0] else b""
            if not chunk:
                self.close()
                raise AssertionError(f"the server did not start: {text.decode(errors='replace')}")
            text += chunk
        self.lines.append(text.decode(errors="replace"))
        self.port = int(said.search(self.lines[0]).group(1))
        self._drain = threading.Thread(target=self._read_rest, daemon=True)
        self._drain.start()

    def _read_rest(self) -> None:
        for line in self.proc.stderr:
            self.lines.append(line.decode(errors="replace"))

    @property
    def stderr(self) -> str:
        return "".join(self.lines)

    def said(self, text: str, times: int = 1) -> bool:
        """Whether the server says text (times times) on stderr, waiting for it at most WAIT: a thread reads
        stderr, and the server may say it after its last reply."""
        deadline = time.monotonic() + WAIT
        while self.stderr.count(text) < times and time.monotonic() < deadline and self.proc.poll() is None:
            time.sleep(0.01)
        return self.stderr.count(text) == times

    def client(self) -> Client:
        return Client(socket.create_connection(("127.0.0.1", self.port), timeout=WAIT))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(WAIT)
        if hasattr(self, "_drain"):
            self._drain.join(WAIT)                 # all it said is in stderr now

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Client:
    """gdb's side of the protocol, by hand: packets out, replies in (acknowledged while in ack mode)."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buf = b""
        self.acks: list[bytes] = []         # the server's + and - for our packets, in order
        self.ack_mode = True

    def raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send(self, data: bytes) -> None:
        self.raw(b"$" + data + b"#%02x" % checksum(data))

    def _more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buf += chunk

    def packet(self) -> bytes:
        """The next packet's data (run-length decoded, checksum checked); acks on the way are kept in acks."""
        while True:
            while self.buf[:1] in (b"+", b"-"):
                self.acks.append(self.buf[:1])
                self.buf = self.buf[1:]
            m = re.match(rb"\$([^#]*)#([0-9a-f]{2})", self.buf, re.S)
            if m:
                self.buf = self.buf[m.end():]
                body = m.group(1)
                assert int(m.group(2), 16) == checksum(body), f"bad checksum from the server: {m.group(0)!r}"
                if self.ack_mode:
                    self.raw(b"+")
                return rle_decode(body)
            assert not self.buf or self.buf[:1] == b"$", f"junk from the server: {self.buf[:80]!r}"
            self._more()

    def ask(self, data: bytes) -> bytes:
        """Send a packet; its reply (console output packets before it are skipped)."""
        self.send(data)
        while (reply := self.packet())[:1] == b"O" and reply != b"OK" and len(reply) % 2 == 1:
            pass
        return reply

    def no_ack(self) -> None:
        assert self.ask(b"QStartNoAckMode") == b"OK"
        self.ack_mode = False

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def gdb(*commands: str, timeout: float = WAIT) -> str:
    """gdb-multiarch -batch -nx running commands (as -ex) for a 64-bit PowerPC: its stdout and stderr, in one
    stream (monitor output and errors are gdb's stderr)."""
    need_gdb()
    argv = [GDB, "-q", "-batch", "-nx", "-ex", "set architecture powerpc:common64", "-ex", "set pagination off",
            "-ex", "set confirm off"]
    for c in commands:
        argv += ["-ex", c]
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout, cwd=ROOT,
                       env={**os.environ, "TERM": "dumb"}, stdin=subprocess.DEVNULL)
    return r.stdout


def stdio_target(*args: str) -> str:
    """gdb's command that runs the server over a pipe."""
    return "target remote | " + " ".join([*SERVER, *args, "--stdio"])
