"""QEMU as an independent semantics oracle: run a batch of cases (an instruction or a few lines) under qemu-ppc64
and under our interpreter, from the same inputs, and return what each left in the registers, CR, XER, CTR, LR
and memory.

One GNU as program holds a whole batch, so a batch costs one assembly, one link and one qemu process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ppcinterp.api import Session

if TYPE_CHECKING:
    from ppcinterp.machine.names import Ref  # what Session.ref returns

GAS = "powerpc64-linux-gnu-as"
LD = "powerpc64-linux-gnu-ld"
QEMU = "qemu-ppc64"
QEMU_CPU = "power7"      # the interpreter's default CPU; also keeps ISA 3.0's XER[OV32,CA32] out of the way
WINDOW = 0x0100_0000     # memory the cases load and store: our scratch RAM, and a section QEMU's program maps there
HEAD = 32                # each case's input and output block starts with XER, CR, CTR, LR (8 bytes each)
M64 = (1 << 64) - 1


@dataclass(frozen=True)
class Case:
    text: str                                # the instruction (or a few lines), as both assemblers read it
    gprs: tuple[tuple[int, int], ...]        # input registers: (number, value)
    outs: tuple[int, ...]                    # registers compared afterwards (inputs and results)
    xer: int = 0
    cr: int = 0
    ctr: int = 0
    mem: bytes = b""                         # the window's bytes before (a multiple of 8); compared after
    lr: int = 0
    rel: tuple[str, ...] = ()                # "lr", "ctr": compared as offsets from the case's first instruction
                                             # (the case leaves an address of its own code there)


@dataclass
class Outcome:
    gprs: dict[int, int]
    cr: int
    xer: int
    ctr: int
    mem: bytes
    lr: int = 0
    error: str = ""                          # our run stopped before reaching the end of the case
    disagreement: str = ""                   # (both) how the journaled runs, blocks and single-stepping, differed


def need_qemu() -> None:
    """The QEMU oracle's tools; CI installs them, so there a missing tool fails instead of skipping."""
    missing = [t for t in (GAS, LD, QEMU) if shutil.which(t) is None]
    if missing:
        msg = f"{', '.join(missing)} not installed (Debian: binutils-powerpc64-linux-gnu, qemu-user)"
        if os.environ.get("CI"):
            pytest.fail(msg + "; .ci/run must install them")
        pytest.skip(msg)


# ---------------------------------------------------------------- QEMU

def _harness_regs(case: Case) -> tuple[int, int, int]:
    """Three registers the case leaves alone: H points at its data, W at the window, T carries values.
    r0 is never one of them (as a base register it reads as 0)."""
    used = {r for r, _ in case.gprs} | set(case.outs)
    free = [r for r in range(31, 0, -1) if r not in used]
    if len(free) < 3:
        raise ValueError(f"case '{case.text}' leaves fewer than 3 registers for the harness")
    return free[0], free[1], free[2]


def _out_size(case: Case) -> int:
    return HEAD + 8 * len(case.outs) + len(case.mem)


