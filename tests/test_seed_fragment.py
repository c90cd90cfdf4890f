"""The seed fragment asm/book3s_hv_rmhandlers.S and the tool that makes it (tools/extract_seed.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import need_cpp

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "extract_seed.py"
PATCH = ROOT / "asm" / "seed" / "000_37210b5e83692a42.txt"
FRAGMENT = ROOT / "asm" / "book3s_hv_rmhandlers.S"

PRAGMA = re.compile(r'^#pragma ppcinterp hunk (\d+) upstream (\d+)-(\d+) "(@@ [^"]* @@)"( /\* .*)?$')
CLOSING = " * [ppcinterp: this comment is closed below the hunk] */"
OPENING = " /* [ppcinterp: this hunk starts inside a comment opened above it]"


def run_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True, cwd=ROOT)


def split_hunks(text: str) -> list[tuple[re.Match, list[str]]]:
    """(pragma match, lines up to the next pragma or the end) for each hunk pragma of a fragment."""
    out: list[tuple[re.Match, list[str]]] = []
    for line in text.split("\n"):
        m = PRAGMA.match(line)
        if m:
            out.append((m, []))
        elif out:
            out[-1][1].append(line)
    if out and out[-1][1] and out[-1][1][-1] == "":
        out[-1][1].pop()                      # the final newline
    return out


def test_committed_fragment_is_the_tools_output():
    res = run_tool()
    assert res.returncode == 0, res.stderr
    assert FRAGMENT.read_text(encoding="utf-8") == res.stdout, \
        "asm/book3s_hv_rmhandlers.S is stale: run python tools/extract_seed.py -o asm/book3s_hv_rmhandlers.S"


def test_output_option_writes_the_same_text(tmp_path: Path):
    out = tmp_path / "frag.S"
    res = run_tool(str(PATCH), "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""
    assert out.read_text(encoding="utf-8") == FRAGMENT.read_text(encoding="utf-8")


def test_header_comment():
    head = FRAGMENT.read_text(encoding="utf-8").split("\n#pragma", 1)[0]
    assert head.startswith("/*") and head.rstrip().endswith("*/")
    assert "tools/extract_seed.py" in head and "54695c30" in head
    assert "Speed up wakeups of CPUs on HV KVM" in head
    assert "do not edit" in head


def test_five_hunks_with_the_upstream_ranges():
    hunks = split_hunks(FRAGMENT.read_text(encoding="utf-8"))
    assert [(int(m[1]), int(m[2]), int(m[3])) for m, _ in hunks] == [
        (1, 79, 84), (2, 118, 124), (3, 674, 764), (4, 901, 907), (5, 1700, 1706)]
    assert [m[4] for m, _ in hunks] == [
        "@@ -79,10 +79,6 @@", "@@ -122,7 +118,7 @@", "@@ -678,17 +674,91 @@", "@@ -831,7 +901,7 @@",
        "@@ -1630,7 +1700,7 @@"]


def test_each_hunk_has_exactly_its_lines():
    text = FRAGMENT.read_text(encoding="utf-8")
    assert text.endswith("\n")
    for m, lines in split_hunks(text):
        count = int(m[3]) - int(m[2]) + 1
        extra = lines[count:]
        assert extra in ([], [CLOSING]), f"hunk {m[1]}: unexpected lines after it: {extra}"
        assert len(lines[:count]) == count


def test_comment_repairs_only_where_hunks_cut_comments():
    hunks = split_hunks(FRAGMENT.read_text(encoding="utf-8"))
    assert [m[5] for m, _ in hunks] == [OPENING, None, None, None, None]     # hunk 1 starts in the banner
    assert [lines[-1] == CLOSING for _, lines in hunks] == [True, False, False, False, False]


def test_known_lines_are_where_upstream_has_them():
    text = FRAGMENT.read_text(encoding="utf-8")
    hunks = {int(m[1]): (int(m[2]), lines) for m, lines in split_hunks(text)}
    first, lines = hunks[3]
    assert lines[0] == "\tcmpwi\tr12,BOOK3S_INTERRUPT_SYSCALL"               # upstream 674
    assert lines[678 - first] == "BEGIN_FTR_SECTION"
    assert lines[761 - first] == "ext_interrupt_to_host:"
    assert lines[763 - first].startswith("guest_exit_cont:")
    first, lines = hunks[2]
    assert lines[121 - first] == "\tli\tr6,XICS_MFRR"
    first, lines = hunks[5]
    assert lines[1706 - first] == "37:\tsync"                                # the patch's last line


def test_removed_lines_are_gone():
    patch = PATCH.read_text(encoding="utf-8").split("\n")
    kept = {ln[1:] for ln in patch if ln.startswith((" ", "+")) and not ln.startswith("+++")}
    removed = [ln[1:] for ln in patch if ln.startswith("-") and not ln.startswith("---")]
    assert removed, "the seed removes lines"
    body = FRAGMENT.read_text(encoding="utf-8").split("\n")
    for text in removed:
        if text.strip() and text not in kept:
            assert text not in body, f"removed line survives: {text!r}"
    frag = FRAGMENT.read_text(encoding="utf-8")
    assert "XICS_QIRR" not in frag
    assert "#define XICS_" not in frag


SYNTHETIC = (
    "Subject: a test patch\n"
    "\n"
    "diff --git a/x.S b/x.S\n"
    "--- a/x.S\n"
    "+++ b/x.S\n"
    "@@ -10,5 +10,4 @@\n"
    "  * still the comment opened above\n"
    "  */\n"
    "-\tli\tr3,OLD\n"
    " \tli\tr3,1\n"
    " \tblr\n"
    "@@ -40,3 +39,4 @@\n"
    " \tnop\n"
    "+\tli\tr4,\"a /* in a string\"\n"
    "+/*\n"
    "  * a comment that goes on below the hunk\n"
    "-\tli\tr5,GONE\n"
    "\\ No newline at end of file"
)


def test_synthetic_patch(tmp_path: Path):
    patch = tmp_path / "p.diff"
    patch.write_text(SYNTHETIC, encoding="utf-8")
    res = run_tool(str(patch))
    assert res.returncode == 0, res.stderr
    out = res.stdout
    body = out[out.index("\n#pragma") + 1:]
    assert body == (
        '#pragma ppcinterp hunk 1 upstream 10-13 "@@ -10,5 +10,4 @@"' + OPENING + "\n"
        " * still the comment opened above\n"
        " */\n"
        "\tli\tr3,1\n"
        "\tblr\n"
        '#pragma ppcinterp hunk 2 upstream 39-42 "@@ -40,3 +39,4 @@"\n'
        "\tnop\n"
        "\tli\tr4,\"a /* in a string\"\n"
        "/*\n"
        " * a comment that goes on below the hunk\n"
        + CLOSING + "\n")
    assert "OLD" not in out and "GONE" not in out
    need_cpp()
    pre = subprocess.run(["cpp", "-P", "-x", "assembler-with-cpp", "-"], input=out, capture_output=True,
                         text=True)
    assert pre.returncode == 0, pre.stderr
    # (GCC's cpp drops pragmas it does not know in assembler mode; ours passes them on)
    code = [ln.strip() for ln in pre.stdout.splitlines() if ln.strip() and not ln.startswith("#pragma")]
    assert code == ["li r3,1", "blr", "nop", 'li r4,"a /* in a string"']


def test_bad_patches_are_reported(tmp_path: Path):
    short = tmp_path / "short.diff"
    short.write_text("@@ -1,3 +1,3 @@\n a\n-b\n", encoding="utf-8")
    res = run_tool(str(short))
    assert res.returncode == 1 and "cut short" in res.stderr and "Traceback" not in res.stderr
    empty = tmp_path / "empty.diff"
    empty.write_text("no hunks here\n", encoding="utf-8")
    res = run_tool(str(empty))
    assert res.returncode == 1 and "no hunks" in res.stderr
    res = run_tool(str(tmp_path / "missing.diff"))
    assert res.returncode == 1 and "cannot read" in res.stderr


def test_fragment_lines_map_to_upstream_lines():
    """The pragma semantics as the assembler reads them: hunk 3's first line is upstream 674."""
    from ppcinterp.build import load_program

    prog = load_program(str(FRAGMENT))
    assert [(h.number, h.first, h.last) for h in prog.hunks] == [
        (1, 79, 84), (2, 118, 124), (3, 674, 764), (4, 901, 907), (5, 1700, 1706)]
    first = min(prog.insns.values(), key=lambda i: i.addr if i.section == ".text" else 1 << 64)
    assert first.stmt.text.split() == ["beq", "27f"]
    assert prog.upstream_line(first.pos) == 118
    h3 = prog.hunks[2]
    at_674 = [i for i in prog.insns.values() if i.pos.line == h3.pragma.line + 1]
    assert [(i.word, prog.upstream_line(i.pos)) for i in at_674] == [(0x2C0C0C00, 674)]   # cmpwi r12,0xc00
