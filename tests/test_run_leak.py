"""A run's exit is one exception instance shared by every run: raising it must not keep earlier runs alive."""

from __future__ import annotations

from conftest import FRAGMENT

from ppcinterp.api import Session


def _depth(exc: BaseException) -> int:
    n, tb = 0, exc.__traceback__
    while tb is not None:
        n, tb = n + 1, tb.tb_next
    return n


def test_repeated_exits_do_not_pile_up_frames():
    s = Session(str(FRAGMENT))
    base = s.snapshot()
    depths = []
    for _ in range(200):
        s.restore(base)
        s.set("r12", "BOOK3S_INTERRUPT_EXTERNAL")
        r = s.run("hunk 3", journal=False)
        depths.append(_depth(r.detail))
    assert r.kind == "end-of-hunk" and max(depths) <= 4


def test_repeated_calls_into_other_objects_do_not_pile_up_frames(tmp_path):
    src = tmp_path / "t.S"
    src.write_text("start:\n\tbl .elsewhere\n\tblr\n")
    s = Session(str(src), externs=[".elsewhere"])
    depths = [_depth(s.run("start", journal=False).detail) for _ in range(200)]
    assert max(depths) <= 4


def test_untraced_run_gives_the_same_exit_without_a_path():
    s = Session(str(FRAGMENT))
    base = s.snapshot()
    s.set("r12", "BOOK3S_INTERRUPT_EXTERNAL")
    traced = s.run("hunk 3", journal=False)
    s.restore(base)
    s.set("r12", "BOOK3S_INTERRUPT_EXTERNAL")
    untraced = s.run("hunk 3", journal=False, path=False)
    assert (untraced.exit, untraced.kind, untraced.steps) == (traced.exit, traced.kind, traced.steps)
    assert traced.path and untraced.path == [] and untraced.decisions == []
