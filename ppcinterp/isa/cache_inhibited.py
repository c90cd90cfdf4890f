"""Cache-inhibited loads and stores (hypervisor real mode): the path by which KVM reaches the XICS ICP."""

from ppcinterp.isa.table import X, define

F = "cache_inhibited"

for _name, _xo in (("lwzcix", 789), ("lhzcix", 821), ("lbzcix", 853), ("ldcix", 885)):
    define(_name, X(31, _xo), "RT,RA0,RB", F)
for _name, _xo in (("stwcix", 917), ("sthcix", 949), ("stbcix", 981), ("stdcix", 1013)):
    define(_name, X(31, _xo), "RS,RA0,RB", F)


# ---------------------------------------------------------------- semantics

from ppcinterp.isa.load_store import access_template  # noqa: E402
from ppcinterp.isa.templates import template  # noqa: E402

for _name, _size, _store in (("lwzcix", 4, False), ("lhzcix", 2, False), ("lbzcix", 1, False), ("ldcix", 8, False),
                             ("stwcix", 4, True), ("sthcix", 2, True), ("stbcix", 1, True), ("stdcix", 8, True)):
    template(_name)((lambda n, st: lambda ctx, f: access_template(ctx, f, n, False, st, False, ci=True))(_size, _store))
