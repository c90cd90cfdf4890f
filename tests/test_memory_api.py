"""Session.read / write / alloc and the RAM size: bulk memory through the machine, buffers by name, bounds."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ppcinterp.api import Session
from ppcinterp.api_call import STACK_MIN, parse_size
from ppcinterp.diagnostics import PpcError
from ppcinterp.machine import core

LIB = "tests/data/lib/routines.S"
RAM = 0x0100_0000


@pytest.fixture(scope="module")
def session() -> Session:
    return Session(LIB)


@pytest.fixture
def s(session: Session) -> Session:
    session.reset()
    return session


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(off=st.integers(0, 0x3000), data=st.binary(max_size=9000))
def test_write_then_read_gives_the_bytes_back_as_the_code_loads_them(s, off, data):
    s.reset()
    s.write(RAM + off, data)
    assert s.read(RAM + off, len(data)) == data
    if data:                                          # the byte at each end as a load sees it (big-endian)
        assert s.get(f"mem8[{RAM + off:#x}]") == data[0]
        assert s.get(f"mem8[{RAM + off + len(data) - 1:#x}]") == data[-1]
    assert s.read(RAM + off + len(data), 16) == bytes(16)        # nothing past the end
    s.reset()
    assert s.read(RAM + off, len(data)) == bytes(len(data))      # reset() restores the written pages


def test_memory_errors_name_the_address(s):
    with pytest.raises(PpcError, match=r"read of 0x10 bytes at 0x5000: address 0x5000 is outside every mapped"):
        s.read(0x5000, 16)
    end = RAM + s.machine.ram.size
    with pytest.raises(PpcError, match=rf"address {end:#x} is outside every mapped region"):
        s.write(end - 4, bytes(8))
    assert s.read(end - 4, 4) == bytes(4)                       # a write that faults writes nothing
    icp = s.value("&icp[0]")
    with pytest.raises(PpcError, match=rf"at {icp:#x}: icp\[0\] is a device page"):
        s.read(icp, 4)
    code = s.program.symbols[".bytelen"]
    with pytest.raises(PpcError, match="reaches into the code, which runs as assembled"):
        s.write(code, b"\0\0\0\0")
    assert s.read(code, 4) == s.image.word(code).to_bytes(4, "big")   # the code's words can be read
    with pytest.raises(PpcError, match="is not a count"):
        s.read(RAM, -1)
    with pytest.raises(PpcError, match="past the end of the address space"):
        s.read((1 << 64) - 2, 4)
    with pytest.raises(PpcError, match="takes bytes, not str"):
        s.write(RAM, "text")


def test_buffers_are_names_for_their_addresses(s):
    a = s.alloc("buf", 100)
    b = s.alloc("wide", 10, align=4096)
    assert a == RAM and b % 4096 == 0 and b >= a + 100
    s.set("r3", "buf")
    s.set("r4", "&wide")
    assert (s.get("r3"), s.get("r4"), s.buffers) == (a, b, {"buf": (a, 100), "wide": (b, 10)})
    s.write("buf", b"xyz")
    assert s.read("buf", 3) == b"xyz"
    s.reset()                                                   # frees them
    assert s.buffers == {} and s.alloc("buf", 8) == RAM
    with pytest.raises(PpcError, match="not a number or a constant"):
        s.set("r3", "wide")


@pytest.mark.parametrize("args, message", [
    (("buf", 8), "already a buffer named 'buf'"),
    (("r5", 8), "'r5' already names a register"),
    (("lpcr", 8), "'lpcr' already names a register"),
    (("MSR_EE", 8), "'MSR_EE' already names"),
    (("2x", 8), "is not a name"),
    (("ok", -1), "size -1 is not a non-negative integer"),
    (("ok", 8, 3), "align 0x3 is not a power of 2"),
    (("ok", 0x100000), "does not fit: RAM (1024 KiB at 0x1000000) has 0xeff00 bytes left beside the 64 KiB stack"),
])
def test_bad_allocations(s, args, message):
    s.alloc("buf", 0x100)
    with pytest.raises(PpcError, match=__import__("re").escape(message)):
        s.alloc(*args)


def test_a_large_ram_holds_large_buffers_and_restores_only_what_was_written(monkeypatch):
    s = Session(LIB, ram_size=64 << 20)
    ram = s.machine.ram
    assert (ram.base, ram.size) == (RAM, 64 << 20)
    assert s.value("&paca[0]") >= ram.limit                     # the PACAs move above a RAM over 16 MiB
    big = s.alloc("big", (64 << 20) - STACK_MIN)
    s.write(big + (40 << 20), b"far")
    assert s.call("bytelen", big + (40 << 20)) == 3
    copied = []
    monkeypatch.setattr(core, "_copy_pages", lambda r, saved: copied.append(len(r.dirty)))
    s.reset()
    assert sum(copied) <= 4                                     # the pages written, not 16,384 of them
    for size, message in ((1 << 31, "not a multiple of 4 KiB from 64 KiB to 1 GiB"), (4097, "0x1001 is not"),
                          ("1M", "ram_size '1M'")):
        with pytest.raises(PpcError, match=message):
            Session(LIB, ram_size=size)


def test_sizes_read_as_people_write_them():
    assert [parse_size(t) for t in ("4096", "0x1000", "64K", "64M", "1G", "2MiB", 7)] == [
        4096, 4096, 64 << 10, 64 << 20, 1 << 30, 2 << 20, 7]
    with pytest.raises(PpcError, match="is not a size"):
        parse_size("12Q")


BIG = Session(LIB, ram_size=8 << 20)       # above SPARSE_FROM: snapshots hold the pages ever written
WRITES = st.lists(st.tuples(st.integers(0, (8 << 20) - 1), st.binary(min_size=1, max_size=5000)), max_size=6)


def _ram() -> bytes:
    return bytes(BIG.machine.ram.data)


@settings(max_examples=40, deadline=None)
@given(WRITES, WRITES, WRITES)
def test_snapshots_of_a_large_ram_restore_it_exactly(first, second, third):
    m = BIG.machine
    BIG.reset()

    def apply(writes):
        for off, data in writes:
            BIG.write(RAM + min(off, m.ram.size - len(data)), data)

    apply(first)
    a, a_bytes = m.snapshot(), _ram()
    apply(second)
    m.restore(a)                         # the last snapshot: the dirty pages copied back
    assert _ram() == a_bytes
    apply(second)
    b, b_bytes = m.snapshot(), _ram()
    apply(third)
    m.restore(a)                         # an older one: every page ever written put back or zeroed
    assert _ram() == a_bytes
    m.restore(b)
    assert _ram() == b_bytes
    BIG.reset()
    assert _ram() == bytes(m.ram.size)
