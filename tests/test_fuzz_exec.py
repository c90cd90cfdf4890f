"""Executed-instruction fuzzing: random valid instruction sequences (from the table test's generator,
tests/insn_gen.py), with loops, calls and branches through LR and CTR, assembled and run through
ppcinterp.api.Session from random registers and memory, journaled and untraced. Nothing but a PpcError may escape,
and every run ends, in one of the known ways, within the CPU bound (tests/fuzzing.py).
"""

from __future__ import annotations

import random

from fuzzing import bounded, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st
from insn_gen import all_mnemonics, hinted, valid_line

from ppcinterp.api import Session
from ppcinterp.diagnostics import PpcError
from ppcinterp.isa.table import INSNS
from ppcinterp.machine.state import SPR_NAMES

# How a run may end (Result.kind).
ENDS = frozenset({"exit", "end-of-hunk", "stopped", "end-of-code", "no-code", "return", "power-save", "trap",
                  "unimplemented", "fault", "step-limit", "vector", "stop"})
RAM, RAM_SIZE = 0x0100_0000, 0x0010_0000      # the machine's scratch RAM
DATA, WINDOW = RAM + 0x8000, 0x1000           # where base registers point, the bytes set there (D-forms stay in RAM)
MAX_STEPS = 3000
BRANCHES = {n for n in all_mnemonics() if hinted(n) or n in ("b", "bl", "ba", "bla", "blr", "blrl", "bctr", "bctrl")}
# The straight-line instructions the generator picks from: all but the branches, which the program places itself.
STRAIGHT = sorted(n for n in all_mnemonics() if n not in BRANCHES and not (n in INSNS and INSNS[n].family == "branch"))
# SPRs moved by number: the ones the machine models (a user program's and the hypervisor's).
SPRS = sorted(SPR_NAMES)
# What ends a run at once (a trap taken, sc, rfid, nap): picked less often, so that most runs go on.
ENDERS = {n for n in STRAIGHT if n.startswith(("tw", "td", "trap", "sc", "rfid", "hrfid", "nap", "sleep", "rvwinkle"))}


def _line(rng: random.Random) -> str:
    name = rng.choice(STRAIGHT)
    while name in ENDERS and rng.random() < 0.85:
        name = rng.choice(STRAIGHT)
    text = valid_line(name, rng)
    if text.startswith(("mtspr ", "mfspr ")):          # an SPR the machine models
        ops = text.split(" ", 1)[1].split(",")
        n = str(rng.choice(SPRS))
        ops[0 if text.startswith("mtspr") else 1] = n
        text = f"{text.split()[0]} {','.join(ops)}"
    return text


def _branch(rng: random.Random, labels: int) -> list[str]:
    """A branch to one of the program's labels (forward, backward: a loop), through LR or CTR, or a call."""
    to = f"L{rng.randrange(labels)}"
    kind = rng.randrange(8)
    r = rng.randint(3, 31)
    if kind == 0:
        return [f"b {to}"]
    if kind == 1:
        return [f"{rng.choice(('beq', 'bne', 'blt', 'bge', 'bso', 'bgt'))}{rng.choice(('', '+', '-'))} "
                f"cr{rng.randrange(8)},{to}"]
    if kind == 2:
        return [rng.choice(("bdnz ", "bdz ", "bdnzt 2,", "bdzf 4*cr1+eq,")) + to]
    if kind == 3:
        return [f"bl {to}"]
    if kind == 4:
        return [f"lis r{r},{to}@ha", f"addi r{r},r{r},{to}@l", f"mt{rng.choice(('ctr', 'lr'))} r{r}",
                rng.choice(("bctr", "bctrl", "blr", "blrl", "beqctr", "bnelr cr1"))]
    if kind == 5:
        return [rng.choice(("blr", "bctr", "beqlr", "bdnzlr"))]          # to wherever LR or CTR points
    if kind == 6:
        return [valid_line(rng.choice(sorted(BRANCHES)), rng)]           # any branch, any target
    return [f"bc {rng.choice((4, 12, 16, 18, 20))},{rng.randrange(32)},{to}"]


def program(rng: random.Random) -> str:
    n = rng.randint(1, 24)
    body = []
    for i in range(n):
        body.append(f"L{i}:")
        body += _branch(rng, n + 1) if rng.random() < 0.3 else [_line(rng)]
    body += [f"L{n}:", "nop"]
    return "".join(ln + "\n" if ln.endswith(":") else f"\t{ln}\n" for ln in body)


def _state(s: Session, rng: random.Random) -> None:
    for r in range(32):       # base registers into the data, offsets within it, anything, edges
        how = rng.randrange(10)
        v = (DATA + rng.randrange(WINDOW) if how < 4 else rng.randrange(WINDOW) if how < 6 else
             rng.getrandbits(64) if how < 9 else rng.choice((0, 1, 2**64 - 1, 0x8000_0000, RAM_SIZE)))
        s.set(f"r{r}", v)
    s.set("ctr", rng.choice((rng.randint(0, 20), rng.getrandbits(64))))
    s.set("lr", rng.choice((DATA + 4 * rng.randrange(WINDOW // 4), rng.getrandbits(64), s.address_of("L0"))))
    s.set("cr", rng.getrandbits(32))
    s.set("xer", rng.getrandbits(32))
    for off in range(0, WINDOW, 8):
        s.set(f"mem64[{DATA + off:#x}]", rng.getrandbits(64))


def build(text: str) -> Session:
    """The program's Session; a line refused (operands valid alone, not together: an update form's RA = RT) is
    replaced by nop and the rest tried again. Any other refusal fails: the generator makes valid programs."""
    lines = text.splitlines(keepends=True)
    while True:
        try:
            return Session("fuzz.S", text="".join(lines), cpu="POWER7")
        except PpcError as e:
            pos = getattr(e, "pos", None)
            line = pos.line if pos is not None and pos.file == "fuzz.S" else 0
            if not 0 < line <= len(lines) or lines[line - 1] in ("\tnop\n",) or lines[line - 1].endswith(":\n"):
                raise AssertionError(f"a generated program refused: {e}\n{''.join(lines)}") from None
            lines[line - 1] = "\tnop\n"


@fuzz_settings(250)
@given(st.randoms(use_true_random=False))
def test_random_programs_run_to_a_known_end(monkeypatch, rng):
    monkeypatch.setenv("PPCINTERP_NO_CACHE", "1")          # a build per example: none worth a disk cache entry
    text = program(rng)
    with bounded(f"the program\n{text}"):
        s = build(text)
        _state(s, rng)
        start = s.snapshot()
        for journal in (True, False):
            s.restore(start)
            try:
                res = s.run("L0", max_steps=MAX_STEPS, journal=journal, path=journal)
            except PpcError:
                continue
            assert res.kind in ENDS, f"run ended as {res.kind!r}: {res.message}\n{text}"
            assert res.steps <= MAX_STEPS + 1, f"{res.steps} steps\n{text}"
