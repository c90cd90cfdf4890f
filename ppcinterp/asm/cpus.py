"""CPU models: the feature words the kernel has at run time on each processor, by the kernel's names.

A model is a set of NAMES, not numbers: the CPU_FTR_* and MMU_FTR_* names the Linux v3.10 kernel (64-bit,
pseries_defconfig) ends up with on that processor. Each name's bit comes from the headers the source itself
includes (a kernel tree's cputable.h and mmu.h with --kernel-tree, else our environment's), so a tree that
numbers its bits differently gets the words in its own numbering; a name those headers do not define is a
feature that kernel does not know, and is left out (`check --features-list` shows it as such).

How the names were derived from v3.10 (arch/powerpc/include/asm/cputable.h, mmu.h, kernel/cputable.c, prom.c,
mm/hash_utils_64.c):

- cpu_features = cputable.c's entry, CPU_FTRS_<cpu> (with CONFIG_ALTIVEC and CONFIG_PPC_TRANSACTIONAL_MEM its
  ALTIVEC_COMP and TM_COMP are ALTIVEC and TM; CPU_FTR_PPCAS_ARCH_V2 is NOEXECUTE | NODSISRALIGN), plus what
  prom.c adds from the device tree: CPU_FTR_ALTIVEC (ibm,vmx >= 1) and, from POWER7 on, CPU_FTR_VSX
  (ibm,vmx = 2). On v3.10 the words are FACTS.md section 8's: POWER6 0x090d1ae018500049, POWER7
  0x0b7e7ae518500049, POWER8 0x07fc7aed18500249, PPC970 0x0804806318100448.
- mmu_features = cputable.c's entry, MMU_FTRS_<cpu> (mmu.h: MMU_FTR_HPTE_TABLE | MMU_FTR_PPCAS_ARCH_V2, which
  cputable.h makes SLB | TLBIEL | 16M_PAGE, and from POWER5 on MMU_FTR_LOCKLESS_TLBIE), plus what
  hash_utils_64.c adds from the device tree: MMU_FTR_1T_SEGMENT where ibm,processor-segment-sizes lists 40
  (1 TB segments: POWER6 and later, not the 970). 16M_PAGE stays (ibm,segment-page-sizes lists 16 MB pages on
  all four). Like FACTS section 8 for cpu_features, no ibm,pa-features adjustment is applied (it depends on
  the firmware). On v3.10: PPC970 0x0e000001, POWER6/POWER7/POWER8 0x5e000001.
- fw_features: no feature section of arch/powerpc/lib or kvm tests a firmware feature; the word is 0.

CPU_FTR_HVMODE is in POWER7's and POWER8's sets: the models are kernels running as the hypervisor (the kernel
clears it at boot when MSR[HV] is 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ppcinterp.diagnostics import PpcError
from ppcinterp.source.preprocess import Preprocessed

PREFIX = {"CPU": "CPU_FTR_", "MMU": "MMU_FTR_", "FW": "FW_FEATURE_"}
FAMILY_WORD = {"CPU": "cpu_features", "MMU": "mmu_features", "FW": "fw_features"}


@dataclass(frozen=True)
class FamilyWord:
    """One feature word of a model, evaluated against a source's headers."""

    family: str
    value: int
    has: dict[str, int] = field(default_factory=dict)     # the model's names the headers define -> their bits
    undefined: tuple[str, ...] = ()                        # the model's names the headers do not define
    forced: bool = False                                   # --features gave the value


@dataclass(frozen=True)
class CpuModel:
    name: str
    description: str
    cpu_features: tuple[str, ...]
    mmu_features: tuple[str, ...] = ()
    fw_features: tuple[str, ...] = ()
    cpu_mask: int | None = None        # set by --features: an explicit cpu_features value

    def names(self, family: str) -> tuple[str, ...]:
        return {"CPU": self.cpu_features, "MMU": self.mmu_features, "FW": self.fw_features}[family]

    def words(self, pre: Preprocessed) -> dict[str, FamilyWord]:
        """Each family's word from the names the source's headers define."""
        out = {}
        for family in PREFIX:
            has, undefined = {}, []
            for n in self.names(family):
                v = pre.macro_value(n)
                if v is None:
                    undefined.append(n)
                else:
                    has[n] = v
            value = 0
            for v in has.values():
                value |= v
            mask = self.cpu_mask if family == "CPU" else None
            forced = mask is not None
            out[family] = FamilyWord(family, mask if mask is not None else value, has, tuple(undefined), forced)
        return out

    def known_feature_values(self, pre: Preprocessed) -> tuple[dict[str, int], dict[str, list[str]]]:
        """The feature words, and per family the model's names when the source defines none of them: a file
        without the kernel environment has no feature names, and needs none unless a feature section tests
        that family. A family of which some names are defined takes those (the others are features the
        source's kernel does not know)."""
        words = self.words(pre)
        missing = {f: list(w.undefined) for f, w in words.items() if not w.has and w.undefined and not w.forced}
        return {f: w.value for f, w in words.items()}, missing


