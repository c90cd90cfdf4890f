"""Loads and stores: byte/half/word/double, algebraic, indexed, update, byte-reversed, multiple, reserved."""

from ppcinterp.isa.table import DS, D, X, define

F = "load_store"

for _name, _po in (("lbz", 34), ("lhz", 40), ("lha", 42), ("lwz", 32), ("stb", 38), ("sth", 44), ("stw", 36),
                   ("lmw", 46), ("stmw", 47)):
    define(_name, D(_po), "RT,D(RA0)", F)
for _name, _po in (("lbzu", 35), ("lhzu", 41), ("lhau", 43), ("lwzu", 33), ("stbu", 39), ("sthu", 45),
                   ("stwu", 37)):
    define(_name, D(_po), "RT,D(RA)", F)
define("ld", DS(58, 0), "RT,DS(RA0)", F)
define("ldu", DS(58, 1), "RT,DS(RA)", F)
define("lwa", DS(58, 2), "RT,DS(RA0)", F)
define("std", DS(62, 0), "RS,DS(RA0)", F)
define("stdu", DS(62, 1), "RS,DS(RA)", F)

for _name, _xo in (("lbzx", 87), ("lhzx", 279), ("lhax", 343), ("lwzx", 23), ("lwax", 341), ("ldx", 21),
                   ("stbx", 215), ("sthx", 407), ("stwx", 151), ("stdx", 149),
                   ("lhbrx", 790), ("lwbrx", 534), ("ldbrx", 532), ("sthbrx", 918), ("stwbrx", 662),
                   ("stdbrx", 660), ("lwarx", 20), ("ldarx", 84)):
    define(_name, X(31, _xo), "RT,RA0,RB", F)
for _name, _xo in (("lbzux", 119), ("lhzux", 311), ("lhaux", 375), ("lwzux", 55), ("lwaux", 373),
                   ("ldux", 53), ("stbux", 247), ("sthux", 439), ("stwux", 183), ("stdux", 181)):
    define(_name, X(31, _xo), "RT,RA,RB", F)
# Store conditional: the record bit is part of the instruction (it always sets CR0).
define("stwcx.", X(31, 150, 1), "RS,RA0,RB", F)
define("stdcx.", X(31, 214, 1), "RS,RA0,RB", F)
