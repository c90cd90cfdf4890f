"""The shapes of a model's checks (cat's `acyclic r` and `irreflexive r`) and what a failed one says: the axiom,
the relation, and the events of a cycle with the relation each edge belongs to, so a forbidden execution can be
explained in words ("OBSERVATION: fre; prop; hb* cycle through a, c, d")."""

from __future__ import annotations

from dataclasses import dataclass

from ppcinterp.mm.events import Skeleton
from ppcinterp.mm.relation import Rel

Parts = list[tuple[str, Rel]]       # a relation as named pieces: each edge of a cycle is named by the first holding it


@dataclass(frozen=True, slots=True)
class Violation:
    axiom: str                  # "SC PER LOCATION", "NO THIN AIR", "OBSERVATION", "PROPAGATION", ...
    relation: str               # the relation that has the cycle: "po-loc | rf | fr | co", "fre; prop; hb*"
    cycle: tuple[int, ...]      # events, in order; the last edge goes back to the first
    edges: tuple[str, ...]      # the relation of each edge: cycle[i] -> cycle[i+1]

    def summary(self, skel: Skeleton) -> str:
        """`OBSERVATION: fre; prop; hb* cycle through a, c, d`."""
        names = ", ".join(dict.fromkeys(skel.name(i) for i in self.cycle))
        return f"{self.axiom}: {self.relation} cycle through {names}"

    def chain(self, skel: Skeleton) -> str:
        """`a -fre-> c -prop-> d -ppo-> a`."""
        out = skel.name(self.cycle[0])
        for k, label in enumerate(self.edges):
            out += f" -{label}-> {skel.name(self.cycle[(k + 1) % len(self.cycle)])}"
        return out


def label(parts: Parts, a: int, b: int) -> str:
    return next(name for name, r in parts if (a, b) in r)


def union(parts: Parts) -> Rel:
    rel = parts[0][1]
    for _, r in parts[1:]:
        rel = rel | r
    return rel


def acyclic(axiom: str, parts: Parts) -> Violation | None:
    """cat's `acyclic r1 | r2 | ...`: None, or a shortest cycle with each edge named."""
    cyc = union(parts).cycle()
    if cyc is None:
        return None
    edges = tuple(label(parts, a, cyc[(k + 1) % len(cyc)]) for k, a in enumerate(cyc))
    return Violation(axiom, " | ".join(name for name, _ in parts), tuple(cyc), edges)


def path_labels(parts: Parts, a: int, b: int) -> tuple[list[int], list[str]]:
    """A shortest path a -> b through the union of `parts` (no edge when a == b: the reflexive case of r*), as its
    events after a and the name of each edge."""
    if a == b:
        return [], []
    p = union(parts).path(a, b)
    assert p is not None, "a pair of r* with no path in r"
    return p[1:], [label(parts, x, y) for x, y in zip(p, p[1:], strict=False)]


def irreflexive_seq(axiom: str, steps: list[tuple[str, Rel]], last: tuple[str, Parts]) -> Violation | None:
    """cat's `irreflexive s1; s2; ...; r*` where r is `last` (named pieces): None, or the event related to itself
    with the chain that relates it, the r* part expanded into r's edges."""
    name_last, parts = last
    star = union(parts).star()
    rel = steps[0][1]
    for _, r in steps[1:]:
        rel = rel.seq(r)
    bad = rel.seq(star).reflexive()
    if not bad:
        return None
    x = bad[0]
    cycle, edges, here = [x], [], x
    for k, (name, r) in enumerate(steps):
        rest = steps[k + 1:]
        after = star
        for _, s in reversed(rest):
            after = s.seq(after)
        # the next event: reached by this step, and from which the rest of the chain comes back to x
        here = next(y for y in range(len(r.rows)) if (here, y) in r and (y, x) in after)
        cycle.append(here)
        edges.append(name)
    more, labels = path_labels(parts, here, x)
    cycle += more
    edges += labels
    if cycle[-1] == x and len(cycle) > 1:
        cycle.pop()
    relation = "; ".join([n for n, _ in steps] + [f"{name_last}*"])
    return Violation(axiom, relation, tuple(cycle), tuple(edges))
