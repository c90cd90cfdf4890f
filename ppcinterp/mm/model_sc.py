"""Sequential consistency (Lamport): one interleaving of every thread's accesses, each read taking the latest write.
As a cat model (herd7's sc.cat): acyclic po | rf | co | fr, with a lwarx/stwcx. pair's rmw atomic."""

from __future__ import annotations

from ppcinterp.mm.axioms import Violation, acyclic
from ppcinterp.mm.events import Execution
from ppcinterp.mm.model_power import atomicity


def check(ex: Execution) -> Violation | None:
    """None if SC allows the execution, else the axiom it breaks (po is transitive, so a shortest cycle never
    passes through a fence)."""
    return acyclic("SC", [("po", ex.skel.po), ("rf", ex.rf), ("co", ex.co), ("fr", ex.fr)]) or atomicity(ex)
