"""Licences (issue 16): every file under asm/ says its licence, and the Linux kernel's text is exactly what
README.md's "Licences" table lists."""

# REUSE-IgnoreStart (this file reads licence tags; it states none: REUSE.toml gives its licence)
from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPDX = re.compile(r"SPDX-License-Identifier:\s*([A-Za-z0-9.+\- ()]+?)\s*(?:\*/|-->)?\s*$", re.M)
KERNEL_IDS = {"GPL-2.0", "GPL-2.0-only", "GPL-2.0-or-later", "GPL-2.0+"}
# A table row of the section: | `path` | `SPDX id` | what it is |
# Files that name the GPL without being under it.
SAYS_GPL_BY_NAME = ("README.md", "tests/test_licences.py", "tools/extract_seed.py")
ROW = re.compile(r"^\| `([^`]+)` \| `([^`]+)` \|", re.M)


def spdx_of(path: Path) -> list[str]:
    """The SPDX identifiers a file states: in its own text, or in a REUSE sidecar PATH.license."""
    sidecar = path.with_name(path.name + ".license")
    text = sidecar.read_text(encoding="utf-8") if sidecar.is_file() else path.read_text(encoding="utf-8")
    return SPDX.findall(text)


def readme_kernel_files() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Licences\n", 1)[1].split("\n## ", 1)[0]
    return dict(ROW.findall(section))


def asm_files() -> list[Path]:
    return sorted(p for p in (ROOT / "asm").rglob("*")
                  if p.is_file() and not p.name.endswith(".license") and "__pycache__" not in p.parts)


def test_every_file_under_asm_states_one_licence():
    missing = [str(p.relative_to(ROOT)) for p in asm_files() if len(spdx_of(p)) != 1]
    assert missing == [], f"no (or more than one) SPDX-License-Identifier: {missing}"


def test_kernel_text_is_exactly_what_the_readme_lists():
    listed = readme_kernel_files()
    assert listed, "README.md's Licences section lists no file"
    assert set(listed.values()) <= KERNEL_IDS
    found = {str(p.relative_to(ROOT)): spdx_of(p)[0] for p in asm_files()}
    kernel = {path: ident for path, ident in found.items() if ident != "MIT"}
    listed_in_asm = {path: ident for path, ident in listed.items() if path.startswith("asm/")}
    assert kernel == listed_in_asm
    assert set(kernel.values()) <= KERNEL_IDS
    for path in listed:
        assert (ROOT / path).is_file(), f"README lists {path}, which does not exist"


def test_the_seed_patch_keeps_its_bytes_and_says_its_licence_beside_it():
    seed = ROOT / "asm" / "seed" / "000_37210b5e83692a42.txt"
    assert "SPDX" not in seed.read_text(encoding="utf-8")
    assert spdx_of(seed) == ["GPL-2.0-only"]
    # The fragment made from it says the same on its first line, so no line of it moves.
    first = (ROOT / "asm" / "book3s_hv_rmhandlers.S").read_text(encoding="utf-8").split("\n", 1)[0]
    assert first == "/* SPDX-License-Identifier: GPL-2.0-only"


def test_no_other_tracked_file_carries_gpl_text():
    """Kernel text elsewhere (tests/data, tools, docs) would have to be listed too; its licence text is the sign."""
    listed = set(readme_kernel_files())
    listed |= {f"{name}.license" for name in listed}
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    marks = ("GNU General Public License", "SPDX-License-Identifier: GPL")
    bad = []
    for name in out.decode().split("\0"):
        path = ROOT / name
        if not name or name in listed or name.startswith("LICENSES/") or name in SAYS_GPL_BY_NAME:
            continue
        if path.is_file() and any(m.encode() in path.read_bytes() for m in marks):
            bad.append(name)
    assert bad == []


def test_licence_files_and_metadata_describe_both():
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "ppcinterp contributors" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    gpl = (ROOT / "LICENSES" / "GPL-2.0-only.txt").read_text(encoding="utf-8")
    assert "GNU GENERAL PUBLIC LICENSE" in gpl and "Version 2, June 1991" in gpl
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    ids = set(project["license"].split(" AND "))
    assert ids == {"MIT", *readme_kernel_files().values()}
    assert {f"LICENSES/{i}.txt" for i in ids} <= {str(p.relative_to(ROOT)) for p in (ROOT / "LICENSES").iterdir()}
    reuse = tomllib.loads((ROOT / "REUSE.toml").read_text(encoding="utf-8"))
    assert reuse["annotations"][0]["path"] == "**" and reuse["annotations"][0]["SPDX-License-Identifier"] == "MIT"
# REUSE-IgnoreEnd
