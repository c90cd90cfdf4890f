"""Race exploration: interleave a second actor's steps at every instruction boundary of a run and check an
invariant once both are done.

The built-in actor `host-ipi` is the host sending an IPI to the thread running the handler, as the kernel
does after the seed commit: store 1 to the thread's host_ipi, then store IPI_PRIORITY to its MFRR (two
separate steps, in that order). The default invariant: once the handler has exited and the host has
finished, if host_ipi is 1 then the ICP still has the IPI (MFRR is not 0xff) -- a host IPI is never lost.
A scenario may name its own actors and invariant:

    invariant = "paca.kvm_hstate.host_ipi == 0 || icp.mfrr != 0xff"
    [actors.poke]
    steps = [ { "icp.mfrr" = "IPI_PRIORITY" } ]
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from ppcinterp.api import Session, rearm
from ppcinterp.diagnostics import PpcError, ScenarioError
from ppcinterp.run.engine import Result
from ppcinterp.run.journal import Step, change
from ppcinterp.study import scenario as sc_mod
from ppcinterp.study.inputs import pos_of
from ppcinterp.study.validate import flatten

DEFAULT_INVARIANT = "paca.kvm_hstate.host_ipi == 0 || icp.mfrr != 0xff"
MAX_INTERLEAVINGS = 100_000       # runs of one exploration: a few seconds at most


@dataclass
class Actor:
    name: str
    description: str
    steps: list[list[tuple[str, object]]]        # each step: assignments made atomically


ACTORS = {
    "host-ipi": Actor("host-ipi", "the host sends this thread an IPI: host_ipi = 1, then MFRR = IPI_PRIORITY",
                      [[("paca.kvm_hstate.host_ipi", 1)], [("icp.mfrr", "IPI_PRIORITY")]]),
}


def actor_from(sc: sc_mod.Scenario, name: str) -> Actor:
    """The scenario's [actors.NAME] (checked as the file was read), else a built-in actor."""
    defined = sc.data.get("actors", {})
    if name in defined:
        spec = defined[name]
        return Actor(name, spec.get("description", ""), [flatten(s) for s in spec["steps"]])
    if name in ACTORS:
        return ACTORS[name]
    known = sorted(set(ACTORS) | set(defined))
    raise PpcError(f"unknown actor '{name}' (known: {', '.join(known)})")


@dataclass
class Interleaving:
    positions: tuple[int, ...]     # before which handler step each actor step runs (n = after the exit)
    result: Result
    holds: bool


@dataclass
class RaceReport:
    actor: Actor
    invariant: str
    steps: int                     # handler steps in the run without the actor
    interleavings: list[Interleaving]
    session: Session
    scenario: sc_mod.Scenario
    base: tuple                    # the machine as the scenario sets it up, before any run

    @property
    def violations(self) -> list[Interleaving]:
        return [i for i in self.interleavings if not i.holds]

    def window(self) -> tuple[list[tuple[int, int]], int]:
        """Where the violations lie: for each actor step, the lowest and highest position at which it broke the
        invariant; and how many interleavings lie inside those bounds (all violations: the window is exact)."""
        v = self.violations
        bounds = [(min(i.positions[k] for i in v), max(i.positions[k] for i in v))
                  for k in range(len(self.actor.steps))] if v else []
        inside = sum(all(lo <= p <= hi for p, (lo, hi) in zip(i.positions, bounds, strict=True))
                     for i in self.interleavings) if v else 0
        return bounds, inside

    def replay(self, which: Interleaving) -> Result:
        """Run one interleaving again with the journal on (for its trace); the machine is left after it."""
        self.session.restore(self.base)
        return run_interleaving(self.scenario, self.session, self.actor, which.positions,
                                self.scenario.data.get("max_steps", 10_000), journal=True)


