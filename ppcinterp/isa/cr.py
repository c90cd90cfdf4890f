"""Condition register logical and move instructions."""

from ppcinterp.isa.context import Ctx, Fields
from ppcinterp.isa.table import X, alias, define
from ppcinterp.source.statements import Num

F = "cr"


def _one_field(v: dict[str, int]) -> tuple[str, str] | None:
    if v["FXM"].bit_count() != 1:
        return "FXM", f"the mask {v['FXM']:#x} must name exactly one CR field (one bit set)"
    return None


for _name, _xo in (("crand", 257), ("cror", 449), ("crxor", 193), ("crnand", 225), ("crnor", 33),
                   ("creqv", 289), ("crandc", 129), ("crorc", 417)):
    define(_name, X(19, _xo), "BT,BA,BB", F)
define("mcrf", X(19, 0), "BF,BFA", F)
# mtcrf/mfcr and their one-field forms mtocrf/mfocrf differ only in bit 11.
define("mtcrf", X(31, 144, 0, 1 << 20), "FXMA,RS", F)       # one field: assembled as mtocrf (fields.py)
define("mtocrf", X(31, 144, 1 << 20, 1 << 20), "FXM,RS", F, check=_one_field)
define("mfcr", X(31, 19, 0, 1 << 20), "RT", F)
define("mfocrf", X(31, 19, 1 << 20, 1 << 20), "RT,FXM", F, check=_one_field)

alias("crset", lambda bx: ("creqv", [bx, bx, bx]))
alias("crclr", lambda bx: ("crxor", [bx, bx, bx]))
alias("crmove", lambda bx, by: ("cror", [bx, by, by]))
alias("crnot", lambda bx, by: ("crnor", [bx, by, by]))
alias("mtcr", lambda rs: ("mtcrf", [Num(0xFF), rs]))
alias("mfcr", lambda rt, fxm: ("mfocrf", [rt, fxm]))         # mfcr with a mask is mfocrf (GNU as, POWER4+)


# ---------------------------------------------------------------- semantics

from ppcinterp.isa.templates import Tmpl, template, tmpl  # noqa: E402

# The CR logical operations over the two source bits a, b (each 0 or 1).
_CR_OPS = {"crand": "a & b", "cror": "a | b", "crxor": "a ^ b", "crnand": "1 ^ (a & b)", "crnor": "1 ^ (a | b)",
           "creqv": "1 ^ a ^ b", "crandc": "a & (1 ^ b)", "crorc": "a | (1 ^ b)"}


@template(*_CR_OPS)
def _cr_logical(ctx: Ctx, f: Fields) -> Tmpl | None:
    """Bit BT of the CR = op(bit BA, bit BB): both read before the field holding BT is written."""
    bt, ba, bb = f["BT"], f["BA"], f["BB"]
    body = f"a = cr[{{FA}}] >> {{SA}} & 1\nb = cr[{{FB}}] >> {{SB}} & 1\ncr[{{FT}}] = cr[{{FT}}] & {{KEEP}} | " \
           f"({_CR_OPS[ctx.insn.base_name]}) << {{ST}}"
    return tmpl(body, FA=ba >> 2, SA=3 - (ba & 3), FB=bb >> 2, SB=3 - (bb & 3), FT=bt >> 2, ST=3 - (bt & 3),
                KEEP=~(8 >> (bt & 3)))


@template("mcrf")
def _mcrf(ctx: Ctx, f: Fields) -> Tmpl | None:
    return tmpl("cr[{BF}] = cr[{BFA}]", BF=f["BF"], BFA=f["BFA"])


@template("mtcrf", "mtocrf")
def _mtcrf(ctx: Ctx, f: Fields) -> Tmpl | None:
    """The CR fields FXM names from RS's low word (none named: nothing changes)."""
    fields = [i for i in range(8) if f["FXM"] & (0x80 >> i)]
    lines = [f"cr[{i}] = g[{{RS}}] >> {28 - 4 * i} & 0xF" for i in fields]
    return tmpl("\n".join(lines) or "pass", RS=f["RS"])


@template("mfcr", "mfocrf")
def _mfcr(ctx: Ctx, f: Fields) -> Tmpl | None:
    """RT = the CR (mfocrf: only the fields FXM names, the rest 0)."""
    fields = [i for i in range(8) if f.get("FXM", 0xFF) & (0x80 >> i)]
    return tmpl(f"g[{{RT}}] = {' | '.join(f'cr[{i}] << {28 - 4 * i}' for i in fields) or '0'}", RT=f["RT"])
