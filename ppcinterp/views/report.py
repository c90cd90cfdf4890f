"""`ppcinterp run`: per scenario, the exit, the path of labels, the step count, and each expectation."""

from __future__ import annotations

from ppcinterp.study.scenario import Outcome


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
                     f"path {path_text(earlier.path) or '-'}")
    lines.append(f"  exit:  {r.exit} ({r.kind}) after {r.steps} steps")
    if not r.ok:
        lines.append(f"  why:   {r.message}")
    lines.append(f"  path:  {path_text(r.path) if r.path else '(no labels passed)'}")
    for c in out.checks:
        if c.ok:
            lines.append(f"  ok     {c.what} == {_show(c.expected)}")
        else:
            lines.append(f"  WRONG  {c.what}: expected {_show(c.expected)}, got {_show(c.actual)}")
    return "\n".join(lines)


def path_text(path: list[str], longest: int = 4) -> str:
    """Labels joined by ->, a loop's repeats folded: `1:803 -> 2:812` 32 times is `(1:803 -> 2:812) x32`."""
    out: list[str] = []
    i = 0
    while i < len(path):
        best_n, best_k = 1, 1
        for k in range(1, longest + 1):
            unit = path[i:i + k]
            n = 1
            while path[i + n * k:i + (n + 1) * k] == unit:
                n += 1
            if n > 1 and n * k > best_n * best_k:
                best_n, best_k = n, k
        unit = " -> ".join(path[i:i + best_k])
        out.append(unit if best_n == 1 else f"({unit}) x{best_n}" if best_k > 1 else f"{unit} x{best_n}")
        i += best_n * best_k
    return " -> ".join(out)
