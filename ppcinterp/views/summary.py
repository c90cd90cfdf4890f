"""`ppcinterp check`: what the file holds, and what it leaves to, for one CPU and config."""

from __future__ import annotations

from ppcinterp.asm.fixup import Image
from ppcinterp.views.features import describe


def summary(img: Image, config: str) -> str:
    p = img.program
    pre = p.preprocessed
    paths = p.paths or [p.path]
    main_lines = sum(_lines(path) for path in paths)
    out = [f"{', '.join(paths)}: ok (CPU {img.cpu.name}, config {config}, base {p.base:#x})"]
    where = "in the file" if len(paths) == 1 else f"in the {len(paths)} files (each an object, linked)"
    out.append(f"  lines: {main_lines} {where}, {len(pre.lines)} after preprocessing ({len(pre.files)} files read)")
    out.append(f"  instructions: {len(p.insns)}  (data items: {len(p.data)})")
    named = sorted({lb.name for lb in p.labels if not lb.local and lb.addr not in p.outside})
    local = [lb for lb in p.labels if lb.local and lb.addr not in p.outside]
    out.append(f"  labels: {len(named)} named ({', '.join(named) or '-'}); {len(local)} numeric local "
               "(including those the feature-section macros make)")
    out.append(f"  hunks: {len(p.hunks)}")
    for h in p.hunks:
        n = sum(1 for i in p.insns.values() if h.contains_line(i.pos.file, i.pos.line))
        out.append(f"    hunk {h.number}: upstream lines {h.first}-{h.last}, file lines {h.lines[0]}-{h.lines[1]}, "
                   f"{n} instructions  {h.header}")
    words = ", ".join(f"{name} {img.features[f]:#x}" for f, name in (("CPU", "cpu_features"), ("MMU", "mmu_features")))
    out.append(f"  feature sections: {len(img.states)} ({words} on {img.cpu.name}; --features-list names the bits)")
    for st in img.states:
        fs = st.section
        where = p.where(fs.begin) if fs.begin else "?"
        n = (fs.body[1] - fs.body[0]) // 4
        state = "active (body runs)" if st.active else (
            "patched: alternative copied over the body" if st.how == "alternative" else "patched: body is nops")
        out.append(f"    {where}: {fs.family} {describe(pre, fs)}, body {n} word{'s' * (n != 1)}"
                   f"{', alternative ' + str((fs.alt[1] - fs.alt[0]) // 4) + ' words' if fs.has_alternative else ''}"
                   f" -> {state} on {img.cpu.name}")
    outside = [o for o in p.outside.values() if not o.extern]
    if outside or not p.externs:
        out.append(f"  leaves to (labels of the rest of the file, declared outside): {len(outside)}")
        for o in outside:
            name = f"{o.name}f" if o.name.isdigit() else o.name
            out.append(f"    {name}" + (f"  ({o.description})" if o.description else ""))
    if p.externs:
        out.append(f"  leaves to (defined in other objects): {len(p.externs)}")
        for x in p.externs.values():
            out.append(f"    {x.name}  [{'code' if x.code else 'data'}, {x.how}]" + (f"  {x.what}" if x.what else ""))
    skipped = getattr(pre, "skipped_by_config", {})
    if skipped:
        out.append("  kernel config options tested by the file (lines their #if/#ifdef removed):")
        for name, n in sorted(skipped.items()):
            state = "set" if pre.defined(name) else "not set"
            out.append(f"    {name} ({state}): {n} line{'s' * (n != 1)} removed")
    for msg, pos in p.warnings:
        out.append(f"  warning: {pos.file}:{pos.line}: {msg}" if pos else f"  warning: {msg}")
    return "\n".join(out)


def _lines(path: str) -> int:
    with open(path, encoding="utf-8", errors="replace") as f:
        return sum(1 for _ in f)
