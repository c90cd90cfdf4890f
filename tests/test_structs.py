"""Named structures from asm-offsets: layouts per struct, names in state, traces and the debugger, the header
the preprocessor actually used (a kernel tree's wrapper around generated/asm-offsets.h), missing fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FRAGMENT, ROOT, ppc

from ppcinterp.api import Session
from ppcinterp.debug.engine import DebugEngine
from ppcinterp.diagnostics import PpcError
from ppcinterp.machine.structs import OffsetTable
from ppcinterp.study import scenario
from ppcinterp.views.trace import trace_json, trace_lines

OURS = ROOT / "asm" / "include" / "config" / "pseries_defconfig" / "asm" / "asm-offsets.h"
SHAPE = ROOT / "tests" / "data" / "guest_exit_shape.S"
FAULT = ROOT / "tests" / "data" / "guest_exit_fault.toml"


@pytest.fixture(scope="module")
def table() -> OffsetTable:
    return OffsetTable.from_file(OURS)


def test_fields_by_path_and_symbol(table):
    vcpu = table.layout("kvm_vcpu")
    assert vcpu.locate("arch.slb_max") == ("arch.slb_max", table.values["VCPU_SLB_MAX"], 4)
    assert vcpu.locate("VCPU_DSCR") == ("arch.dscr", table.values["VCPU_DSCR"], 8)
    assert vcpu.locate("arch.ceded")[2] == 1                      # a u8 before another u8
    assert table.layout("kvmppc_vcore").locate("entry_exit_count")[1] == table.values["VCORE_ENTRY_EXIT"]
    assert table.layout("kvm").locate("arch.lpid")[1] == table.values["KVM_LPID"]
    assert table.layout("lppaca").locate("yield_count") == ("yield_count", table.values["LPPACA_YIELDCOUNT"], 4)
    assert vcpu.size >= 4096 and vcpu.size % 8 == 0               # no sizeof row: max field end, >= 4 KiB


def test_arrays_are_indexed(table):
    vcpu = table.layout("kvm_vcpu")
    gprs = table.values["VCPU_GPRS"]
    assert vcpu.locate("arch.gpr[3]") == ("arch.gpr[3]", gprs + 24, 8)       # VCPU_GPR(R3)
    assert vcpu.locate("VCPU_GPRS[31]") == ("arch.gpr[31]", gprs + 248, 8)
    assert vcpu.name_at(gprs + 8 * 14) == "arch.gpr[14]"
    assert vcpu.name_at(gprs + 8 * 14 + 4) == "arch.gpr[14]+4"
    with pytest.raises(LookupError, match="arch.gpr has 32 elements"):
        vcpu.locate("arch.gpr[32]")
    slb, size = table.values["VCPU_SLB"], table.values["VCPU_SLB_SIZE"]
    assert vcpu.name_at(slb + 2 * size + table.values["VCPU_SLB_V"]) == "arch.slb[2].origv"
    assert vcpu.locate("arch.slb[2].orige")[1] == slb + 2 * size + table.values["VCPU_SLB_E"]


def test_slb_shadow_and_stack_frame(table):
    shadow = table.layout("slb_shadow")
    # SLBSHADOW_STACKVSID is written with a symbolic index; output names the element
    assert shadow.locate("SLBSHADOW_STACKVSID") == ("save_area[2].vsid", table.values["SLBSHADOW_STACKVSID"], 8)
    assert shadow.name_at(table.values["SLBSHADOW_SAVEAREA"]) == "save_area[0].esid"
    frame = table.layout("stack frame")
    assert frame.name_at(table.values["GPR3"]) == "gpr[3]"
    assert frame.locate("_NIP")[0] == "nip" and frame.locate("lr_save")[1] == 16
    assert frame.size == table.values["INT_FRAME_SIZE"]


def test_names_in_state_and_trace():
    s = Session(str(SHAPE), preset="guest-running")
    assert s.ref("vcpu.VCPU_SLB_MAX").name == "vcpu.arch.slb_max"
    assert s.ref("vcpu.arch.gpr[3]").addr == s.value("&vcpu") + s.program.preprocessed.macro_value("VCPU_GPRS") + 24
    s.set("vcpu.arch.slb_max", 5)
    s.set("paca.kvm_hstate.host_dscr", 0x10)
    r = s.run("guest_exit_shape")
    text = "\n".join(trace_lines(s, r))
    assert "vcpu.arch.slb_nr: 0x20 -> 0x5" in text
    assert "[vcpu.arch.slb_max -> 0x5]" in text
    assert "vcore.entry_exit_count: 0x1 -> 0x101" in text
    assert "[lppaca.pmcregs_in_use -> 0x0]" in text
    assert "paca[0].kvm_hstate.in_guest: 0x1 -> 0x0" in text
    recs = [json.loads(line) for line in trace_json(s, r)]
    assert recs[0]["memory"][0]["name"] == "ram"                  # the header names the regions
    names = {c["name"] for rec in recs for c in rec.get("changes", [])}
    assert {"vcpu.arch.slb_nr", "vcore.entry_exit_count"} <= names


def test_a_name_is_an_error_until_its_object_is_mapped():
    s = Session(str(SHAPE))
    with pytest.raises(PpcError, match='there is no vcpu in memory: use preset = "guest-running"'):
        s.get("vcpu.arch.slb_max")
    s.map("vcpu")                                                 # the first free pages
    assert s.get("vcpu.arch.slb_max") == 0
    with pytest.raises(PpcError, match=r"the vcpu \(struct kvm_vcpu\) has no field 'arch.slb_maxx' \(did you mean "
                                       r"arch.slb_max"):
        s.get("vcpu.arch.slb_maxx")


def test_debugger_lists_regions_and_fields():
    d = DebugEngine.from_scenario(str(FAULT))
    out = d.execute("info regions")
    assert "vcpu" in out and "struct kvm_vcpu" in out and "stack" in out and "frame at +0x3c00" in out
    fields = d.execute("info regions vcpu slb")
    assert "arch.slb_max" in fields and "VCPU_SLB_MAX" in fields and "0x5" in fields
    assert "arch.gpr" not in fields
    assert "$1 = 5" in d.execute("print vcpu.arch.slb_max")
    assert "No object named 'vcpux'" in d.execute("info regions vcpux")


# ---- the asm-offsets header the build used ----

def _kernel_tree(tmp: Path, drop: tuple[str, ...] = ()) -> Path:
    """A kernel tree's include layout: asm/asm-offsets.h only includes generated/asm-offsets.h (whose rows are
    our header's here, less `drop`)."""
    (tmp / "asm").mkdir()
    (tmp / "generated").mkdir()
    (tmp / "asm" / "asm-offsets.h").write_text("#include <generated/asm-offsets.h>\n")
    rows = [line for line in OURS.read_text().splitlines()
            if not any(line.startswith(f"#define {name} ") for name in drop)]
    (tmp / "generated" / "asm-offsets.h").write_text("\n".join(rows) + "\n")
    return tmp


