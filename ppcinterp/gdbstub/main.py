"""`ppcinterp gdbserver`: build the debugger's session as `ppcinterp debug` does, write the image's ELF (symbols and
line info) for gdb to find through qXfer:exec-file, and serve gdb over TCP or stdin/stdout."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ppcinterp.debug.batch import build
from ppcinterp.diagnostics import PpcError
from ppcinterp.gdbstub.server import listen, serve_stdio, serve_tcp

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def parse_listen(text: str) -> tuple[str, int]:
    """[HOST:]PORT (an IPv6 host in brackets); the host is the loopback address unless given."""
    host, colon, port = text.rpartition(":")
    host = host.strip("[]") if colon else ""
    if not port.isdigit() or int(port) > 65535:
        raise PpcError(f"--listen {text[:80]}: expected [HOST:]PORT with a port from 0 to 65535")
    return host or "127.0.0.1", int(port)


def main(args: argparse.Namespace) -> int:
    where = parse_listen(args.listen) if args.listen is not None else None
    dbg = build(args)
    for note in dbg.notes:
        print(note, file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="ppcinterp-gdb-") as tmp:
        exec_file = _elf(dbg, Path(tmp))
        if where is None:
            return serve_stdio(dbg, exec_file)
        host, port = where
        try:
            server = listen(host, port)
        except OSError as e:
            raise PpcError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
        port = server.getsockname()[1]
        if host not in LOOPBACK:
            print(f"ppcinterp gdbserver: warning: listening on {host}, not the loopback address: gdb's remote "
                  "protocol has no authentication, so anyone who can reach this port controls the session",
                  file=sys.stderr)
        print(f"ppcinterp gdbserver: listening on {host}:{port} (in gdb: target remote {host}:{port})",
              file=sys.stderr, flush=True)
        return serve_tcp(dbg, server, args.once, exec_file)


def _elf(dbg: DebugEngine, tmp: Path) -> str | None:
    """The image as an ELF with symbols and line info, for gdb (None, with a warning, if it cannot be made)."""
    from ppcinterp.elf import write_elf

    session = dbg.session
    path = tmp / f"{Path(session.program.path).stem}.elf"
    try:
        write_elf(session.image, str(path), dbg.entry_pc)
    except PpcError as e:
        print(f"ppcinterp gdbserver: warning: no ELF for gdb ({e.message}); use addresses", file=sys.stderr)
        return None
    return os.fspath(path)
