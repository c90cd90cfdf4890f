"""`ppcinterp run`: per scenario, the exit, the path of labels, the step count, and each expectation."""

from __future__ import annotations

from ppcinterp.study.scenario import Outcome

MAX_ITEMS = 60          # items of a path (a label, or a repeated unit) a line shows


def _show(v) -> str:
    if isinstance(v, int) and not isinstance(v, bool):
        return hex(v)
    if isinstance(v, list) and len(v) > MAX_ITEMS:          # a long path: its start and end
        v = [*v[:MAX_ITEMS - 10], f"... {len(v) - MAX_ITEMS + 5:,} more ...", *v[-5:]]
    return _cut(str(v))


def _steps(n: int) -> str:
    return f"{n} step{'s' * (n != 1)}"


def _cut(text: str, most: int = 2000) -> str:
    return text if len(text) <= most else f"{text[:most]}... ({len(text) - most:,} more characters)"


def report(out: Outcome) -> str:
    r = out.result
    sc = out.scenario
    head = "PASS" if out.ok else "FAIL"
    lines = [f"{head} {sc.path}" + (f" - {_cut(sc.description, 500)}" if sc.description else "")]
    for i, earlier in enumerate(out.runs[:-1], 1):
        lines.append(f"  run {i}: {earlier.exit} ({earlier.kind}) after {_steps(earlier.steps)}, "
                     f"path {path_text(earlier.path) or '-'}")
    lines.append(f"  exit:  {r.exit} ({r.kind}) after {_steps(r.steps)}")
    if not r.ok:
        lines.append(f"  why:   {r.message}")
    lines.append(f"  path:  {path_text(r.path) if r.path else '(no labels passed)'}")
    for c in out.checks:
        show = str if c.what == "steps" else _show          # a count is decimal; state values hex
        if c.ok:
            lines.append(f"  ok     {c.what} == {show(c.expected)}")
        else:
            lines.append(f"  WRONG  {c.what}: expected {show(c.expected)}, got {show(c.actual)}")
    return "\n".join(lines)


def path_text(path: list[str], longest: int = 64) -> str:
    """Labels joined by ->, a loop's repeats folded: `1:803 -> 2:812` 32 times is `(1:803 -> 2:812) x32`; a
    path still longer than MAX_ITEMS items shows its start and its end around `... N more labels ...`."""
    items = _folded(path, longest)
    if len(items) > MAX_ITEMS:
        hidden = sum(n for _, n in items[MAX_ITEMS - 10:-10])
        items = [*items[:MAX_ITEMS - 10], (f"... {hidden:,} more labels ...", 0), *items[-10:]]
    return " -> ".join(_cut(text, 500) for text, _ in items)


def _folded(path: list[str], longest: int) -> list[tuple[str, int]]:
    """(text, labels it stands for) per item: a unit of up to `longest` labels repeated n times is one item.
    The candidate periods at i are the distances to the next places path[i] appears again (no quadratic scan)."""
    nxt: list[int] = [0] * len(path)
    seen: dict[str, int] = {}
    for j in range(len(path) - 1, -1, -1):
        nxt[j] = seen.get(path[j], -1)
        seen[path[j]] = j
    out: list[tuple[str, int]] = []
    i = 0
    while i < len(path):
        best_n, best_k = 1, 1
        j = nxt[i]
        while j != -1 and j - i <= longest:
            k = j - i
            run = 0                          # how far path[i + run] == path[i + run + k] holds
            while i + run + k < len(path) and path[i + run] == path[i + run + k]:
                run += 1
            n = run // k + 1
            if n > 1 and n * k > best_n * best_k:
                best_n, best_k = n, k
            j = nxt[j]
        unit = " -> ".join(path[i:i + best_k])
        text = unit if best_n == 1 else f"({unit}) x{best_n}" if best_k > 1 else f"{unit} x{best_n}"
        out.append((text, best_n * best_k))
        i += best_n * best_k
    return out
