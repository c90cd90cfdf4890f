"""`ppcinterp scenario new FILE --entry E [--source S]`: a commented starter scenario that runs. The entry is run
once from the power-on state, and what it did is written as the expectations, to be made what it should do."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ppcinterp.api import Session
from ppcinterp.diagnostics import PpcError
from ppcinterp.examples import fragment_path
from ppcinterp.study import scenario

HEAD = """\
# A ppcinterp scenario: docs/scenarios.md describes every key, `ppcinterp scenario --schema` prints its JSON
# Schema. Run it with `ppcinterp run {name}`, trace it with `ppcinterp trace {name}`, step through it with
# `ppcinterp debug {name}`.
description = "what this run shows"
{sources}
cpu = {cpu}{cpu_pad}# POWER6, POWER7, POWER8 or PPC970: which way each feature section goes
entry = {entry}{entry_pad}# a label, "hunk N", "line N", "FILE:LINE", "upstream N" or an address
# threads = 2                        # hardware threads of the core: thread[1].r3, paca[1], icp[1]
# max_steps = 100000                 # the run's budget of instructions

[state]                              # the machine before the run, by name (unnamed state is zero)
# r3 = 0x10                          # GPRs, CR fields and bits (cr0.eq), SPRs and their bits (lpcr.mer, msr.ee)
# r4 = "IPI_PRIORITY"                # a constant of the kernel environment, a label's address, "&paca[1]"
# paca.kvm_hstate.host_ipi = 1       # the PACA by field; icp.mfrr, icp.pending = [[0x1234, 5]]; mem64[0x1000000]

# [[events]]                         # state changed the first time the run reaches a point, before it runs
# at = "upstream 725"                # a location, or "step N"
# note = "the host sends an IPI"
# set = {{ "paca.kvm_hstate.host_ipi" = 1 }}

[expect]                             # what the run did when this file was written: make it what it should do
"""


def _quoted(text: str) -> str:
    return json.dumps(text)          # a TOML basic string is a JSON string


def starter(path: Path, entry: str, sources: list[str], cpu: str | None) -> str:
    """The starter's text (the expectations filled in by write())."""
    here = path.resolve().parent
    # relative to the scenario, as the format reads it; absolute where the two share no directory but /
    rel = [_quoted(str(s) if os.path.commonpath([s, here]) == "/" else os.path.relpath(s, here))
           for s in (Path(x).resolve() for x in sources)]
    where = (f"source = {rel[0]}" if len(rel) == 1 else f"sources = [{', '.join(rel)}]")
    where += " " * max(1, 37 - len(where)) + "# a path relative to this file (or absolute)"
    cpu_text, entry_text = _quoted(cpu or "POWER7"), _quoted(entry)
    return HEAD.format(name=path.name, sources=where, cpu=cpu_text, cpu_pad=" " * max(1, 31 - len(cpu_text)),
                       entry=entry_text, entry_pad=" " * max(1, 29 - len(entry_text)))


def default_source() -> str | None:
    """The seed's fragment: the checkout's, or the copy an installed wheel carries."""
    seed = fragment_path()
    return str(seed) if seed is not None else None


def write(path: Path, entry: str, sources: list[str], cpu: str | None, force: bool = False) -> str:
    """Write the starter, run it, and put what the run did in [expect]. Returns the run's message."""
    if path.exists() and not force:
        raise PpcError(f"{path} exists (--force replaces it)")
    session = Session(sources if len(sources) > 1 else sources[0], cpu=cpu)
    try:
        session.address_of(entry)
    except PpcError as e:
        raise PpcError(f"--entry: {e.message}") from None
    text = starter(path, entry, sources, cpu)
    try:
        path.write_text(text)
        result = scenario.run(scenario.load(path), journal=False).result
        said = " ".join(result.message.split())[:200]
        path_line = f"path = {json.dumps(result.path)}\n"
        path.write_text(text + f"exit = {_quoted(result.exit)}\nkind = {_quoted(result.kind)}   # {said}\n"
                        + (path_line if len(result.path) <= 20 else "# " + path_line[:200] + "\n")
                        + f"# steps = {result.steps}\n"
                        + '# [expect.state]                   # state after the run, by name\n# "lpcr.mer" = 1\n')
    except OSError as e:
        raise PpcError(f"cannot write {path}: {e.strerror or e}") from None
    return result.message
