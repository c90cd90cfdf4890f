"""`ppcinterp interleave`: how many interleavings ran and which broke the invariant; the window the violations lie
in, and the first one in words (what each side read and wrote, in order) and as its trace. The text keeps to 80
columns, to go into a mailing-list review as it is; `--json` gives the same facts (views/race_facts.py)."""

from __future__ import annotations

import json
import textwrap

from ppcinterp.study.interleave import RaceReport
from ppcinterp.study.scenario import Scenario
from ppcinterp.views.race_facts import Access, Insn, RaceFacts, Write, facts
from ppcinterp.views.trace import trace_json, trace_lines

WIDTH = 80


def _wrap(text: str, first: str = "", indent: str = "  ") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False)


def _at(insn: Insn) -> str:
    return f"{insn.where} ({insn.text})"


def _bound(f: RaceFacts, k: int) -> str:
    w = f.window[k]
    parts = [f"after {_at(w.after)}"] if w.after else []
    parts.append(f"before {_at(w.before)}" if w.before else "up to the handler's exit")
    return f"{f.actor} step {k + 1} ({w.writes}) lands {' and '.join(parts)}"


def _where(f: RaceFacts, pos: int) -> str:
    return "after the handler's exit" if pos >= f.steps else f"before handler step {pos + 1}"


def _access(a: Access) -> str:
    return f"the handler's {a.insn.mnemonic} at {a.insn.where} " + (f"[{a.what}]" if a.kind == "device" else a.what)


def _write_story(w: Write, actor: str) -> str:
    head = f"{actor} step {w.step} set {w.name} = {w.value}"
    if w.after is None:
        head += " before the handler's first instruction"
    elif w.before is None:
        head += " after the handler's exit"
    else:
        head += f" between the handler's {w.after.mnemonic} at {w.after.where} and its {w.before.mnemonic} at " \
                f"{w.before.where}"
    told = [f"before it, {_access(w.seen_before)}" if w.seen_before else
            "the handler had not read or written it before"]
    if w.seen_after:
        shown = ", then ".join(_access(a) for a in w.seen_after[:3])
        more = len(w.seen_after) - 3
        told.append(f"after it, {shown}" + (f" (and {more} more)" if more > 0 else ""))
    else:
        told.append("the handler did not read or write it again")
    return f"{head}: {'; '.join(told)}."


def race_text(sc: Scenario, report: RaceReport) -> str:
    f = facts(report)
    out = _wrap(f"actor: {f.actor}" + (f" ({f.description})" if f.description else ""))
    out += _wrap(f"invariant: {f.invariant}")
    out += _wrap(f"handler run: {f.steps} steps; {f.interleavings} interleavings ran, {f.violations} violated "
                 "the invariant")
    out += _wrap("exits: " + ", ".join(f"{k} x{n}" for k, n in sorted(f.exits.items())))
    if not f.violations:
        return "\n".join(out)
    out += ["", f"window: the invariant fails {'exactly' if f.exact else 'only'} when"]
    for k in range(len(f.window)):
        out += _wrap(_bound(f, k) + (";" if k + 1 < len(f.window) else "."), "  ", "    ")
    if not f.exact:
        out += _wrap(f"({f.violations} of the {f.in_window} interleavings in that window fail)", "  ", "    ")
    first = f.first
    out += ["", *_wrap("first violation: " + "; ".join(f"{f.actor} step {k + 1} {_where(f, p)}"
                                                         for k, p in enumerate(first.positions)))]
    for w in first.writes:
        out += _wrap(_write_story(w, f.actor), "  - ", "    ")
    finals = ", ".join(f"{n} = {v:#x}" for n, v in first.final.items())
    out += _wrap(f"then the handler {first.message} after {first.steps} steps; after both, {finals}: the "
                 "invariant does not hold.", "  - ", "    ")
    out.append("its trace:")
    out += ["  " + line for line in trace_lines(report.session, first.result, width=WIDTH - 2)]
    out += _wrap(f"after both: {finals}", "  ", "    ")
    return "\n".join(out)


def race_json(sc: Scenario, report: RaceReport) -> str:
    f = facts(report)
    out: dict = {"actor": f.actor, "description": f.description, "invariant": f.invariant, "steps": f.steps,
                 "interleavings": f.interleavings, "violations": f.violations, "exits": f.exits}
    if f.violations:
        out["window"] = {"exact": f.exact, "interleavings": f.in_window, "actor_steps": [
            {"step": k + 1, "writes": w.writes, "from": w.low, "to": w.high,
             "after": w.after.json() if w.after else None, "before": w.before.json() if w.before else None}
            for k, w in enumerate(f.window)]}
        first = f.first
        out["first_violation"] = {
            "positions": list(first.positions), "exit": first.result.exit, "kind": first.result.kind,
            "message": first.message, "steps": first.steps, "final": first.final,
            "writes": [{"step": w.step, "name": w.name, "value": w.value,
                        "after": w.after.json() if w.after else None, "before": w.before.json() if w.before else None,
                        "seen_before": w.seen_before.json() if w.seen_before else None,
                        "seen_after": [a.json() for a in w.seen_after]} for w in first.writes],
            "trace": [json.loads(line) for line in trace_json(report.session, first.result)]}
    return json.dumps(out, indent=1)
