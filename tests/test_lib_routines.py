"""Library routines of our own (tests/data/lib: a byte copy, a string length, a 32-bit checksum with carries, and
callers of them in another object) called through Session.call and compared with Python over random buffers,
sizes and alignments, journaled and not. tools/run_lib_routines.py does the same for the kernel's own files."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ppcinterp.api import Session

ROUTINES, CALLER = "tests/data/lib/routines.S", "tests/data/lib/caller.S"
ONE = Session(ROUTINES)
TWO = Session([ROUTINES, CALLER])         # the callers link against routines.S's functions
SPAN = 600                                # bytes a buffer may take (with its offset and guard bytes)
GUARD = 0xA5
for session in (ONE, TWO):
    session.alloc("src", SPAN)
    session.alloc("dst", SPAN)
BASE = {id(s): s.snapshot() for s in (ONE, TWO)}     # restore() keeps the buffers (reset() would free them)


def fresh(s: Session) -> Session:
    s.restore(BASE[id(s)])
    return s


def sum32(data: bytes, start: int = 0) -> int:
    """sum32's contract: 32-bit big-endian words added into 64 bits with end-around carry, folded to 32."""
    total = start + sum(struct.unpack(f">{len(data) // 4}I", data))
    while total >> 32:
        total = (total & 0xFFFF_FFFF) + (total >> 32)
    return total


def addr(s: Session, name: str, offset: int) -> int:
    return s.buffer(name) + offset


@settings(max_examples=80, deadline=None)
@given(data=st.binary(max_size=300), so=st.integers(0, 15), do=st.integers(0, 15), journal=st.booleans())
def test_bytecopy_copies_exactly_the_bytes(data, so, do, journal):
    s = fresh(ONE)
    src, dst = addr(s, "src", so), addr(s, "dst", do + 8)
    s.write(src, data)
    s.write(dst - 8, bytes([GUARD]) * (len(data) + 16))
    assert s.call("bytecopy", dst, src, len(data), journal=journal) == dst
    assert s.read(dst - 8, len(data) + 16) == bytes([GUARD]) * 8 + data + bytes([GUARD]) * 8
    if journal:
        assert s.last.result.journal is not None and len(s.last.result.journal) == s.last.steps


@settings(max_examples=80, deadline=None)
@given(text=st.binary(max_size=300).map(lambda b: b.replace(b"\0", b"")), off=st.integers(0, 15),
       journal=st.booleans())
def test_bytelen_counts_to_the_zero(text, off, journal):
    s = fresh(ONE)
    s.write(addr(s, "src", off), text + b"\0" + b"tail")
    assert s.call("bytelen", addr(s, "src", off), journal=journal) == len(text)


@settings(max_examples=80, deadline=None)
@given(words=st.lists(st.integers(0, 2**32 - 1), max_size=120), start=st.integers(0, 2**32 - 1),
       off=st.sampled_from([0, 4, 8, 12]), journal=st.booleans())
def test_sum32_adds_with_end_around_carry(words, start, off, journal):
    s = fresh(ONE)
    data = struct.pack(f">{len(words)}I", *words)
    s.write(addr(s, "src", off), data)
    assert s.call("sum32", addr(s, "src", off), len(words), start, journal=journal) == sum32(data, start)


def test_sum32_carries_all_the_way_round():
    s = fresh(ONE)
    data = b"\xff" * 64                                   # every addition carries
    assert s.call("sum32", data, 16, 0xFFFF_FFFF) == sum32(data, 0xFFFF_FFFF) == 0xFFFF_FFFF


@settings(max_examples=40, deadline=None)
@given(text=st.binary(max_size=200).map(lambda b: b.replace(b"\0", b"")), so=st.integers(0, 15),
       do=st.integers(0, 15), journal=st.booleans())
def test_a_caller_in_another_object_calls_both_routines(text, so, do, journal):
    s = fresh(TWO)
    src, dst = addr(s, "src", so), addr(s, "dst", do)
    s.write(src, text + b"\0")
    s.set("r30", 0x3030)
    s.set("r31", 0x3131)
    assert s.call("copy_and_measure", dst, src, journal=journal) == len(text)
    assert s.read(dst, len(text) + 1) == text + b"\0"
    assert (s.get("r30"), s.get("r31")) == (0x3030, 0x3131)        # callee-saved registers restored


@settings(max_examples=40, deadline=None)
@given(words=st.lists(st.integers(0, 2**32 - 1), max_size=60))
def test_a_tail_call_into_another_object_returns_to_the_caller(words):
    s = fresh(TWO)
    data = struct.pack(f">{len(words)}I", *words)
    assert s.call("sum32_from_zero", data, len(words)) == sum32(data)
    assert s.last.result.kind == "return"


@pytest.mark.parametrize("name", ["bytecopy", ".bytecopy"])
def test_both_objects_routines_are_called_by_either_name(name):
    s = fresh(TWO)
    assert s.call(name, addr(s, "dst", 0), b"xy", 2) == addr(s, "dst", 0)
    assert s.read(addr(s, "dst", 0), 2) == b"xy"
