"""`ppcinterp paths`: the table of paths an entry can take over a domain, and the branch coverage."""

from __future__ import annotations

import json

from ppcinterp.study.explore import Exploration, domain_values
from ppcinterp.views.report import path_text
from ppcinterp.views.trace import shown_path


def _value(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join("(" + ", ".join(hex(x) for x in pair) + ")" for pair in v) + "]"
    return hex(v) if isinstance(v, int) and not isinstance(v, bool) and v > 9 else str(v)


def _inputs(d: dict[str, list]) -> str:
    if not d:
        return "(any input)"
    parts = []
    for name, vals in d.items():
        shown = _value(vals[0]) if len(vals) == 1 else "{" + ", ".join(_value(v) for v in vals) + "}"
        parts.append(f"{name} = {shown}" if len(vals) == 1 else f"{name} in {shown}")
    return ", ".join(parts)


def _decisions(ex: Exploration, decisions) -> str:
    p = ex.session.program
    out = []
    for pc, taken in decisions:
        ai = p.insns.get(pc)
        line = p.upstream_line(ai.pos) or ai.pos.line if ai else pc
        out.append(f"{line}{'T' if taken else 'n'}")
    return " ".join(out)


def paths_text(ex: Exploration, cpus: list[str]) -> str:
    values = domain_values(ex, cpus)
    out = [f"{ex.runs} runs over {len(values)} inputs ({' x '.join(str(len(v)) for v in values.values())}), "
           f"{len(ex.groups)} distinct paths", ""]
    for i, g in enumerate(ex.groups, 1):
        out.append(f"path {i}: {g.exit} ({g.kind})  taken by {len(g.runs)} of {ex.runs}")
        out.append(f"  labels:    {path_text(g.labels)}")
        out.append(f"  branches:  {_decisions(ex, g.decisions) or '(none)'}   (upstream line, T taken / n not)")
        out.append(f"  decided by: {_inputs(g.deciding(values))}")
    cov = ex.coverage
    out += ["", "branch coverage:"]
    for b in cov.branches.values():
        mark = "ok  " if b.status == "both" else "MISS"
        where = ex.session.program.where(b.pos)
        out.append(f"  {mark} {where:<42} {b.text:<32} {b.status}")
    out.append("labels:")
    for name, n in cov.labels.items():
        out.append(f"  {'ok  ' if n else 'MISS'} {name:<24} reached by {n} run{'s' * (n != 1)}")
    out.append("coverage complete" if cov.complete else "coverage INCOMPLETE: the domain misses the lines marked MISS")
    return "\n".join(out)


def paths_json(ex: Exploration, cpus: list[str]) -> str:
    values = domain_values(ex, cpus)
    p = ex.session.program
    return json.dumps({
        "runs": ex.runs,
        "inputs": values,
        "paths": [{"exit": g.exit, "kind": g.kind, "labels": g.labels, "count": len(g.runs),
                   "decisions": [{"addr": pc, "line": p.insns[pc].pos.line,
                                  "upstream": p.upstream_line(p.insns[pc].pos), "taken": t}
                                 for pc, t in g.decisions],
                   "decided_by": g.deciding(values)} for g in ex.groups],
        "coverage": {
            "branches": [{"addr": b.addr, "file": shown_path(b.pos.file), "line": b.pos.line,
                          "upstream": p.upstream_line(b.pos), "insn": b.text, "taken": b.taken,
                          "not_taken": b.not_taken, "status": b.status} for b in ex.coverage.branches.values()],
            "labels": ex.coverage.labels,
            "complete": ex.coverage.complete,
        },
    }, indent=1)
