"""Feature sections, read from the fixup tables the feature macros leave behind, and applied for a CPU
exactly as the kernel patches itself at boot.

Each record in `__ftr_fixup` / `__mmu_ftr_fixup` / `__fw_ftr_fixup` is six doublewords: mask, value,
then the offsets (from the record) of body start, body end, alternative start, alternative end.
If (features & mask) == value the body stays; otherwise the alternative is copied over the start of the
body, relative branches that leave the alternative are re-targeted, and the rest of the body becomes nops.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ppcinterp.asm.cpus import CpuModel
from ppcinterp.asm.program import Program
from ppcinterp.diagnostics import Pos, SourceError
from ppcinterp.isa.table import decode

NOP = 0x60000000
TABLES = {"__ftr_fixup": "CPU", "__mmu_ftr_fixup": "MMU", "__fw_ftr_fixup": "FW"}
RECORD = 48


@dataclass(slots=True)
class FeatureSection:
    family: str                  # "CPU", "MMU" or "FW": which feature word the record is tested against
    mask: int
    value: int
    body: tuple[int, int]        # [start, end) addresses
    alt: tuple[int, int]         # empty when the section has no FTR_SECTION_ELSE
    begin: Pos | None            # where the section starts in the source (BEGIN_..._SECTION)
    end: Pos | None              # where its record is made (END_... / ALT_..._END)

    def active(self, features: int) -> bool:
        return features & self.mask == self.value

    @property
    def has_alternative(self) -> bool:
        return self.alt[1] > self.alt[0]

    def describe(self) -> str:
        if self.value == self.mask:
            cond = f"IFSET({self.mask:#x})"
        elif self.value == 0:
            cond = f"IFCLR({self.mask:#x})"
        else:
            cond = f"(mask {self.mask:#x}, value {self.value:#x})"
        return f"{self.family} {cond}"


def _u64(data: bytes | bytearray, off: int) -> int:
    return int.from_bytes(data[off:off + 8], "big")


def _s64(data: bytes | bytearray, off: int) -> int:
    v = _u64(data, off)
    return v - (1 << 64) if v >> 63 else v


def feature_sections(program: Program) -> list[FeatureSection]:
    """Every feature section of the program, in source order, from its fixup tables."""
    out = []
    for name, family in TABLES.items():
        sec = program.sections.get(name)
        if sec is None:
            continue
        items = sorted((d.addr, d.stmt.pos) for d in program.data if d.section == name)
        if len(sec.data) % RECORD:
            raise SourceError(f"section {name} is not a whole number of {RECORD}-byte fixup records "
                              f"({len(sec.data)} bytes)", items[-1][1] if items else None)
        for off in range(0, len(sec.data), RECORD):
            rec = sec.base + off
            offs = [_s64(sec.data, off + 16 + 8 * k) for k in range(4)]
            body = (rec + offs[0], rec + offs[1])
            alt = (rec + offs[2], rec + offs[3])
            # The record's place: the statement (a feature macro's use) that wrote its first doubleword.
            end = next((p for a, p in items if rec <= a < rec + RECORD), None)
            for what, (lo, hi) in (("body", body), ("alternative", alt)):
                why = _bad_range(program, lo, hi)
                if why:
                    raise SourceError(f"feature fixup record {off // RECORD + 1} of {name}: its {what} "
                                      f"{lo:#x}-{hi:#x} {why}", end)
            out.append(FeatureSection(family, _u64(sec.data, off), _u64(sec.data, off + 8), body, alt,
                                      _begin_pos(program, body[0], end), end))
    out.sort(key=lambda f: (f.body[0], f.body[1]))
    return out


def _bad_range(program: Program, lo: int, hi: int) -> str | None:
    """Why [lo, hi) cannot be a feature section's body or alternative (whole instructions of one section)."""
    if hi < lo:
        return "ends before it starts"
    if lo % 4 or hi % 4:
        return "is not whole 4-byte instructions"
    if hi == lo:
        return None
    sec = program.section_of(lo)
    if sec is None:
        return "lies in no section"
    if hi > sec.end:
        return f"runs past the end of section {sec.name}"
    return None


