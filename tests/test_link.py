"""Programs of several objects linked into one image (ppcinterp/link), through the CLI and the Session API,
against values derived by hand and against GNU as + GNU ld (each input section linked at our address).

tests/data/link: caller.S calls (`bl`), branches to (`b`) and loads (`@toc`, `@got`) what callee.S defines, and
callee.S branches back; both have a `.Lloop` and a `1:` of their own and an ELFv1 descriptor in .opd."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import GAS, LD, OBJCOPY, need_binutils, ppc

from ppcinterp.api import Session
from ppcinterp.build import BuildOptions, build_image, load_program
from ppcinterp.cli import main
from ppcinterp.diagnostics import PpcError

DATA = Path(__file__).resolve().parent / "data" / "link"
CALLER, CALLEE, TWICE, UNDEFINED = (str(DATA / f) for f in ("caller.S", "callee.S", "twice.S", "undefined.S"))
PLAIN = BuildOptions(kernel_env=False)
# By hand: times_four makes 5 * 4 = 20, .add_seven adds 7 (callee's TOC entry), back_to_caller 100 and branches
# back, then table[1] = 0x2222 (caller's TOC entry for callee's table) and seven = 7 (through the GOT).
EXPECTED = 5 * 4 + 7 + 100 + 0x2222 + 7


def two() -> Session:
    s = Session([CALLER, CALLEE], kernel_env=False)
    s.set("r2", s.program.toc_base)
    s.set("r3", 5)
    s.set("lr", 0x4000)
    return s


def test_running_a_descriptor_enters_its_code():
    # `add_seven` is an ELFv1 descriptor in .opd; running it runs `.add_seven`, as a call through it would.
    s = Session(CALLEE, kernel_env=False)
    assert s.address_of("add_seven") == s.program.symbols[".add_seven"] == s.program.code_entry("add_seven")
    assert s.program.descriptor("add_seven") == (s.program.symbols[".add_seven"], s.program.toc_base, 0)
    s.set("r2", s.program.toc_base)
    s.set("r3", 5)
    s.set("lr", 0x1234)
    r = s.run("add_seven")
    assert (r.steps, s.get("r3")) == (4, 12), r.message         # its four instructions, to the blr


@pytest.mark.parametrize("journal", [True, False])
def test_calls_branches_and_loads_across_two_objects(journal):
    s = two()
    r = s.run("entry", journal=journal)
    assert (s.get("r3"), s.get("r9"), s.get("r10")) == (EXPECTED, 3, s.program.symbols["seven"]), r.message
    assert r.ok and "caller.S:33" in r.message                       # back through caller's blr
    if journal:
        assert [x for x in r.path if not x.startswith(".L") and ":" not in x] == [
            ".entry", "times_four", ".add_seven", "back_to_caller", "after_branch"]
    # Every instruction keeps its own file's position.
    p = s.program
    assert p.insns[p.symbols["times_four"]].pos.file == CALLEE
    assert p.insns[p.symbols["after_branch"]].pos.file == CALLER


def test_one_toc_and_one_got_for_both_objects():
    p = load_program([CALLER, CALLEE], PLAIN)
    # Both descriptors carry the one TOC base; GNU ld's: the TOC area's start aligned down to 256, + 0x8000.
    assert p.descriptor("entry") == (p.symbols[".entry"], p.toc_base, 0)
    assert p.descriptor("add_seven") == (p.symbols[".add_seven"], p.toc_base, 0)
    assert p.toc_base == (p.sections[".got"].base & -256) + 0x8000
    # The GOT (one entry: seven) comes first in the TOC area, then each object's .toc in link order.
    got, toc = p.sections[".got"], p.sections[".toc"]
    assert bytes(got.data) == p.symbols["seven"].to_bytes(8, "big")
    assert toc.data == p.symbols["table"].to_bytes(8, "big") + p.symbols["seven"].to_bytes(8, "big")

    def disp(label: str, k: int) -> int:        # the signed 16-bit D of the k-th instruction after a label
        d = p.insns[p.symbols[label] + 4 * k].word & 0xFFFC
        return d - 0x10000 if d & 0x8000 else d
    assert p.toc_base + disp("after_branch", 0) == toc.base                # caller's .Ltable_entry@toc
    assert p.toc_base + disp("after_branch", 3) == got.base                # seven@got
    assert p.toc_base + disp(".add_seven", 0) == toc.base + 8              # callee's .Lseven_entry@toc
    assert p.toc_base + disp("back_to_caller", 0) == got.base              # seven@got: the same entry


def test_local_and_numeric_labels_stay_each_objects_own():
    p = load_program([CALLER, CALLEE], PLAIN)
    files = sorted(pos.file for pos in p.ambiguous[".Lloop"])
    assert files == sorted([CALLER, CALLEE]) and ".Lloop" not in p.symbols
    with pytest.raises(PpcError, match=r"'\.Lloop' is a local symbol of several objects.*caller\.S:28.*callee\.S:26"):
        Session([CALLER, CALLEE], kernel_env=False).address_of(".Lloop")
    ones = {lb.pos.file: lb.addr for lb in p.labels if lb.name == "1"}
    # Each `1b` branches to its own file's `1:` (blt in caller.S, bdnz in callee.S).
    for file, branch in ((CALLER, p.symbols["after_branch"] + 0x24), (CALLEE, p.symbols["times_four"] + 0x10)):
        bd = p.insns[branch].word & 0xFFFC
        assert p.insns[branch].pos.file == file and branch + bd - 0x10000 == ones[file]


def gnu_link(sources: list[Path], prog, tmp: Path) -> dict[str, bytes]:
    """GNU as's objects of the sources, linked by GNU ld with each input section at the address we gave it."""
    objs = []
    for k, src in enumerate(sources):
        objs.append(tmp / f"o{k}.o")
        subprocess.run([GAS, "-a64", "-mpower7", "-mregnames", str(src), "-o", str(objs[-1])], check=True,
                       capture_output=True)
    index = {p: objs[k] for k, p in enumerate(prog.paths)}
    script = ["SECTIONS {"]
    for name, sec in prog.sections.items():
        parts = " ".join(f". = {pl.base - sec.base:#x}; {index[pl.path].name}({name})"
                         for pl in prog.placed if pl.section == name)
        script.append(f"  {name} {sec.base:#x} : {{ {parts} }}")
    (tmp / "link.ld").write_text("\n".join(script) + "\n}\n")
    elf = tmp / "linked.elf"
    subprocess.run([LD, "--no-toc-optimize", "--no-opd-optimize", "-e", "0", "-T", "link.ld",
                    *(o.name for o in objs), "-o", str(elf)], check=True, capture_output=True, cwd=tmp)
    out = {}
    for name in prog.sections:
        subprocess.run([OBJCOPY, "-O", "binary", f"--only-section={name}", str(elf), str(tmp / "s.bin")], check=True)
        out[name] = (tmp / "s.bin").read_bytes()
    return out


