"""The handler file's FP/VMX/VSX instructions (and slbfee., popcntw) encoded as GNU as encodes them
(`powerpc64-linux-gnu-as -a64 -mpower7 -mregnames`): by mnemonic over their register and field ranges, as the
kernel environment's .long macros make them, and in tests/data/fp_vector_state.S. Every mnemonic of the whole
file (FACTS §4) has a definition with semantics."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT, gas_assemble, need_gas

from ppcinterp.build import BuildOptions, load_program
from ppcinterp.isa.table import ALIASES, INSNS, semantics_of
from ppcinterp.source.statements import Num

STATE = ROOT / "tests" / "data" / "fp_vector_state.S"


def mnemonic_lines() -> list[str]:
    """Each instruction over its operand ranges: all 64 VSX registers, every FLM, L and W, edge displacements."""
    out = []
    for x in range(64):
        ra, rb = (x * 7) % 32, (x * 11 + 1) % 32
        out += [f"lxvd2x vs{x},r{ra},r{rb}", f"stxvd2x vs{x},r{ra},r{rb}", f"lxvd2x {x},{ra},{rb}",
                f"stxvd2x {x},0,r{rb}"]
    for f in range(32):
        ra, rb = (f * 5 + 3) % 32, (f * 3) % 32
        for d in (0, 8, -8, 32767, -32768):
            out += [f"lfd f{f},{d}(r{ra})", f"stfd f{f},{d}(r{ra})"]
        out += [f"lfdx f{f},r{ra},r{rb}", f"stfdx f{f},r{ra},r{rb}", f"lfdx f{f},0,r{rb}",
                f"mffs f{f}", f"mffs. f{f}", f"lvx v{f},r{ra},r{rb}", f"stvx v{f},0,r{rb}",
                f"mfvscr v{f}", f"mtvscr v{f}", f"slbfee. r{f},r{rb}", f"popcntw r{ra},r{f}",
                f"mfspr r{f},256", f"mtspr 256,r{f}", f"mtvrsave r{f}", f"mfvrsave r{f}"]
    for flm in range(256):
        out += [f"mtfsf {flm},f{flm % 32}", f"mtfsf. {flm},f{(flm * 3) % 32}"]
    for lbit in (0, 1):
        for w in (0, 1):
            out += [f"mtfsf {flm},f{flm % 32},{lbit},{w}" for flm in (0, 1, 0x80, 0xff)]
            out += [f"mtfsf. 0x5a,f7,{lbit},{w}"]
    return out


def words_of(prog) -> list[int]:
    data = bytes(prog.text.data)
    return [int.from_bytes(data[i:i + 4], "big") for i in range(0, len(data), 4)]


def gas_words(text: str, tmp: Path) -> list[int]:
    data, _ = gas_assemble(text, tmp)
    return [int.from_bytes(data[i:i + 4], "big") for i in range(0, len(data), 4)]


def differences(ours: list[int], theirs: list[int], lines: list[str]) -> list[str]:
    assert len(ours) == len(theirs), (len(ours), len(theirs))
    return [f"{line}: ours {a:#010x} gas {b:#010x}" for line, a, b in zip(lines, ours, theirs, strict=True) if a != b]


def test_every_fp_vector_instruction_by_mnemonic_equals_gnu_as(tmp_path):
    need_gas()
    lines = mnemonic_lines()
    src = tmp_path / "m.S"
    src.write_text("".join(f"\t{line}\n" for line in lines))
    prog = load_program(str(src), BuildOptions(base=0, kernel_env=False))
    assert differences(words_of(prog), gas_words(src.read_text(), tmp_path), lines) == []
    assert len(lines) > 1500


def test_kernel_macro_words_equal_gnu_as_mnemonics(tmp_path):
    """The .long words of STXVD2X/LXVD2X (6-bit register: TX/SX in bit 31), MTFSF_L, PPC_POPCNTW and
    PPC_SLBFEE_DOT, from our kernel environment, against GNU as's encoding of the instructions they stand for."""
    need_gas()
    macros, mnemonics = [], []
    for x in range(64):
        r = x % 29 + 1
        macros += [f"STXVD2X({x},R{r},R3)", f"LXVD2X({x},R{r},R4)"]
        mnemonics += [f"stxvd2x vs{x},r{r},r3", f"lxvd2x vs{x},r{r},r4"]
    for i in range(32):
        macros += [f"MTFSF_L({i})", f"PPC_POPCNTW(R{i},R{31 - i})", f"PPC_SLBFEE_DOT(R{i},R{(i * 7) % 32})"]
        mnemonics += [f"mtfsf 0xff,f{i},1,0", f"popcntw r{i},r{31 - i}", f"slbfee. r{i},r{(i * 7) % 32}"]
    # The kernel's loop form: the register is an assembler symbol counted by .rept.
    loop = "\treg = 0\n\t.rept 64\n\tSTXVD2X(reg,R6,R3)\n\tLXVD2X(reg,R7,R4)\n\treg = reg + 1\n\t.endr\n"
    mnemonics += [m for x in range(64) for m in (f"stxvd2x vs{x},r6,r3", f"lxvd2x vs{x},r7,r4")]
    src = tmp_path / "k.S"
    src.write_text("#include <asm/ppc-opcode.h>\n#include <asm/reg.h>\n\t.text\n"
                   + "".join(f"\t{m}\n" for m in macros) + loop)
    ours = words_of(load_program(str(src), BuildOptions(base=0)))
    theirs = gas_words("".join(f"\t{m}\n" for m in mnemonics), tmp_path)
    assert differences(ours, theirs, macros + ["(loop)"] * 128) == []
    assert ours[0] == 0x7C011F98 and ours[1] == 0x7C012698     # STXVD2X(0,R1,R3): 0x7c000798, RA 1<<16, RB 3<<11


