"""The ICP device on its own: presentation, accept, EOI, CPPR and MFRR as FACTS.md §3 describes them."""

from __future__ import annotations

from ppcinterp.machine.xics import Icp


def icp() -> Icp:
    return Icp(0, 0x1000)


def test_idle_accept_returns_cppr_and_nothing_and_keeps_cppr():
    d = icp()
    v, meaning = d.load(4, 4)
    assert v == 0xFF000000 and d.cppr == 0xFF and "nothing pending" in meaning


def test_ipi_presented_only_when_mfrr_below_cppr():
    d = icp()
    d.store(0xC, 1, 0xFF)
    assert d.presented() is None
    d.store(0x4, 1, 0x04)                 # CPPR 4
    d.store(0xC, 1, 0x04)                 # MFRR 4: not strictly more favoured
    assert d.presented() is None
    d.store(0x4, 1, 0x05)
    assert d.presented() == (2, 4)


def test_poll_has_no_side_effect_and_accept_raises_cppr():
    d = icp()
    d.store(0xC, 1, 4)
    assert d.load(0, 4)[0] == 0xFF000002 and d.cppr == 0xFF
    v, meaning = d.load(4, 4)
    assert v == 0xFF000002 and d.cppr == 4 and meaning == "accept -> 0xff000002 (IPI, CPPR 0xff -> 0x04)"
    assert d.presented() is None          # CPPR now equals MFRR


def test_eoi_restores_cppr_and_the_ipi_reappears_if_mfrr_still_set():
    d = icp()
    d.store(0xC, 1, 4)
    v, _ = d.load(4, 4)
    meaning = d.store(4, 4, v)
    assert d.cppr == 0xFF and d.presented() == (2, 4) and "IPI presented" in meaning


def test_most_favoured_source_wins_and_external_wins_ties():
    d = icp()
    d.raise_source(0x1234, 5)
    d.raise_source(0x99, 3)
    assert d.presented() == (0x99, 3)
    d.store(0xC, 1, 3)
    assert d.presented() == (0x99, 3)     # tie with the IPI: the external source was already pending
    d.store(0xC, 1, 2)
    assert d.presented() == (2, 2)


def test_accepting_an_external_source_removes_it():
    d = icp()
    d.raise_source(0x1234, 5)
    assert d.load(4, 4)[0] == 0xFF001234 and d.pending == () and d.cppr == 5
