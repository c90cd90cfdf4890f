"""VMX logical, permute, merge, splat, shift and rotate, pack and unpack instructions: what vperm-based copies
(memcpy_power7.S, copyuser_power7.S) and the kernel's other vector code move bytes with. vmr and vnot are the
extended mnemonics of vor and vnor."""

from __future__ import annotations

from operator import itemgetter

from ppcinterp.isa.context import Ctx, Fields, Step
from ppcinterp.isa.table import Semantics, alias, define, semantics
from ppcinterp.isa.vector import VA, VX
from ppcinterp.isa.vmx_lanes import SIZE, Op, binary, join, lanes, narrow, widen

F = "vector"

_LOGICAL = {"vand": (1028, lambda a, b: a & b), "vandc": (1092, lambda a, b: a & ~b),
            "vor": (1156, lambda a, b: a | b), "vxor": (1220, lambda a, b: a ^ b),
            "vnor": (1284, lambda a, b: ~(a | b))}
# name: (VX extended opcode, element format): the count is the low log2(element bits) bits of VRB's element;
# vsr shifts unsigned elements, vsra signed ones
_SHIFT = {"vslb": (260, "B"), "vslh": (324, "H"), "vslw": (388, "I"), "vsrb": (516, "B"), "vsrh": (580, "H"),
          "vsrw": (644, "I"), "vsrab": (772, "b"), "vsrah": (836, "h"), "vsraw": (900, "i"), "vrlb": (4, "B"),
          "vrlh": (68, "H"), "vrlw": (132, "I")}
# name: (VX extended opcode, input format, output format, saturating)
_PACK = {"vpkuhum": (14, "H", "B", False), "vpkuwum": (78, "I", "H", False), "vpkuhus": (142, "H", "B", True),
         "vpkuwus": (206, "I", "H", True), "vpkshus": (270, "h", "B", True), "vpkswus": (334, "i", "H", True),
         "vpkshss": (398, "h", "b", True), "vpkswss": (462, "i", "h", True)}
# name: (VX extended opcode, input format, output format, high half)
_UNPACK = {"vupkhsb": (526, "b", "h", True), "vupkhsh": (590, "h", "i", True), "vupklsb": (654, "b", "h", False),
           "vupklsh": (718, "h", "i", False)}
_MERGE = {"vmrghb": (12, "B", True), "vmrghh": (76, "H", True), "vmrghw": (140, "I", True),
          "vmrglb": (268, "B", False), "vmrglh": (332, "H", False), "vmrglw": (396, "I", False)}
_SPLAT = {"vspltb": (524, "B", "UIM4"), "vsplth": (588, "H", "UIM3"), "vspltw": (652, "I", "UIM2")}
_SPLAT_IMM = {"vspltisb": (780, "b"), "vspltish": (844, "h"), "vspltisw": (908, "i")}
_WHOLE_SHIFT = {"vsl": 452, "vsr": 708, "vslo": 1036, "vsro": 1100}

for _name, (_xo, _op) in _LOGICAL.items():
    define(_name, VX(_xo), "VRT,VRA,VRB", F)
for _name, _xo in (*((n, v[0]) for n, v in _SHIFT.items()), *((n, v[0]) for n, v in _PACK.items()),
                   *((n, v[0]) for n, v in _MERGE.items()), *_WHOLE_SHIFT.items()):
    define(_name, VX(_xo), "VRT,VRA,VRB", F)
for _name, (_xo, *_rest) in _UNPACK.items():
    define(_name, VX(_xo), "VRT,VRB", F)
for _name, (_xo, _fmt, _uim) in _SPLAT.items():
    define(_name, VX(_xo), f"VRT,VRB,{_uim}", F)
for _name, (_xo, _fmt) in _SPLAT_IMM.items():
    define(_name, VX(_xo), "VRT,SIM", F)
define("vsel", VA(42), "VRT,VRA,VRB,VRC", F)
define("vperm", VA(43), "VRT,VRA,VRB,VRC", F)
define("vsldoi", VA(44), "VRT,VRA,VRB,SHB", F)
alias("vmr", lambda vt, vs: ("vor", [vt, vs, vs]))
alias("vnot", lambda vt, vs: ("vnor", [vt, vs, vs]))


# ---------------------------------------------------------------- semantics

from ppcinterp.machine.state import M128  # noqa: E402


def _whole(op: Op) -> Semantics:
    """VRT = op(VRA, VRB) on the whole 128-bit registers."""
    def factory(ctx: Ctx, f: Fields) -> Step:
        vr, nxt, vt, va, vb = ctx.thread.vr, ctx.nxt, f["VRT"], f["VRA"], f["VRB"]

        def run() -> int:
            vr[vt] = op(vr[va], vr[vb]) & M128
            return nxt
        return run
    return factory


for _name, (_xo, _op) in _LOGICAL.items():
    semantics(_name)(_whole(_op))


