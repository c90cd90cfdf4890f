"""The upstream kvmppc_save_fp / kvmppc_load_fp on random guest FP/VMX/VSX state, when the kernel's file is at
hand: PPCINTERP_UPSTREAM=/path/to/arch/powerpc/kvm/book3s_hv_rmhandlers.S (it is GPL and not shipped). POWER7
takes the VSX path (STXVD2X/LXVD2X), PPC970 the FPR path (stfd/lfd; the VSRs' second doublewords end 0)."""

from __future__ import annotations

import os
import random

import pytest

from ppcinterp.api import Session
from ppcinterp.isa.fp import store_fpscr

UPSTREAM = os.environ.get("PPCINTERP_UPSTREAM", "")
M64 = 2**64 - 1
VCPU = 0x0100_8000
# asm-offsets (pseries_defconfig): VCPU_FPRS, VCPU_FPSCR, VCPU_VRS, VCPU_VSCR, VCPU_VSRS, VCPU_VRSAVE
FPRS, FPSCR, VRS, VSCR, VSRS, VRSAVE = 0xCF0, 0xDF0, 0xE00, 0x1000, 0x1010, 0x1308


@pytest.mark.skipif(not os.path.isfile(UPSTREAM), reason="PPCINTERP_UPSTREAM names no file")
@pytest.mark.parametrize("cpu", ["POWER7", "PPC970"])
def test_upstream_save_and_load_fp(cpu: str):
    s = Session(UPSTREAM, cpu=cpu)
    rnd = random.Random(cpu)
    vs = [rnd.getrandbits(128) for _ in range(32)]
    v = [rnd.getrandbits(128) for _ in range(32)]
    fpscr, vscr, vrsave = store_fpscr(0, rnd.getrandbits(64), M64), 0x10001, rnd.getrandbits(32)
    for i in range(32):
        s.set(f"vs{i}", vs[i])
        s.set(f"v{i}", v[i])
    for name, value in (("fpscr", fpscr), ("vscr", vscr), ("vrsave", vrsave), ("r3", VCPU), ("msr", 1 << 63)):
        s.set(name, value)
    r = s.run(".kvmppc_save_fp", max_steps=2000)
    assert r.kind == "return" and r.pc is not None                # blr to the LR it started with (0)

    def at(off: int, size: int = 8) -> int:
        return s.get(f"mem{8 * size}[{VCPU + off:#x}]")

    if cpu == "POWER7":
        assert [at(VSRS + 16 * i) << 64 | at(VSRS + 16 * i + 8) for i in range(32)] == vs
    else:
        assert [at(FPRS + 8 * i) for i in range(32)] == [x >> 64 for x in vs]
    assert [at(VRS + 16 * i) << 64 | at(VRS + 16 * i + 8) for i in range(32)] == v
    assert (at(FPSCR), at(VSCR + 8), at(VRSAVE, 4)) == (fpscr, vscr, vrsave)

    for i in range(64):
        s.set(f"vs{i}", 0)
    for name in ("fpscr", "vscr", "vrsave"):
        s.set(name, 0)
    s.set("r4", VCPU)
    s.run("kvmppc_load_fp", max_steps=2000)
    expect = vs if cpu == "POWER7" else [x >> 64 << 64 for x in vs]
    assert [s.get(f"vs{i}") for i in range(64)] == expect + v
    assert (s.get("fpscr"), s.get("vscr"), s.get("vrsave")) == (fpscr, vscr, vrsave)
