"""`ppcinterp run` folds a loop's repeated labels: the folded path still says exactly which labels passed."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from ppcinterp.views.report import path_text


def unfold(text: str) -> list[str]:
    """Read a folded path back: `(a -> b) x3`, `a x2`, `a`."""
    out: list[str] = []
    for m in re.finditer(r"\(([^()]*)\) x(\d+)|([^ ()>-][^ ()]*)(?: x(\d+))?", text):
        if m.group(1) is not None:
            out += m.group(1).split(" -> ") * int(m.group(2))
        else:
            out += [m.group(3)] * int(m.group(4) or 1)
    return out


def test_a_loop_is_folded():
    assert path_text(["a", "1:803", "2:812"] * 1 + ["1:803", "2:812"] * 31 + ["b", "c", "c", "c"]) == \
        "a -> (1:803 -> 2:812) x32 -> b -> c x3"
    assert path_text(["a", "b"]) == "a -> b"


@given(st.lists(st.sampled_from(["a", "b", "1:803", "ext_stash_for_host"]), max_size=40))
def test_folding_loses_nothing(path):
    assert unfold(path_text(path)) == path
