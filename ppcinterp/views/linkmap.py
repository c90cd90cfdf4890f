"""`--map`: where the linker put each object's sections and each global symbol (like `ld -M`)."""

from __future__ import annotations

from ppcinterp.asm.program import Program


def link_map(p: Program) -> str:
    out = [f"link map: {len(p.paths)} object{'s' * (len(p.paths) != 1)}, base {p.base:#x}, TOC base (r2) "
           f"{p.toc_base:#x}"]
    width = max((len(s) for s in p.sections), default=0) + 2
    for name, sec in p.sections.items():
        out.append(f"  {name:<{width}}{sec.base:#012x} {len(sec.data):#8x}")
        for pl in (pl for pl in p.placed if pl.section == name):
            what = "GOT entries" if name == ".got" else "exit slots" if name == ".text" else "data slots"
            who = f"({pl.path.strip('()')}: {what})" if pl.path.startswith("(") else pl.path
            out.append(f"  {'':<{width}}{pl.base:#012x} {pl.size:#8x}  {who}")
    defined = {lb.name: lb for lb in p.labels if not lb.local and lb.name in p.globals}
    rows = sorted((p.symbols[n], n) for n in defined if n in p.symbols)
    out.append(f"global symbols: {len(rows)}")
    for addr, name in rows:
        lb = defined[name]
        out.append(f"  {addr:#012x}  {name:<24} {lb.section:<10} {lb.pos.file}:{lb.pos.line}")
    if p.externs:
        out.append(f"left to other objects: {len(p.externs)}")
        for x in sorted(p.externs.values(), key=lambda x: x.addr):
            out.append(f"  {x.addr:#012x}  {x.name:<24} {'code' if x.code else 'data'} ({x.how})")
    return "\n".join(out)