def _shift_op(name: str, fmt: str) -> Op:
    bits = 8 * SIZE[fmt]
    m = bits - 1
    if name.startswith("vrl"):
        return lambda x, y: x << (y & m) | x >> (bits - (y & m))
    if name.startswith("vsl"):
        return lambda x, y: x << (y & m)
    return lambda x, y: x >> (y & m)


for _name, (_xo, _fmt) in _SHIFT.items():
    semantics(_name)(binary(_fmt, _shift_op(_name, _fmt)))
for _name, (_xo, _in, _out, _sat) in _PACK.items():
    semantics(_name)(narrow(_in, _out, _sat))
for _name, (_xo, _in, _out, _high) in _UNPACK.items():
    semantics(_name)(widen(_in, _out, _high))

# The count of vsl/vsr (bits) and vslo/vsro (bytes) is in byte 15 of VRB (the ISA leaves the result undefined
# unless vsl's and vsr's count is in every byte; QEMU, like this, reads byte 15).
semantics("vsl")(_whole(lambda a, b: a << (b & 7)))
semantics("vsr")(_whole(lambda a, b: a >> (b & 7)))
semantics("vslo")(_whole(lambda a, b: a << 8 * (b >> 3 & 15)))
semantics("vsro")(_whole(lambda a, b: a >> 8 * (b >> 3 & 15)))


def _merge(fmt: str, high: bool) -> Semantics:
    """Elements of VRA and VRB interleaved (VRA's first), from the high or the low half of each."""
    def factory(ctx: Ctx, f: Fields) -> Step:
        vr, nxt, vt, va, vb = ctx.thread.vr, ctx.nxt, f["VRT"], f["VRA"], f["VRB"]

        def run() -> int:
            xs, ys = lanes(vr[va], fmt), lanes(vr[vb], fmt)
            n = len(xs) // 2
            part = slice(0, n) if high else slice(n, None)
            vr[vt] = join([e for pair in zip(xs[part], ys[part], strict=True) for e in pair], fmt)
            return nxt
        return run
    return factory


for _name, (_xo, _fmt, _high) in _MERGE.items():
    semantics(_name)(_merge(_fmt, _high))


@semantics(*_SPLAT)
def _splat(ctx: Ctx, f: Fields) -> Step:
    vr, nxt, vt, vb = ctx.thread.vr, ctx.nxt, f["VRT"], f["VRB"]
    _xo, fmt, uim = _SPLAT[ctx.insn.name]
    i, n = f[uim], 16 // SIZE[fmt]

    def run() -> int:
        vr[vt] = join([lanes(vr[vb], fmt)[i]] * n, fmt)
        return nxt
    return run


@semantics(*_SPLAT_IMM)
def _splat_imm(ctx: Ctx, f: Fields) -> Step:
    vr, nxt, vt = ctx.thread.vr, ctx.nxt, f["VRT"]
    fmt = _SPLAT_IMM[ctx.insn.name][1]
    value = join([f["SIM"]] * (16 // SIZE[fmt]), fmt)       # SIM sign-extended into each element

    def run() -> int:
        vr[vt] = value
        return nxt
    return run


@semantics("vsel")
def _vsel(ctx: Ctx, f: Fields) -> Step:
    vr, nxt, vt, va, vb, vc = ctx.thread.vr, ctx.nxt, f["VRT"], f["VRA"], f["VRB"], f["VRC"]

    def run() -> int:
        c = vr[vc]
        vr[vt] = vr[va] & ~c & M128 | vr[vb] & c
        return nxt
    return run


@semantics("vsldoi")
def _vsldoi(ctx: Ctx, f: Fields) -> Step:
    vr, nxt, vt, va, vb, shift = ctx.thread.vr, ctx.nxt, f["VRT"], f["VRA"], f["VRB"], 8 * (16 - f["SHB"])

    def run() -> int:
        vr[vt] = (vr[va] << 128 | vr[vb]) >> shift & M128      # bytes SHB..SHB+15 of VRA || VRB
        return nxt
    return run


# vperm: byte i of VRT is byte (VRC byte i & 31) of VRA || VRB. A copy's control vector (from lvsl) is the same
# every iteration: the byte selection it makes is kept per control value.
_SELECT: dict[int, itemgetter[tuple[int, ...]]] = {}


def _selector(c: int) -> itemgetter[tuple[int, ...]]:
    sel = _SELECT.get(c)
    if sel is None:
        if len(_SELECT) > 4096:
            _SELECT.clear()
        sel = _SELECT[c] = itemgetter(*(b & 31 for b in c.to_bytes(16, "big")))
    return sel


@semantics("vperm")
def _vperm(ctx: Ctx, f: Fields) -> Step:
    vr, nxt, vt, va, vb, vc = ctx.thread.vr, ctx.nxt, f["VRT"], f["VRA"], f["VRB"], f["VRC"]

    def run() -> int:
        src = (vr[va] << 128 | vr[vb]).to_bytes(32, "big")
        vr[vt] = int.from_bytes(bytes(_selector(vr[vc])(src)), "big")
        return nxt
    return run
