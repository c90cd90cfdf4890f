"""Instructions defined by a source template: one definition, two executors.

A template function receives (ctx, f) at pre-decode time, like a semantics factory, and returns a Tmpl: a few
Python statements with `{NAME}` placeholders for its constants (registers, immediates, masks, the fall-through
`{NXT}`), over the names `g`, `cr`, `spr`, `read`, `write`, `t` and the helpers in HELPERS. A branch's
statements set `npc`. From that one text come both executors:

- the per-instruction closure: the text with each placeholder left as a name, compiled once per distinct text
  into a maker whose parameters are those names, then called with the instruction's values;
- the basic block (run/blocks.py): the text with the values folded in as literals, inlined.

A template function may return None for variants it does not cover; the instruction then falls back to the
semantics factory it names (update, byte-reversed forms ...), called through its closure from a block.

Computation modes (Power ISA Book I, 64-bit and 32-bit mode, chosen by MSR[SF]): a template function is asked
for either mode, `ctx.sf` telling which (and `ctx.nxt`, `ctx.ret` giving that mode's addresses). Blocks are
compiled per mode; a closure tests MSR[SF] when it runs and, in 32-bit mode, calls the 32-bit text's closure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from ppcinterp.isa import sem
from ppcinterp.isa.context import Ctx, Fields, Step

if TYPE_CHECKING:                  # table imports the families, which import this module: no cycle at run time
    from ppcinterp.isa.table import InsnDef, Semantics

HELPERS: dict[str, object] = {
    "M64": sem.M64, "M32": sem.M32, "LT": sem.LT, "GT": sem.GT, "EQ": sem.EQ, "SO": sem.SO, "XER": sem.XER,
    "cr0_bits": sem.cr0_bits, "set_xer": sem.set_xer,
}
ENV = ("g", "cr", "spr", "read", "write", "t")       # per-thread containers a template may name
# CR0 from a 64-bit result `r` (sem.cr0_bits inlined: LT/GT/EQ from the signed value, SO from XER).
CR0 = "cr[0] = (LT if r >> 63 else GT if r else EQ) | (spr.get(XER, 0) >> 31 & 1)"
# In 32-bit mode CR0 compares the low word of the result, as a signed 32-bit value, with 0.
CR0_32 = "cr[0] = (LT if r & 0x80000000 else GT if r & M32 else EQ) | (spr.get(XER, 0) >> 31 & 1)"
CARRY = "(spr.get(1, 0) >> 29 & 1)"          # XER[CA], as an add-extended reads it


def cr0(ctx: Ctx) -> str:
    """The CR0 line of a record form, in the mode `ctx` is for."""
    return CR0 if ctx.sf else CR0_32


def ea_mask(ctx: Ctx) -> str:
    """What an effective address (or the next instruction's address) is masked with: in 32-bit mode its high
    32 bits are 0."""
    return "M64" if ctx.sf else "M32"


def xer(ca: str | None = None, ov: str | None = None) -> str:
    """sem.set_xer inlined as one XER write: CA from a 0/1 expression, OV (and the sticky SO) from a truth value."""
    clear = (sem.CA if ca else 0) | (sem.OV if ov else 0)
    parts = [f"spr.get(1, 0) & ~{clear:#x}"]
    if ca:
        parts.append(f"({ca}) << 29")
    if ov:
        parts.append(f"({ov}) * 0xC0000000")
    return "spr[1] = " + " | ".join(parts)


@dataclass(frozen=True, slots=True)
class Tmpl:
    body: str                      # statements; placeholders {NAME} for the values in `params`
    params: tuple[tuple[str, int], ...]
    branch: bool = False           # sets `npc` (else the successor is {NXT})

    def folded(self, nxt: int) -> str:
        """The statements with every value a literal (for a block)."""
        return self.body.format(NXT=nxt, **{k: _lit(v) for k, v in self.params})


def tmpl(body: str, branch: bool = False, **params: int) -> Tmpl:
    return Tmpl(body, tuple(sorted(params.items())), branch)


def _lit(v: int) -> str:
    return hex(v) if v >= 0 else f"({v})"


TemplateFn = Callable[[Ctx, Fields], "Tmpl | None"]
TEMPLATES: dict[str, TemplateFn] = {}
# A maker: the template's closure built from the thread's containers, the fall-through and the values.
Maker = Callable[..., Step]
_MAKERS: dict[tuple[str, bool, tuple[str, ...], bool], Maker] = {}


def template(*names: str, fallback: Semantics | None = None) -> Callable[[TemplateFn], TemplateFn]:
    """Define base instructions by a template (and `fallback` for the variants it returns None for)."""
    from ppcinterp.isa.table import semantics

    def register(fn: TemplateFn) -> TemplateFn:
        def factory(ctx: Ctx, f: Fields) -> Step:
            t = fn(ctx, f)
            if t is None:
                if fallback is None:
                    raise ValueError(f"template for {ctx.insn.name} covers no such variant")
                return fallback(ctx, f)
            return closure(ctx, t)
        for n in names:
            TEMPLATES[n] = fn
        semantics(*names)(factory)
        return fn
    return register


def template_of(d: InsnDef, ctx: Ctx, f: Fields) -> Tmpl | None:
    fn = TEMPLATES.get(d.base_name)
    return fn(ctx, f) if fn is not None else None


def env_of(ctx: Ctx) -> tuple[object, ...]:
    mem = ctx.mem
    return ctx.g, ctx.cr, ctx.spr, mem.read, mem.write, ctx.thread


def closure(ctx: Ctx, t: Tmpl, other_mode: Callable[[int], int] | None = None) -> Callable[[], int]:
    """The per-instruction closure of a template: its maker compiled once per distinct text. With
    `other_mode`, the closure runs `t` only in 64-bit mode (MSR[SF] = 1, the MSR's top bit, read from the
    thread without the property) and otherwise returns other_mode(its address): what the 32-bit mode's text
    does, made when first needed (a program that stays in 64-bit mode never asks its templates for it)."""
    names = tuple(k for k, _ in t.params)
    key = (t.body, t.branch, names, other_mode is not None)
    make = _MAKERS.get(key)
    if make is None:
        make = _MAKERS[key] = _compile_maker(t, names, other_mode is not None)
    tail = (other_mode, ctx.addr) if other_mode is not None else ()
    return make(*env_of(ctx), ctx.nxt, *(v for _, v in t.params), *tail)


def _compile_maker(t: Tmpl, names: tuple[str, ...], modal: bool) -> Maker:
    ret = "npc" if t.branch else "NXT"
    params = ENV + ("NXT",) + names + (("OTHER", "ADDR") if modal else ())
    body = t.body.format(NXT="NXT", **{n: n for n in names})
    lines = f"{_indented(body, 2)}\n        return {ret}"
    if modal:
        lines = f"        if not t._msr >> 63:\n            return OTHER(ADDR)\n{lines}"
    src = f"def make({', '.join(params)}):\n    def run():\n{lines}\n    return run\n"
    ns = dict(HELPERS)
    exec(compile(src, "<template>", "exec"), ns)     # noqa: S102 - our own generated source
    return cast(Maker, ns["make"])         # the function the generated source defines


def _indented(body: str, depth: int) -> str:
    return "\n".join("    " * depth + ln for ln in body.splitlines())
