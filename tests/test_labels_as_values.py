"""A label is a value wherever a number is (its address, as the code's own LOAD_REG_ADDR loads it): Session.set,
a scenario's [state], a condition; and coverage counts only labels of code, never a buffer's."""

from __future__ import annotations

import pytest

from ppcinterp.api import Session
from ppcinterp.cli import main
from ppcinterp.diagnostics import PpcError
from ppcinterp.study.explore import explore, load_domain

SOURCE = """\
	.text
start:
	ld	r3, 0(r4)
	addi	r3, r3, 1
	std	r3, 0(r4)
	blr
	.data
	.balign 8
buf:
	.quad	41
"""


@pytest.fixture
def src(tmp_path):
    p = tmp_path / "lab.S"
    p.write_text(SOURCE)
    return p


def test_a_label_is_its_address_in_set_and_value(src):
    s = Session(str(src))
    buf = s.program.symbols["buf"]
    s.set("r4", "buf")
    assert s.get("r4") == buf and s.value("&buf") == buf
    s.run("start")
    assert s.get("r3") == 42 and s.get(f"mem64[{buf:#x}]") == 42
    assert s.condition("r4 == buf && r3 == 42")() == 1
    with pytest.raises(PpcError, match="'nosuch' is not a number or a constant of the kernel environment, nor a label"):
        s.set("r4", "nosuch")


def test_a_scenario_sets_a_register_to_a_label(src, capsys):
    sc = src.parent / "lab.toml"
    sc.write_text('source = "lab.S"\nentry = "start"\n[state]\nr4 = "buf"\n[expect]\nexit = "return"\n'
                  '[expect.state]\nr3 = 42\nr4 = "buf"\n')
    assert main(["run", str(sc)]) == 0, capsys.readouterr()
    assert "ok     r3 == 0x2a" in capsys.readouterr().out


def test_coverage_counts_labels_of_code_only(src):
    dom = src.parent / "dom.toml"
    dom.write_text('entry = "start"\ncpus = ["POWER7"]\n[fixed]\nr4 = "buf"\n')
    ex = explore(str(src), load_domain(dom), "start")
    assert ex.coverage.labels == {"start": 1} and ex.coverage.complete
