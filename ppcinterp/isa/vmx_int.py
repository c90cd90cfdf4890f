"""VMX integer arithmetic and compares on bytes, halfwords and words: add and subtract (modulo, saturating,
carry out), maximum, minimum, average, and the compares (the record form sets CR6). vcmpequd (ISA 2.07, POWER8)
is here for v4.x's memcmp_64.S, which writes it as a .long. Each row: name, extended opcode, element format
(vmx_lanes), the operation."""

from ppcinterp.isa.table import define, semantics
from ppcinterp.isa.vector import VC, VX
from ppcinterp.isa.vmx_lanes import Op, binary, compare

F = "vector"

# name: (VX extended opcode, element format, element operation, saturating output format or None)
_ARITH: dict[str, tuple[int, str, Op, str | None]] = {
    "vaddubm": (0, "B", lambda x, y: x + y, None),
    "vadduhm": (64, "H", lambda x, y: x + y, None),
    "vadduwm": (128, "I", lambda x, y: x + y, None),
    "vaddcuw": (384, "I", lambda x, y: (x + y) >> 32, None),
    "vaddubs": (512, "B", lambda x, y: x + y, "B"),
    "vadduhs": (576, "H", lambda x, y: x + y, "H"),
    "vadduws": (640, "I", lambda x, y: x + y, "I"),
    "vaddsbs": (768, "b", lambda x, y: x + y, "b"),
    "vaddshs": (832, "h", lambda x, y: x + y, "h"),
    "vaddsws": (896, "i", lambda x, y: x + y, "i"),
    "vsububm": (1024, "B", lambda x, y: x - y, None),
    "vsubuhm": (1088, "H", lambda x, y: x - y, None),
    "vsubuwm": (1152, "I", lambda x, y: x - y, None),
    "vsubcuw": (1408, "I", lambda x, y: int(x >= y), None),       # the carry of x + ~y + 1: no borrow
    "vsububs": (1536, "B", lambda x, y: x - y, "B"),
    "vsubuhs": (1600, "H", lambda x, y: x - y, "H"),
    "vsubuws": (1664, "I", lambda x, y: x - y, "I"),
    "vsubsbs": (1792, "b", lambda x, y: x - y, "b"),
    "vsubshs": (1856, "h", lambda x, y: x - y, "h"),
    "vsubsws": (1920, "i", lambda x, y: x - y, "i"),
    "vmaxub": (2, "B", max, None), "vmaxuh": (66, "H", max, None), "vmaxuw": (130, "I", max, None),
    "vmaxsb": (258, "b", max, None), "vmaxsh": (322, "h", max, None), "vmaxsw": (386, "i", max, None),
    "vminub": (514, "B", min, None), "vminuh": (578, "H", min, None), "vminuw": (642, "I", min, None),
    "vminsb": (770, "b", min, None), "vminsh": (834, "h", min, None), "vminsw": (898, "i", min, None),
    **{name: (xo, fmt, lambda x, y: (x + y + 1) >> 1, None)       # rounded up, in the elements' own sign
       for name, xo, fmt in (("vavgub", 1026, "B"), ("vavguh", 1090, "H"), ("vavguw", 1154, "I"),
                             ("vavgsb", 1282, "b"), ("vavgsh", 1346, "h"), ("vavgsw", 1410, "i"))},
}

# name: (VC extended opcode, element format, test); the record form is `name.`
_COMPARE = {
    "vcmpequb": (6, "B", int.__eq__), "vcmpequh": (70, "H", int.__eq__), "vcmpequw": (134, "I", int.__eq__),
    "vcmpequd": (199, "Q", int.__eq__),
    "vcmpgtub": (518, "B", int.__gt__), "vcmpgtuh": (582, "H", int.__gt__), "vcmpgtuw": (646, "I", int.__gt__),
    "vcmpgtsb": (774, "b", int.__gt__), "vcmpgtsh": (838, "h", int.__gt__), "vcmpgtsw": (902, "i", int.__gt__),
}

for _name, (_xo, _fmt, _op, _sat) in _ARITH.items():
    define(_name, VX(_xo), "VRT,VRA,VRB", F)
    semantics(_name)(binary(_fmt, _op, _sat))
for _name, (_xo, _fmt, _test) in _COMPARE.items():
    define(_name, VC(_xo, False), "VRT,VRA,VRB", F)
    define(_name + ".", VC(_xo, True), "VRT,VRA,VRB", F)
    semantics(_name, _name + ".")(compare(_fmt, _test))