def test_words_equal_gnu_as_and_ld(tmp_path):
    """Calls, branches, TOC loads, descriptors and data across objects, word for word as GNU ld links GNU as's
    objects. (Without the `@got` load: GNU ld's GOT starts with a header word ours has not.)"""
    need_binutils(LD, OBJCOPY)
    sources = [tmp_path / "caller.S", tmp_path / "callee.S"]
    for src, mine in zip(sources, (CALLER, CALLEE), strict=True):
        src.write_text("".join(ln for ln in Path(mine).read_text().splitlines(True) if "@got" not in ln))
    prog = load_program([str(s) for s in sources], PLAIN)
    theirs = gnu_link(sources, prog, tmp_path)
    for name, sec in prog.sections.items():
        assert bytes(sec.data) == theirs[name], name
    assert set(prog.sections) == {".text", ".opd", ".data", ".toc"}


def test_a_global_defined_twice_is_an_error_naming_both():
    r = ppc("check", "--no-kernel-env", CALLER, CALLEE, TWICE)
    assert r.returncode == 1
    assert f"{TWICE}:4:1: error: global symbol 'times_four' is defined in two objects" in r.stderr
    assert f"{CALLEE}:22:1: note: first defined here" in r.stderr


def test_symbols_no_object_defines_follow_the_rule_for_externs():
    # A call to a function no object defines: left to another object with a warning; the run ends there, named.
    s = Session([UNDEFINED, CALLEE], kernel_env=False)
    assert ("nowhere", True, "assumed") in [(x.name, x.code, x.how) for x in s.program.externs.values()]
    assert any("'nowhere' is not defined" in m and pos.file == UNDEFINED for m, pos in s.program.warnings)
    s.set("r3", 3)
    r = s.run("calls_nowhere")
    assert (r.exit, s.get("r3")) == ("nowhere", 12)           # times_four in callee.S ran first
    # A value nothing defines is an error at its place, in its own file.
    with pytest.raises(PpcError) as e:
        load_program([UNDEFINED, CALLEE], BuildOptions(kernel_env=False, defines={"WITH_CONSTANT": None}))
    assert (e.value.pos.file, e.value.pos.line) == (UNDEFINED, 9) and "NO_SUCH_CONSTANT" in e.value.message


