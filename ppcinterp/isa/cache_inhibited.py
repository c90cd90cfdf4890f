"""Cache-inhibited loads and stores (hypervisor real mode): the path by which KVM reaches the XICS ICP."""

from ppcinterp.isa.table import X, define

F = "cache_inhibited"

for _name, _xo in (("lwzcix", 789), ("lhzcix", 821), ("lbzcix", 853), ("ldcix", 885)):
    define(_name, X(31, _xo), "RT,RA0,RB", F)
for _name, _xo in (("stwcix", 917), ("sthcix", 949), ("stbcix", 981), ("stdcix", 1013)):
    define(_name, X(31, _xo), "RS,RA0,RB", F)


# ---------------------------------------------------------------- semantics

from ppcinterp.isa.load_store import access_factory  # noqa: E402
from ppcinterp.isa.table import semantics  # noqa: E402

for _name, _size in (("lwzcix", 4), ("lhzcix", 2), ("lbzcix", 1), ("ldcix", 8)):
    semantics(_name)((lambda n: lambda ctx, f: access_factory(ctx, f, n, False, False, False, ci=True))(_size))
for _name, _size in (("stwcix", 4), ("sthcix", 2), ("stbcix", 1), ("stdcix", 8)):
    semantics(_name)((lambda n: lambda ctx, f: access_factory(ctx, f, n, False, True, False, ci=True))(_size))
