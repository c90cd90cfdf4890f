"""The whole instruction table against GNU as: every mnemonic (base forms, their '.', 'o', 'l', 'a' variants, every
extended mnemonic, '+'/'-' hints) with random valid operands, operands at and past their limits, and operand
counts one short and one over. Both assemblers read each line; words must be equal, and a line one refuses the
other must refuse too.

GNU as only warns about some operands (a register of another kind, r0 as a base): there we may refuse, with an
error, what it accepts; if we accept, the words must still be equal.

PPCINTERP_GAS_SEED=N replays a run (each run prints its seed); PPCINTERP_GAS_LINES=N sets the valid lines per
operand list of every mnemonic (default 14).
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import GAS, OBJCOPY, need_gas
from insn_gen import NO_L_COMPARES, POWER8_ONLY, all_mnemonics, edge_lines, hinted, specs, valid_line

from ppcinterp.build import BuildOptions, load_program
from ppcinterp.diagnostics import PpcError

SEED = int(os.environ.get("PPCINTERP_GAS_SEED") or random.randrange(1 << 32))
PER_SPEC = int(os.environ.get("PPCINTERP_GAS_LINES") or 14)
GAS_CHUNK = 5000            # lines per GNU as process
OUR_CHUNK = 80              # valid lines per build of ours (a chunk with an error is built line by line)
BASE = 0x100000             # ours lays line k out at BASE + 4k, GNU as at 4k: relative targets are the same
OPTIONS = BuildOptions(base=BASE, kernel_env=False, patch=None)
# What GNU as only warns about (and assembles anyway); we may refuse it.
LENIENT = re.compile(r"invalid register expression")


# Lines every run has: what a review found us assembling other than GNU as, and their neighbours.
FIXED = ("mtcrf 0x80,r3", "mtcrf 0x81,r3", "mtcrf 0,r3", "mtcrf 1,r31", "mftb r3,268", "mftb r3,269", "mftb r3,270",
         "mftb r3", "mftbl r3", "mftbu r3", "mttbl r3", "mttbu r3", "mtctrl r3", "mfctrl r3", "srwi r3,r4,0",
         "srdi r3,r4,0", "rotrwi r3,r4,0", "rotrdi r3,r4,0", "rotrwi r3,r4,32", "bcctr 16,0", "bcctr 20,0",
         "bcctrl 4,2", "sync 3", "sync 2", "mfocrf r3,0x81", "mfocrf r3,0", "mfocrf r3,0x10", "mtocrf 0x81,r3",
         "mfcr r3,0x80", "mfcr r3,0x81", "rlwinm r3,r4,0,0", "rlwinm r3,r4,0,0x1ffffffff", "lwzu r3,0(r3)",
         "stwu r3,0(r3)", "lmw r3,0(r4)", "lmw r4,0(r3)", "bc+ 7,2,.+8", "bc- 7,2,.+8", "bclr 1,2", "extrwi r3,r4,32,0",
         "extrwi r3,r4,30,2", "inslwi r3,r4,1,0", "tlbie r3,31", "lwarx r3,0,r4,1", "dcbf 0,r4,2", "cmplwi r3,-1")


@dataclass
class Line:
    text: str
    valid: bool                 # generated with valid operands (else an edge or a wrong count)
    gas: int | None = None      # GNU as's word, None if refused
    gas_error: str = ""
    gas_warning: str = ""
    ours: int | None = None
    our_error: str = ""


def generate(rng: random.Random) -> list[Line]:
    lines = [Line(t, False) for t in FIXED]
    for name in all_mnemonics():
        for spec in specs(name):
            lines += [Line(valid_line(name, rng, spec), True) for _ in range(PER_SPEC)]
        edges = edge_lines(name, rng)
        lines += [Line(t, False) for t in rng.sample(edges, min(len(edges), 16))]
        if hinted(name):
            for hint in "+-":
                text = valid_line(name, rng)
                lines.append(Line(text.replace(name, name + hint, 1), True))
    return lines


def _for_gas(text: str) -> str:
    """A line as GNU as reads it: a POWER8 mnemonic (which -mpower7 does not know) under `.machine power8`; a
    compare without L as older GNU as read it (L = 0)."""
    name, _, ops = text.partition(" ")
    if name.rstrip("+-") in POWER8_ONLY:
        return f".machine push; .machine power8; {text}; .machine pop"
    if name in NO_L_COMPARES and ops.count(",") == 2:          # what older GNU as made of it: L = 0
        bf, rest = ops.split(",", 1)
        return f"{name} {bf},0,{rest}"
    return text


def run_gas(lines: list[Line]) -> None:
    """GNU as on every line, each at its own 4-byte slot (`.org`), so a refused line leaves its slot empty."""
    with tempfile.TemporaryDirectory(prefix="ppc-gas-") as tmp:
        for start in range(0, len(lines), GAS_CHUNK):
            chunk = lines[start:start + GAS_CHUNK]
            src, obj, bin_ = (Path(tmp) / n for n in ("t.s", "t.o", "t.bin"))
            src.write_text("".join(f"\t.org {4 * k}; {_for_gas(ln.text)}\n" for k, ln in enumerate(chunk)))
            p = subprocess.run([GAS, "-Z", "-a64", "-mpower7", "-mregnames", str(src), "-o", str(obj)],
                               capture_output=True, text=True)
            for m in re.finditer(r"^[^:\n]*:(\d+): (Error|Warning): (.*)$", p.stderr, re.M):
                ln = chunk[int(m.group(1)) - 1]
                if m.group(2) == "Error":
                    ln.gas_error = ln.gas_error or m.group(3)
                else:
                    ln.gas_warning = ln.gas_warning or m.group(3)
            subprocess.run([OBJCOPY, "-O", "binary", "--only-section=.text", str(obj), str(bin_)], check=True)
            data = bin_.read_bytes().ljust(4 * len(chunk), b"\0")
            for k, ln in enumerate(chunk):
                if not ln.gas_error:
                    ln.gas = int.from_bytes(data[4 * k:4 * k + 4], "big")


def _assemble(text: str) -> dict[int, int]:
    return {a - BASE: i.word for a, i in load_program("table.S", OPTIONS, text=text).insns.items()}


def run_ours(lines: list[Line]) -> None:
    """Our assembler on every line: valid lines a chunk at a time, anything in a chunk that fails alone."""
    singles: list[Line] = []
    valid = [ln for ln in lines if ln.valid]
    for start in range(0, len(valid), OUR_CHUNK):
        chunk = valid[start:start + OUR_CHUNK]
        try:
            words = _assemble("".join(f"\t{ln.text}\n" for ln in chunk))
        except PpcError:
            singles += chunk
            continue
        for k, ln in enumerate(chunk):
            ln.ours = words[4 * k]
    for ln in singles + [ln for ln in lines if not ln.valid]:
        try:
            ln.ours = _assemble(f"\t{ln.text}\n")[0]
        except PpcError as e:
            ln.our_error = str(e).splitlines()[0]


@pytest.fixture(scope="module")
def table_lines() -> list[Line]:
    need_gas()
    rng = random.Random(SEED)
    lines = generate(rng)
    mp = pytest.MonkeyPatch()
    mp.setenv("PPCINTERP_NO_CACHE", "1")           # thousands of one-line builds: none worth keeping
    try:
        with ThreadPoolExecutor(1) as pool:
            gas = pool.submit(run_gas, lines)
            run_ours(lines)
            gas.result()
    finally:
        mp.undo()
    print(f"PPCINTERP_GAS_SEED={SEED}: {len(lines)} lines")
    return lines


def _report(what: str, bad: list[str]) -> str:
    return f"{what} (PPCINTERP_GAS_SEED={SEED} replays this run), {len(bad)} lines:\n" + "\n".join(bad[:60])


def test_words_equal_gnu_as(table_lines: list[Line]):
    bad = [f"  {ln.text:40} ours {ln.ours:08x} gas {ln.gas:08x}" for ln in table_lines
           if ln.ours is not None and ln.gas is not None and ln.ours != ln.gas]
    assert not bad, _report("words differ from GNU as", bad)


def test_accepts_and_refuses_what_gnu_as_does(table_lines: list[Line]):
    bad = []
    for ln in table_lines:
        if ln.gas_error and ln.ours is not None:
            bad.append(f"  {ln.text:40} GNU as refuses ({ln.gas_error}), we accept ({ln.ours:08x})")
        elif ln.gas is not None and ln.our_error and not LENIENT.search(ln.gas_warning):
            bad.append(f"  {ln.text:40} GNU as accepts ({ln.gas:08x}), we refuse ({ln.our_error})")
    assert not bad, _report("acceptance differs from GNU as", bad)


def test_every_mnemonic_assembled_by_both(table_lines: list[Line]):
    """Each mnemonic (and each hint) had at least one line both assembled, so its words were compared."""
    done = {ln.text.split()[0] for ln in table_lines if ln.ours is not None and ln.gas is not None}
    missing = sorted(set(all_mnemonics()) - done)
    assert not missing, f"never assembled by both (PPCINTERP_GAS_SEED={SEED}): {missing}"
    assert any(t.endswith(("+", "-")) for t in done)