def _begin_pos(program: Program, addr: int, end: Pos | None) -> Pos | None:
    """The label the BEGIN macro put at the body's start: the last one at that address before the END."""
    best = None
    for lb in program.labels:
        if lb.addr == addr and lb.local and (end is None or (lb.pos.file, lb.pos.line) <= (end.file, end.line)):
            best = lb.pos
    if best is None and addr in program.insns:
        best = program.insns[addr].pos
    return best


@dataclass
class SectionState:
    section: FeatureSection
    active: bool
    how: str                      # "kept", "alternative" or "nops"


@dataclass
class Image:
    """The program's bytes as the kernel leaves them after feature fixups for one CPU."""

    program: Program
    cpu: CpuModel
    features: dict[str, int]
    states: list[SectionState]
    data: dict[str, bytearray]
    patched: dict[int, str] = field(default_factory=dict)       # address -> why its word changed

    def word(self, addr: int) -> int:
        sec = self.program.section_of(addr)
        if sec is None:
            raise KeyError(addr)
        off = addr - sec.base
        return int.from_bytes(self.data[sec.name][off:off + 4], "big")

    def state_at(self, addr: int) -> SectionState | None:
        """The innermost feature section whose body contains addr."""
        best = None
        for st in self.states:
            lo, hi = st.section.body
            if lo <= addr < hi and (best is None or hi - lo <= best.section.body[1] - best.section.body[0]):
                best = st
        return best


def apply_features(program: Program, cpu: CpuModel) -> Image:
    features, missing = cpu.known_feature_values(program.preprocessed)
    data = {name: bytearray(s.data) for name, s in program.sections.items()}
    img = Image(program, cpu, features, [], data)
    for fs in feature_sections(program):
        if fs.family in missing:
            names = missing[fs.family]
            some = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            raise SourceError(f"this {fs.family} feature section is tested against CPU model {cpu.name}'s "
                              f"features, but {some} {'is' if len(names) == 1 else 'are'} not defined "
                              "(the kernel environment defines them; or give --features MASK)",
                              fs.end or fs.begin)
        active = fs.active(features[fs.family])
        how = "kept" if active else "alternative" if fs.has_alternative else "nops"
        img.states.append(SectionState(fs, active, how))
        if not active:
            _patch(img, fs)
    return img


def _put(img: Image, addr: int, word: int, why: str) -> None:
    sec = img.program.section_of(addr)
    assert sec is not None                      # feature sections are checked to be whole instructions
    off = addr - sec.base
    img.data[sec.name][off:off + 4] = word.to_bytes(4, "big")
    img.patched[addr] = why


def _patch(img: Image, fs: FeatureSection) -> None:
    (b0, b1), (a0, a1) = fs.body, fs.alt
    if a1 - a0 > b1 - b0:
        raise SourceError("feature section alternative is longer than its body", fs.end)
    dest = b0
    for src in range(a0, a1, 4):
        _put(img, dest, _retarget(img.program.word_at(src), src, dest, fs), f"alternative of {fs.describe()}")
        dest += 4
    for addr in range(dest, b1, 4):
        _put(img, addr, NOP, f"nop: {fs.describe()} not met")


def _retarget(word: int, src: int, dest: int, fs: FeatureSection) -> int:
    """A relative branch copied out of the alternative keeps its target if the target is outside it."""
    d = decode(word)
    if d is None or d.aa or d.base_name not in ("b", "bc"):
        return word
    f = d.fields["LI" if d.base_name == "b" else "BD"]
    target = src + f.extract(word)
    if fs.alt[0] <= target < fs.alt[1]:
        return word
    disp = target - dest
    if not f.lo <= disp <= f.hi:
        raise SourceError(f"branch in a feature alternative cannot reach {target:#x} from {dest:#x}", fs.end)
    mask = f.insert(-1 & ((1 << (f.bits + f.scale)) - 1))
    return (word & ~mask & 0xFFFFFFFF) | f.insert(disp)
