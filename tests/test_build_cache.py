"""The build caches: one build per source and options in a process, and the content-keyed disk cache."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import FRAGMENT, ROOT

from ppcinterp import build, cache
from ppcinterp.build import BuildOptions, build_image, forget_builds, load_program
from ppcinterp.cli import main
from ppcinterp.diagnostics import PpcError

SOURCE = '#include "consts.h"\nstart:\n\tli r3,VALUE\n\taddi r4,r3,1\n1:\tbne 1b\n\tblr\n'


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("PPCINTERP_CACHE_DIR", str(d))
    monkeypatch.delenv("PPCINTERP_NO_CACHE", raising=False)
    forget_builds()
    yield d
    forget_builds()


@pytest.fixture
def src(tmp_path):
    (tmp_path / "consts.h").write_text("#define VALUE 5\n")
    path = tmp_path / "t.S"
    path.write_text(SOURCE)
    return path


def shape(p) -> tuple:
    """What a build decides: bytes, instructions with positions, labels, symbols, hunks, warnings."""
    return ({n: bytes(s.data) for n, s in p.sections.items()},
            [(a, i.word, i.insn.name, i.pos) for a, i in p.insns.items()],
            [(lb.name, lb.addr, lb.pos, lb.local) for lb in p.labels], dict(p.symbols),
            [(h.number, h.start, h.end, h.pragma) for h in p.hunks], p.warnings,
            [(ln.text, ln.pos, ln.segs) for ln in p.preprocessed.lines], p.preprocessed.files)


def no_rebuild(monkeypatch) -> None:
    def fail(*a, **k):
        raise AssertionError("rebuilt instead of read from the cache")
    monkeypatch.setattr(build, "_build", fail)


def entries(d) -> list:
    return sorted(d.glob("*" + cache.SUFFIX)) if d.is_dir() else []


def test_disk_hit_is_identical(cache_dir, monkeypatch):
    first = load_program(str(FRAGMENT))
    assert len(entries(cache_dir)) == 1
    forget_builds()
    no_rebuild(monkeypatch)
    again = load_program(str(FRAGMENT))
    assert again is not first and shape(again) == shape(first)
    assert again.hunks and again.insns[again.hunks[0].start].insn is first.insns[first.hunks[0].start].insn
    p7, p970 = build_image(str(FRAGMENT), cpu="POWER7"), build_image(str(FRAGMENT), cpu="PPC970")
    assert p7.program is p970.program is again and p7.patched != p970.patched   # fixups run per CPU


def test_entry_holds_no_lark(cache_dir):
    load_program(str(FRAGMENT))
    (entry,) = entries(cache_dir)
    assert b"lark" not in entry.read_bytes()


def test_shared_between_cpus_and_calls(cache_dir, src, monkeypatch):
    p7 = build_image(str(src), BuildOptions(), "POWER7")
    no_rebuild(monkeypatch)
    p970 = build_image(str(src), BuildOptions(), "PPC970")
    assert p970.program is p7.program and p970 is not p7
    assert load_program(str(src), BuildOptions(externs=[])) is p7.program     # equal options, same build


def test_options_and_text_are_part_of_the_key(cache_dir, src):
    a = load_program(str(src))
    b = load_program(str(src), BuildOptions(base=0x200000))
    c = load_program(str(src), text=SOURCE.replace("addi r4,r3,1", "addi r4,r3,2"))
    assert a.insns.keys() != b.insns.keys()
    assert [i.word for i in c.insns.values()] != [i.word for i in a.insns.values()]


def test_editing_an_included_header_invalidates(cache_dir, src, tmp_path):
    assert load_program(str(src)).insns[0x100000].word == 0x38600005            # li r3,5
    (tmp_path / "consts.h").write_text("#define VALUE 7\n")
    assert load_program(str(src)).insns[0x100000].word == 0x38600007            # in this process
    forget_builds()
    (tmp_path / "consts.h").write_text("#define VALUE 9\n")
    assert load_program(str(src)).insns[0x100000].word == 0x38600009            # from disk
    assert len(entries(cache_dir)) == 1                                        # rewritten in place


def test_error_positions_after_a_hit(cache_dir, src, tmp_path):
    load_program(str(src))
    forget_builds()
    src.write_text(SOURCE.replace("addi r4,r3,1", "addi r4,r3"))
    with pytest.raises(PpcError) as first:
        load_program(str(src))
    with pytest.raises(PpcError) as again:
        load_program(str(src))
    assert first.value.pos == again.value.pos and first.value.pos.line == 4
    assert first.value.render() == again.value.render()


@pytest.mark.parametrize("damage", [b"", b"not a pickle", None])
def test_corrupt_entry_is_rebuilt(cache_dir, src, damage, monkeypatch):
    good = shape(load_program(str(src)))
    (entry,) = entries(cache_dir)
    data = entry.read_bytes()
    entry.write_bytes(data[: len(data) // 2] if damage is None else damage)
    forget_builds()
    assert shape(load_program(str(src))) == good
    assert entries(cache_dir) == [entry]                  # written again, whole
    forget_builds()
    no_rebuild(monkeypatch)
    assert shape(load_program(str(src))) == good


def test_unusable_cache_directory(tmp_path, monkeypatch, src):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("PPCINTERP_CACHE_DIR", str(blocker / "cache"))
    forget_builds()
    assert load_program(str(src)).insns


def test_no_cache_option_and_variable(cache_dir, src, capsys, monkeypatch):
    assert main(["check", "--no-cache", str(src)]) == 0
    assert entries(cache_dir) == [] and not cache.disabled()
    forget_builds()
    monkeypatch.setenv("PPCINTERP_NO_CACHE", "1")
    load_program(str(src))
    assert entries(cache_dir) == []
    monkeypatch.delenv("PPCINTERP_NO_CACHE")
    forget_builds()
    assert main(["disasm", str(src)]) == 0
    assert len(entries(cache_dir)) == 1
    # A poisoned entry is what a normal run reads; --no-cache does not read it.
    key = next(iter(build._memo))
    forget_builds()
    prog, files = cache.load(key)
    prog.sections[".text"].data[0:4] = b"\x60\x00\x00\x00"
    cache.store(key, prog, files)
    forget_builds()
    capsys.readouterr()
    main(["disasm", str(src)])
    assert "60000000" in capsys.readouterr().out.replace(" ", "")
    forget_builds()
    main(["disasm", "--no-cache", str(src)])
    assert "60000000" not in capsys.readouterr().out.replace(" ", "")


def test_eviction_keeps_the_newest(tmp_path):
    for k in range(5):
        (tmp_path / f"{k}{cache.SUFFIX}").write_bytes(b"x" * 10)
        os.utime(tmp_path / f"{k}{cache.SUFFIX}", ns=(k * 10**9, k * 10**9))
    cache.evict(tmp_path, max_entries=3)
    assert [p.name for p in entries(tmp_path)] == [f"{k}{cache.SUFFIX}" for k in (2, 3, 4)]
    cache.evict(tmp_path, max_bytes=15)
    assert [p.name for p in entries(tmp_path)] == [f"4{cache.SUFFIX}"]


def test_warm_check_does_not_import_the_parser(tmp_path):
    env = {**os.environ, "PPCINTERP_CACHE_DIR": str(tmp_path / "c"), "PYTHONPATH": str(ROOT)}
    env.pop("PPCINTERP_NO_CACHE", None)
    cmd = [sys.executable, "-X", "importtime", "-m", "ppcinterp", "check", str(FRAGMENT)]
    cold = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    warm = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    assert cold.returncode == warm.returncode == 0 and cold.stdout == warm.stdout
    assert " lark" in cold.stderr
    imported = warm.stderr
    for heavy in (" lark", "ppcinterp.source.parser", "ppcinterp.asm.assembler", " rich", " textual",
                  " capstone", " hypothesis"):
        assert heavy not in imported, heavy


def test_run_and_all_cpus_build_once(cache_dir, monkeypatch, capsys):
    calls = []
    real = build._build

    def counting(*a):
        calls.append(a[0])
        return real(*a)
    monkeypatch.setattr(build, "_build", counting)
    scenarios = sorted(str(p) for p in (ROOT / "asm" / "scenarios").glob("*.toml"))
    main(["run", "--no-cache", *scenarios])          # PPC970 and POWER7 scenarios of one source
    assert len(calls) == len(set(calls)) >= 1
    calls.clear()
    assert main(["paths", "--no-cache", str(FRAGMENT), "--entry", "hunk 3", "--all-cpus", "--json"]) == 0
    assert calls == []                               # built above, shared by every CPU


def test_an_entry_that_is_a_directory_and_a_deep_expression(cache_dir, src, tmp_path):
    load_program(str(src))
    (entry,) = entries(cache_dir)
    entry.unlink()
    entry.mkdir()
    forget_builds()
    assert load_program(str(src)).insns                       # neither read nor written: no traceback
    deep = tmp_path / "deep.S"
    deep.write_text(".long " + "+".join(["1"] * 300) + "\nnop\n")
    assert load_program(str(deep)).insns
    forget_builds()
    assert load_program(str(deep)).insns
