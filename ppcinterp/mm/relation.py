"""Relations over the events of one candidate execution, held as bit rows: bit j of row i says i -> j.

Executions are small (tens of events), so Python integers are the cheapest sets there are: union, intersection
and sequence cost a few integer operations per event, and the models' fixpoints stay fast in pure Python.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator


def bits(mask: int) -> Iterator[int]:
    """The indices of the set bits of `mask`, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class Rel:
    """A binary relation over events 0..n-1 (immutable by convention: every operation returns a new one)."""

    __slots__ = ("rows",)

    def __init__(self, rows: list[int]):
        self.rows = rows

    @classmethod
    def empty(cls, n: int) -> Rel:
        return cls([0] * n)

    @classmethod
    def of(cls, n: int, pairs: Iterable[tuple[int, int]]) -> Rel:
        rows = [0] * n
        for a, b in pairs:
            rows[a] |= 1 << b
        return cls(rows)

    @classmethod
    def identity(cls, n: int) -> Rel:
        return cls([1 << i for i in range(n)])

    @classmethod
    def cross(cls, n: int, dom: int, rng: int) -> Rel:
        """dom * rng: every event of the set `dom` to every event of the set `rng` (sets as bit masks)."""
        return cls([rng if dom >> i & 1 else 0 for i in range(n)])

    def __or__(self, o: Rel) -> Rel:
        return Rel([a | b for a, b in zip(self.rows, o.rows, strict=True)])

    def __and__(self, o: Rel) -> Rel:
        return Rel([a & b for a, b in zip(self.rows, o.rows, strict=True)])

    def __sub__(self, o: Rel) -> Rel:
        return Rel([a & ~b for a, b in zip(self.rows, o.rows, strict=True)])

    def __eq__(self, o: object) -> bool:
        return isinstance(o, Rel) and self.rows == o.rows

    __hash__ = None  # type: ignore[assignment]

    def __bool__(self) -> bool:
        return any(self.rows)

    def __contains__(self, pair: tuple[int, int]) -> bool:
        a, b = pair
        return bool(self.rows[a] >> b & 1)

    def seq(self, o: Rel) -> Rel:
        """self ; o (cat's sequence): a -> c when a -> b in self and b -> c in o."""
        out, orows = [], o.rows
        for r in self.rows:
            acc = 0
            for b in bits(r):
                acc |= orows[b]
            out.append(acc)
        return Rel(out)

    def inverse(self) -> Rel:
        out = [0] * len(self.rows)
        for a, r in enumerate(self.rows):
            for b in bits(r):
                out[b] |= 1 << a
        return Rel(out)

    def plus(self) -> Rel:
        """The transitive closure (Warshall's algorithm on bit rows)."""
        rows = list(self.rows)
        for k in range(len(rows)):
            kbit, krow = 1 << k, rows[k]
            for i, r in enumerate(rows):
                if r & kbit:
                    rows[i] = r | krow
        return Rel(rows)

    def star(self) -> Rel:
        return self.plus() | Rel.identity(len(self.rows))

    def opt(self) -> Rel:
        return self | Rel.identity(len(self.rows))

    def restrict(self, dom: int, rng: int) -> Rel:
        """self & (dom * rng)."""
        return Rel([r & rng if dom >> i & 1 else 0 for i, r in enumerate(self.rows)])

    def pairs(self) -> list[tuple[int, int]]:
        return [(a, b) for a, r in enumerate(self.rows) for b in bits(r)]

    def reflexive(self) -> list[int]:
        """The events related to themselves."""
        return [i for i, r in enumerate(self.rows) if r >> i & 1]

    def path(self, a: int, b: int) -> list[int] | None:
        """A shortest path a -> ... -> b of at least one edge, as its events from a to b; None if there is none."""
        prev: dict[int, int] = {}
        todo = deque([a])
        while todo:
            x = todo.popleft()
            for y in bits(self.rows[x]):
                if y in prev:
                    continue
                prev[y] = x
                if y == b:
                    out = [b]
                    while out[-1] != a or len(out) == 1:
                        out.append(prev[out[-1]])
                    return out[::-1]
                todo.append(y)
        return None

    def cycle(self) -> list[int] | None:
        """A shortest cycle, as its events in order (the edge from the last goes back to the first); None when
        the relation is acyclic."""
        on_cycle = self.plus().reflexive()
        best: list[int] | None = None
        for v in on_cycle:
            p = self.path(v, v)
            if p is not None and (best is None or len(p) - 1 < len(best)):
                best = p[:-1]
        return best