# The names of each model. The architecture level comes first (it is what tells the models apart), then the
# rest of cputable.h's CPU_FTRS_<cpu>, then what boot adds from the device tree (see the module's text).
_BASE = ("CPU_FTR_USE_TB", "CPU_FTR_LWSYNC", "CPU_FTR_NOEXECUTE", "CPU_FTR_NODSISRALIGN", "CPU_FTR_CTRL",
         "CPU_FTR_MMCRA", "CPU_FTR_STCX_CHECKS_ADDRESS")                     # every POWER4-derived CPU
_P6 = ("CPU_FTR_SMT", "CPU_FTR_COHERENT_ICACHE", "CPU_FTR_PURR", "CPU_FTR_SPURR", "CPU_FTR_REAL_LE",
       "CPU_FTR_DSCR", "CPU_FTR_POPCNTB", "CPU_FTR_CFAR")                   # POWER6 and later
_P7 = ("CPU_FTR_SAO", "CPU_FTR_POPCNTD", "CPU_FTR_ICSWX", "CPU_FTR_HVMODE", "CPU_FTR_VMX_COPY",
       "CPU_FTR_HAS_PPR")                                                   # POWER7 and later
_VMX, _VSX = ("CPU_FTR_ALTIVEC",), ("CPU_FTR_ALTIVEC", "CPU_FTR_VSX")       # from the device tree's ibm,vmx

_MMU_970 = ("MMU_FTR_HPTE_TABLE", "MMU_FTR_SLB", "MMU_FTR_TLBIEL", "MMU_FTR_16M_PAGE")
_MMU_P6 = (*_MMU_970, "MMU_FTR_LOCKLESS_TLBIE", "MMU_FTR_1T_SEGMENT")

CPUS: dict[str, CpuModel] = {m.name: m for m in (
    CpuModel("POWER6", "IBM POWER6 (ISA 2.05)",
             (*_BASE, *_P6, "CPU_FTR_UNALIGNED_LD_STD", "CPU_FTR_DABRX", *_VMX), _MMU_P6),
    CpuModel("POWER7", "IBM POWER7 (ISA 2.06), hypervisor mode",
             ("CPU_FTR_ARCH_206", *_BASE, *_P6, *_P7, "CPU_FTR_ASYM_SMT", "CPU_FTR_DABRX", *_VSX), _MMU_P6),
    CpuModel("POWER8", "IBM POWER8 (ISA 2.07), hypervisor mode",
             ("CPU_FTR_ARCH_206", "CPU_FTR_ARCH_207S", *_BASE, *_P6, *_P7, "CPU_FTR_DBELL", "CPU_FTR_DAWR",
              "CPU_FTR_TM", *_VSX), _MMU_P6),
    CpuModel("PPC970", "IBM PowerPC 970 (ISA 2.01)",
             ("CPU_FTR_ARCH_201", *_BASE, "CPU_FTR_CAN_NAP", "CPU_FTR_CP_USE_DCBTZ", "CPU_FTR_HVMODE",
              "CPU_FTR_DABRX", *_VMX), _MMU_970),
)}
DEFAULT_CPU = "POWER7"


def cpu_model(name: str | None = None, features: int | None = None) -> CpuModel:
    """A CPU model by name (case-insensitive), optionally with its cpu_features replaced by `features`."""
    key = (name or DEFAULT_CPU).upper()
    model = CPUS.get(key)
    if model is None:
        raise PpcError(f"unknown CPU '{name}' (known: {', '.join(CPUS)})")
    if features is not None:
        model = CpuModel(model.name, f"{model.description}, cpu_features forced to {features:#x}",
                         model.cpu_features, model.mmu_features, model.fw_features, features)
    return model
