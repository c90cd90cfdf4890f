"""`ppcinterp interleave` on a race study under `model = "power"` (study/power.py): the runs each thread has under
value speculation, the executions the model allows, their outcomes and, for the first that breaks the invariant,
each thread's instructions with the values its accesses read or wrote and which write each read took, the
coherence order of the contended locations, and the sync whose absence allows it (a sync placed there makes the
execution forbidden), and the dependencies of an access on an earlier load that would forbid it as well (each
added to the execution's events and checked by the model, as the sync is). `--json`: the same facts."""

from __future__ import annotations

import json
from typing import Any

from ppcinterp import mm
from ppcinterp.study.keys import MODELS
from ppcinterp.study.power import PowerLeaf, PowerStudy, Run
from ppcinterp.views.race_threads import outcome_rows, wrap
from ppcinterp.views.trace import source_text


def _state(study: PowerStudy, loc: str, value: int) -> str:
    """A location's value as the report says it: a device's state in words, a byte in hex."""
    if loc not in study.racers.devices:
        return f"{value:#x}"
    cppr, mfrr, pending, shown = study.racers.states[value]
    what = "nothing" if shown is None else "IPI" if shown[0] == 2 else f"source {shown[0]:#x}"
    extra = f", pending {','.join(f'{s:#x}' for s, _ in pending)}" if pending else ""
    return f"(CPPR {cppr:#04x}, MFRR {mfrr:#04x}, presents {what}{extra})"


def _writer(study: PowerStudy, leaf: PowerLeaf, w: int) -> dict[str, Any]:
    """Who made the write with global index w: {thread, step, line, text} or the initial state."""
    e = leaf.execution.skel.events[w]
    if e.thread < 0:
        return {"initial": True}
    k = next(i for i, r in enumerate(study.racers.runs) if r.spec.thread == e.thread)
    step = int(e.where)
    run = study.runs[k][leaf.picks[k]]
    line, text = source_text(study.racers.session, dict(run.insns)[step])
    return {"thread": e.thread, "step": step, "line": line, "text": text}


def _who(w: dict[str, Any]) -> str:
    return "the initial state" if w.get("initial") else f"thread {w['thread']} #{w['step']} ({w['text']})"


def explain(study: PowerStudy, leaf: PowerLeaf) -> dict[str, Any]:
    """The facts of one execution: per thread its instructions and accesses, coherence, the forbidding syncs."""
    ex, skel = leaf.execution, leaf.execution.skel
    names = study.racers.names
    threads = []
    for k, run in enumerate(study.runs[k2][leaf.picks[k2]] for k2 in range(len(study.runs))):
        base = skel.base[run.thread]
        shared_at: dict[int, list[int]] = {}
        assert run.shared is not None
        for i, e in enumerate(run.shared.events):
            shared_at.setdefault(int(e.where), []).append(base + i)
        insns = []
        for step, pc in run.insns:
            line, text = source_text(study.racers.session, pc)
            accesses = []
            for a in run.accesses.get(step, []):
                item: dict[str, Any] = {"kind": "store" if a.write else "load", "name": a.name, "value": a.value,
                                        "device": a.device}
                reads = [g for g in shared_at.get(step, []) if skel.events[g].kind == "R"
                         and skel.events[g].loc in a.locs]
                if reads:
                    src = []
                    for g in reads:
                        w = _writer(study, leaf, ex.rf_map[g])
                        if w not in src:
                            src.append(w)
                    item["read_from"] = src
                    if a.device:
                        item["state"] = _state(study, a.loc, skel.events[reads[0]].value)
                accesses.append(item)
            fences = [skel.events[g].fence for g in shared_at.get(step, []) if skel.events[g].kind == "F"]
            insns.append({"step": step, "pc": pc, "line": line, "text": text, "accesses": accesses,
                          "fence": fences[0] if fences else None})
        threads.append({"thread": run.thread, "entry": study.racers.runs[k].spec.entry, "kind": run.end[0],
                        "exit": run.end[1], "instructions": insns})
    coherence = {}
    for loc, order in sorted(ex.co_order.items(), key=lambda kv: names[kv[0]]):
        if len(order) > 1:
            coherence[names[loc]] = [dict(_writer(study, leaf, w), value=_state(study, loc, skel.events[w].value))
                                     for w in order]
    return {"picks": list(leaf.picks), "threads": threads, "coherence": coherence,
            "forbidden_by": forbidding_syncs(study, leaf),
            "forbidden_by_dependency": forbidding_dependencies(study, leaf)}


