#!/usr/bin/env python3
"""The kernel's own library routines (arch/powerpc/lib of a v3.10 tree; memcmp_64.S of v4.x) built as kbuild
builds them and called through Session.call against Python, on random bytes at every size up to --max-size
(4,200) and alignments mod 16 (memcpy and memset: all 16 of the source or destination at each size, so that every
(source, destination) pair occurs; --every-pair: all 256 at each size), and random strings, moves and pages: each
line says how many cases ran, how many instructions they took, how long, and whether every result was Python's.

    python tools/run_lib_routines.py --kernel-tree ~/linux-3.10 --memcmp ~/lib-v4/memcmp_64.S
    python tools/run_lib_routines.py --kernel-tree ~/linux-3.10 --only memcpy --every-pair   # 256 x 4,201

The kernel's files are GPL and not shipped with ppcinterp: bring a configured tree (tools/gen_asm_offsets.py
makes its asm-offsets.h). C functions the routines call are stood in for: enter_vmx_copy returns 1 (VMX may be
used; each call is counted: it is the VMX path), exit_vmx_copy returns its argument. Exit status 1 if any case
differed from Python (the first few are printed) or a routine did not return.
"""

from __future__ import annotations

import argparse
import random
import struct
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ppcinterp.api import Session  # noqa: E402
from ppcinterp.diagnostics import PpcError  # noqa: E402

CPUS = ("POWER7", "POWER8", "PPC970")
GUARD = 0xA5
SLACK = 64                   # guard bytes around every destination, and room for alignment offsets
M64 = (1 << 64) - 1
PAGE = 64 << 10              # pseries_defconfig: 64 KiB pages (copy_page)


def s64(v: int) -> int:
    return v - (1 << 64) if v >> 63 else v


def sign(v: int) -> int:
    return (v > 0) - (v < 0)


def fold16(total: int) -> int:
    """A ones'-complement sum folded to 16 bits with end-around carries (0 only for 0)."""
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def csum(data: bytes, start: int = 0) -> int:
    """The Internet checksum's sum: big-endian 16-bit words (an odd last byte is a high byte) plus start."""
    if len(data) % 2:
        data += b"\0"
    return fold16(start + sum(struct.unpack(f">{len(data) // 2}H", data)))


class Group:
    """One routine on one CPU: a Session over its sources, scratch buffers, and the cases' tally."""

    def __init__(self, label: str, sources: list[str], cpu: str, tree: str, span: int):
        self.label, self.cpu = label, cpu
        self.s = Session(sources, cpu=cpu, kernel_tree=tree, ram_size=16 << 20)
        self.vmx = 0
        for name, fn in ((".enter_vmx_copy", self._enter_vmx), (".exit_vmx_copy", lambda a: a[0])):
            if name in set(self.s.engine.outside_names.values()):
                self.s.stand_in(name, fn)
        self.a = self.s.alloc("a", span + 2 * SLACK, align=4096)
        self.b = self.s.alloc("b", span + 2 * SLACK, align=4096)
        self.cases = self.steps = 0
        self.failures: list[str] = []

    def _enter_vmx(self, _args) -> int:
        self.vmx += 1
        return 1

    def call(self, fn: str, *args: int) -> int | None:
        """r3 of the call (as a signed value where asked), or None when it did not return (a failure)."""
        self.cases += 1
        try:
            value = self.s.call(fn, *args, max_steps=2_000_000)
        except PpcError as e:
            self.fail(f"{fn}{args}: {e.message}")
            return None
        finally:
            if self.s.last is not None:
                self.steps += self.s.last.steps
        return value

    def fail(self, what: str) -> None:
        self.failures.append(what)

    def guarded(self, base: int, off: int, n: int) -> int:
        """base + SLACK + off, with guard bytes before and after n bytes there."""
        self.s.write(base, bytes([GUARD]) * (n + 2 * SLACK))
        return base + SLACK + off

    def intact(self, base: int, off: int, n: int, want: bytes, what: str) -> bool:
        got = self.s.read(base, n + 2 * SLACK)
        expected = bytes([GUARD]) * (SLACK + off) + want + bytes([GUARD]) * (SLACK - off)
        if got == expected:
            return True
        first = differs(got, expected) - SLACK - off
        self.fail(f"{what}: byte {first} of the destination differs ({'data' if 0 <= first < n else 'a guard byte'})")
        return False


