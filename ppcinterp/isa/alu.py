"""Integer arithmetic and logical instructions."""

from ppcinterp.isa.table import XO, D, X, alias, define
from ppcinterp.source.statements import Num

F = "alu"

define("addi", D(14), "RT,RA0,SI", F)
define("addis", D(15), "RT,RA0,SIS", F)
define("addic", D(12), "RT,RA,SI", F)
define("addic.", D(13), "RT,RA,SI", F)
define("subfic", D(8), "RT,RA,SI", F)
define("mulli", D(7), "RT,RA,SI", F)

for _name, _xo in (("add", 266), ("addc", 10), ("adde", 138), ("subf", 40), ("subfc", 8), ("subfe", 136),
                   ("mullw", 235), ("mulld", 233), ("divw", 491), ("divwu", 459), ("divd", 489),
                   ("divdu", 457)):
    define(_name, XO(31, _xo), "RT,RA,RB", F, rc=True, oe=True)
for _name, _xo in (("addme", 234), ("addze", 202), ("subfme", 232), ("subfze", 200), ("neg", 104)):
    define(_name, XO(31, _xo), "RT,RA", F, rc=True, oe=True)
for _name, _xo in (("mulhw", 75), ("mulhwu", 11), ("mulhd", 73), ("mulhdu", 9)):
    define(_name, XO(31, _xo), "RT,RA,RB", F, rc=True)

define("andi.", D(28), "RA,RS,UI", F)
define("andis.", D(29), "RA,RS,UI", F)
define("ori", D(24), "RA,RS,UI", F)
define("oris", D(25), "RA,RS,UI", F)
define("xori", D(26), "RA,RS,UI", F)
define("xoris", D(27), "RA,RS,UI", F)
for _name, _xo in (("and", 28), ("andc", 60), ("or", 444), ("orc", 412), ("xor", 316), ("nand", 476),
                   ("nor", 124), ("eqv", 284)):
    define(_name, X(31, _xo), "RA,RS,RB", F, rc=True)
for _name, _xo in (("extsb", 954), ("extsh", 922), ("extsw", 986), ("cntlzw", 26), ("cntlzd", 58)):
    define(_name, X(31, _xo), "RA,RS", F, rc=True)
for _name, _xo in (("popcntb", 122), ("popcntw", 378), ("popcntd", 506)):
    define(_name, X(31, _xo), "RA,RS", F)
define("cmpb", X(31, 508), "RA,RS,RB", F)

alias("li", lambda rt, si: ("addi", [rt, Num(0), si]))
alias("lis", lambda rt, si: ("addis", [rt, Num(0), si]))
alias("la", lambda rt, mem: ("addi", [rt, mem.base, mem.disp]))
alias("subi", lambda rt, ra, si: ("addi", [rt, ra, -si]))
alias("subis", lambda rt, ra, si: ("addis", [rt, ra, -si]))
alias("subic", lambda rt, ra, si: ("addic", [rt, ra, -si]))
alias("subic.", lambda rt, ra, si: ("addic.", [rt, ra, -si]))
alias("sub", lambda rt, ra, rb: ("subf", [rt, rb, ra]), suffixes=("", ".", "o", "o."))
alias("subc", lambda rt, ra, rb: ("subfc", [rt, rb, ra]), suffixes=("", ".", "o", "o."))
alias("mr", lambda ra, rs: ("or", [ra, rs, rs]), suffixes=("", "."))
alias("not", lambda ra, rs: ("nor", [ra, rs, rs]), suffixes=("", "."))
alias("nop", lambda: ("ori", [Num(0), Num(0), Num(0)]))
alias("xnop", lambda: ("xori", [Num(0), Num(0), Num(0)]))
