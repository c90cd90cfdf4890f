"""Storage synchronisation, context-changing returns, power saving, SLB/TLB management and cache control."""

from ppcinterp.isa.table import X, alias, define
from ppcinterp.source.statements import Num

F = "system"

define("sync", X(31, 598), "[LS]", F)
define("isync", X(19, 150), "", F)
define("eieio", X(31, 854), "", F)
define("rfid", X(19, 18), "", F)
define("hrfid", X(19, 274), "", F)
define("nap", X(19, 434), "", F)
define("sleep", X(19, 466), "", F)
define("rvwinkle", X(19, 498), "", F)
define("sc", ((17 << 26) | 2, 0xFC000003), "[LEV]", F)
define("slbia", X(31, 498), "", F)
define("slbie", X(31, 434), "RB", F)
define("slbmte", X(31, 402), "RS,RB", F)
define("slbmfee", X(31, 915), "RT,RB", F)
define("slbmfev", X(31, 851), "RT,RB", F)
define("tlbie", X(31, 306), "RB,[L]", F)
define("tlbiel", X(31, 274), "RB,[L]", F)
define("tlbsync", X(31, 566), "", F)
for _name, _xo in (("dcbf", 86), ("dcbst", 54), ("dcbz", 1014), ("icbi", 982), ("dcbi", 470)):
    define(_name, X(31, _xo), "RA0,RB", F)
define("dcbt", X(31, 278), "RA0,RB,[TH]", F)
define("dcbtst", X(31, 246), "RA0,RB,[TH]", F)

alias("hwsync", lambda: ("sync", [Num(0)]))
alias("lwsync", lambda: ("sync", [Num(1)]))
alias("ptesync", lambda: ("sync", [Num(2)]))
alias("dcbtt", lambda ra, rb: ("dcbt", [ra, rb, Num(16)]))
alias("dcbtstt", lambda ra, rb: ("dcbtst", [ra, rb, Num(16)]))
