"""The instruction table: every base instruction defined once (form, fields, syntax, semantics).

Family modules (alu, rotate, load_store, ...) call `define` for base instructions and `alias` for extended
mnemonics. The assembler, encoder, decoder, listing and executor all read the definitions collected here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict

from ppcinterp.isa.context import Ctx, Fields, Step
from ppcinterp.isa.fields import FIELDS, Field
from ppcinterp.source.statements import Operand as SourceOperand

# A semantics factory receives (the decode context, fields by name) at pre-decode time and returns a step closure.
Semantics = Callable[[Ctx, Fields], Step]
# An operand check receives the operand values by field name and returns (field, message) for the first operand
# GNU as would refuse given the others (an update form's RA, a reserved BO), or None.
Check = Callable[[dict[str, int]], "tuple[str, str] | None"]


@dataclass(slots=True)
class Operand:
    """One operand slot in assembler syntax: a field, or a `D(RA)` memory pair."""

    field: Field
    base: Field | None = None     # set for D(RA) operands: the register inside the parentheses
    optional: bool = False
    default: int = 0

    def __str__(self) -> str:
        s = f"{self.field.name}({self.base.name})" if self.base else self.field.name
        return f"[{s}]" if self.optional else s


@dataclass(slots=True)
class InsnDef:
    name: str                 # full mnemonic, including '.', 'o', 'l', 'a' variants: "add.", "bcl"
    family: str               # defining module, e.g. "alu"
    opcode: int               # fixed bits of the word
    mask: int                 # which bits are fixed
    operands: tuple[Operand, ...]
    rc: bool = False          # record form: sets CR0 (or CR1 for FP)
    oe: bool = False          # overflow-enable form
    aa: bool = False          # absolute address
    lk: bool = False          # link: sets LR
    semantics: Semantics | None = None
    base_name: str = ""       # the name without '.', 'o', 'l', 'a' suffixes: semantics are shared
    fields: dict[str, Field] = field(default_factory=dict)
    check: Check | None = None

    def syntax(self) -> str:
        return ",".join(str(o) for o in self.operands)

    @property
    def required(self) -> int:
        return sum(1 for o in self.operands if not o.optional)


INSNS: dict[str, InsnDef] = {}
_BY_PRIMARY: dict[int, list[InsnDef]] = {}
_SEMANTICS: dict[str, Semantics] = {}


def parse_syntax(syntax: str) -> tuple[Operand, ...]:
    """'RT,D(RA0)' or 'RS,[L15]' -> operand slots."""
    ops = []
    for part in filter(None, (p.strip() for p in syntax.split(","))):
        optional = part.startswith("[")
        part = part.strip("[]")
        default = 0
        if "=" in part:
            part, d = part.split("=")
            default = int(d, 0)
        if "(" in part:
            disp, base = part[:-1].split("(")
            ops.append(Operand(FIELDS[disp], FIELDS[base], optional, default))
        else:
            ops.append(Operand(FIELDS[part], None, optional, default))
    return tuple(ops)


class _Flags(TypedDict, total=False):
    """The suffix flags of a variant (InsnDef's keywords)."""

    rc: bool
    oe: bool
    aa: bool
    lk: bool


def define(name: str, form: tuple[int, int], syntax: str, family: str, *, rc: bool = False,
           oe: bool = False, aa_lk: bool = False, lk: bool = False, check: Check | None = None) -> None:
    """Define a base instruction and its suffix variants.

    form: (opcode, mask) from one of the form helpers. rc adds `name.` (Rc=1, bit 31); oe adds `nameo`/`nameo.`
    (OE=1, bit 21); aa_lk adds `namea`/`namel`/`namela` (AA bit 30, LK bit 31); lk adds `namel` (LK bit 31).
    check: what the assembler refuses beyond each operand's own range (see Check).
    """
    opcode, mask = form
    operands = parse_syntax(syntax)
    variants: list[tuple[str, int, _Flags]] = [("", 0, {})]
    if oe:
        variants += [("o", 1 << 10, {"oe": True})]
    if rc:
        variants += [(s + ".", bits | 1, {**kw, "rc": True}) for s, bits, kw in variants]
    if aa_lk:
        variants = [("", 0, {}), ("l", 1, {"lk": True}), ("a", 2, {"aa": True}),
                    ("la", 3, {"aa": True, "lk": True})]
    if lk:
        variants = [("", 0, {}), ("l", 1, {"lk": True})]
    for suffix, bits, kw in variants:
        if name.endswith("."):     # addic., andi., stwcx.: the record form is its own opcode
            kw = {**kw, "rc": True}
        d = InsnDef(name + suffix, family, opcode | bits, mask, operands, base_name=name, check=check, **kw)
        d.fields = {o.field.name: o.field for o in operands} | {o.base.name: o.base for o in operands if o.base}
        if d.name in INSNS:
            raise ValueError(f"instruction {d.name} defined twice")
        INSNS[d.name] = d
        _BY_PRIMARY.setdefault(opcode >> 26, []).append(d)


def semantics(*names: str) -> Callable[[Semantics], Semantics]:
    """Attach one semantics factory to base instructions (shared by their '.', 'o', 'l' variants)."""
    def register(fn: Semantics) -> Semantics:
        for n in names:
            if n not in INSNS:
                raise ValueError(f"semantics for undefined instruction {n}")
            _SEMANTICS[n] = fn
        return fn
    return register


def semantics_of(d: InsnDef) -> Semantics | None:
    return _SEMANTICS.get(d.base_name)


def operand_error(d: InsnDef, values: list[int]) -> tuple[int, str] | None:
    """(index into `values`, message) of an operand the instruction's check refuses; `values` are in operand
    order, a D(RA) operand's two fields one after the other."""
    if d.check is None:
        return None
    names = [n for o in d.operands for n in ((o.field.name, o.base.name) if o.base else (o.field.name,))]
    bad = d.check(dict(zip(names, values, strict=True)))
    return None if bad is None else (names.index(bad[0]), bad[1])


# Functions an extended mnemonic may apply to an operand (`Call(name, operand)`), evaluated with the operand's
# value once it is known: the value to encode, or ValueError with the message for an operand GNU as refuses.
OPERAND_FUNCTIONS: dict[str, Callable[[int], int]] = {}


def operand_function(name: str) -> Callable[[Callable[[int], int]], Callable[[int], int]]:
    def register(fn: Callable[[int], int]) -> Callable[[int], int]:
        OPERAND_FUNCTIONS[name] = fn
        return fn
    return register


# ---- extended mnemonics: rewrites to a base instruction, chosen by operand count ----

Rewrite = Callable[..., tuple[str, list[SourceOperand]]]
ALIASES: dict[str, dict[int, Rewrite]] = {}


def alias(name: str, *rewrites: Rewrite, suffixes: tuple[str, ...] = ("",)) -> None:
    """Register an extended mnemonic. Each rewrite takes the written operands and returns (base, operands);
    its parameter count is the operand count it accepts. Each suffix ('.', 'o', 'o.', 'l', ...) registers
    `name+suffix`, rewriting to `base+suffix`."""
    for suffix in suffixes:
        table = ALIASES.setdefault(name + suffix, {})
        for rw in rewrites:
            n = rw.__code__.co_argcount
            table[n] = _with_suffix(rw, suffix)


def _with_suffix(rw: Rewrite, suffix: str) -> Rewrite:
    def apply(*ops: SourceOperand) -> tuple[str, list[SourceOperand]]:
        base, out = rw(*ops)
        return base + suffix, out
    return apply


def rewrite(name: str, operands: list[SourceOperand]) -> tuple[str, list[SourceOperand]] | None:
    """Apply the extended mnemonic `name` to its operands; None if `name` is not an extended mnemonic.
    Raises LookupError with the accepted operand counts when the count does not match."""
    forms = ALIASES.get(name)
    if forms is None:
        return None
    rw = forms.get(len(operands))
    if rw is None:
        if name in INSNS:       # a base instruction that also has an alternate syntax (rlwinm's mask form)
            return None
        raise LookupError(sorted(forms))
    return rw(*operands)


# ---- instruction forms: (fixed opcode bits, mask of fixed bits) ----

def _po(p: int) -> int:
    return p << 26


def D(p: int) -> tuple[int, int]:
    return _po(p), 0xFC000000


def DS(p: int, xo: int) -> tuple[int, int]:
    return _po(p) | xo, 0xFC000003


def X(p: int, xo: int, extra: int = 0, extra_mask: int = 0) -> tuple[int, int]:
    """X/XL/XFX forms: 10-bit extended opcode in bits 21-30; Rc/LK bit 31 fixed at 0 (variants set it)."""
    return _po(p) | (xo << 1) | extra, 0xFC0007FF | extra_mask


def XO(p: int, xo: int) -> tuple[int, int]:
    """XO form: 9-bit extended opcode in bits 22-30, OE in bit 21."""
    return _po(p) | (xo << 1), 0xFC0007FF


def A(p: int, xo: int, unused: int = 0) -> tuple[int, int]:
    """A form (FP arithmetic): 5-bit extended opcode in bits 26-30; `unused` are the fields the instruction leaves
    0 (FRC of fadds: 0x7C0, FRB of fmuls: 0xF800), fixed so decoding picks the most specific definition."""
    return _po(p) | (xo << 1), 0xFC00003F | unused


def M(p: int) -> tuple[int, int]:
    return _po(p), 0xFC000001


def MD(xo: int) -> tuple[int, int]:
    """MD form (opcode 30): 3-bit extended opcode in bits 27-29."""
    return _po(30) | (xo << 2), 0xFC00001D


def MDS(xo: int) -> tuple[int, int]:
    """MDS form (opcode 30): 4-bit extended opcode in bits 27-30."""
    return _po(30) | (xo << 1), 0xFC00001F


def I(p: int) -> tuple[int, int]:  # noqa: E743 - the ISA's name for the form
    return _po(p), 0xFC000003


def B(p: int) -> tuple[int, int]:
    return _po(p), 0xFC000003


# ---- decoding ----

def decode(word: int) -> InsnDef | None:
    """The definition whose fixed bits match the word, most specific first; None if no instruction matches."""
    cands = _BY_PRIMARY.get(word >> 26)
    if not cands:
        return None
    best = None
    for d in cands:
        if (word & d.mask) == d.opcode and (best is None or d.mask.bit_count() > best.mask.bit_count()):
            best = d
    return best


def field_values(d: InsnDef, word: int) -> dict[str, int]:
    return {name: f.extract(word) for name, f in d.fields.items()}


def _load_families() -> None:
    # Importing the family modules fills INSNS; one import point keeps the table complete wherever it is read.
    from ppcinterp.isa import (  # noqa: F401
        alu,
        branch,
        cache_inhibited,
        compare,
        cr,
        fp_vector,
        load_store,
        rotate,
        spr,
        system,
    )


_load_families()
