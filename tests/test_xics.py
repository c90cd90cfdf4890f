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


# ---- ties: what is already presented stays; a newcomer must be strictly more favoured (FACTS.md §3, QEMU's
# icp_irq, KVM's icp_try_to_deliver). Each sequence below is worked out by hand from those rules.

XIRR_OFF, MFRR_OFF = 0x4, 0xC


def accept(d: Icp) -> int:
    return d.load(XIRR_OFF, 4)[0]


def test_a_device_interrupt_tying_with_the_presented_ipi_is_rejected_and_stays_pending():
    d = icp()
    d.store(MFRR_OFF, 1, 4)               # the IPI is presented at 4
    d.raise_source(0x1234, 4)             # a device arrives later at 4: not more favoured, rejected
    assert d.presented() == (2, 4) and d.pending == ((0x1234, 4),)
    assert d.load(0, 4)[0] == 0xFF000002
    assert accept(d) == 0xFF000002 and d.cppr == 4
    assert d.presented() is None          # the device at 4 is not more favoured than CPPR 4
    d.store(MFRR_OFF, 1, 0xFF)            # Linux's IPI handler: clear MFRR, then EOI
    d.store(XIRR_OFF, 4, 0xFF000002)
    assert d.presented() == (0x1234, 4)   # the rejected device is presented again
    assert accept(d) == 0xFF001234 and d.cppr == 4 and d.pending == ()


def test_a_strictly_more_favoured_device_replaces_the_presented_ipi():
    d = icp()
    d.store(MFRR_OFF, 1, 4)
    d.raise_source(0x1234, 3)
    assert accept(d) == 0xFF001234 and d.cppr == 3
    d.store(XIRR_OFF, 4, 0xFF001234)      # EOI: the IPI (MFRR still 4) is presented again
    assert accept(d) == 0xFF000002 and d.cppr == 4


def test_an_mfrr_write_tying_with_a_presented_device_leaves_the_device():
    d = icp()
    d.raise_source(0x1234, 5)
    d.store(MFRR_OFF, 1, 5)
    assert accept(d) == 0xFF001234 and d.cppr == 5
    d.store(XIRR_OFF, 4, 0xFF001234)
    assert accept(d) == 0xFF000002 and d.cppr == 5


def test_with_nothing_presented_the_ipi_goes_first_on_a_tie():
    d = icp()
    d.store(XIRR_OFF, 1, 0x00)            # CPPR 0: nothing can be presented
    d.raise_source(0x1234, 4)
    d.store(MFRR_OFF, 1, 4)
    assert d.presented() is None
    d.store(XIRR_OFF, 1, 0xFF)            # CPPR lowered: the MFRR is checked before the sources resend
    assert accept(d) == 0xFF000002


def test_raising_cppr_rejects_what_is_presented_and_lowering_it_presents_again():
    d = icp()
    d.store(MFRR_OFF, 1, 4)
    d.raise_source(0x1234, 6)
    d.store(XIRR_OFF, 1, 0x04)            # CPPR 4: neither is more favoured
    assert d.presented() is None and d.load(0, 4)[0] == 0x04000000
    d.store(XIRR_OFF, 1, 0x05)
    assert d.presented() == (2, 4)
    d.store(MFRR_OFF, 1, 7)               # MFRR changed: re-evaluated; nothing below CPPR 5
    assert d.presented() is None
    d.store(XIRR_OFF, 1, 0xFF)
    assert d.presented() == (0x1234, 6)   # 6 is more favoured than the IPI at 7


def test_a_presented_device_stays_when_another_ties_with_it():
    d = icp()
    d.raise_source(0x99, 5)
    d.raise_source(0x11, 5)               # a lower number, but later: rejected
    assert accept(d) == 0xFF000099
    d.store(XIRR_OFF, 4, 0xFF000099)
    assert accept(d) == 0xFF000011


def test_the_tie_through_a_session(tmp_path):
    from ppcinterp.api import Session
    src = tmp_path / "t.S"
    src.write_text("start:\n\tlwzcix r3, r5, r6\n\tstbcix r7, r5, r8\n"
                   "\tstwcix r3, r5, r6\n\tlwzcix r4, r5, r6\n\tnop\n")
    s = Session(str(src))
    for name, v in [("r5", "&icp[0]"), ("r6", 4), ("r7", 0xFF), ("r8", 0xC), ("icp.mfrr", 4),
                    ("icp.pending", [(0x1234, 4)])]:
        s.set(name, v)
    assert s.get("icp.xirr") == 0xFF000002          # the IPI was presented first: the device waits
    before = s.machine.icps[0].state()
    r = s.run("start")
    assert r.kind != "fault" and (s.get("r3"), s.get("r4")) == (0xFF000002, 0xFF001234)
    while r.journal.undo_last(s.machine):            # the journal puts back what it presented too
        pass
    assert s.machine.icps[0].state() == before