def explore_races(sc: sc_mod.Scenario, actor: Actor, invariant: str | None = None) -> RaceReport:
    session = sc_mod.build_session(sc)
    inv_text = invariant or sc.data.get("invariant") or DEFAULT_INVARIANT
    try:
        check = session.condition(inv_text)
    except PpcError as e:
        if invariant is None and "invariant" in sc.data:
            raise ScenarioError(e.message, pos_of(sc.text, sc.path, "invariant")) from None
        raise
    base = session.snapshot()
    limit = sc.data.get("max_steps", 10_000)
    hooks, step_hooks = sc_mod.hooks_for(sc, session)
    reference = session.run(sc.entry, max_steps=limit, journal=False, hooks=hooks, step_hooks=step_hooks)
    n = reference.steps
    count = math.comb(n + len(actor.steps), len(actor.steps))      # positions 0..n, non-decreasing
    if count > MAX_INTERLEAVINGS:
        key = actor.name if actor.name in sc.data.get("actors", {}) else "call" if "call" in sc.data else "entry"
        raise ScenarioError(f"the handler's {n} steps and the actor's {len(actor.steps)} make {count:,} "
                            f"interleavings (at most {MAX_INTERLEAVINGS:,}): use fewer actor steps or a shorter run",
                            pos_of(sc.text, sc.path, key))
    prepared = Prepared(sc, session, actor, hooks, step_hooks)
    out = []
    for positions in itertools.combinations_with_replacement(range(n + 1), len(actor.steps)):
        session.restore(base)
        res = run_interleaving(sc, session, actor, positions, limit, journal=False, prepared=prepared)
        out.append(Interleaving(positions, res, bool(check())))
    return RaceReport(actor, inv_text, n, out, session, sc, base)


class Prepared:
    """What every interleaving of one scenario and actor shares, resolved once: the scenario's event hooks
    (re-armed per run), the actor's assignments and texts, where the run starts and the hunk it stays in.
    Made after a run from the base state, as the per-run resolution was (same thread current, same map)."""

    def __init__(self, sc: sc_mod.Scenario, session: Session, actor: Actor, hooks: dict, step_hooks: dict):
        self.hooks, self.step_hooks = hooks, step_hooks
        self.steps = [[sc_mod.prepare(sc, session, name, v) for name, v in step] for step in actor.steps]
        self.texts = [f"{actor.name} step {k + 1}: " + ", ".join(f"{a} = {v}" for a, v in step)
                      for k, step in enumerate(actor.steps)]
        self.pc, self.within = session.address_of(sc.entry), session.hunk_bound(sc.entry)


def run_interleaving(sc: sc_mod.Scenario, session: Session, actor: Actor, positions: tuple[int, ...],
                     limit: int, journal: bool, prepared: Prepared | None = None) -> Result:
    """One run with the actor's steps before the given handler steps; steps not reached run after the exit."""
    if prepared is None:
        hooks, step_hooks = sc_mod.hooks_for(sc, session)
        prepared = Prepared(sc, session, actor, hooks, step_hooks)
    else:
        rearm(prepared.hooks, prepared.step_hooks)
    hooks = prepared.hooks
    step_hooks = {k: list(v) for k, v in prepared.step_hooks.items()}
    pending = list(range(len(actor.steps)))

    def act(k: int):
        def fire(engine, n) -> str:
            pending.remove(k)
            for put in prepared.steps[k]:
                put()
            return prepared.texts[k]
        return fire

    for k, p in enumerate(positions):
        step_hooks.setdefault(p, []).append(act(k))
    res = session.run(prepared.pc, max_steps=limit, journal=journal, hooks=hooks, step_hooks=step_hooks,
                      within=prepared.within)
    log: list = []
    if journal and res.journal is not None:
        session.machine.attach(log)
    try:
        for k in list(pending):                 # the actor finishes after the handler has exited
            text = act(k)(session.engine, res.steps)
            if res.journal is not None:
                res.journal.append(Step(res.steps, session.machine.current, None, None, [change(c) for c in log], text))
                log.clear()
    finally:
        if journal:
            session.machine.attach(None)
    return res
