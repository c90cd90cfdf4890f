"""CPU models: which feature bits a processor has, by the kernel's names.

The numbers come from the kernel environment's headers (cputable.h), so a user's own kernel tree is
authoritative; only the choice of names per processor lives here (from cputable.h's CPU_FTRS_* sets and
FACTS.md: POWER7 and POWER8 have ARCH_206, CFAR and HVMODE; PPC970 has ARCH_201 and HVMODE;
ALTIVEC and VSX come from the device tree at boot).
"""

from __future__ import annotations

from dataclasses import dataclass

from ppcinterp.diagnostics import PpcError
from ppcinterp.source.preprocess import Preprocessed


@dataclass(frozen=True)
class CpuModel:
    name: str
    description: str
    cpu_features: tuple[str, ...]
    mmu_features: tuple[str, ...] = ()
    fw_features: tuple[str, ...] = ()
    cpu_mask: int | None = None        # set by --features: an explicit cpu_features value

    def feature_values(self, pre: Preprocessed) -> dict[str, int]:
        """cpu_features / mmu_features / fw_features as numbers, for the fixup tables of each family."""
        values, missing = self.known_feature_values(pre)
        for family, names in missing.items():
            raise PpcError(f"CPU model {self.name} has feature {names[0]}, which the kernel environment "
                           f"does not define (needed by the {family} feature sections)")
        return values

    def known_feature_values(self, pre: Preprocessed) -> tuple[dict[str, int], dict[str, list[str]]]:
        """The feature words from the names the source defines, and per family the names it does not define.
        A file without the kernel environment has no feature names, and needs none unless a feature
        section tests that family."""
        values: dict[str, int] = {}
        missing: dict[str, list[str]] = {}
        for family, names in (("CPU", self.cpu_features), ("MMU", self.mmu_features), ("FW", self.fw_features)):
            value = 0
            for n in names:
                v = pre.macro_value(n)
                if v is None:
                    missing.setdefault(family, []).append(n)
                else:
                    value |= v
            values[family] = value
        if self.cpu_mask is not None:
            values["CPU"] = self.cpu_mask
            missing.pop("CPU", None)
        return values, missing


_P7 = ("CPU_FTR_ARCH_206", "CPU_FTR_CFAR", "CPU_FTR_HVMODE", "CPU_FTR_ALTIVEC", "CPU_FTR_VSX")
CPUS: dict[str, CpuModel] = {m.name: m for m in (
    CpuModel("POWER7", "IBM POWER7 (ISA 2.06), hypervisor mode", _P7),
    CpuModel("POWER8", "IBM POWER8, hypervisor mode (the facts give it no bits beyond POWER7's)", _P7),
    CpuModel("PPC970", "IBM PowerPC 970 (ISA 2.01)", ("CPU_FTR_ARCH_201", "CPU_FTR_HVMODE", "CPU_FTR_ALTIVEC")),
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