# ---- placement: the ICPs where a scenario, a Session or the command line puts them (xics_phys follows)

def _stash_scenario(tmp_path, extra: str = "") -> str:
    from conftest import FRAGMENT
    p = tmp_path / "placed.toml"
    p.write_text(f'source = "{FRAGMENT}"\nentry = "hunk 3"\n{extra}[state]\nr12 = "BOOK3S_INTERRUPT_EXTERNAL"\n'
                 'icp.pending = [[0x1234, 5]]\n[expect]\nexit = "ext_interrupt_to_host"\n[expect.state]\n'
                 '"paca.kvm_hstate.saved_xirr" = 0xff001234\n"paca.kvm_hstate.xics_phys" = 0x100000000\n')
    return str(p)


def test_the_handler_reaches_an_icp_placed_at_4_gib(tmp_path, capsys):
    import json

    from ppcinterp.cli import main
    path = _stash_scenario(tmp_path, "icp_base = 0x100000000\nthreads = 2\n")
    assert main(["run", path]) == 0, capsys.readouterr()
    capsys.readouterr()
    assert main(["trace", path, "--json"]) == 0
    mmio = [m for line in capsys.readouterr().out.splitlines() for m in json.loads(line).get("mmio", [])]
    assert [(m["device"], m["addr"], m["store"]) for m in mmio] == [("icp[0]", 0x100000004, False)]


def test_the_command_line_places_the_icps_for_run_trace_interleave_and_debug(tmp_path, capsys):
    from ppcinterp.cli import main
    path = _stash_scenario(tmp_path)
    for command in ("run", "trace", "interleave"):
        assert main([command, path, "--icp-base", "0x100000000"]) == 0, (command, capsys.readouterr())
    assert main(["run", path]) == 1                  # elsewhere by default: xics_phys is not 0x100000000
    capsys.readouterr()
    assert main(["debug", path, "--icp-base", "0x100000000", "--batch", "-ex", "info icp"]) == 0
    assert "icp[0] at 0x100000000:" in capsys.readouterr().out


def test_a_session_derives_each_threads_icp_and_xics_phys_from_icp_base():
    from conftest import FRAGMENT

    from ppcinterp.api import Session
    s = Session(str(FRAGMENT), threads=3, icp_base=0x100000000)
    assert [s.value(f"&icp[{i}]") for i in range(3)] == [0x100000000, 0x100001000, 0x100002000]
    assert [s.get(f"paca[{i}].kvm_hstate.xics_phys") for i in range(3)] == [0x100000000, 0x100001000, 0x100002000]
    s.reset()
    assert s.get("paca[2].kvm_hstate.xics_phys") == 0x100002000


def test_a_wrong_placement_is_a_clear_error(tmp_path, capsys):
    import pytest
    from conftest import FRAGMENT

    from ppcinterp.api import Session
    from ppcinterp.cli import main
    from ppcinterp.diagnostics import PpcError
    for base, message in [(0x1000000, "the ICP pages at icp_base 0x1000000 (to 0x1000fff, one per thread) overlap"),
                          (0x100000800, "icp_base 0x100000800 is not a 4 KiB-aligned address"),
                          (0x100000, "the program's section .text overlaps")]:
        with pytest.raises(PpcError, match=message.replace("(", r"\(").replace(")", r"\)")):
            Session(str(FRAGMENT), icp_base=base)
    path = _stash_scenario(tmp_path, "icp_base = 0x1000000\n")
    assert main(["run", path]) == 1
    err = capsys.readouterr().err
    assert f"{path}:3:1: error: the ICP pages at icp_base 0x1000000" in err and "overlap" in err and "ram" in err
    assert main(["run", _stash_scenario(tmp_path, "icp_base = 0xfffffffffffff000\nthreads = 2\n")]) == 1
    assert "is not a 4 KiB-aligned address with room for 2 ICP pages" in capsys.readouterr().err
    assert main(["run", _stash_scenario(tmp_path), "--icp-base", "0x2000000"]) == 1
    assert "overlap" in capsys.readouterr().err