def qemu_program(cases: list[Case]) -> str:
    """A GNU as program that runs every case in turn and writes all their outputs to stdout."""
    hi = WINDOW >> 16
    assert WINDOW & 0xFFFF == 0
    # ELFv1 (big-endian ppc64): the ELF entry point is a function descriptor in .opd, from which Linux and
    # QEMU read the code address (and TOC, unused here). ld wants the TOC slot relocated like a compiler's.
    out = ['\t.section ".opd","aw"', "\t.align 3", "\t.globl _start", "_start:",
           "\t.quad .Lentry, .TOC.@tocbase, 0",
           '\t.section .scratch,"aw",@nobits', "\t.align 12", "\t.space 4096",
           "\t.text", ".Lentry:"]
    data = ["\t.data", "\t.align 3"]
    results = ["\t.align 3", "results:"]
    for k, c in enumerate(cases):
        if len(c.mem) % 8:
            raise ValueError("a case's memory window is a multiple of 8 bytes")
        h, w, t = _harness_regs(c)
        nmem = len(c.mem) // 8
        ins = dict(c.gprs)
        out.append(f"# case {k}: {c.text.splitlines()[0]}")
        # No reservation is left from the case before (a store conditional to the case's own input, which fails).
        out += [f"\tlis r{h},in{k}@ha", f"\taddi r{h},r{h},in{k}@l", f"\tstdcx. r{h},0,r{h}", f"\tlis r{w},{hi}"]
        for i in range(nmem):
            out += [f"\tld r{t},{HEAD + 8 * i}(r{h})", f"\tstd r{t},{8 * i}(r{w})"]
        out += [f"\tld r{t},0(r{h})", f"\tmtxer r{t}", f"\tld r{t},8(r{h})", f"\tmtcrf 0xff,r{t}",
                f"\tld r{t},16(r{h})", f"\tmtctr r{t}", f"\tld r{t},24(r{h})", f"\tmtlr r{t}"]
        base = HEAD + len(c.mem)
        out += [f"\tld r{r},{base + 8 * j}(r{h})" for j, r in enumerate(ins)]
        out.append(f"c{k}:")
        out += ["\t" + line.strip() if not line.strip().endswith(":") else line.strip()
                for line in c.text.splitlines()]
        out += [f"\tlis r{h},out{k}@ha", f"\taddi r{h},r{h},out{k}@l"]
        out += [f"\tstd r{r},{HEAD + 8 * j}(r{h})" for j, r in enumerate(c.outs)]
        out += [f"\tmfcr r{t}", f"\tstd r{t},8(r{h})", f"\tmfxer r{t}", f"\tstd r{t},0(r{h})"]
        for reg, at in (("ctr", 16), ("lr", 24)):
            out.append(f"\tmf{reg} r{t}")
            if reg in c.rel:
                out += [f"\tlis r{w},c{k}@ha", f"\taddi r{w},r{w},c{k}@l", f"\tsubf r{t},r{w},r{t}"]
            out.append(f"\tstd r{t},{at}(r{h})")
        out.append(f"\tlis r{w},{hi}")
        base = HEAD + 8 * len(c.outs)
        for i in range(nmem):
            out += [f"\tld r{t},{8 * i}(r{w})", f"\tstd r{t},{base + 8 * i}(r{h})"]
        words = [c.xer, c.cr, c.ctr, c.lr, *(int.from_bytes(c.mem[i:i + 8], "big") for i in range(0, len(c.mem), 8)),
                 *ins.values()]
        data += [f"in{k}:", "\t.quad " + ",".join(f"{v & (2**64 - 1):#x}" for v in words)]
        results += [f"out{k}:", f"\t.space {_out_size(c)}"]
    out += TRAILER
    return "\n".join(out + data + results + ["results_end:", ""])


# write(1, results, results_end - results); exit(0): every harness program ends so.
TRAILER = ["\tli r0,4", "\tli r3,1", "\tlis r4,results@ha", "\taddi r4,r4,results@l",
           "\tlis r5,(results_end-results)@ha", "\taddi r5,r5,(results_end-results)@l", "\tsc",
           "\tli r0,1", "\tli r3,0", "\tsc"]


def run_program(text: str, cpu: str = QEMU_CPU) -> bytes:
    """Assemble and link a harness program with GNU's tools, run it under qemu-ppc64 (-cpu `cpu`), return what it
    wrote."""
    with tempfile.TemporaryDirectory(prefix="ppc-qemu-") as tmp:
        d = Path(tmp)
        (d / "t.s").write_text(text)
        _tool([GAS, "-a64", "-mpower7", "-mregnames", "t.s", "-o", "t.o"], d)
        # The scratch section sits at the window's address, the same address the interpreter's RAM has.
        _tool([LD, "-static", f"--section-start=.scratch={WINDOW:#x}", "t.o", "-o", "t"], d)
        p = subprocess.run([QEMU, "-cpu", cpu, str(d / "t")], capture_output=True, timeout=120)
    if p.returncode:            # a signal (negative) means an instruction QEMU refused, or a harness fault
        raise RuntimeError(f"{QEMU} exited with {p.returncode}: {p.stderr.decode(errors='replace')[-2000:]}")
    return p.stdout


def run_qemu(cases: list[Case]) -> list[Outcome]:
    raw = run_program(qemu_program(cases))
    want = sum(_out_size(c) for c in cases)
    if len(raw) != want:
        raise RuntimeError(f"qemu wrote {len(raw)} bytes, expected {want}")
    res, off = [], 0
    for c in cases:
        xer, cr, ctr, lr, *gprs = (int.from_bytes(raw[off + i:off + i + 8], "big")
                                   for i in range(0, HEAD + 8 * len(c.outs), 8))
        mem_at = off + HEAD + 8 * len(c.outs)
        res.append(Outcome(dict(zip(c.outs, gprs, strict=True)), cr, xer, ctr, raw[mem_at:mem_at + len(c.mem)], lr))
        off += _out_size(c)
    return res


def _tool(cmd: list[str], cwd: Path) -> None:
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{p.stderr[-4000:]}")


# ---------------------------------------------------------------- ours

