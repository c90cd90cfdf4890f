"""Compare and trap instructions."""

from ppcinterp.isa.table import D, X, alias, define
from ppcinterp.source.statements import Num

F = "compare"

define("cmp", X(31, 0), "BF,L,RA,RB", F)
define("cmpi", D(11), "BF,L,RA,SI", F)
define("cmpl", X(31, 32), "BF,L,RA,RB", F)
define("cmpli", D(10), "BF,L,RA,UI", F)
define("tw", X(31, 4), "TO,RA,RB", F)
define("td", X(31, 68), "TO,RA,RB", F)
define("twi", D(3), "TO,RA,SI", F)
define("tdi", D(2), "TO,RA,SI", F)

# cmpwi [crN,] rA, SI and friends: the optional first operand is the CR field (cr0 when omitted).
for _name, _base, _l in (("cmpw", "cmp", 0), ("cmpd", "cmp", 1), ("cmplw", "cmpl", 0), ("cmpld", "cmpl", 1),
                         ("cmpwi", "cmpi", 0), ("cmpdi", "cmpi", 1), ("cmplwi", "cmpli", 0),
                         ("cmpldi", "cmpli", 1)):
    alias(_name,
          (lambda b, l: lambda ra, x: (b, [Num(0), Num(l), ra, x]))(_base, _l),
          (lambda b, l: lambda bf, ra, x: (b, [bf, Num(l), ra, x]))(_base, _l))

alias("trap", lambda: ("tw", [Num(31), Num(0), Num(0)]))

# Conditional traps: tw<cond> rA,rB / tw<cond>i rA,SI and the doubleword forms, by TO condition code.
TRAP_CONDITIONS = {"lt": 16, "le": 20, "eq": 4, "ge": 12, "gt": 8, "nl": 12, "ne": 24, "ng": 20, "llt": 2,
                   "lle": 6, "lge": 5, "lgt": 1, "lnl": 5, "lng": 6, "u": 31}
for _cond, _to in TRAP_CONDITIONS.items():
    for _w in ("w", "d"):
        alias(f"t{_w}{_cond}", (lambda to, b: lambda ra, rb: (b, [Num(to), ra, rb]))(_to, f"t{_w}"))
        alias(f"t{_w}{_cond}i", (lambda to, b: lambda ra, si: (b, [Num(to), ra, si]))(_to, f"t{_w}i"))
