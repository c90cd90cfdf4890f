"""Condition register logical and move instructions."""

from ppcinterp.isa.table import X, alias, define
from ppcinterp.source.statements import Num

F = "cr"

for _name, _xo in (("crand", 257), ("cror", 449), ("crxor", 193), ("crnand", 225), ("crnor", 33),
                   ("creqv", 289), ("crandc", 129), ("crorc", 417)):
    define(_name, X(19, _xo), "BT,BA,BB", F)
define("mcrf", X(19, 0), "BF,BFA", F)
# mtcrf/mfcr and their one-field forms mtocrf/mfocrf differ only in bit 11.
define("mtcrf", X(31, 144, 0, 1 << 20), "FXM,RS", F)
define("mtocrf", X(31, 144, 1 << 20, 1 << 20), "FXM,RS", F)
define("mfcr", X(31, 19, 0, 1 << 20), "RT", F)
define("mfocrf", X(31, 19, 1 << 20, 1 << 20), "RT,FXM", F)

alias("crset", lambda bx: ("creqv", [bx, bx, bx]))
alias("crclr", lambda bx: ("crxor", [bx, bx, bx]))
alias("crmove", lambda bx, by: ("cror", [bx, by, by]))
alias("crnot", lambda bx, by: ("crnor", [bx, by, by]))
alias("mtcr", lambda rs: ("mtcrf", [Num(0xFF), rs]))