def run_ours(cases: list[Case], both: bool = False) -> list[Outcome]:
    """The same cases through the public API: one source for the batch, case N between labels cN and eN.
    Each run stops at eN (`until`), so exactly the case's own instructions run, whatever path they take.

    The outcome is the untraced run's (compiled blocks). both: each case also runs journaled with blocks and
    with every instruction through its closure (Engine.use_blocks False); their journals and Results must be
    identical and their final state the untraced run's, or `disagreement` says how they differ."""
    src = "".join(f"c{k}:\n" + "".join(f"\t{line.strip()}\n" if not line.strip().endswith(":") else
                                       f"{line.strip()}\n" for line in c.text.splitlines()) + f"e{k}:\n"
                  for k, c in enumerate(cases)) + "\tnop\n"        # the last eN must be an instruction's address
    old = os.environ.get("PPCINTERP_NO_CACHE")
    os.environ["PPCINTERP_NO_CACHE"] = "1"           # a batch is built once: not worth a disk cache entry
    try:
        s = Session("differential.S", text=src, cpu="POWER7")
    finally:
        if old is None:
            del os.environ["PPCINTERP_NO_CACHE"]
        else:
            os.environ["PPCINTERP_NO_CACHE"] = old
    clean = s.snapshot()
    refs: dict[str, Ref] = {}
    res = []
    for k, c in enumerate(cases):
        out, _ = _run_case(s, refs, clean, k, c, journal=False, blocks=True)
        if both:
            (blocked, b_run), (single, s_run) = (_run_case(s, refs, clean, k, c, journal=True, blocks=b)
                                                 for b in (True, False))
            out.disagreement = disagreement(out, blocked, single, b_run, s_run)
        res.append(out)
    return res


def _run_case(s: Session, refs: dict[str, Ref], clean: tuple, k: int, c: Case, *, journal: bool,
              blocks: bool) -> tuple[Outcome, tuple]:
    """One case from the clean state: its outcome, and the run (Result fields, the journal's steps). State goes
    by name, each name resolved once a batch (Session.ref)."""
    def ref(name: str) -> Ref:
        r = refs.get(name)
        if r is None:
            r = refs[name] = s.ref(name)
        return r

    s.restore(clean)
    for r, v in c.gprs:
        ref(f"r{r}").set(v)
    for name in ("xer", "cr", "ctr", "lr"):
        ref(name).set(getattr(c, name))
    for i in range(0, len(c.mem), 8):
        ref(f"mem64[{WINDOW + i:#x}]").set(int.from_bytes(c.mem[i:i + 8], "big"))
    s.engine.use_blocks = blocks              # this engine only (the class attribute stays as it is)
    try:
        res = s.run(f"c{k}", journal=journal, until=f"e{k}", max_steps=100)
    finally:
        del s.engine.use_blocks
    mem = b"".join(ref(f"mem64[{WINDOW + i:#x}]").get().to_bytes(8, "big") for i in range(0, len(c.mem), 8))
    start = s.address_of(f"c{k}") if c.rel else 0
    ctr, lr = ((ref(n).get() - (start if n in c.rel else 0)) & M64 for n in ("ctr", "lr"))
    out = Outcome({r: ref(f"r{r}").get() for r in c.outs}, ref("cr").get(), ref("xer").get(), ctr, mem, lr,
                  "" if res.kind == "stopped" else f"{res.kind}: {res.message}")
    fields = (res.exit, res.kind, res.steps, res.message, res.pc, res.path, res.decisions, res.pcs)
    return out, (fields, list(res.journal) if journal else None)


def disagreement(untraced: Outcome, blocked: Outcome, single: Outcome, b_run: tuple, s_run: tuple) -> str:
    """How the journaled runs (blocks, single-stepping) differ from each other or from the untraced run's state;
    empty when they agree."""
    out = []
    if b_run[0] != s_run[0]:
        out.append(f"  Result: blocks {b_run[0]} single-stepping {s_run[0]}")
    bs, ss = b_run[1], s_run[1]
    if bs != ss:
        i = next((i for i, (a, b) in enumerate(zip(bs, ss, strict=False)) if a != b), min(len(bs), len(ss)))
        out.append(f"  journal ({len(bs)} vs {len(ss)} steps) differs at step {i}:\n"
                   f"    blocks          {bs[i] if i < len(bs) else '(none)'}\n"
                   f"    single-stepping {ss[i] if i < len(ss) else '(none)'}")
    for name, o in (("journaled blocks", blocked), ("journaled single-stepping", single)):
        if o != untraced:
            out.append(f"  final state of the {name} run: {o} (untraced: {untraced})")
    return "\n".join(out)
