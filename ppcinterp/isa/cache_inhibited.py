"""Cache-inhibited loads and stores (hypervisor real mode): the path by which KVM reaches the XICS ICP."""

from ppcinterp.isa.table import X, define

F = "cache_inhibited"

for _name, _xo in (("lwzcix", 789), ("lhzcix", 821), ("lbzcix", 853), ("ldcix", 885)):
    define(_name, X(31, _xo), "RT,RA0,RB", F)
for _name, _xo in (("stwcix", 917), ("sthcix", 949), ("stbcix", 981), ("stdcix", 1013)):
    define(_name, X(31, _xo), "RS,RA0,RB", F)