def test_state_file_words_equal_gnu_as(tmp_path):
    need_gas()
    prog = load_program(str(STATE), BuildOptions(base=0))
    text = "\n".join(line.text for line in prog.preprocessed.lines) + "\n"
    ours, theirs = words_of(prog), gas_words(text, tmp_path)
    assert ours == theirs
    assert len(ours) == 286 + 32 + 32 + 3      # instructions; .long words: STXVD2X, LXVD2X, MTFSF_L, POPCNTW, SLBFEE


# FACTS §4: the 100 distinct mnemonics of the whole upstream file (static-prediction hints `beq-`, `bne+`, `bne-`
# counted with their branch), and the instructions its .long macros make.
FACTS_MNEMONICS = [
    "add", "addi", "and", "and.", "andc", "andc.", "andi.", "andis.", "b", "ba", "bctrl", "bdnz", "beq", "beqa",
    "bge", "bl", "ble", "blr", "blt", "bne", "clrldi", "clrldi.", "clrrdi", "cmpd", "cmpdi", "cmpldi", "cmpw",
    "cmpwi", "extsw", "hrfid", "isync", "lbz", "ld", "ldarx", "lfd", "lhz", "li", "lis", "lvx", "lwarx", "lwsync",
    "lwz", "lwzcix", "lwzx", "mfctr", "mfdar", "mfdsisr", "mffs", "mflr", "mfmsr", "mfspr", "mftb", "mfvscr",
    "mfxer", "mr", "mtcr", "mtctr", "mtlr", "mtmsrd", "mtspr", "mtsrr0", "mtsrr1", "mtvscr", "mtxer", "mulli",
    "nap", "nop", "or", "ori", "oris", "ptesync", "rfid", "rldicl", "rldimi", "rlwimi", "rlwinm", "rlwinm.",
    "rotldi", "slbia", "slbmfee", "slbmfev", "slbmte", "sld", "sldi", "srdi", "srdi.", "srwi", "stb", "stbcix",
    "std", "stdcx.", "stfd", "stvx", "stw", "stwcix", "stwcx.", "subf", "subi", "sync", "tlbiel",
]
HINTED = ["beq-", "bne+", "bne-"]
MACRO_MADE = ["slbfee.", "popcntw", "lxvd2x", "stxvd2x", "mtfsf"]


def base_of(name: str) -> str:
    """The base instruction a mnemonic assembles to (an extended mnemonic rewritten with placeholder operands)."""
    name = name.rstrip("+-")
    if name in INSNS:
        return name
    forms = ALIASES[name]
    count = min(forms)
    return forms[count](*[Num(1)] * count)[0]


def test_every_mnemonic_of_the_whole_file_has_semantics():
    assert len(set(FACTS_MNEMONICS)) == 100
    missing = [m for m in FACTS_MNEMONICS + HINTED + MACRO_MADE if semantics_of(INSNS[base_of(m)]) is None]
    assert missing == []
