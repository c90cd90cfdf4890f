"""Host I/O (gdb's manual, "Host I/O Packets"): gdb reads the ELF the server made (the file qXfer:exec-file names)
through vFile packets, so a gdb on another machine gets our symbols and lines too. Only that one file, read-only:
any other path is ENOENT, a write EACCES. Replies are `F result[,errno][;data]`, numbers in hex."""

from __future__ import annotations

import struct

from ppcinterp.gdbstub.packets import MAX_PACKET, BadPacket, escape, hexdata, hexnum

# the File-I/O protocol's errno values (gdb's manual, "Errno Values")
ENOENT, EBADF, EACCES, EINVAL, EMFILE = 2, 9, 13, 22, 24
MAX_OPEN = 16
MAX_PREAD = (MAX_PACKET - 32) // 2           # escaping may double the data: the reply still fits a packet
S_IFREG_READONLY = 0o100444


class HostIO:
    def __init__(self, exec_file: str | None):
        self.exec_file = exec_file
        self.files: dict[int, bytes] = {}

    def handle(self, data: bytes) -> bytes:
        op, _, args = data[len(b"vFile:"):].partition(b":")
        fn = {b"setfs": self._setfs, b"open": self._open, b"pread": self._pread, b"close": self._close,
              b"fstat": self._fstat}.get(op)
        if fn is None:
            return b""                                   # unlink, pwrite, readlink...: not supported
        try:
            return fn(args.split(b","))
        except BadPacket:
            return _error(EINVAL)

    def _setfs(self, args: list[bytes]) -> bytes:
        return b"F0" if len(args) == 1 and hexnum(args[0]) == 0 else _error(EINVAL)

    def _open(self, args: list[bytes]) -> bytes:
        if len(args) != 3:
            raise BadPacket(b",".join(args))
        name, flags = hexdata(args[0]), hexnum(args[1])
        hexnum(args[2])
        if self.exec_file is None or name != self.exec_file.encode():
            return _error(ENOENT)
        if flags != 0:                                   # O_RDONLY only
            return _error(EACCES)
        if len(self.files) >= MAX_OPEN:
            return _error(EMFILE)
        try:
            with open(self.exec_file, "rb") as f:
                content = f.read()
        except OSError:
            return _error(ENOENT)
        fd = next(n for n in range(MAX_OPEN) if n not in self.files)
        self.files[fd] = content
        return b"F%x" % fd

    def _file(self, arg: bytes) -> bytes | None:
        return self.files.get(hexnum(arg, MAX_OPEN))

    def _pread(self, args: list[bytes]) -> bytes:
        if len(args) != 3:
            raise BadPacket(b",".join(args))
        content = self._file(args[0])
        if content is None:
            return _error(EBADF)
        count, offset = min(hexnum(args[1]), MAX_PREAD), hexnum(args[2])
        part = content[offset:offset + count]
        return b"F%x;" % len(part) + escape(part)

    def _close(self, args: list[bytes]) -> bytes:
        if len(args) != 1 or self._file(args[0]) is None:
            return _error(EBADF)
        del self.files[hexnum(args[0])]
        return b"F0"

    def _fstat(self, args: list[bytes]) -> bytes:
        content = self._file(args[0]) if len(args) == 1 else None
        if content is None:
            return _error(EBADF)
        size = len(content)
        # gdb's struct stat: dev ino mode nlink uid gid rdev (32 bits), size blksize blocks (64), 3 times (32)
        st = struct.pack(">7I3Q3I", 0, 0, S_IFREG_READONLY, 1, 0, 0, 0, size, 4096, (size + 511) // 512, 0, 0, 0)
        return b"F%x;" % len(st) + escape(st)


def _error(errno: int) -> bytes:
    return b"F-1,%x" % errno
