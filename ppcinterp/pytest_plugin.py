"""pytest support for tests of assembly code (registered through the `pytest11` entry point).

    import pytest

    @pytest.mark.covers("ext_stash_for_host", "upstream 720 taken")
    def test_device_interrupt_is_stashed(ppc):
        s = ppc("asm/book3s_hv_rmhandlers.S")          # a Session (see ppcinterp.api)
        s.set("r12", 0x500); s.set("icp.pending", [(0x1234, 5)])
        r = s.run("hunk 3")
        assert r.exit == "ext_interrupt_to_host" and s.get("paca.kvm_hstate.saved_xirr") == 0xff001234

`covers(...)` names labels and branch directions (`upstream N taken` / `not taken`, or `line N ...`); the
fixture fails the test if its runs did not exercise everything it claims. `pytest --ppc-coverage` prints,
at the end, which branches and labels of the hunks the whole suite exercised.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ppcinterp.api import Session
from ppcinterp.run.coverage import Coverage, exercised
from ppcinterp.run.engine import Result

_suite_runs: dict[str, tuple[Session, list[Result]]] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("ppcinterp").addoption(
        "--ppc-coverage", action="store_true",
        help="report which branches and labels of the assembly the test suite exercised")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "covers(*names): labels and branch directions ('upstream 701 taken') "
                                       "this test exercises; checked by the ppc fixture")
    if config.getoption("--ppc-coverage", default=False):
        Session.observers.append(_record_suite_run)


def _record_suite_run(session: Session, res: Result) -> None:
    key = session.program.path
    if key not in _suite_runs:
        _suite_runs[key] = (session, [])
    _suite_runs[key][1].append(res)


@pytest.fixture
def ppc(request: pytest.FixtureRequest) -> Iterator:
    """A factory of Sessions: ppc(source, **Session options). Checks the test's `covers` claims at the end."""
    runs: list[tuple[Session, Result]] = []

    def observe(session: Session, res: Result) -> None:
        if session in made:
            runs.append((session, res))

    made: list[Session] = []
    Session.observers.append(observe)

    def make(source: str | Path, **options) -> Session:
        s = Session(str(source), **options)
        made.append(s)
        return s

    try:
        yield make
    finally:
        Session.observers.remove(observe)
    claims = [c for m in request.node.iter_markers("covers") for c in m.args]
    if claims and made:
        done: set[str] = set()
        for s in made:
            done |= exercised(s.program, [r for ss, r in runs if ss is s])
        missing = [c for c in claims if c not in done]
        if missing:
            pytest.fail(f"claims to cover {missing}, but its runs did not exercise them "
                        f"(they exercised: {sorted(done)})", pytrace=False)


def covered_claims(items) -> set[str]:
    """The `covers` claims of collected tests (or of test functions)."""
    out: set[str] = set()
    for item in items:
        marks = item.iter_markers("covers") if hasattr(item, "iter_markers") else getattr(item, "pytestmark", [])
        for m in marks:
            if m.name == "covers":
                out.update(m.args)
    return out


def missing_claims(session: Session, claims: set[str], hunks=None) -> list[str]:
    """Labels and branch directions of the hunks that no test claims to cover."""
    return [r for r in Coverage(session.program, session.engine, hunks).requirements() if r not in claims]


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not config.getoption("--ppc-coverage", default=False) or not _suite_runs:
        return
    tr = terminalreporter
    tr.section("ppcinterp coverage")
    for path, (session, results) in sorted(_suite_runs.items()):
        cov = Coverage(session.program, session.engine, [h.number for h in session.program.hunks] or None)
        for r in results:
            cov.add(r)
        both = sum(1 for b in cov.branches.values() if b.status == "both")
        runs = f"{len(results)} run{'s' * (len(results) != 1)}"
        tr.write_line(f"{path}: {runs}; branches covered both ways {both}/{len(cov.branches)}; "
                      f"labels reached {sum(1 for n in cov.labels.values() if n)}/{len(cov.labels)}")
        for b in cov.branches.values():
            mark = "ok  " if b.status == "both" else "MISS"
            tr.write_line(f"  {mark} {session.program.where(b.pos):<42} {b.text:<32} {b.status}")
        for name, n in cov.labels.items():
            if not n:
                tr.write_line(f"  MISS label {name}")