def forbidding_syncs(study: PowerStudy, leaf: PowerLeaf) -> list[dict[str, Any]]:
    """Each place in a thread where a sync between two of its accesses makes the execution forbidden."""
    ex, skel = leaf.execution, leaf.execution.skel
    out = []
    for k, run in enumerate(skel.runs):
        evs = run.events
        for p in range(1, len(evs)):
            if evs[p - 1].kind == "F" or evs[p].kind == "F" or evs[p - 1].where == evs[p].where:
                continue
            moved = [_event(e, i + (i >= p), p) for i, e in enumerate(evs)]
            new_run = mm.ThreadRun(run.thread, moved[:p] + [mm.Event("F", run.thread, p, fence="sync")] + moved[p:],
                                   [(a + (a >= p), b + (b >= p)) for a, b in run.rmw], ())
            if _allowed(ex, k, new_run, skel.base[run.thread] + p):
                continue
            a = _writer(study, leaf, skel.base[run.thread] + p - 1) if evs[p - 1].kind == "W" else \
                _site(study, leaf, k, evs[p - 1])
            b = _site(study, leaf, k, evs[p])
            out.append({"thread": run.thread, "barrier": "sync", "after": a, "before": b})
    return out


DEPENDENCIES = {"addr": "an address dependency", "ctrl": "a control dependency",
                "ctrlisync": "a control dependency and isync"}


def forbidding_dependencies(study: PowerStudy, leaf: PowerLeaf) -> list[dict[str, Any]]:
    """Each pair of a thread's instructions, a load and a later access, where a dependency the code does not have
    makes the execution forbidden: the first that does of an address dependency of the later access on the load,
    a branch on the load's value before it (ordering every later access), that branch and an isync; each checked
    by the model."""
    ex, skel = leaf.execution, leaf.execution.skel
    out = []
    for k, run in enumerate(skel.runs):
        steps: dict[str, list[int]] = {}
        for i, e in enumerate(run.events):
            if e.kind != "F":
                steps.setdefault(e.where, []).append(i)
        order = list(steps)
        for x, a in enumerate(order):
            src = frozenset(i for i in steps[a] if run.events[i].kind == "R")
            for b in order[x + 1:] if src else ():
                first = steps[b][0]
                for kind in DEPENDENCIES:
                    # a branch orders every later access; an address dependency only the instruction's own
                    targets = set(steps[b]) if kind == "addr" else set(range(first, len(run.events)))
                    if all(src <= getattr(run.events[i], kind) for i in targets):
                        continue        # the code has it already
                    evs = [_event(e, i, len(run.events), {kind: src} if i in targets else {})
                           for i, e in enumerate(run.events)]
                    if not _allowed(ex, k, mm.ThreadRun(run.thread, evs, run.rmw, ()), len(skel.events)):
                        out.append({"thread": run.thread, "dependency": kind,
                                    "from": _site(study, leaf, k, run.events[steps[a][0]]),
                                    "to": _site(study, leaf, k, run.events[first])})
                        break
    return out


def _event(e: mm.Event, index: int, at: int, add: dict[str, frozenset[int]] | None = None) -> mm.Event:
    """e as `index`, its dependencies on events from `at` on moved one later (a fence put there), `add` added."""
    deps = {d: frozenset(i + (i >= at) for i in getattr(e, d)) | (add or {}).get(d, frozenset())
            for d in ("addr", "data", "ctrl", "ctrlisync")}
    return mm.Event(e.kind, e.thread, index, e.loc, e.value, e.size, e.fence, e.exclusive, e.ci, where=e.where,
                    **deps)


def _allowed(ex: mm.Execution, k: int, new_run: mm.ThreadRun, lo: int) -> bool:
    """Whether the model allows the execution with thread k's run replaced, its events from global index `lo` on
    one later (a fence put before them)."""
    skel = ex.skel

    def at(g: int) -> int:
        return g + 1 if lo <= g else g

    runs = [new_run if j == k else r for j, r in enumerate(skel.runs)]
    s2 = mm.Skeleton(runs, {e.loc: (e.value, e.size) for e in skel.events if e.thread < 0 and e.loc})
    return mm.allowed(mm.Execution(s2, {at(r): at(w) for r, w in ex.rf_map.items()},
                                   {loc: [at(w) for w in ws] for loc, ws in ex.co_order.items()}), "power")


