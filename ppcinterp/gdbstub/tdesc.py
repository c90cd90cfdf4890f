"""The target description gdb reads with qXfer:features:read:target.xml (gdb's manual, "Target Description
Format" and "Standard Target Features: PowerPC Features"): a 64-bit PowerPC with the core, FPU, AltiVec and VSX
features, and org.ppcinterp.hv with the SPRs the handlers use, so `info registers lpcr` and `p $hsrr0` work."""

from __future__ import annotations

from functools import cache
from xml.sax.saxutils import quoteattr

from ppcinterp.gdbstub.regs import ALTIVEC, REGS

# AltiVec's 128-bit registers as gdb shows them: a union of the element views.
_VECTOR_TYPES = """\
    <vector id="v4f" type="ieee_single" count="4"/>
    <vector id="v4i32" type="int32" count="4"/>
    <vector id="v8i16" type="int16" count="8"/>
    <vector id="v16i8" type="int8" count="16"/>
    <union id="vec128">
      <field name="uint128" type="uint128"/>
      <field name="v4_float" type="v4f"/>
      <field name="v4_int32" type="v4i32"/>
      <field name="v8_int16" type="v8i16"/>
      <field name="v16_int8" type="v16i8"/>
    </union>
"""


@cache
def target_xml() -> bytes:
    lines = ['<?xml version="1.0"?>', '<!DOCTYPE target SYSTEM "gdb-target.dtd">', "<target>",
             "  <architecture>powerpc:common64</architecture>"]
    features = list(dict.fromkeys(r.feature for r in REGS))
    for feature in features:
        lines.append(f"  <feature name={quoteattr(feature)}>")
        if feature == ALTIVEC:
            lines.append(_VECTOR_TYPES.rstrip("\n"))
        for r in REGS:
            if r.feature == feature:
                group = f" group={quoteattr(r.group)}" if r.group else ""
                lines.append(f"    <reg name={quoteattr(r.name)} bitsize=\"{r.bits}\" type={quoteattr(r.type)} "
                             f"regnum=\"{r.regnum}\"{group}/>")
        lines.append("  </feature>")
    lines.append("</target>")
    return ("\n".join(lines) + "\n").encode()