def test_the_wrapper_header_leads_to_the_generated_one(tmp_path):
    tree = _kernel_tree(tmp_path)
    s = Session(str(SHAPE), include_dirs=[str(tree)], preset="guest-running")
    assert s.machine.offsets.path.endswith("generated/asm-offsets.h")
    assert s.get("paca.kvm_hstate.kvm_vcpu") == s.value("&vcpu")


def test_a_missing_field_the_preset_needs_is_named(tmp_path):
    tree = _kernel_tree(tmp_path, drop=("HSTATE_HOST_R1",))
    with pytest.raises(PpcError, match=r"preset guest-running needs paca.kvm_hstate.host_r1 \(paca_struct\), "
                                       r"which .*generated/asm-offsets.h does not define"):
        Session(str(SHAPE), include_dirs=[str(tree)], preset="guest-running")


def test_a_missing_struct_the_preset_needs_is_named(tmp_path):
    tree = _kernel_tree(tmp_path, drop=("VCORE_ENTRY_EXIT", "VCORE_NAP_COUNT", "VCORE_IN_GUEST",
                                        "VCORE_NAPPING_THREADS"))
    src = tmp_path / "t.S"
    src.write_text("start:\n\tld\tr9, HSTATE_KVM_VCPU(r13)\n\tnop\n")
    with pytest.raises(PpcError, match=r"needs struct kvmppc_vcore \(VCORE_\* rows\)"):
        Session(str(src), include_dirs=[str(tree)], preset="guest-running")


def test_no_paca_size_is_an_error_not_a_traceback(tmp_path):
    tree = _kernel_tree(tmp_path, drop=("PACA_SIZE",))
    sc = tmp_path / "s.toml"
    sc.write_text(f'source = "{SHAPE}"\nentry = "guest_exit_shape"\ninclude = ["{tree}"]\n')
    r = ppc("run", str(sc))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "does not define PACA_SIZE" in r.stderr


def test_a_scenario_naming_a_missing_field_points_at_it(tmp_path):
    sc = tmp_path / "s.toml"
    sc.write_text(f'source = "{SHAPE}"\nentry = "guest_exit_shape"\npreset = "guest-running"\n'
                  '[state]\nvcpu.arch.vcore = 1\n')
    with pytest.raises(PpcError) as e:
        scenario.run(scenario.load(sc))
    assert "the vcpu (struct kvm_vcpu) has no field 'arch.vcore'" in e.value.message
    assert e.value.pos is not None and e.value.pos.line == 5


def test_a_changed_header_is_read_again(tmp_path):
    """Sessions share a header's table while the file is unchanged; an edited header gives the new layout."""
    offsets = tmp_path / "asm-offsets.h"
    text = OURS.read_text()
    offsets.write_text(text)
    first = Session(str(FRAGMENT), asm_offsets=str(offsets))
    again = Session(str(FRAGMENT), asm_offsets=str(offsets))
    at = first.ref("paca.kvm_hstate.host_ipi").addr
    assert again.ref("paca.kvm_hstate.host_ipi").addr == at
    old = "#define HSTATE_HOST_IPI        789\t"
    assert old in text
    offsets.write_text(text.replace(old, "#define HSTATE_HOST_IPI       0x316\t"))      # 790, one byte longer
    moved = Session(str(FRAGMENT), asm_offsets=str(offsets))
    assert moved.ref("paca.kvm_hstate.host_ipi").addr == at + 1
