"""ppcinterp census on tests/data/ktree (a tree of our own): the .S objects kbuild would assemble, read from its
Makefiles and .config (one object per construct the reader evaluates) or from a make V=1 log, each built as
`check --kernel-tree` builds it and compared with GNU as; bad input is a message, never a traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from conftest import GAS, ROOT, have, need_gas, ppc

TREE = ROOT / "tests" / "data" / "ktree"
K = "arch/powerpc/kernel"
DIRS = f"{K},arch/powerpc/kvm,arch/powerpc/lib,arch/powerpc/lib/kt_sub"
# Each object stands for a construct: `:=` with $(CONFIG_WORD_SIZE), a nested name with a substitution reference,
# ifneq/else with patsubst, ifdef with ?=, ifndef/else ifeq with strip, addprefix/addsuffix of a recursive
# variable defined later, subst/filter, filter-out/sort, foreach, if, AFLAGS_<object>.o, extra-y and head-y.
KERNEL_OK = ["kt_each1", "kt_each2", "kt_flags", "kt_fns", "kt_head_64", "kt_if", "kt_misc_64", "kt_opt", "kt_pat",
             "kt_sorted", "kt_subst", "kt_wide"]
# A composite module part (MODULE, the directory's asflags-y), a path through $(KVM)/../, obj-y, lib-y, a subdir.
OTHER_OK = ["arch/powerpc/kvm/kt_back.S", "arch/powerpc/kvm/kt_handlers.S", "arch/powerpc/kvm/kt_mod_part.S",
            "arch/powerpc/lib/kt_lib.S", "arch/powerpc/lib/kt_sub/kt_deep.S"]


def compared() -> bool:
    return have(GAS, "binutils-powerpc64-linux-gnu") and have("cpp", "cpp")


def rows(stdout: str) -> dict[str, str]:
    out = {}
    for line in stdout.splitlines():
        path, _, rest = line.partition("  ")
        if path.startswith("arch/"):
            out[path] = re.sub(r"\s+[0-9.]+s$", "", rest.strip())       # without the time it took
    return out


def test_census_of_the_test_tree():
    r = ppc("census", "--kernel-tree", str(TREE), "--dirs", DIRS)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr     # kt_broken.S fails
    got = rows(r.stdout)
    ok = [f"{K}/{n}.S" for n in KERNEL_OK] + OTHER_OK
    want = "ok (" if compared() else "checked (not compared)"
    assert sorted(p for p, s in got.items() if s.startswith(want)) == sorted(ok), r.stdout
    assert got[f"{K}/kt_misc_64.S"].startswith("ok (11 words)" if compared() else "checked")
    assert got[f"{K}/kt_broken.S"].startswith("fails: arch/powerpc/kernel/kt_broken.S:3:2: error: unknown "
                                              "instruction 'frobnicate'")
    assert got[f"{K}/kt_vectors.S"] == f"included by {K}/kt_head_64.S"
    assert got[f"{K}/kt_off.S"] == "not assembled by this configuration"
    assert len(got) == len(ok) + 3                       # the C object and kt_script.lds are no .S objects
    total = f"total: 18 objects: {'17 ok' if compared() else '17 checked'}, 1 fails; 1 included by them, 1 not built"
    assert total in r.stdout
    # The $(call ...) that reached obj-y is noted; the arch Makefile's one reached no list and is not.
    notes = [ln for ln in r.stdout.splitlines() if ln.startswith("note:")]
    assert notes == [f"note: {K}/Makefile:41: $(call kt_func,kt_called.o) is not evaluated (empty)"]


def test_census_json_and_default_dirs():
    r = ppc("census", "--kernel-tree", str(TREE), "--json")
    data = json.loads(r.stdout)
    by = {row["path"]: row for row in data["rows"]}
    # The default directories: kernel, kvm, lib (not lib/kt_sub), mm, platforms/powernv and pseries.
    assert "arch/powerpc/lib/kt_sub/kt_deep.S" not in by and "arch/powerpc/lib/kt_lib.S" in by
    assert by[f"{K}/kt_broken.S"]["status"] == "fails" and r.returncode == 1
    if compared():
        assert by[f"{K}/kt_misc_64.S"]["words"] == 11 and data["totals"]["ok"] == 16 and data["compared"]


def test_census_from_a_make_log():
    r = ppc("census", "--kernel-tree", str(TREE), "--log", str(TREE / "make-V1.log"), "--dirs", DIRS)
    assert r.returncode == 0, r.stdout + r.stderr
    got = rows(r.stdout)
    built = sorted(p for p, s in got.items() if not s.startswith("not assembled"))
    # kt_flags.S builds only with the log's -I and -D; kt_mod_part.S only with its -DMODULE and -DKT_DIR_FLAG.
    assert built == [f"{K}/kt_flags.S", f"{K}/kt_wide.S", "arch/powerpc/kvm/kt_mod_part.S"]
    assert got[f"{K}/kt_misc_64.S"] == "not assembled in the log"
    assert "note: make-V1.log:7: cannot split the command (unbalanced quotes; skipped)" in r.stdout


def test_census_without_gnu_as_only_checks():
    r = ppc("census", "--kernel-tree", str(TREE), "--dirs", "arch/powerpc/lib", "--no-compare")
    assert r.returncode == 0 and "not compared with GNU as" in r.stdout
    assert rows(r.stdout) == {"arch/powerpc/lib/kt_lib.S": rows(r.stdout)["arch/powerpc/lib/kt_lib.S"]}
    assert rows(r.stdout)["arch/powerpc/lib/kt_lib.S"].startswith("checked (not compared)")


def test_bad_input_is_a_message(tmp_path):
    (tmp_path / "arch").mkdir()
    for args, message in [
        (["--kernel-tree", str(tmp_path / "nowhere")], "not a kernel tree (no arch/)"),
        (["--kernel-tree", str(tmp_path)], "not a kernel tree (no include/linux/kconfig.h)"),
        (["--kernel-tree", str(TREE), "--config", str(tmp_path / "nope")], "--config"),
        (["--kernel-tree", str(TREE), "--log", str(tmp_path / "nope.log")], "--log"),
    ]:
        r = ppc("census", *args)
        assert r.returncode == 1 and message in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_makefiles_the_reader_does_not_understand_are_notes(tmp_path):
    """Self-reference, an unterminated reference, include, a stray else, an unknown line, a missing directory:
    each a note with its place; the objects that could be read are still listed."""
    (tmp_path / "arch" / "powerpc" / "x").mkdir(parents=True)
    (tmp_path / "arch" / "powerpc" / "Makefile").write_text(
        "core-y += arch/powerpc/x/ arch/powerpc/gone/\n")
    (tmp_path / "arch" / "powerpc" / "x" / "Makefile").write_text(
        "obj-y := fine.o\nLOOP = $(LOOP) a\nobj-y += $(LOOP)\ninclude other.mk\nelse\nthis is no make line\n"
        "obj-y += $(oops\nifeq (a\n")
    (tmp_path / "arch" / "powerpc" / "x" / "fine.S").write_text("\tnop\n")
    (tmp_path / ".config").write_text("CONFIG_PPC64=y\n")
    for header in ("linux/kconfig.h", "generated/autoconf.h", "generated/asm-offsets.h"):
        (tmp_path / "include" / header).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "include" / header).write_text("")
    r = ppc("census", "--kernel-tree", str(tmp_path), "--dirs", "arch/powerpc/x", "--no-compare")
    assert "Traceback" not in r.stderr, r.stderr
    notes = [ln.removeprefix("note: ") for ln in r.stdout.splitlines() if ln.startswith("note:")]
    x = "arch/powerpc/x/Makefile"
    assert notes == [f"{x}:4: 'include' is not followed (skipped)", f"{x}:5: else without ifeq/ifdef (skipped)",
                     f"{x}:6: a line the reader does not understand: 'this is no make line'",
                     f"{x}:8: cannot read the test 'ifeq (a' (taken as false)",
                     f"{x}: 1 conditional(s) not closed by endif",
                     f"{x}:3: expansion nests more than 64 deep (a variable that refers to itself?)",
                     f"{x}:7: unterminated variable reference (empty)",
                     "arch/powerpc/gone: no such directory (a Makefile lists it)"]
    assert rows(r.stdout) == {"arch/powerpc/x/fine.S": "checked (not compared)"}


def test_gas_compare_reports_a_word_that_differs(tmp_path):
    """The comparison the census and tools/gas_compare.py share: a word GNU as made otherwise is named."""
    need_gas()
    (tmp_path / "a.s").write_text("\t.text\n\tli 3,1\n\tbl elsewhere\n\tli 4,2\n")
    subprocess.run([GAS, "-a64", "-mpower7", str(tmp_path / "a.s"), "-o", str(tmp_path / "a.o")], check=True)
    for text, status in (("\tli 3,1\n\tbl elsewhere\n\tli 4,2\n", 0), ("\tli 3,1\n\tbl elsewhere\n\tli 4,3\n", 1)):
        (tmp_path / "a.S").write_text(text)
        r = subprocess.run([sys.executable, str(ROOT / "tools" / "gas_compare.py"), str(tmp_path / "a.o"),
                            str(tmp_path / "a.S"), "--no-kernel-env"], capture_output=True, text=True)
        assert r.returncode == status, r.stdout + r.stderr
        assert "3 words, 1 with a field left to the linker (masked), " + str(status) + " mismatches" in r.stdout
    assert ".text+0x0008: GNU as 38800002, ours 38800003" in r.stdout

