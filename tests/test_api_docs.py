"""The Python API is documented: every public Session method and property has a docstring and a place in
docs/api.md; the README links the API and scenario references."""

from __future__ import annotations

import inspect
import re

import pytest
from conftest import ROOT

from ppcinterp.api import Session

API_DOC = (ROOT / "docs" / "api.md").read_text()
PUBLIC = sorted(n for n in dir(Session) if not n.startswith("_"))


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_session_member_is_in_docs_api(name):
    assert re.search(rf"`Session\.{name}\b", API_DOC), f"docs/api.md does not document Session.{name}"


@pytest.mark.parametrize("name", [n for n in PUBLIC if callable(getattr(Session, n)) or
                                  isinstance(inspect.getattr_static(Session, n), property)])
def test_every_public_session_method_has_a_docstring(name):
    member = inspect.getattr_static(Session, name)
    doc = inspect.getdoc(member.fget if isinstance(member, property) else getattr(Session, name))
    assert doc and len(doc) > 20, f"Session.{name} has no docstring"


def test_the_readme_links_the_references():
    readme = (ROOT / "README.md").read_text()
    assert "docs/api.md" in readme and "docs/scenarios.md" in readme