def differs(a: bytes, b: bytes) -> int:
    return next(i for i in range(len(a)) if a[i] != b[i])


# ---------------------------------------------------------------- the routines' cases

def memcpy_cases(g: Group, rnd: random.Random, sizes: range, every_pair: bool, fn: str = "memcpy") -> None:
    for n in sizes:
        pairs = [(so, do) for so in range(16) for do in range(16)] if every_pair else [
            (so, (so + n) % 16) for so in range(16)]            # over the sizes, every (src, dst) pair occurs
        for so, do in pairs:
            data = rnd.randbytes(n)
            src = g.a + SLACK + so
            g.s.write(src, data)
            dst = g.guarded(g.b, do, n)
            if g.call(fn, dst, src, n) == dst:
                g.intact(g.b, do, n, data, f"{fn}(dst+{do}, src+{so}, {n})")
            elif g.s.last.returned:
                g.fail(f"{fn}(dst+{do}, src+{so}, {n}) returned {g.s.last.value:#x}, not dst {dst:#x}")


def memmove_cases(g: Group, rnd: random.Random, count: int, span: int) -> None:
    """Overlapping moves both ways (memmove goes to memcpy or backwards_memcpy) and disjoint ones."""
    for _ in range(count):
        n = rnd.randrange(span // 2)
        so, do = rnd.randrange(span - n), rnd.randrange(span - n)
        before = rnd.randbytes(span)
        base = g.a + SLACK
        g.s.write(base, before)
        want = bytearray(before)
        want[do:do + n] = before[so:so + n]
        if g.call("memmove", base + do, base + so, n) == base + do:
            if g.s.read(base, span) != bytes(want):
                g.fail(f"memmove(+{do}, +{so}, {n}) moved other bytes")
        elif g.s.last.returned:
            g.fail(f"memmove(+{do}, +{so}, {n}) returned {g.s.last.value:#x}")


def memset_cases(g: Group, rnd: random.Random, sizes: range) -> None:
    for n in sizes:
        for off in range(16):
            c = rnd.randrange(256)
            dst = g.guarded(g.b, off, n)
            if g.call("memset", dst, c, n) == dst:
                g.intact(g.b, off, n, bytes([c]) * n, f"memset(dst+{off}, {c:#x}, {n})")


def cstring(rnd: random.Random, n: int, alphabet: bytes = b"abcdefgh\xff\x80\x01") -> bytes:
    return bytes(rnd.choice(alphabet) for _ in range(n))


def string_cases(g: Group, rnd: random.Random, count: int, span: int) -> None:
    """strlen, strcmp, strncmp, strcpy, strncpy, strcat, memcmp (string.S's byte loop), memchr."""
    a, b = g.a + SLACK, g.b + SLACK
    for _ in range(count):
        x = cstring(rnd, rnd.randrange(span // 4))
        y = x[:rnd.randrange(len(x) + 1)] + cstring(rnd, rnd.randrange(8)) if rnd.random() < 0.7 else cstring(
            rnd, rnd.randrange(span // 4))
        oa, ob, k = rnd.randrange(16), rnd.randrange(16), rnd.randrange(span // 4)
        g.s.write(a + oa, x + b"\0")
        g.s.write(b + ob, y + b"\0")
        expect(g, "strlen", (a + oa,), len(x))
        first = next((i for i in range(min(len(x), len(y)) + 1) if (x + b"\0")[i] != (y + b"\0")[i]), None)
        diff = 0 if first is None else (x + b"\0")[first] - (y + b"\0")[first]
        expect(g, "strcmp", (a + oa, b + ob), diff, s64)
        expect(g, "strncmp", (a + oa, b + ob, k), diff if first is not None and first < k else 0, s64)
        m = min(len(x), len(y), k)
        mdiff = next((x[i] - y[i] for i in range(m) if x[i] != y[i]), 0)
        expect(g, "memcmp", (a + oa, b + ob, m), mdiff, s64)
        c = rnd.choice(x) if x and rnd.random() < 0.7 else rnd.randrange(256)
        hit = x.find(bytes([c]))
        expect(g, "memchr", (a + oa, c, len(x)), a + oa + hit if hit >= 0 else 0)
        # copies: strcpy, strncpy (zero-fills the rest), strcat onto y
        for fn, more, want in (("strcpy", (), x + b"\0"), ("strncpy", (k,), (x + bytes(k))[:k]),
                               ("strcat", (), y + x + b"\0")):
            dst = g.guarded(g.b, ob, len(want))
            if fn == "strcat":
                g.s.write(dst, y + b"\0")
            g.s.write(a + oa, x + b"\0")
            if g.call(fn, dst, a + oa, *more) is not None:
                g.intact(g.b, ob, len(want), want, f"{fn}(dst+{ob}, a {len(x)}-byte string{more or ''})")


def memcmp64_cases(g: Group, rnd: random.Random, sizes: range) -> None:
    """v4.x's memcmp_64.S: the sign of the first difference (its long path returns +1/-1)."""
    for n in sizes:
        for oa, ob in ((n % 16, n // 16 % 16), (n % 2 * 8, n // 2 % 2 * 8)):     # any pair; both 8-byte aligned
            x = rnd.randbytes(n)
            y = bytearray(x)
            if n and rnd.random() < 0.75:
                i = rnd.randrange(n)
                y[i] = (y[i] + rnd.randrange(1, 256)) & 0xFF
            g.s.write(g.a + SLACK + oa, x)
            g.s.write(g.b + SLACK + ob, bytes(y))
            got = g.call("memcmp", g.a + SLACK + oa, g.b + SLACK + ob, n)
            want = sign((x > bytes(y)) - (x < bytes(y)))
            if got is not None and sign(s64(got)) != want:
                g.fail(f"memcmp(+{oa}, +{ob}, {n}) = {s64(got)}, Python's sign {want}")


def checksum_cases(g: Group, rnd: random.Random, sizes: range) -> None:
    """csum_partial (compared folded to 16 bits: its 32-bit value is any ones'-complement equivalent),
    csum_partial_copy_generic (the copy too), ip_fast_csum and csum_tcpudp_magic (exact)."""
    for n in sizes:
        off, start = n % 16, rnd.getrandbits(32)
        data = rnd.randbytes(n)
        src = g.a + SLACK + off
        g.s.write(src, data)
        got = g.call("csum_partial", src, n, start)
        if got is not None and (got >> 32 or fold16(got) != csum(data, start)):
            g.fail(f"csum_partial(+{off}, {n}, {start:#x}) = {got:#x}, Python's folded sum {csum(data, start):#x}")
        do = n * 7 % 16
        dst = g.guarded(g.b, do, n)
        got = g.call("csum_partial_copy_generic", src, dst, n, start, 0, 0)
        if got is not None:
            if fold16(got & 0xFFFF_FFFF) != csum(data, start):
                g.fail(f"csum_partial_copy_generic(+{off}, +{do}, {n}) = {got:#x}, Python {csum(data, start):#x}")
            g.intact(g.b, do, n, data, f"csum_partial_copy_generic(+{off}, +{do}, {n})")
    for _ in range(len(sizes)):
        words = rnd.randrange(5, 16)
        header = rnd.randbytes(4 * words)
        g.s.write(g.a + SLACK, header)
        expect(g, "ip_fast_csum", (g.a + SLACK, words), ~csum(header) & 0xFFFF)
        saddr, daddr, length, proto, start = (rnd.getrandbits(32), rnd.getrandbits(32), rnd.getrandbits(16),
                                              rnd.getrandbits(8), rnd.getrandbits(32))
        total = saddr + daddr + (proto << 16 | length) + start
        expect(g, "csum_tcpudp_magic", (saddr, daddr, length, proto, start), ~fold16(total) & 0xFFFF)


def copy_page_cases(g: Group, rnd: random.Random, count: int) -> None:
    caches = g.s.program.symbols.get("ppc64_caches")
    if caches is not None:      # what the boot code fills in: L1 d-cache of 128-byte lines (PPC970, POWER7/8)
        g.s.write(caches, struct.pack(">8I", 32 << 10, 128, 7, PAGE // 128, 64 << 10, 128, 7, PAGE // 128))
    for _ in range(count):
        data = rnd.randbytes(PAGE)
        g.s.write(g.a, data)
        g.s.write(g.b, bytes([GUARD]) * (PAGE + SLACK))
        if g.call("copy_page", g.b, g.a) is not None:
            got, want = g.s.read(g.b, PAGE + SLACK), data + bytes([GUARD]) * SLACK
            if got != want:
                g.fail(f"copy_page: byte {differs(got, want)} of the destination differs")


def expect(g: Group, fn: str, args: tuple, want: int, view: Callable[[int], int] = lambda v: v) -> None:
    got = g.call(fn, *args)
    if got is not None and view(got) != want:
        g.fail(f"{fn}{tuple(hex(a) if a > 0xFFFF else a for a in args)} = {view(got)}, Python's {want}")


# ---------------------------------------------------------------- the plan

def plan(tree: Path, memcmp: Path | None, args) -> Iterator[tuple[str, list[str], str, Callable[[Group], None], int]]:
    lib = tree / "arch/powerpc/lib"
    rnd_sizes = range(0, args.max_size + 1)
    n = args.cases

    def files(*names: str) -> list[str]:
        return [str(lib / f) for f in names]

    for cpu in args.cpus:
        yield ("memcpy", files("memcpy_64.S", "memcpy_power7.S"), cpu,
               lambda g: memcpy_cases(g, random.Random(args.seed), rnd_sizes, args.every_pair), args.max_size)
    for cpu in args.cpus:
        yield ("memset/memmove", files("mem_64.S", "memcpy_64.S", "memcpy_power7.S"), cpu,
               lambda g: (memset_cases(g, random.Random(args.seed), rnd_sizes),
                          memmove_cases(g, random.Random(args.seed + 1), n, 2048)), args.max_size)
    yield ("string.S", files("string.S"), args.cpus[0],
           lambda g: string_cases(g, random.Random(args.seed), n, 1024), 1024)
    for cpu in args.cpus:
        yield ("checksum", files("checksum_64.S"), cpu,
               lambda g: checksum_cases(g, random.Random(args.seed), rnd_sizes), args.max_size)
    for cpu in args.cpus:
        yield ("copy_page", files("copypage_64.S", "copypage_power7.S"), cpu,
               lambda g: copy_page_cases(g, random.Random(args.seed), args.pages), PAGE)
    if memcmp is not None:
        for cpu in args.cpus:
            yield ("memcmp_64 (v4)", [str(memcmp)], cpu,
                   lambda g: memcmp64_cases(g, random.Random(args.seed), rnd_sizes), args.max_size)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kernel-tree", required=True, type=Path, help="a configured v3.10 tree")
    ap.add_argument("--memcmp", type=Path, help="v4.x's arch/powerpc/lib/memcmp_64.S (not in v3.10)")
    ap.add_argument("--only", action="append", default=[], help="routine groups whose name starts with this")
    ap.add_argument("--cpu", dest="cpus", action="append", help=f"CPU models (default: {', '.join(CPUS)})")
    ap.add_argument("--max-size", type=int, default=4200, help="largest memcpy size (every size up to it)")
    ap.add_argument("--every-pair", action="store_true",
                    help="memcpy: every (source, destination) alignment pair mod 16 at every size (else 16 a size, "
                    "every pair occurring over the sizes)")
    ap.add_argument("--cases", type=int, default=2000, help="random cases of string.S and memmove")
    ap.add_argument("--pages", type=int, default=8, help="copy_page cases (64 KiB each)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    args.cpus = args.cpus or list(CPUS)
    status, total_cases, t_all = 0, 0, time.perf_counter()
    print(f"{'routine':16} {'cpu':7} {'cases':>9} {'instructions':>14} {'seconds':>8}  result")
    for label, sources, cpu, run, _span in plan(args.kernel_tree, args.memcmp, args):
        if args.only and not any(label.startswith(o) for o in args.only):
            continue
        t0 = time.perf_counter()
        try:
            g = Group(label, sources, cpu, str(args.kernel_tree), max(_span, 4400))
            run(g)
        except PpcError as e:
            print(f"{label:16} {cpu:7} {'-':>9} {'-':>14} {time.perf_counter() - t0:8.1f}  cannot run: "
                  f"{e.message.splitlines()[0][:200]}")
            status = 1
            continue
        dt = time.perf_counter() - t0
        vmx = f", VMX path {g.vmx:,} times" if g.vmx else ""
        result = "all as Python" if not g.failures else f"{len(g.failures):,} DIFFER"
        print(f"{label:16} {cpu:7} {g.cases:9,} {g.steps:14,} {dt:8.1f}  {result}{vmx}")
        for f in g.failures[:5]:
            print(f"    {f}")
        total_cases += g.cases
        status |= bool(g.failures)
    print(f"{'total':16} {'':7} {total_cases:9,} {'':14} {time.perf_counter() - t_all:8.1f}")
    return status


if __name__ == "__main__":
    sys.exit(main())
