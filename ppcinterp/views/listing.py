"""`ppcinterp disasm`: an objdump -S style listing of the image for one CPU.

Source lines are interleaved before the code they produced; each instruction shows its address, its word
after feature fixups, the statement as the assembler read it (after the preprocessor), its base form, and,
inside a feature section, whether that code is active or patched for this CPU.
"""

from __future__ import annotations

from ppcinterp.asm.fixup import Image
from ppcinterp.asm.program import AsmInsn
from ppcinterp.diagnostics import Pos, source_line
from ppcinterp.isa.table import decode, field_values
from ppcinterp.views.features import describe


def _src_line(img: Image, pos: Pos) -> str:
    text = (source_line(pos) or "").rstrip().expandtabs(8)
    up = img.program.upstream_line(pos)
    where = f"{pos.line:5d}" + (f" [{up:4d}]" if up else "       ")
    return f"{where} | {text}"


def _decoded(word: int, addr: int, section: str) -> tuple[str, str]:
    """(the word as capstone reads it, its base form from our table) for a word a feature fixup put there."""
    import capstone

    cs = capstone.Cs(capstone.CS_ARCH_PPC, capstone.CS_MODE_64 | capstone.CS_MODE_BIG_ENDIAN)
    got = next(cs.disasm(word.to_bytes(4, "big"), addr), None)
    text = f"{got.mnemonic} {got.op_str}".strip() if got else f".long {word:#x}"
    d = decode(word)
    if d is None:
        return text, f".long {word:#x}"
    values = field_values(d, word)
    ops = [v for o in d.operands for v in (values[o.field.name], *([values[o.base.name]] if o.base else []))]
    return text, AsmInsn(addr, word, d, tuple(ops), None, section).base_text()


def listing(img: Image) -> str:
    p = img.program
    pre = p.preprocessed
    out = [f"{', '.join(p.paths or [p.path])}: CPU {img.cpu.name}, base {p.base:#x}",
           "   line [upstream] | source;   address: word   as assembled   |  base form   [feature section]"]
    hunk_at = {h.start: h for h in p.hunks if h.end > h.start}
    labels: dict[int, list] = {}
    for lb in p.labels:
        if lb.addr not in p.outside and lb.written:
            labels.setdefault(lb.addr, []).append(lb)
    shown_line: tuple[str, int] | None = None
    for sec in p.sections.values():
        if not sec.is_code or not sec.data:
            continue
        out.append(f"\nsection {sec.name} at {sec.base:#x}:")
        for addr in range(sec.base, sec.end, 4):
            ai = p.insns.get(addr)
            here = labels.get(addr, [])
            hunk = p.hunk_of(ai.pos) if ai else None
            # Labels written at the end of the previous hunk (ext_interrupt_to_host, guest_exit_cont) sit at
            # the next hunk's first address: show them where they were written, before the hunk header.
            trailing = [lb for lb in here if ai is None or p.hunk_of(lb.pos) is not hunk]
            for lb in trailing:
                out.append(_src_line(img, lb.pos))
                out.append(f"{'':25}{lb.name}:")
            if addr in hunk_at and sec.name == ".text":
                h = hunk_at[addr]
                out.append(f"\n-- hunk {h.number}: upstream lines {h.first}-{h.last}  {h.header}")
            if addr in p.outside:
                o = p.outside[addr]
                out.append(f"\n<{o.name}{'f' if o.name.isdigit() else ''}>: outside this file"
                           + (f" ({o.description})" if o.description else ""))
                continue
            if ai is not None and (ai.pos.file, ai.pos.line) != shown_line:
                if len(p.paths) > 1 and ai.pos.file != (shown_line or ("", 0))[0]:
                    out.append(f"-- {ai.pos.file}")          # a program of several objects: whose lines follow
                shown_line = (ai.pos.file, ai.pos.line)
                out.append(_src_line(img, ai.pos))
            for lb in here:
                if lb not in trailing:
                    out.append(f"{'':25}{lb.name}:")
            word = img.word(addr)
            if ai is None:
                d = decode(word)
                out.append(f"{'':18}{addr:#012x}: {word:08x}   .long {word:#x}" + (f"  ({d.name})" if d else ""))
                continue
            written, base = " ".join(ai.stmt.text.split()), ai.base_text()
            if addr in img.patched:             # the text decodes the word shown; the source line says what was written
                written, base = _decoded(word, addr, sec.name)
            line = f"{'':18}{addr:#012x}: {word:08x}   {written:<30} | {base}"
            st = img.state_at(addr)
            if st is not None:
                cond = f"{st.section.family} {describe(pre, st.section)}"
                if addr in img.patched:
                    now = "nop" if word == 0x60000000 else f"{decode(word).name if decode(word) else '?'}"
                    line += f"   [{cond}: not met on {img.cpu.name} -> patched to {now}]"
                else:
                    line += f"   [{cond}: active on {img.cpu.name}]"
            out.append(line)
    return "\n".join(out)
