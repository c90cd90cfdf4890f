"""The few floating-point and vector instructions the handler file uses to save and restore guest state."""

from ppcinterp.isa.table import D, X, define

F = "fp_vector"

define("lfd", D(50), "FRT,D(RA0)", F)
define("stfd", D(54), "FRS,D(RA0)", F)
define("lfdx", X(31, 599), "FRT,RA0,RB", F)
define("stfdx", X(31, 727), "FRS,RA0,RB", F)
define("mffs", X(63, 583), "FRT", F, rc=True)
define("mtfsf", X(63, 711), "FLM,FRB,[L6],[W]", F, rc=True)
define("lvx", X(31, 103), "VRT,RA0,RB", F)
define("stvx", X(31, 231), "VRS,RA0,RB", F)
define("mfvscr", ((4 << 26) | 1540, 0xFC0007FF), "VRT", F)
define("mtvscr", ((4 << 26) | 1604, 0xFC0007FF), "VRB", F)
