"""Programs of several objects linked into one image (ppcinterp/link), through the CLI and the Session API,
against values derived by hand and against GNU as + GNU ld."""

from __future__ import annotations

from pathlib import Path

from ppcinterp.api import Session

DATA = Path(__file__).resolve().parent / "data" / "link"
CALLER, CALLEE = str(DATA / "caller.S"), str(DATA / "callee.S")


def test_running_a_descriptor_enters_its_code():
    # `add_seven` is an ELFv1 descriptor in .opd; running it runs `.add_seven`, as a call through it would.
    s = Session(CALLEE, kernel_env=False)
    assert s.address_of("add_seven") == s.program.symbols[".add_seven"] == s.program.code_entry("add_seven")
    assert s.program.descriptor("add_seven") == (s.program.symbols[".add_seven"], s.program.toc_base, 0)
    s.set("r2", s.program.toc_base)
    s.set("r3", 5)
    s.set("lr", 0x1234)
    r = s.run("add_seven")
    assert (r.kind, s.get("r3")) == ("no-code", 12), r.message
