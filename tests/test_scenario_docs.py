"""The scenario format is documented and has a schema: docs/scenarios.md names every key the loader accepts (the
loader's tables, not a copy) with its type and an example; `ppcinterp scenario --schema` validates every shipped
scenario and refuses what the loader refuses; `ppcinterp scenario new` writes a starter that runs."""

from __future__ import annotations

import json
import re
import tomllib

import jsonschema
import pytest
from conftest import FRAGMENT, ROOT, ppc

from ppcinterp.cli import main
from ppcinterp.diagnostics import PpcError
from ppcinterp.isa.stops import Stop
from ppcinterp.study import scenario
from ppcinterp.study.keys import KINDS, TABLES
from ppcinterp.study.schema import schema

DOC = (ROOT / "docs" / "scenarios.md").read_text()
SHIPPED = sorted((ROOT / "asm" / "scenarios").rglob("*.toml")) + sorted((ROOT / "tests" / "data").glob("*.toml"))
TYPE_WORDS = {str: "string", int: "integer", bool: "boolean", list: ("list", "array of tables"),
              dict: ("table", "array")}


def _sections() -> dict[str, str]:
    """Each documented key (`### \\`key\\``) and its section's text."""
    parts = re.split(r"^### `([^`]+)`\n", DOC, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def _accepted() -> dict[str, type]:
    return {(f"{table}.{k}" if table else k): t for table, keys in TABLES.items() for k, t in keys.items()}


def test_the_reference_documents_every_key_the_loader_accepts_and_no_other():
    assert set(_sections()) == set(_accepted())


@pytest.mark.parametrize("key", sorted(_accepted()))
def test_each_key_has_its_type_a_default_and_an_example(key):
    text = _sections()[key]
    words = TYPE_WORDS[_accepted()[key]]
    m = re.match(r"Type: (.+?)\. (Default|Required)", text)
    assert m and m.group(1).startswith(words), (key, text[:120])
    example = re.search(r"```toml\n(.*?)```", text, re.S)
    assert example, key
    tomllib.loads(example.group(1))


def test_the_documented_run_kinds_are_the_loaders_and_cover_every_stop():
    documented = re.findall(r"^\| `([a-z-]+)` \|", DOC, re.M)
    assert documented == list(KINDS)
    todo, kinds = [Stop], set()
    while todo:
        cls = todo.pop()
        kinds.add(cls.kind)
        todo += cls.__subclasses__()
    assert kinds - {"stop"} <= set(KINDS)


def test_the_reference_example_runs(tmp_path):
    example = re.search(r"```toml\n(.*?)```", DOC, re.S).group(1)
    sc = tmp_path / "example.toml"
    sc.write_text(example.replace('"../book3s_hv_rmhandlers.S"', json.dumps(str(FRAGMENT))))
    assert main(["run", str(sc)]) == 0


@pytest.fixture(scope="module")
def validator():
    out = ppc("scenario", "--schema")
    assert out.returncode == 0, out.stderr
    printed = json.loads(out.stdout)
    assert printed == json.loads(json.dumps(schema()))
    jsonschema.Draft202012Validator.check_schema(printed)
    return jsonschema.Draft202012Validator(printed)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_scenario_is_valid_under_the_schema(validator, path):
    errors = [e.message for e in validator.iter_errors(tomllib.loads(path.read_text()))]
    assert not errors, errors


HEAD = f'source = "{FRAGMENT}"\nentry = "hunk 3"\n'


@pytest.mark.parametrize("body", [
    'threads = "2"\n', 'threads = 100\n', 'cpu = "Z80"\n', 'nonsense = 1\n', 'max_steps = 0\n',
    '[expect]\nkind = "no code"\n', '[expect]\nsteps = "many"\n', 'call = ["f"]\n', '[[events]]\nat = "step 1"\n',
    '[[memory]]\nbase = 0x1000\n', '[actors.x]\nsteps = []\n', '[buffers]\nb = 1.5\n', 'defines = { 1X = 1 }\n',
    '[stand_ins]\nf = true\n', 'sources = ["a.S"]\n', '[state]\nr3 = 1.5\n', '[[then]]\nwhen = 1\n',
])
def test_a_wrong_scenario_fails_the_schema_and_the_loader(validator, tmp_path, body):
    data = tomllib.loads(HEAD + body)
    assert list(validator.iter_errors(data)), body
    p = tmp_path / "bad.toml"
    p.write_text(HEAD + body)
    with pytest.raises(PpcError):
        scenario.load(p)


def test_scenario_new_writes_a_commented_starter_that_runs(tmp_path, validator):
    src = tmp_path / "src" / "f.S"
    src.parent.mkdir()
    src.write_text("\t.text\nf:\n\tli\tr3, 7\n\tblr\n")
    new = tmp_path / "sc" / "f.toml"
    new.parent.mkdir()
    out = ppc("scenario", "new", str(new), "--entry", "f", "--source", str(src))
    assert out.returncode == 0 and "wrote" in out.stdout, out.stderr
    text = new.read_text()
    assert 'source = "../src/f.S"' in text and 'exit = "return"' in text and "# [[events]]" in text
    assert not list(validator.iter_errors(tomllib.loads(text)))
    run = ppc("run", str(new))
    assert run.returncode == 0 and "PASS" in run.stdout, run.stdout + run.stderr
    again = ppc("scenario", "new", str(new), "--entry", "f", "--source", str(src))
    assert again.returncode == 1 and "exists (--force replaces it)" in again.stderr
    bad = ppc("scenario", "new", str(tmp_path / "g.toml"), "--entry", "nowhere", "--source", str(src))
    assert bad.returncode == 1 and "--entry: unknown entry 'nowhere'" in bad.stderr
    assert not (tmp_path / "g.toml").exists()
