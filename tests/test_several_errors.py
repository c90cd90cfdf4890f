"""Every assembler error of a file, as a compiler reports them: each line that does not parse, each statement pass
1 refuses and each operand pass 2 refuses, in the file's order with its caret, then how many (at most 20)."""

from __future__ import annotations

from ppcinterp.cli import main


def _check(capsys, tmp_path, text: str) -> tuple[int, str]:
    p = tmp_path / "bad.S"
    p.write_text(text)
    status = main(["check", str(p)])
    return status, capsys.readouterr().err


def test_every_error_of_pass_1_and_the_parser_in_order(capsys, tmp_path):
    status, err = _check(capsys, tmp_path, "\tli r3, 1\n\tlwzcix r3,r5\n\tfoo r1\n\tnop\n\t)(\n\tnop\na:\na:\n")
    assert status == 1
    heads = [line.split(": error: ")[0].rsplit(":", 2)[1:] for line in err.splitlines() if ": error: " in line]
    assert heads == [["2", "2"], ["3", "2"], ["5", "2"], ["8", "1"]], err
    assert "'lwzcix' takes 3 operands" in err and "unknown instruction 'foo'" in err
    assert "syntax error at ')'" in err and "symbol 'a' is already defined" in err
    assert err.count("^") == 5 and "bad.S:7:1: note: previous definition is here" in err      # 4 errors, 1 note
    assert err.rstrip().endswith("4 errors")


def test_every_operand_error_of_pass_2(capsys, tmp_path):
    status, err = _check(capsys, tmp_path, "\taddi r3, r3, 0x10000\n\tnop\n\tli r4, 0x12345\n")
    assert status == 1 and "bad.S:1:15: error: operand out of range" in err and "bad.S:3:9: error: operand" in err
    assert err.rstrip().endswith("2 errors")


def test_at_most_twenty_errors(capsys, tmp_path):
    status, err = _check(capsys, tmp_path, "".join(f"\tbogus{i} r3\n" for i in range(30)))
    assert status == 1 and err.count(": error: ") == 20 and "bogus19" in err and "bogus20" not in err
    assert err.rstrip().endswith("20 errors: ppcinterp stops at 20")


def test_one_error_reads_as_before(capsys, tmp_path):
    status, err = _check(capsys, tmp_path, "\tnop\n\tfoo r1\n")
    assert status == 1 and err.count(": error: ") == 1 and "errors" not in err and err.rstrip().endswith("^")
