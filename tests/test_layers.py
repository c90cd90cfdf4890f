"""The pipeline runs one way (source -> preprocess -> parse -> assemble -> fix up -> execute -> journal -> views):
no module imports a module of a higher layer, at its top or inside a function. A new package must be given a
layer here, which is the point: where it sits is a decision, not an accident."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "ppcinterp"

# Lowest first; a unit (a package, or a top-level module) may import its own layer and those below. The machine's
# state sits under the instruction set: the semantics write into its containers.
LAYERS = [
    {"diagnostics", "__version__", "__init__"},
    {"machine"},
    {"source"},
    {"isa"},
    {"asm"},
    {"link"},
    {"cache", "build"},
    {"run"},
    {"mm", "litmus", "elf", "kbuild", "examples", "api", "api_call", "api_machine", "about"},
    {"study"},
    {"views"},
    {"pytest_plugin"},
    {"debug"},
    {"gdbstub"},
    {"cli_args", "cli_study", "cli_tools"},
    {"cli", "__main__"},
]
RANK = {unit: k for k, layer in enumerate(LAYERS) for unit in layer}


def _unit(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def _imported(tree: ast.AST) -> set[str]:
    """The ppcinterp units a module imports (`from ppcinterp import x` names unit x)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "ppcinterp":
            parts = node.module.split(".")
            out |= {a.name for a in node.names} if len(parts) == 1 else {parts[1]}
        elif isinstance(node, ast.Import):
            out |= {a.name.split(".")[1] for a in node.names if a.name.startswith("ppcinterp.")}
    return out


def test_every_unit_has_a_layer():
    units = {_unit(p) for p in ROOT.rglob("*.py")}
    assert units - RANK.keys() == set(), "give these a layer in tests/test_layers.py"


def test_no_module_imports_a_higher_layer():
    wrong = []
    for path in sorted(ROOT.rglob("*.py")):
        unit = _unit(path)
        for other in _imported(ast.parse(path.read_text(encoding="utf-8"))):
            if other in RANK and RANK[other] > RANK.get(unit, len(LAYERS)):
                wrong.append(f"{path.relative_to(ROOT.parent)} ({unit}) imports {other}")
    assert not wrong, "\n".join(wrong)
