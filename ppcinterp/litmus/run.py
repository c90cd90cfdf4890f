"""Run a litmus test under a memory model and report as herd7 does.

    Test MP Allowed                 the condition's kind: exists Allowed, ~exists Forbidden, forall Required
    States 4                        the distinct final states of the consistent executions, on the locations
    1:r1=0; 1:r3=0;                 the condition and `locations` name (registers, then memory as [x])
    ...
    Ok                              the condition holds (exists: some execution satisfies it); else No
    Witnesses
    Positive: 1 Negative: 3         executions satisfying the proposition, and not (swapped for ~exists)
    Condition exists (1:r1=1 /\\ 1:r3=0)
    Observation MP Sometimes 1 3    Never, Sometimes or Always
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ppcinterp.litmus.cond import Condition, Loc, parse_condition
from ppcinterp.litmus.parse import Litmus, LitmusError, Value, read
from ppcinterp.litmus.program import addresses, build, value_of
from ppcinterp.mm import DEFAULT_LIMIT, Budget, executions
from ppcinterp.mm.threads import all_runs

DEFAULT_UNROLL = 2
M64 = (1 << 64) - 1


@dataclass
class Result:
    name: str
    condition: Condition
    model: str
    states: list[tuple[str, ...]] = field(default_factory=list)      # each state's "loc=value;" parts
    positive: int = 0
    negative: int = 0
    cut: bool = False                 # the unroll bound cut some runs (herd's "Loop")

    @property
    def ok(self) -> bool:
        q = self.condition.quantifier
        return self.positive > 0 if q == "exists" else self.positive == 0 if q == "~exists" else self.negative == 0

    @property
    def observation(self) -> str:
        return "Never" if self.positive == 0 else "Always" if self.negative == 0 else "Sometimes"

    def render(self) -> str:
        wit = (self.negative, self.positive) if self.condition.quantifier == "~exists" else \
            (self.positive, self.negative)
        return "\n".join([f"Test {self.name} {self.condition.kind}", f"States {len(self.states)}",
                          *(" ".join(s) for s in self.states),
                          ("Loop " if self.cut else "") + ("Ok" if self.ok else "No"), "Witnesses",
                          f"Positive: {wit[0]} Negative: {wit[1]}", f"Condition {self.condition.show()}",
                          f"Observation {self.name} {self.observation} {self.positive} {self.negative}"])


def run_file(path: str, model: str = "power", limit: int = DEFAULT_LIMIT, unroll: int = DEFAULT_UNROLL) -> Result:
    return run_test(read(path), model, limit, unroll)


def run_test(test: Litmus, model: str = "power", limit: int = DEFAULT_LIMIT,
             unroll: int = DEFAULT_UNROLL) -> Result:
    assert test.source is not None
    cond = parse_condition(test.source, test.cond_at)
    named = cond.locations + cond.prop.locs() + (cond.filter.locs() if cond.filter else [])
    observed = sorted(dict.fromkeys(cond.locations + cond.prop.locs()), key=Loc.key)
    for loc in named:
        if loc.thread >= len(test.threads):
            raise LitmusError(f"{loc}: the test has {len(test.threads)} threads", test.source.pos(test.cond_at))
    props = [cond.prop] + ([cond.filter] if cond.filter else [])
    addr = addresses(test, [loc.name for loc in named if loc.thread < 0] + [n for p in props for n in p.names()])
    names = {a: n for n, a in addr.items()}
    progs = build(test, addr)
    init = {n: value_of(test.memory[n], addr) if n in test.memory else 0 for n in addr}
    budget = Budget(limit, f"{test.path}: {test.name}")
    runs, cut = all_runs(progs, init, budget.spend, unroll)
    result = Result(test.name, cond, model, cut=cut)
    states: dict[tuple[int, ...], tuple[str, ...]] = {}

    def size(loc: Loc) -> int:
        return 8 if loc.thread >= 0 else test.sizes.get(loc.name, 4)

    for ex in executions(runs, {n: (v, 8) for n, v in init.items()}, model, budget=budget):
        regs = {run.thread: run.regs for run in ex.skel.runs}
        finals = {loc: regs[loc.thread][loc.reg] if loc.thread >= 0 else ex.final(loc.name) for loc in named}

        def holds(loc: Loc, v: Value, finals: dict[Loc, int] = finals) -> bool:
            mask = (1 << 8 * size(loc)) - 1
            return (finals[loc] - value_of(v, addr)) & mask == 0

        if cond.filter is not None and not cond.filter.holds(holds):
            continue
        if cond.prop.holds(holds):
            result.positive += 1
        else:
            result.negative += 1
        values = tuple(finals[loc] for loc in observed)
        if values not in states:
            states[values] = tuple(f"{loc}={_show(v, size(loc), names)};" for loc, v in zip(observed, values,
                                                                                              strict=True))
    result.states = [states[k] for k in sorted(states, key=lambda vs: tuple(_order(v, names) for v in vs))]
    return result


def _show(v: int, size: int, names: dict[int, str]) -> str:
    if v in names:
        return names[v]
    v &= (1 << 8 * size) - 1
    return str(v - (1 << 8 * size) if v >> (8 * size - 1) else v)


def _order(v: int, names: dict[int, str]) -> tuple[int, str, int]:
    return (1, names[v], 0) if v in names else (0, "", v - (1 << 64) if v >> 63 else v)