def _site(study: PowerStudy, leaf: PowerLeaf, k: int, e: mm.Event) -> dict[str, Any]:
    run: Run = study.runs[k][leaf.picks[k]]
    step = int(e.where)
    line, text = source_text(study.racers.session, dict(run.insns)[step])
    return {"thread": run.thread, "step": step, "line": line, "text": text}


def power_json(study: PowerStudy) -> str:
    v = study.violations
    return json.dumps({
        "scenario": str(study.scenario.path), "model": study.model, "invariant": study.invariant,
        "threads": [{"thread": s.thread, "entry": s.entry, "note": s.note, "runs": len(study.runs[k])}
                    for k, s in enumerate(study.racers.specs)],
        "shared": [study.racers.names[loc] for loc in study.shared], "candidates": study.candidates,
        "executions": study.executions, "cut": study.cut, "max_executions": study.limit,
        "unrolled": study.unrolled, "outcomes": outcome_rows(study, study.observe), "violations": len(v),
        "first_violation": explain(study, v[0]) if v else None,
    }, indent=2)


def power_text(study: PowerStudy) -> str:
    lines = wrap(f"race study: {study.scenario.path} (model {study.model}: {MODELS[study.model]})")
    for k, s in enumerate(study.racers.specs):
        lines += wrap(f"  thread {s.thread}: {s.entry}, {len(study.runs[k]):,} runs" + (f" ({s.note})" if s.note
                                                                                          else ""))
    lines += wrap(f"invariant: {study.invariant}")
    lines += wrap("shared locations: " + ", ".join(study.racers.names[loc] for loc in study.shared))
    lines += wrap(f"the model allows {study.executions:,} of {study.candidates:,} candidate executions")
    if study.cut:
        lines += wrap(f"bound: stopped at max_executions = {study.limit:,} candidate executions with more left "
                       "(raise it with --max-executions or max_executions); what follows covers those examined")
    if study.unrolled:
        lines += wrap("loops: runs that take a backward branch more than twice were left out (herd's unrolling)")
    lines.append("outcomes:")
    for row in outcome_rows(study, study.observe):
        values = ", ".join(f"{n} = {v:#x}" for n, v in row["values"].items())
        lines += wrap(f"  {row['executions']:>6,} x  exits {', '.join(row['exits'])}" + (f"; {values}" if values
                                                                                             else ""), " " * 12)
    v = study.violations
    if not v:
        lines.append("the invariant holds in every execution the model allows" if study.executions
                     else "the model allows no execution")
        return "\n".join(lines)
    lines.append(f"the invariant fails in {len(v):,} of {study.executions:,} executions; the first:")
    facts = explain(study, v[0])
    for t in facts["threads"]:
        lines += wrap(f"thread {t['thread']} ({t['entry']}) -> {t['exit']} ({t['kind']}):")
        for i in t["instructions"]:
            lines.append(f"  #{i['step']:<4} {i['line']:>10}  {i['text']}")
            for a in i["accesses"]:
                lines += wrap("          " + _access_text(a), " " * 12)
    lines.append("coherence order:")
    for name, order in facts["coherence"].items():
        lines += wrap(f"  {name}: " + " < ".join(("initial " if w.get("initial") else
                                                   f"thread {w['thread']} #{w['step']} ") + w["value"]
                                                  for w in order), " " * 6)
    if facts["forbidden_by"]:
        for f in facts["forbidden_by"]:
            lines += wrap(f"forbidden by a {f['barrier']} on thread {f['thread']} between #{f['after']['step']} "
                           f"({f['after']['text']}) and #{f['before']['step']} ({f['before']['text']})")
    else:
        lines.append("no single sync between two accesses of one thread forbids it")
    for f in facts["forbidden_by_dependency"]:
        lines += wrap(f"forbidden by {DEPENDENCIES[f['dependency']]} on thread {f['thread']} from #{f['from']['step']} "
                      f"({f['from']['text']}) to #{f['to']['step']} ({f['to']['text']})")
    if not facts["forbidden_by_dependency"]:
        lines.append("no dependency of one access of a thread on an earlier load forbids it")
    return "\n".join(lines)


def _access_text(a: dict[str, Any]) -> str:
    verb = "store" if a["kind"] == "store" else "load"
    src = a.get("read_from")
    text = f"{verb} {a['name']} {'=' if verb == 'store' else '->'} {a['value']:#x}"
    if src is not None:
        what = "device state " + a["state"] + " " if a["device"] else ""
        text += f" ({what}from {', '.join(_who(w) for w in src)})"
    return text
