"""An exit's name and kind read the same everywhere: what `run` prints after `exit:`, what trace --json says, and
what [expect] exit and kind accept (a leaf's blr back to the entry's LR is exit `return`, kind `return`)."""

from __future__ import annotations

import json

import pytest

from ppcinterp.cli import main
from ppcinterp.study.keys import KINDS

SOURCE = """\
	.text
leaf:
	li	r3, 1
	blr
wild:
	li	r4, 0x40
	mtctr	r4
	bctr
spin:
	b	spin
bad:
	ld	r3, 0(r0)
	blr
vec:
	ba	0x500
trapper:
	tw	31, 0, 0
"""

CASES = [("leaf", "return", "return"), ("wild", "no-code", "no-code"), ("spin", "step-limit", "step-limit"),
         ("bad", "fault", "fault"), ("vec", "vector 0x500", "vector"), ("trapper", "trap", "trap")]


@pytest.mark.parametrize("entry, exit, kind", CASES)
def test_the_name_and_kind_printed_are_those_expect_takes(tmp_path, capsys, entry, exit, kind):
    (tmp_path / "kinds.S").write_text(SOURCE)
    sc = tmp_path / "s.toml"
    sc.write_text(f'source = "kinds.S"\nentry = "{entry}"\nmax_steps = 1000\n[expect]\nexit = "{exit}"\n'
                  f'kind = "{kind}"\n')
    assert main(["run", str(sc)]) == 0
    out = capsys.readouterr().out
    assert f"exit:  {exit} ({kind}) after " in out
    assert f"ok     exit == {exit}" in out and f"ok     kind == {kind}" in out
    main(["trace", str(sc), "--json"])
    end = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert (end["exit"], end["kind"]) == (exit, kind) and kind in KINDS


def test_a_kind_spelled_as_words_is_refused_with_the_kinds(tmp_path, capsys):
    (tmp_path / "kinds.S").write_text(SOURCE)
    sc = tmp_path / "s.toml"
    sc.write_text('source = "kinds.S"\nentry = "wild"\n[expect]\nkind = "no code"\n')
    assert main(["run", str(sc)]) == 1
    assert "s.toml:4:1: error: unknown kind 'no code' in [expect] (a run ends as one of: exit, end-of-hunk, return," \
        in capsys.readouterr().err
