"""Loads and stores: byte/half/word/double, algebraic, indexed, update, byte-reversed, multiple, reserved."""

from ppcinterp.isa.context import Ctx, Fields, Step
from ppcinterp.isa.table import DS, D, X, define

F = "load_store"


def _update_load(v: dict[str, int]) -> tuple[str, str] | None:
    if v["RA"] == 0 or v["RA"] == v["RT"]:
        return "RA", f"a load with update needs RA other than r0 and the target (RA=r{v['RA']}, RT=r{v['RT']})"
    return None


def _update_store(v: dict[str, int]) -> tuple[str, str] | None:
    return ("RA", "a store with update needs RA other than r0") if v["RA"] == 0 else None


def _lmw(v: dict[str, int]) -> tuple[str, str] | None:
    if v["RA0"] >= v["RT"]:
        return "RA0", f"lmw would load its base register r{v['RA0']} (it loads r{v['RT']}-r31)"
    return None


for _name, _po in (("lbz", 34), ("lhz", 40), ("lha", 42), ("lwz", 32), ("stb", 38), ("sth", 44), ("stw", 36),
                   ("stmw", 47)):
    define(_name, D(_po), "RT,D(RA0)", F)
define("lmw", D(46), "RT,D(RA0)", F, check=_lmw)
for _name, _po in (("lbzu", 35), ("lhzu", 41), ("lhau", 43), ("lwzu", 33), ("stbu", 39), ("sthu", 45),
                   ("stwu", 37)):
    define(_name, D(_po), "RT,D(RA)", F, check=_update_store if _name.startswith("st") else _update_load)
define("ld", DS(58, 0), "RT,DS(RA0)", F)
define("ldu", DS(58, 1), "RT,DS(RA)", F, check=_update_load)
define("lwa", DS(58, 2), "RT,DS(RA0)", F)
define("std", DS(62, 0), "RS,DS(RA0)", F)
define("stdu", DS(62, 1), "RS,DS(RA)", F, check=_update_store)

for _name, _xo in (("lbzx", 87), ("lhzx", 279), ("lhax", 343), ("lwzx", 23), ("lwax", 341), ("ldx", 21),
                   ("stbx", 215), ("sthx", 407), ("stwx", 151), ("stdx", 149),
                   ("lhbrx", 790), ("lwbrx", 534), ("ldbrx", 532), ("sthbrx", 918), ("stwbrx", 662),
                   ("stdbrx", 660)):
    define(_name, X(31, _xo), "RT,RA0,RB", F)
for _name, _xo in (("lwarx", 20), ("ldarx", 84)):        # EH (bit 31): a hint that the lock is exclusive
    define(_name, (X(31, _xo)[0], 0xFC0007FE), "RT,RA0,RB,[EH]", F)
for _name, _xo in (("lbzux", 119), ("lhzux", 311), ("lhaux", 375), ("lwzux", 55), ("lwaux", 373),
                   ("ldux", 53), ("stbux", 247), ("sthux", 439), ("stwux", 183), ("stdux", 181)):
    define(_name, X(31, _xo), "RT,RA,RB", F, check=_update_store if _name.startswith("st") else _update_load)
# Store conditional: the record bit is part of the instruction (it always sets CR0).
define("stwcx.", X(31, 150, 1), "RS,RA0,RB", F)
define("stdcx.", X(31, 214, 1), "RS,RA0,RB", F)


# ---------------------------------------------------------------- semantics

from ppcinterp.isa.sem import EQ, M32, M64, SO, XER, addr_mask  # noqa: E402
from ppcinterp.isa.table import semantics  # noqa: E402
from ppcinterp.isa.templates import Tmpl, ea_mask, template, tmpl  # noqa: E402

# 32-bit mode (MSR[SF] = 0): the high 32 bits of every effective address are 0, and an update form's RA receives
# that truncated EA (the ISA places "EA" into RA; QEMU does the same), not the 64-bit sum.

# name -> (size, signed, store, byte_reversed); update and indexed forms are told apart by their fields.
_ACCESS = {}
for _n in ("lbz", "lbzu", "lbzx", "lbzux"):
    _ACCESS[_n] = (1, False, False, False)
for _n in ("lhz", "lhzu", "lhzx", "lhzux"):
    _ACCESS[_n] = (2, False, False, False)
for _n in ("lha", "lhau", "lhax", "lhaux"):
    _ACCESS[_n] = (2, True, False, False)
for _n in ("lwz", "lwzu", "lwzx", "lwzux"):
    _ACCESS[_n] = (4, False, False, False)
for _n in ("lwa", "lwax", "lwaux"):
    _ACCESS[_n] = (4, True, False, False)
for _n in ("ld", "ldu", "ldx", "ldux"):
    _ACCESS[_n] = (8, False, False, False)
for _n, _sz in (("stb", 1), ("sth", 2), ("stw", 4), ("std", 8)):
    for _sfx in ("", "u", "x", "ux"):
        _ACCESS[_n + _sfx] = (_sz, False, True, False)
for _n, _sz, _st in (("lhbrx", 2, False), ("lwbrx", 4, False), ("ldbrx", 8, False), ("sthbrx", 2, True),
                     ("stwbrx", 4, True), ("stdbrx", 8, True)):
    _ACCESS[_n] = (_sz, False, _st, True)


def _swap(v: int, size: int) -> int:
    return int.from_bytes(v.to_bytes(size, "big"), "little")


