"""`ppcinterp run`: per scenario, the exit, the path of labels, the step count, and each expectation."""

from __future__ import annotations

from ppcinterp.run.scenario import Outcome


def _show(v) -> str:
    if isinstance(v, int) and not isinstance(v, bool):
        return hex(v)
    return str(v)


def report(out: Outcome) -> str:
    r = out.result
    sc = out.scenario
    head = "PASS" if out.ok else "FAIL"
    lines = [f"{head} {sc.path}" + (f" - {sc.description}" if sc.description else "")]
    for i, earlier in enumerate(out.runs[:-1], 1):
        lines.append(f"  run {i}: {earlier.exit} ({earlier.kind}) after {earlier.steps} steps, "
                     f"path {' -> '.join(earlier.path) or '-'}")
    lines.append(f"  exit:  {r.exit} ({r.kind}) after {r.steps} steps")
    if not r.ok:
        lines.append(f"  why:   {r.message}")
    lines.append(f"  path:  {' -> '.join(r.path) if r.path else '(no labels passed)'}")
    for c in out.checks:
        if c.ok:
            lines.append(f"  ok     {c.what} == {_show(c.expected)}")
        else:
            lines.append(f"  WRONG  {c.what}: expected {_show(c.expected)}, got {_show(c.actual)}")
    return "\n".join(lines)
