"""QEMU as the oracle for FP, VMX and VSX state: a batch of cases runs under qemu-ppc64 (-cpu power7) and under
our interpreter from the same GPRs, VSX registers (which hold the FPRs and VRs), FPSCR, VSCR, VRSAVE, CR and
memory, and both report the same state afterwards.

QEMU's harness moves state with the instructions under test's neighbours: lxvd2x/stxvd2x for the 64 VSX
registers, mtfsf (L=1) / mffs through f0 for the FPSCR, mtvscr / mfvscr through v0 for the VSCR. Ours sets and
reads the same state by name, so the two sides share no code but the assembler.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from qemu_oracle import TRAILER, WINDOW, run_program

from ppcinterp.api import Session

M64 = (1 << 64) - 1
HEAD = 64                 # XER, CR, CTR, FPSCR, VRSAVE, pad (8 bytes each, 48), then the VSCR quadword


@dataclass(frozen=True)
class VCase:
    text: str
    gprs: tuple[tuple[int, int], ...] = ()      # (number, value) in
    vsrs: tuple[tuple[int, int], ...] = ()      # (VSX register 0-63, 128-bit value) in
    outs: tuple[int, ...] = ()                  # GPRs compared
    vouts: tuple[int, ...] = ()                 # VSX registers compared
    fpscr: int = 0                              # as mtfsf L=1 leaves it (summary bits consistent)
    vscr: int = 0
    vrsave: int = 0
    cr: int = 0
    mem: bytes = b""                            # the window's bytes (a multiple of 16)


@dataclass
class VOutcome:
    gprs: dict[int, int]
    vsrs: dict[int, int]
    fpscr: int
    vscr: int
    vrsave: int
    cr: int
    xer: int
    mem: bytes
    error: str = ""


def _harness(c: VCase) -> tuple[int, int, int]:
    used = {r for r, _ in c.gprs} | set(c.outs)
    free = [r for r in range(31, 0, -1) if r not in used]
    return free[0], free[1], free[2]


def _pad16(n: int) -> int:
    return (n + 15) & ~15


def _in_size(c: VCase) -> int:
    return HEAD + len(c.mem) + 16 * len(c.vsrs) + _pad16(8 * len(c.gprs))


def _out_size(c: VCase) -> int:
    return HEAD + _pad16(8 * len(c.outs)) + 16 * len(c.vouts) + len(c.mem)


def qemu_program(cases: list[VCase]) -> str:
    hi = WINDOW >> 16
    out = ['\t.section ".opd","aw"', "\t.align 3", "\t.globl _start", "_start:",
           "\t.quad .Lentry, .TOC.@tocbase, 0",
           '\t.section .scratch,"aw",@nobits', "\t.align 12", "\t.space 4096",
           "\t.text", ".Lentry:"]
    data, results = ["\t.data", "\t.align 4"], ["\t.align 4", "results:"]
    for k, c in enumerate(cases):
        if len(c.mem) % 16:
            raise ValueError("a case's memory window is a multiple of 16 bytes")
        h, w, t = _harness(c)
        out.append(f"# case {k}: {c.text.splitlines()[0]}")
        out += [f"\tlis r{h},in{k}@ha", f"\taddi r{h},r{h},in{k}@l", f"\tlis r{w},{hi}"]
        for i in range(0, len(c.mem), 8):
            out += [f"\tld r{t},{HEAD + i}(r{h})", f"\tstd r{t},{i}(r{w})"]
        out += [f"\tlfd f0,24(r{h})", "\tmtfsf 0xff,f0,1,0",                 # FPSCR through f0
                f"\tli r{t},48", f"\tlvx v0,r{h},r{t}", "\tmtvscr v0",             # VSCR through v0
                f"\tld r{t},32(r{h})", f"\tmtspr 256,r{t}"]
        base = HEAD + len(c.mem)
        for j, (n, _) in enumerate(c.vsrs):
            out += [f"\tli r{t},{base + 16 * j}", f"\tlxvd2x {n},r{h},r{t}"]
        out += [f"\tld r{t},8(r{h})", f"\tmtcrf 0xff,r{t}", f"\tli r{t},0", f"\tmtxer r{t}"]
        base += 16 * len(c.vsrs)
        out += [f"\tld r{r},{base + 8 * j}(r{h})" for j, (r, _) in enumerate(c.gprs)]
        out += ["\t" + line.strip() for line in c.text.splitlines()]
        out += [f"\tlis r{h},out{k}@ha", f"\taddi r{h},r{h},out{k}@l"]
        out += [f"\tstd r{r},{HEAD + 8 * j}(r{h})" for j, r in enumerate(c.outs)]
        out += [f"\tmfcr r{t}", f"\tstd r{t},8(r{h})", f"\tmfxer r{t}", f"\tstd r{t},0(r{h})"]
        base = HEAD + _pad16(8 * len(c.outs))
        for j, n in enumerate(c.vouts):
            out += [f"\tli r{t},{base + 16 * j}", f"\tstxvd2x {n},r{h},r{t}"]
        out += ["\tmffs f0", f"\tstfd f0,24(r{h})", "\tmfvscr v0", f"\tli r{t},48", f"\tstvx v0,r{h},r{t}",
                f"\tmfspr r{t},256", f"\tstd r{t},32(r{h})", f"\tlis r{w},{hi}"]
        base += 16 * len(c.vouts)
        for i in range(0, len(c.mem), 8):
            out += [f"\tld r{t},{i}(r{w})", f"\tstd r{t},{base + i}(r{h})"]
        words = [0, c.cr, 0, c.fpscr, c.vrsave, 0, 0, c.vscr]
        words += [int.from_bytes(c.mem[i:i + 8], "big") for i in range(0, len(c.mem), 8)]
        for _, v in c.vsrs:
            words += [v >> 64, v & M64]
        words += [v for _, v in c.gprs] + [0] * (len(c.gprs) % 2)
        data += ["\t.align 4", f"in{k}:", "\t.quad " + ",".join(f"{v & M64:#x}" for v in words)]
        results += ["\t.align 4", f"out{k}:", f"\t.space {_out_size(c)}"]
    out += TRAILER
    return "\n".join(out + data + results + ["results_end:", ""])


def run_qemu(cases: list[VCase], cpu: str = "power7") -> list[VOutcome]:
    raw, res, off = run_program(qemu_program(cases), cpu), [], 0

    def q(at: int) -> int:
        return int.from_bytes(raw[at:at + 8], "big")

    for c in cases:
        off = _pad16(off)                     # each block is quadword aligned (stvx, lvx)
        gprs = {r: q(off + HEAD + 8 * j) for j, r in enumerate(c.outs)}
        base = off + HEAD + _pad16(8 * len(c.outs))
        vsrs = {n: q(base + 16 * j) << 64 | q(base + 16 * j + 8) for j, n in enumerate(c.vouts)}
        base += 16 * len(c.vouts)
        res.append(VOutcome(gprs, vsrs, q(off + 24), q(off + 56) & 0xFFFFFFFF, q(off + 32), q(off + 8),
                            q(off), raw[base:base + len(c.mem)]))
        off += _out_size(c)
    if off != len(raw):
        raise RuntimeError(f"qemu wrote {len(raw)} bytes, expected {off}")
    return res


def run_ours(cases: list[VCase]) -> list[VOutcome]:
    src = "".join(f"c{k}:\n" + "".join(f"\t{line.strip()}\n" for line in c.text.splitlines()) + f"e{k}:\n"
                  for k, c in enumerate(cases)) + "\tnop\n"
    with tempfile.TemporaryDirectory(prefix="ppc-ours-fp-") as tmp:
        path = Path(tmp) / "fp_differential.S"
        path.write_text(src)
        s = Session(str(path), cpu="POWER7")
    clean = s.snapshot()
    res = []
    for k, c in enumerate(cases):
        s.restore(clean)
        for i in range(0, len(c.mem), 8):
            s.set(f"mem64[{WINDOW + i:#x}]", int.from_bytes(c.mem[i:i + 8], "big"))
        for name, v in (("fpscr", c.fpscr), ("vscr", c.vscr), ("vrsave", c.vrsave), ("cr", c.cr), ("xer", 0)):
            s.set(name, v)
        for n, v in c.vsrs:
            s.set(f"vs{n}", v)
        for r, v in c.gprs:
            s.set(f"r{r}", v)
        r = s.run(f"c{k}", journal=False, until=f"e{k}", max_steps=100)
        mem = b"".join(s.get(f"mem64[{WINDOW + i:#x}]").to_bytes(8, "big") for i in range(0, len(c.mem), 8))
        res.append(VOutcome({r: s.get(f"r{r}") for r in c.outs}, {n: s.get(f"vs{n}") for n in c.vouts},
                            s.get("fpscr"), s.get("vscr"), s.get("vrsave"), s.get("cr"), s.get("xer"), mem,
                            "" if r.kind == "stopped" else f"{r.kind}: {r.message}"))
    return res


def mismatches(c: VCase, ours: VOutcome, qemu: VOutcome) -> list[str]:
    diffs = [f"  ours stopped early: {ours.error}"] if ours.error else []
    for r in c.outs:
        if ours.gprs[r] != qemu.gprs[r]:
            diffs.append(f"  r{r}: ours {ours.gprs[r]:#018x} qemu {qemu.gprs[r]:#018x}")
    for n in c.vouts:
        if ours.vsrs[n] != qemu.vsrs[n]:
            diffs.append(f"  vs{n}: ours {ours.vsrs[n]:#034x} qemu {qemu.vsrs[n]:#034x}")
    for name in ("fpscr", "vscr", "vrsave", "cr", "xer"):
        a, b = getattr(ours, name), getattr(qemu, name)
        if a != b:
            diffs.append(f"  {name}: ours {a:#x} qemu {b:#x}")
    if ours.mem != qemu.mem:
        diffs.append(f"  mem[{WINDOW:#x}]: ours {ours.mem.hex()}\n{' ' * 18}qemu {qemu.mem.hex()}")
    if not diffs:
        return []
    ins = " ".join(f"r{r}={v:#x}" for r, v in c.gprs) + " " + " ".join(f"vs{n}={v:#x}" for n, v in c.vsrs)
    head = f"{'; '.join(c.text.splitlines())}\n  in: {ins} fpscr={c.fpscr:#x} vscr={c.vscr:#x} cr={c.cr:#x}"
    return [head + (f"\n  mem: {c.mem.hex()}" if c.mem else ""), *diffs]
