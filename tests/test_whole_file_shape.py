"""The whole upstream file's shapes on a file of our own: GNU cpp + GNU as make the same .text words, and
symbols left to other objects are declared, assumed with a warning, or an error, as externs.py says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GAS, ROOT, need_cpp, need_gas, ppc

sys.path.insert(0, str(ROOT / "tools"))
import gas_compare  # noqa: E402

from ppcinterp.build import BuildOptions, build_image, load_program  # noqa: E402

SHAPE = ROOT / "tests" / "data" / "whole_file_shape.S"
ENV = ROOT / "asm" / "include"


def gnu_object(src: Path, tmp: Path, config: str = "pseries_defconfig") -> Path:
    """Preprocess our environment and the file with GNU cpp, as kbuild would, and assemble with GNU as."""
    need_cpp()
    pre = subprocess.run(["cpp", "-undef", "-nostdinc", "-P", "-D__ASSEMBLY__", "-I", str(ENV / "config" / config),
                          "-I", str(ENV), "-include", "ppcinterp/env.h", str(src)],
                         check=True, capture_output=True, text=True).stdout
    (tmp / "f.s").write_text(pre)
    subprocess.run([GAS, "-a64", "-mpower7", "-maltivec", "-mregnames", str(tmp / "f.s"), "-o", str(tmp / "f.o")],
                   check=True, capture_output=True, text=True)
    return tmp / "f.o"


def test_shape_words_equal_gnu_as(tmp_path):
    need_gas()
    words, masked, bad, report = gas_compare.compare(str(gnu_object(SHAPE, tmp_path)), str(SHAPE), BuildOptions())
    assert bad == 0, "\n".join(report)
    assert words == 93 and masked >= 4          # bl/b to other objects, @got, @toc, the table's offset


def test_externs_code_and_data():
    p = load_program(str(SHAPE))
    assert {n: (x.code, x.how) for n, x in p.externs.items()} == {
        ".shape_c_helper": (True, "pragma"), "shape_lock": (False, "pragma"), "shape_far_away": (True, "assumed")}
    assert [m for m, _ in p.warnings] == [
        "'shape_far_away' is not defined in this file; assuming another object defines it (declare it with "
        ".extern shape_far_away or --extern shape_far_away)"]
    # The lock is memory of its own; the .toc entry and the GOT entry hold real addresses.
    lock = p.externs["shape_lock"].addr
    toc = p.sections[".toc"]
    assert int.from_bytes(toc.data[:8], "big") == lock and p.section_of(lock).name == "extern data"
    got = p.sections[".got"]
    assert int.from_bytes(got.data[:8], "big") == p.symbols["shape_table"]
    assert p.toc_base == got.base + 0x8000
    # The .opd descriptor: entry point, TOC base, environment.
    opd = p.sections[".opd"].data
    assert int.from_bytes(opd[:8], "big") == p.symbols[".shape_entry"]
    assert int.from_bytes(opd[8:16], "big") == p.toc_base


def test_config_lines_removed_are_reported():
    r = ppc("check", str(SHAPE))
    assert r.returncode == 0, r.stderr
    assert "CONFIG_PPCINTERP_NEVER_SET (not set): 2 lines removed" in r.stdout
    assert "CONFIG_VSX (set): 0 lines removed" in r.stdout
    assert "shape_far_away  [code, assumed]" in r.stdout


def test_extern_option_silences_the_warning():
    p = load_program(str(SHAPE), BuildOptions(externs=["shape_far_away"]))
    assert p.externs["shape_far_away"].how == "--extern" and not p.warnings


@pytest.mark.parametrize("line, message", [
    ("\tli r3, NOCONST\n", "undefined symbol 'NOCONST' (an immediate or displacement)"),
    ("\tld r3, NOFIELD(r4)\n", "undefined symbol 'NOFIELD' (an immediate or displacement)"),
])
def test_typos_stay_errors(tmp_path, line, message):
    src = tmp_path / "t.S"
    src.write_text("start:\n" + line)
    r = ppc("check", str(src))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "t.S:2:" in r.stderr and message in r.stderr


def test_calls_into_other_objects_are_named_exits(tmp_path):
    img = build_image(str(SHAPE))
    from ppcinterp.api import Session
    s = Session(str(SHAPE))
    assert img.program.externs[".shape_c_helper"].code
    s.set("r13", "&paca[0]")
    r = s.run(".shape_entry")
    assert r.kind in ("exit", "fault"), r
