"""A huge source ends in a positioned error within seconds, before it is parsed: the preprocessor bounds the
characters of one file, the lines it reads in all (the #included ones too) and the lines of assembly it writes.
Before these bounds a file of 200,000 `nop` lines was preprocessed, parsed and half assembled (9 s) before the
assembler's statement bound stopped it, and a file ten times larger took minutes."""

from __future__ import annotations

import pytest
from test_limits import quick

from ppcinterp import cli
from ppcinterp.build import BuildOptions, load_program
from ppcinterp.diagnostics import SourceError
from ppcinterp.source import preprocess

BARE = BuildOptions(kernel_env=False)


def _error(path) -> SourceError:
    with pytest.raises(SourceError) as e:
        load_program(str(path), BARE)
    return e.value


def test_too_many_lines_of_assembly_stop_at_the_first_line_past_the_bound(tmp_path, capsys):
    n = preprocess.MAX_OUTPUT_LINES
    path = tmp_path / "big.S"
    path.write_text("\t.text\n" + "\tnop\n" * (n + 5000))
    with quick("preprocessing up to the bound", 10.0):
        status = cli.main(["check", str(path), "--no-kernel-env", "--no-cache"])
    err = capsys.readouterr().err
    assert status == 1
    # output line n + 1 is file line n + 1 (the .text line is the first)
    assert f"big.S:{n + 1}:2: error: this file makes more than {n:,} lines of assembly" in err
    assert "Traceback" not in err


def test_the_bound_counts_lines_of_assembly_not_blank_lines_or_directives(tmp_path, monkeypatch):
    monkeypatch.setattr(preprocess, "MAX_OUTPUT_LINES", 20)
    ok = tmp_path / "ok.S"
    ok.write_text("\t.text\n" + "\n#define X 1\n/* c */\n" * 100 + "\tnop\n" * 19)
    assert len(load_program(str(ok), BARE).insns) == 19
    (tmp_path / "more.S").write_text("\t.text\n" + "\tnop\n" * 25)
    e = _error(tmp_path / "more.S")
    assert (e.pos.line, e.pos.col) == (21, 2)


def test_lines_read_count_every_included_file_and_name_where_the_bound_falls(tmp_path, monkeypatch):
    monkeypatch.setattr(preprocess, "MAX_LINES_READ", 100)
    (tmp_path / "a.h").write_text("/* header */\n" * 60)
    (tmp_path / "main.S").write_text('#include "a.h"\n#include "a.h"\n\t.text\n\tnop\n')
    e = _error(tmp_path / "main.S")
    assert "reads more than 100 lines in all (with every #include)" in e.message
    # main.S's 4 lines and the first a.h's 60 are read: the second a.h's line 37 is the 101st
    assert (e.pos.file.endswith("a.h"), e.pos.line) == (True, 37)
    (tmp_path / "small.S").write_text('#include "a.h"\n\t.text\n\tnop\n')
    assert len(load_program(str(tmp_path / "small.S"), BARE).insns) == 1


def test_a_file_too_large_to_read_is_refused_by_its_size(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(preprocess, "MAX_SOURCE_BYTES", 1000)
    (tmp_path / "big.h").write_text("/*" + "x" * 2000 + "*/\n")
    (tmp_path / "main.S").write_text('\t.text\n#include "big.h"\n\tnop\n')
    e = _error(tmp_path / "main.S")
    assert "big.h' is 2,005 bytes: larger than the 1,000 ppcinterp reads from one source file" in e.message
    assert (e.pos.file.endswith("main.S"), e.pos.line) == (True, 2)       # at the #include that reads it
    big = tmp_path / "top.S"
    big.write_text("\tnop\n" * 300)
    assert cli.main(["check", str(big), "--no-kernel-env", "--no-cache"]) == 1
    assert "top.S' is 1,500 bytes" in capsys.readouterr().err


def test_text_given_through_the_api_is_bounded_too(tmp_path, monkeypatch):
    monkeypatch.setattr(preprocess, "MAX_SOURCE_BYTES", 1000)
    with pytest.raises(SourceError, match="characters: more than the 1,000"):
        load_program(str(tmp_path / "given.S"), BARE, text="\tnop\n" * 300)
