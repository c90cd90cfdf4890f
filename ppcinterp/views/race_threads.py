"""`ppcinterp interleave` on a race study ([[race]] threads): how many executions were explored (and how many
interleavings of single instructions that stands for), their outcomes, whether the search was cut by its bound,
and the first execution that broke the invariant: each thread's instructions in the order they ran, numbered in
the execution's global order, with the value each load read and whose store wrote it. `--json`: the same."""

from __future__ import annotations

import json
import math
import textwrap

from ppcinterp.study.dpor import Leaf, ThreadStudy
from ppcinterp.study.keys import MODELS
from ppcinterp.study.threads import Judged, MemEvent
from ppcinterp.views.trace import source_text

WIDTH = 80


def naive_count(study: ThreadStudy) -> int:
    """Interleavings of single instructions with each thread's instruction count in the first execution: the
    naive product the exploration stands for (paths that differ in length are not counted)."""
    if not study.leaves:
        return 0
    study.replay(study.leaves[0])
    counts = [r.steps for r in study.racers.runs]
    out = math.factorial(sum(counts))
    for n in counts:
        out //= math.factorial(n)
    return out


def _execution(study: ThreadStudy, leaf: Leaf) -> dict:
    """The execution's instructions per thread, each with its global number and the events it made."""
    events = study.replay(leaf)
    r = study.racers
    number = {pos: n for n, pos in enumerate(r.order, 1)}
    by_insn: dict[tuple[int, int], list[MemEvent]] = {}
    for ev in events:
        by_insn.setdefault((ev.thread, ev.step), []).append(ev)
    threads = []
    for k, run in enumerate(r.runs):
        insns = []
        for step, pc in run.insns:
            where, text = source_text(r.session, pc)
            insns.append({"order": number[(k, step)], "step": step, "pc": pc, "line": where, "text": text,
                          "events": [_event(e) for e in by_insn.get((run.spec.thread, step), [])]})
        threads.append({"thread": run.spec.thread, "entry": run.spec.entry, "kind": run.end[0] if run.end else None,
                        "exit": run.end[1] if run.end else None, "instructions": insns})
    return {"schedule": list(leaf.schedule), "threads": threads}


def _event(e: MemEvent) -> dict:
    out: dict = {"index": e.index, "kind": e.kind}
    if e.kind == "F":
        out["fence"] = e.fence
        return out
    out.update(loc=e.loc, value=e.value, size=e.size, ci=e.ci)
    if e.kind == "R":
        out["writer"] = None if e.writer is None else {"thread": e.writer[0], "index": e.writer[1]}
    return out


def outcome_rows(study: Judged, observe: list[str]) -> list[dict]:
    """Each outcome with how many executions reached it, most first (the JSON reports' `outcomes`)."""
    rows = []
    for (ends, values), n in sorted(study.outcomes().items(), key=lambda kv: -kv[1]):
        rows.append({"executions": n, "exits": [e[1] for e in ends],
                     "values": dict(zip(observe, values, strict=True))})
    return rows


def study_json(study: ThreadStudy) -> str:
    v = study.violations
    return json.dumps({
        "scenario": str(study.scenario.path), "model": study.model, "invariant": study.invariant,
        "threads": [{"thread": s.thread, "entry": s.entry, "source": str(s.source) if s.source else None,
                     "note": s.note} for s in study.racers.specs],
        "executions": study.executions, "blocked": study.blocked, "cut": study.cut,
        "max_executions": study.limit, "reduced": study.reduced, "naive": naive_count(study),
        "outcomes": outcome_rows(study, study.observe), "violations": len(v),
        "first_violation": _execution(study, v[0]) if v else None,
    }, indent=2)


def wrap(text: str, indent: str = "    ") -> list[str]:
    return textwrap.wrap(text, WIDTH, subsequent_indent=indent, break_on_hyphens=False, break_long_words=False)


def study_text(study: ThreadStudy) -> str:
    """The report, within 80 columns (but for long source lines) to paste into a review."""
    lines = wrap(f"race study: {study.scenario.path} (model {study.model}: {MODELS[study.model]})")
    for s in study.racers.specs:
        lines += wrap(f"  thread {s.thread}: {s.entry}" + (f" ({s.note})" if s.note else ""))
    lines += wrap(f"invariant: {study.invariant}")
    how = "one per equivalence class" if study.reduced else "every interleaving of single instructions"
    lines += wrap(f"explored {study.executions:,} execution{'s' * (study.executions != 1)} ({how}; "
                   f"{study.blocked:,} redundant paths cut by sleep sets); naive product: "
                   f"{naive_count(study):,} interleavings of the first execution's instructions")
    if study.cut:
        lines += wrap(f"bound: the search stopped at max_executions = {study.limit:,} with more executions left "
                       "(raise it with --max-executions or max_executions); what follows covers those explored")
    lines.append("outcomes:")
    for row in outcome_rows(study, study.observe):
        values = ", ".join(f"{n} = {v:#x}" for n, v in row["values"].items())
        exits = ", ".join(row["exits"])
        lines += wrap(f"  {row['executions']:>6,} x  exits {exits}" + (f"; {values}" if values else ""),
                       " " * 12)
    v = study.violations
    if not v:
        lines.append("the invariant holds in every execution explored" if study.executions else "no execution ended")
        return "\n".join(lines)
    lines.append(f"the invariant fails in {len(v):,} of {study.executions:,} executions; the first:")
    for t in _execution(study, v[0])["threads"]:
        lines += wrap(f"thread {t['thread']} ({t['entry']}) -> {t['exit']} ({t['kind']}):")
        for i in t["instructions"]:
            lines.append(f"  #{i['order']:<4} {i['line']:>10}  {i['text']}")
            for e in i["events"]:
                lines += wrap("          " + _event_text(e), " " * 12)
    return "\n".join(lines)


def _event_text(e: dict) -> str:
    if e["kind"] == "F":
        return f"fence {e['fence']}"
    if e["kind"] == "W":
        return f"write {e['loc']} = {e['value']:#x}"
    w = e["writer"]
    src = "the initial state" if w is None else f"thread {w['thread']}'s event {w['index']}"
    return f"read {e['loc']} = {e['value']:#x} (written by {src})"
