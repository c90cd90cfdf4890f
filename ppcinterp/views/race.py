"""`ppcinterp interleave`: how many interleavings ran, which broke the invariant, and the first one's trace."""

from __future__ import annotations

from ppcinterp.study.interleave import RaceReport
from ppcinterp.study.scenario import Scenario
from ppcinterp.views.trace import trace_lines


def _where(report: RaceReport, pos: int) -> str:
    if pos >= report.steps:
        return "after the handler's exit"
    return f"before handler step {pos + 1}"


def race_text(sc: Scenario, report: RaceReport) -> str:
    v = report.violations
    out = [f"actor: {report.actor.name} ({report.actor.description})" if report.actor.description
           else f"actor: {report.actor.name}",
           f"invariant: {report.invariant}",
           f"handler run: {report.steps} steps; {len(report.interleavings)} interleavings ran, "
           f"{len(v)} violated the invariant"]
    exits: dict[str, int] = {}
    for i in report.interleavings:
        exits[i.result.exit] = exits.get(i.result.exit, 0) + 1
    out.append("exits: " + ", ".join(f"{k} x{n}" for k, n in sorted(exits.items())))
    if not v:
        return "\n".join(out)
    first = v[0]
    out.append("")
    out.append("first violation: " + "; ".join(f"{report.actor.name} step {k + 1} {_where(report, p)}"
                                              for k, p in enumerate(first.positions)))
    s = report.session
    res = report.replay(first)
    out.append("its trace:")
    out += ["  " + line for line in trace_lines(s, res)]
    values = ", ".join(f"{n} = {s.get(n):#x}" for n in ("paca.kvm_hstate.host_ipi", "icp.mfrr", "icp.cppr"))
    out.append(f"  after both: {values}")
    return "\n".join(out)