def test_a_local_symbol_of_another_object_is_not_reachable(tmp_path):
    other = tmp_path / "other.S"
    other.write_text("\t.text\n\t.globl f\nf:\tb helper\n")
    mine = tmp_path / "mine.S"
    mine.write_text("\t.text\nhelper:\tblr\n")
    with pytest.raises(PpcError) as e:
        load_program([str(other), str(mine)], PLAIN)
    assert (e.value.pos.file, e.value.pos.line) == (str(other), 3)
    assert f"'helper' is defined in {mine}:2, but not as a global symbol" in e.value.message


def test_feature_sections_of_every_object_apply(tmp_path):
    paths = []
    for k, reg in enumerate(("r3", "r4")):
        paths.append(tmp_path / f"ftr{k}.S")
        paths[-1].write_text(f"\t.globl f{k}\nf{k}:\nBEGIN_FTR_SECTION\n\tli {reg},1\n"
                             "END_FTR_SECTION_IFSET(CPU_FTR_ARCH_206)\n\tblr\n")
    for cpu, kept in (("POWER7", True), ("PPC970", False)):
        img = build_image([str(p) for p in paths], BuildOptions(), cpu)
        assert sorted((st.section.begin.file, st.active) for st in img.states) == [(str(p), kept) for p in paths]
        for k in range(2):
            word = img.word(img.program.symbols[f"f{k}"])
            assert (word == 0x60000000) != kept


def test_cli_check_disasm_and_map_of_two_objects():
    r = ppc("check", "--no-kernel-env", CALLER, CALLEE, "--map")
    assert r.returncode == 0, r.stderr
    assert f"{CALLER}, {CALLEE}: ok" in r.stdout and "in the 2 files (each an object, linked)" in r.stdout
    lines = r.stdout.splitlines()
    assert any(ln.split()[1:] == ["0x40", CALLER] for ln in lines)            # caller's .text at 0x100000
    assert any(ln.split()[:2] == ["0x0000100040", "0x38"] and ln.endswith(CALLEE) for ln in lines)
    assert any(ln.split()[1:] == ["times_four", ".text", f"{CALLEE}:22"] for ln in lines)
    r = ppc("disasm", "--no-kernel-env", CALLER, CALLEE)
    assert r.returncode == 0
    assert "0x0000100004: 4800004d   bl times_four" in r.stdout and "b after_branch" in r.stdout
    assert r.stdout.index(f"-- {CALLER}") < r.stdout.index(f"-- {CALLEE}")    # whose lines follow


def test_scenarios_link_their_sources(tmp_path, capsys):
    sc = tmp_path / "two.toml"
    sc.write_text(f'sources = ["{CALLER}", "{CALLEE}"]\nkernel_env = false\ncall = ["entry", 5]\n'
                  f'[expect.state]\nr3 = {EXPECTED}\n')
    assert main(["run", str(sc)]) == 0, capsys.readouterr()
    one = tmp_path / "one.toml"
    one.write_text(f'source = "{CALLER}"\nkernel_env = false\ncall = ["entry", 5]\n[expect.state]\nr3 = {EXPECTED}\n')
    assert main(["trace", str(one), "--source", CALLER, "--source", CALLEE]) == 0
    assert "callee.S:23  li r5,0" in capsys.readouterr().out            # each line with its own file


def test_bounds_and_the_shared_build():
    with pytest.raises(PpcError, match="at most 256 objects"):
        load_program([CALLEE] * 257, PLAIN)
    with pytest.raises(PpcError, match="no source file given"):
        load_program([], PLAIN)
    # The same file twice is two objects defining the same globals.
    with pytest.raises(PpcError, match="global symbol '.*' is defined in two objects"):
        load_program([CALLEE, CALLEE], PLAIN)
    assert load_program([CALLER, CALLEE], PLAIN) is load_program([CALLER, CALLEE], PLAIN)   # built once
