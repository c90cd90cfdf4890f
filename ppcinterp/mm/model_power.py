"""The Power memory model of herd7's ppc.cat (Alglave, Maranget, Tautschnig, "Herding cats", TOPLAS 2014, §6).

An execution is allowed when it passes, in this order (the cat file's names in brackets):

- SC PER LOCATION [scperlocation]: acyclic po-loc | rf | fr | co: each location on its own is sequentially
  consistent;
- ATOMICITY [atomic]: empty rmw & (fre; coe): no write comes between a lwarx and its successful stwcx.;
- NO THIN AIR [thinair]: acyclic hb, hb = ppo | fence | rfe;
- PROPAGATION [propagation]: acyclic co | prop;
- OBSERVATION [observation]: irreflexive fre; prop; hb*;
- SC XX [scXX]: acyclic co | (po & (EX * EX)): exclusive accesses of one thread stay in order.

ppo is the least fixpoint of ppo.cat's four relations between the initiation (i) and commit (c) of accesses, built
from dependencies (dd = addr | data, ctrl, ctrl followed by isync), po-loc, internal reads-from and the detours
rdw and detour. The fences: sync is strong; lwsync orders everything but a write before a read; eieio orders only
write before write (ppc.cat: `eieio & (W * W)`), both light; isync is no fence by itself, only after a control
dependency (ctrlisync). Propagation is not multi-copy atomic: a write may reach the threads at different times,
so only `strong` fences in prop order writes for every observer (IRIW+lwsyncs is allowed, IRIW+syncs is not).
"""

from __future__ import annotations

from ppcinterp.mm.axioms import Violation, acyclic, irreflexive_seq
from ppcinterp.mm.events import Execution
from ppcinterp.mm.relation import Rel


def check(ex: Execution) -> Violation | None:
    """None if Power allows the execution, else the first axiom it breaks."""
    s = ex.skel
    v = acyclic("SC PER LOCATION", [("po-loc", s.po_loc), ("rf", ex.rf), ("fr", ex.fr), ("co", ex.co)])
    if v is None:
        v = atomicity(ex)
    if v is not None:
        return v
    n = s.n
    ppo = preserved_program_order(ex)
    sync = s.fences["sync"]
    lwsync = s.fences["lwsync"] - Rel.cross(n, s.W, s.R)
    eieio = s.fences["eieio"].restrict(s.W, s.W)
    fence = sync | lwsync | eieio
    hb_parts = [("ppo", ppo), ("sync", sync), ("lwsync", lwsync), ("eieio", eieio), ("rfe", ex.rfe)]
    v = acyclic("NO THIN AIR", hb_parts)
    if v is not None:
        return v
    hbstar = (ppo | fence | ex.rfe).star()
    propbase = (fence | ex.rfe.seq(fence)).seq(hbstar)
    chapo = ex.rfe | ex.fre | ex.coe | ex.fre.seq(ex.rfe) | ex.coe.seq(ex.rfe)
    prop = propbase.restrict(s.W, s.W) | chapo.opt().seq(propbase.star()).seq(sync).seq(hbstar)
    return (acyclic("PROPAGATION", [("co", ex.co), ("prop", prop)])
            or irreflexive_seq("OBSERVATION", [("fre", ex.fre), ("prop", prop)], ("hb", hb_parts))
            or acyclic("SC XX", [("co", ex.co), ("po", s.po.restrict(s.EX, s.EX))]))


def atomicity(ex: Execution) -> Violation | None:
    """empty rmw & (fre; coe): the write a lwarx read from must be co-just-before its stwcx.'s write."""
    bad = ex.skel.rmw & ex.fre.seq(ex.coe)
    if not bad:
        return None
    r, w = bad.pairs()[0]
    other = next(x for x in range(ex.skel.n) if (r, x) in ex.fre and (x, w) in ex.coe)
    return Violation("ATOMICITY", "rmw & (fre; coe)", (r, other, w), ("fre", "coe", "rmw^-1"))


def preserved_program_order(ex: Execution) -> Rel:
    """ppo.cat's fixpoint over ppc.cat's base relations, then ppo = (ii & R*R) | (ic & R*W)."""
    s = ex.skel
    dd = s.addr | s.data
    rdw = s.po_loc & ex.fre.seq(ex.rfe)
    detour = s.po_loc & ex.coe.seq(ex.rfe)
    ci0 = s.ctrlisync | detour
    ii0 = dd | ex.rfi | rdw
    cc0 = dd | s.po_loc | s.ctrl | s.addr.seq(s.po)
    ci = ii = cc = ic = Rel.empty(s.n)          # ic0 is empty
    while True:
        nci = ci0 | ci.seq(ii) | cc.seq(ci)
        nii = ii0 | ci | ic.seq(ci) | ii.seq(ii)
        ncc = cc0 | ci | ci.seq(ic) | cc.seq(cc)
        nic = ii | cc | ic.seq(cc) | ii.seq(ic)
        if (nci, nii, ncc, nic) == (ci, ii, cc, ic):
            break
        ci, ii, cc, ic = nci, nii, ncc, nic
    return ii.restrict(s.R, s.R) | ic.restrict(s.R, s.W)