def access_factory(ctx: Ctx, f: Fields, size: int, signed: bool, store: bool, reverse: bool, ci: bool = False) -> Step:
    """One load or store: EA from D(RA|0), DS(RA|0) or RA|0+RB; update forms write EA back to RA."""
    g, mem, nxt, t = ctx.g, ctx.mem, ctx.nxt, ctx.thread
    read, write = mem.read, mem.write
    rt = f["RT"] if "RT" in f else f["RS"]
    ra = f.get("RA0", f.get("RA"))
    assert ra is not None           # every load and store has RA|0 or RA
    update = "RA" in f              # the update forms name RA (never the literal 0)
    disp = f.get("D", f.get("DS"))
    rb = f.get("RB")
    top = 1 << (8 * size - 1)
    mask = (1 << (8 * size)) - 1

    if rb is None:
        assert disp is not None     # the D and DS forms
        if ra == 0 and not update:
            def ea() -> int:
                return disp & addr_mask(t)
        else:
            def ea() -> int:
                return (g[ra] + disp) & addr_mask(t)
    elif ra == 0 and not update:
        def ea() -> int:
            return g[rb] & addr_mask(t)
    else:
        def ea() -> int:
            return (g[ra] + g[rb]) & addr_mask(t)

    if store:
        def run() -> int:
            a = ea()
            v = g[rt] & mask
            write(a, size, _swap(v, size) if reverse else v, ci)
            if update:
                g[ra] = a
            return nxt
    else:
        def run() -> int:
            a = ea()
            v = read(a, size, ci)
            if reverse:
                v = _swap(v, size)
            if signed and v & top:
                v = (v - (top << 1)) & M64
            if update:
                g[ra] = a
            g[rt] = v
            return nxt
    return run


def access_template(ctx: Ctx, f: Fields, size: int, signed: bool, store: bool, reverse: bool,
                    ci: bool = False) -> Tmpl | None:
    """Loads and stores by template, the byte-reversed ones excepted (access_factory). An update form writes EA
    back to RA after the access, and a load before RT, as access_factory does (RA = RT: a block refuses the
    double write and calls the closure, which leaves the loaded value)."""
    if reverse:
        return None
    update = "RA" in f              # the update forms name RA (never the literal 0)
    regs = {"RT": f["RT"] if "RT" in f else f["RS"]}
    disp, ra, rb = f.get("D", f.get("DS")), f.get("RA0", f.get("RA")), f.get("RB")
    assert ra is not None           # every load and store has RA|0 or RA
    absolute = ra == 0 and not update
    mask = ea_mask(ctx)
    if rb is None:
        assert disp is not None     # the D and DS forms
        ea = "{EA}" if absolute else f"(g[{{RA}}] + {{EA}}) & {mask}"
        regs["EA"] = disp & (M64 if ctx.sf else M32) if absolute else disp
    else:
        ea = ("g[{RB}]" if ctx.sf else "g[{RB}] & M32") if absolute else f"(g[{{RA}}] + g[{{RB}}]) & {mask}"
        regs["RB"] = rb
    if not absolute:
        regs["RA"] = ra
    flag = ", True" if ci else ""
    back = f"\ng[{{RA}}] = {ea}" if update else ""
    if store:
        return tmpl(f"write({ea}, {size}, g[{{RT}}] & {(1 << 8 * size) - 1:#x}{flag}){back}", False, **regs)
    if not signed and not update:
        return tmpl(f"g[{{RT}}] = read({ea}, {size}{flag})", False, **regs)
    body = f"v = read({ea}, {size}{flag})"
    if signed:
        top = 1 << (8 * size - 1)
        body += f"\nif v & {top:#x}:\n    v = (v - {top << 1:#x}) & M64"
    return tmpl(f"{body}{back}\ng[{{RT}}] = v", False, **regs)


for _name, _spec in _ACCESS.items():
    template(_name, fallback=(lambda spec: lambda ctx, f: access_factory(ctx, f, *spec))(_spec))(
        (lambda spec: lambda ctx, f: access_template(ctx, f, *spec))(_spec))


@semantics("lmw", "stmw")
def _multiple(ctx: Ctx, f: Fields) -> Step:
    g, mem, nxt, rt, ra, d, t = ctx.g, ctx.mem, ctx.nxt, f["RT"], f["RA0"], f["D"], ctx.thread
    store = ctx.insn.name == "stmw"

    def run() -> int:
        mask = addr_mask(t)
        a = ((g[ra] if ra else 0) + d) & mask
        for r in range(rt, 32):
            if store:
                mem.write(a, 4, g[r] & 0xFFFFFFFF)
            else:
                g[r] = mem.read(a, 4)
            a = (a + 4) & mask
        return nxt
    return run


@semantics("lwarx", "ldarx")
def _load_reserve(ctx: Ctx, f: Fields) -> Step:
    g, mem, nxt, rt, ra, rb, t = ctx.g, ctx.mem, ctx.nxt, f["RT"], f["RA0"], f["RB"], ctx.thread
    size = 4 if ctx.insn.name == "lwarx" else 8

    def run() -> int:
        a = ((g[ra] if ra else 0) + g[rb]) & addr_mask(t)
        g[rt] = mem.read(a, size)
        t.reservation = a
        return nxt
    return run


@semantics("stwcx.", "stdcx.")
def _store_conditional(ctx: Ctx, f: Fields) -> Step:
    g, mem, cr, spr, nxt = ctx.g, ctx.mem, ctx.cr, ctx.spr, ctx.nxt
    rs, ra, rb, t = f["RS"], f["RA0"], f["RB"], ctx.thread
    size = 4 if ctx.insn.name == "stwcx." else 8

    def run() -> int:
        a = ((g[ra] if ra else 0) + g[rb]) & addr_mask(t)
        ok = t.reservation == a
        if ok:
            mem.write(a, size, g[rs] & ((1 << (8 * size)) - 1))
        t.reservation = None
        cr[0] = (EQ if ok else 0) | (1 if spr.get(XER, 0) & SO else 0)
        return nxt
    return run
