"""The server's packets over a loopback socket, by hand (gdb's manual, "Packets", "General Query Packets", "Stop
Reply Packets"): acknowledgments and checksum errors, the empty reply for what is not supported, `E NN` for what
is malformed, memory (RAM, PACA, devices, code), breakpoints, resuming, reverse execution, threads, qXfer, monitor,
the interrupt byte and leaving. One server for the module: every client starts from the beginning."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from gdbserver_support import RACE, SCENARIOS, Client, Server

from ppcinterp.gdbstub.packets import MAX_PACKET, escape


@pytest.fixture(scope="module")
def server():
    with Server(str(RACE)) as s:
        yield s
    assert "internal error" not in s.stderr, s.stderr


@pytest.fixture
def c(server):
    with server.client() as client:
        yield client


def xfer(c: Client, obj: str, annex: str = "") -> bytes:
    """A whole qXfer object, read in parts as gdb reads it."""
    out, offset = b"", 0
    while True:
        reply = c.ask(f"qXfer:{obj}:read:{annex}:{offset:x},fff".encode())
        assert reply[:1] in (b"m", b"l"), reply
        part = re.sub(rb"\}(.)", lambda m: bytes([m.group(1)[0] ^ 0x20]), reply[1:], flags=re.S)
        out += part
        offset += len(part)
        if reply[:1] == b"l":
            return out


def monitor(c: Client, line: str) -> str:
    c.send(b"qRcmd," + line.encode().hex().encode())
    said = ""
    while (p := c.packet()) != b"OK":
        assert p[:1] == b"O", p
        said += bytes.fromhex(p[1:].decode()).decode()
    return said


def test_acks_checksums_and_no_ack_mode(c):
    c.raw(b"$g#00")                                        # a bad checksum: `-`, and nothing else
    c.send(b"?")
    assert c.packet() == b"T05thread:1;" and c.acks == [b"-", b"+"]
    c.raw(b"-")                                            # our `-`: the last packet again
    assert c.packet() == b"T05thread:1;"
    c.no_ack()
    c.acks.clear()
    assert c.ask(b"qC") == b"QC1" and c.acks == []         # no-ack mode: no `+` any more
    c.raw(b"$?#00")                                        # nor `-`: a bad packet is dropped
    assert c.ask(b"qfThreadInfo") == b"m1" and c.ask(b"qsThreadInfo") == b"l" and c.acks == []


def test_supported_features(c):
    reply = c.ask(b"qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386").decode().split(";")
    for feature in (f"PacketSize={MAX_PACKET:x}", "qXfer:features:read+", "qXfer:threads:read+", "swbreak+",
                    "hwbreak+", "vContSupported+", "ReverseStep+", "ReverseContinue+", "QStartNoAckMode+",
                    "qXfer:exec-file:read+"):
        assert feature in reply
    assert c.ask(b"vCont?") == b"vCont;c;C;s;S"


@pytest.mark.parametrize("packet", [b"vMustReplyEmpty", b"qTStatus", b"!", b"Z9,100090,4", b"bx", b"QNonStop:1",
                                    b"qXfer:nosuch:read::0,10", b"vFlashErase:0,4", b"A", b"R00", b"i", b"t"])
def test_unsupported_gets_the_empty_reply(c, packet):
    assert c.ask(packet) == b""
    assert c.ask(b"?") == b"T05thread:1;"


@pytest.mark.parametrize("packet", [b"m", b"mzz,4", b"m100000", b"G0", b"Pxx", b"P1=", b"p9999", b"X100000,4:ab",
                                    b"M2000000,2:00", b"Hx", b"Hg99", b"T99", b"Z0,100090", b"z2,zz,1",
                                    b"qXfer:features:read:target.xml:0", b"vCont;q", b"vCont;s:99", b"qRcmd,zz",
                                    b"m" + b"f" * 40 + b",4", b"Z2,2000315,100000", b"C9;zz"])
def test_malformed_gets_an_error(c, packet):
    assert re.fullmatch(rb"E[0-9a-f]{2}", c.ask(packet))
    assert c.ask(b"?") == b"T05thread:1;"


def test_a_packet_over_the_size_is_refused(server, c):
    c.send(b"X2000000," + b"%x" % MAX_PACKET + b":" + b"a" * MAX_PACKET)
    assert c.packet() == b"E01"
    assert c.ask(b"?") == b"T05thread:1;"
    assert server.said(f"a packet over {MAX_PACKET} bytes (our PacketSize) refused")


def test_memory_ram_paca_and_binary_writes(c):
    data = bytes(range(256)) * 2                           # every byte, `#$}*` included
    assert c.ask(b"X1000000,%x:" % len(data) + escape(data)) == b"OK"
    assert bytes.fromhex(c.ask(b"m1000000,%x" % len(data)).decode()) == data
    assert c.ask(b"X2000000,0:") == b"OK"                   # gdb's probe for X
    assert c.ask(b"m20003f0,100") == b"00" * 16              # the readable part: the PACA ends at 0x2000400
    assert c.ask(b"M2000315,1:01") == b"OK"                 # host_ipi in the PACA, by its address
    assert "1" in monitor(c, "print paca.kvm_hstate.host_ipi")
    assert c.ask(b"m0,4") == b"E0e"                          # nothing mapped there
    assert c.ask(b"M100090,4:60000000") == b"E0d"            # the code runs as assembled: not writable
    assert c.ask(b"m100090,4") == b"880d0315"


def test_software_breakpoints_leave_the_words(c):
    assert c.ask(b"Z0,100090,4") == b"OK"
    assert c.ask(b"m100090,4") == b"880d0315"                # no trap word
    assert "lbz r0, 789(r13)" in monitor(c, "x/1i 0x100090")
    assert c.ask(b"c") == b"T05swbreak:;thread:1;"
    assert c.ask(b"p40") == b"0000000000100090"              # regnum 64 is the pc
    assert c.ask(b"z0,100090,4") == b"OK" and c.ask(b"Z1,100094,4") == b"OK"
    assert c.ask(b"c") == b"T05hwbreak:;thread:1;"
    assert c.ask(b"Z0,0,4") == b"E16"                        # no instruction there


def test_watchpoint_stop_replies(c):
    assert c.ask(b"Z2,2000315,1") == b"OK"
    assert c.ask(b"c") == b"T05watch:2000315;thread:1;"
    assert c.ask(b"z2,2000315,1") == b"OK" and c.ask(b"Z3,2000315,1") == b"OK"
    assert c.ask(b"c") == b"T05rwatch:2000315;thread:1;"     # the re-check reads it
    assert c.ask(b"z3,2000315,1") == b"OK" and c.ask(b"Z4,2000314,4") == b"OK"
    assert c.ask(b"bc") == b"T05awatch:2000314;thread:1;"


def test_resume_reverse_and_the_ends_of_the_history(c):
    assert c.ask(b"bs") == b"T05replaylog:begin;thread:1;"    # nothing recorded yet
    assert c.ask(b"s") == b"T05thread:1;" and c.ask(b"p40") == b"0000000000100020"
    assert c.ask(b"vCont;s:1;c") == b"T05thread:1;" and c.ask(b"p40") == b"0000000000100024"
    assert c.ask(b"bs") == b"T05thread:1;" and c.ask(b"p40") == b"0000000000100020"
    assert c.ask(b"bc") == b"T05replaylog:begin;thread:1;" and c.ask(b"p40") == b"000000000010001c"
    c.send(b"vCont;c")
    said = b""
    while (p := c.packet())[:1] == b"O":
        said += bytes.fromhex(p[1:].decode())
    assert p == b"W00" and b"Path: 1:713 -> 1:751 -> ext_interrupt_to_host" in said
    assert c.ask(b"?") == b"W00"


def test_registers_g_and_p(c):
    g = c.ask(b"g")
    assert len(g) % 2 == 0 and len(g) < MAX_PACKET
    assert g[64 * 16:65 * 16] == b"000000000010001c"          # r0-r31, f0-f31, then the pc
    assert c.ask(b"P3=000000000000beef") == b"OK" and c.ask(b"p3") == b"000000000000beef"
    assert "0xbeef" in monitor(c, "print/x r3")
    assert c.ask(b"G" + g) == b"OK" and c.ask(b"p3") == b"0000000000000000"


def test_target_description(c):
    doc = ET.fromstring(xfer(c, "features", "target.xml"))
    features = {f.get("name"): [r.get("name") for r in f.iter("reg")] for f in doc.iter("feature")}
    assert features["org.gnu.gdb.power.core"] == [f"r{i}" for i in range(32)] + ["pc", "msr", "cr", "lr", "ctr",
                                                                                  "xer"]
    assert features["org.gnu.gdb.power.fpu"] == [f"f{i}" for i in range(32)] + ["fpscr"]
    assert features["org.gnu.gdb.power.altivec"] == [f"vr{i}" for i in range(32)] + ["vscr", "vrsave"]
    assert features["org.gnu.gdb.power.vsx"] == [f"vs{i}h" for i in range(32)]
    hv = set(features["org.ppcinterp.hv"])
    assert {"lpcr", "hsrr0", "hsrr1", "srr0", "srr1", "sprg0", "sprg1", "sprg2", "sprg3", "hsprg0", "hsprg1", "dec",
            "hdec", "lpid", "sdr1", "dar", "dsisr", "cfar", "dscr", "amr", "pir"} <= hv
    regnums = sorted(int(r.get("regnum")) for r in doc.iter("reg"))
    assert regnums == list(range(len(regnums)))              # `p N` numbers: each register once
    assert c.ask(b"qXfer:features:read:other.xml:0,10") == b"E00"


def test_threads(c):
    assert ET.fromstring(xfer(c, "threads")).find("thread").get("id") == "1"
    assert c.ask(b"Hg1") == b"OK" and c.ask(b"Hc-1") == b"OK" and c.ask(b"T1") == b"OK"
    assert c.ask(b"qThreadExtraInfo,1") == b"executing".hex().encode()


def test_threads_of_a_core(server):
    with Server(str(SCENARIOS / "hunk4_wake_siblings.toml")) as five, five.client() as c:
        assert c.ask(b"qfThreadInfo") == b"m1,2,3,4,5"
        assert c.ask(b"Hg3") == b"OK" and c.ask(b"pd") == b"0000000002000800"    # r13 of hw thread 2
        assert c.ask(b"vCont;s:3;c") == b"T05thread:3;" and c.ask(b"qC") == b"QC3"
        assert c.ask(b"Hc2") == b"OK" and c.ask(b"s").endswith(b"thread:2;")  # `s` without vCont: Hc's thread
        assert c.ask(b"qC") == b"QC2"
        assert c.ask(b"T6") == b"E16"


def test_monitor_commands(c):
    assert "kvm_hstate.host_ipi" in monitor(c, "info paca")
    assert "icp[0] at 0x3fffe00000000" in monitor(c, "info icp")
    assert "Path" in monitor(c, "info path")
    assert "use gdb's own command" in monitor(c, "stepi")
    assert "not available over monitor" in monitor(c, "while 1")
    assert "Undefined command" in monitor(c, "frobnicate")
    assert monitor(c, "x/1xw 0x100090") and monitor(c, "") == ""       # an empty line does not repeat
    assert c.ask(b"p40") == b"000000000010001c"               # nothing moved


def test_exec_file_is_our_elf_and_gdb_can_read_it(c):
    """qXfer:exec-file names the ELF; vFile (host I/O) reads it, and nothing else."""
    path = Path(xfer(c, "exec-file").decode())
    elf = path.read_bytes()
    assert elf[:4] == b"\x7fELF"
    name = bytes(path).hex().encode()
    assert c.ask(b"vFile:setfs:0") == b"F0"
    assert c.ask(b"vFile:open:" + name + b",0,1c0") == b"F0"
    got = b""
    while True:
        reply = c.ask(b"vFile:pread:0,3fff,%x" % len(got))
        head, _, data = reply.partition(b";")
        part = re.sub(rb"\}(.)", lambda m: bytes([m.group(1)[0] ^ 0x20]), data, flags=re.S)
        assert head == b"F%x" % len(part)
        if not part:
            break
        got += part
    assert got == elf
    stat = c.ask(b"vFile:fstat:0")
    assert stat.startswith(b"F40;")
    assert c.ask(b"vFile:close:0") == b"F0" and c.ask(b"vFile:close:0") == b"F-1,9"
    assert c.ask(b"vFile:open:" + b"/etc/passwd".hex().encode() + b",0,0") == b"F-1,2"
    assert c.ask(b"vFile:open:" + name + b",1,1c0") == b"F-1,d"            # read-only
    assert c.ask(b"vFile:pread:5,10,0") == b"F-1,9" and c.ask(b"vFile:open:zz,0,0") == b"F-1,16"
    assert c.ask(b"vFile:unlink:" + name) == b""


def test_interrupt_byte_stops_a_continue(tmp_path):
    src = tmp_path / "spin.S"
    src.write_text("\t.text\n\t.globl spin\nspin:\n\taddi r3,r3,1\n\tb spin\n")
    with Server(str(src), "--entry", "spin") as s, s.client() as c:
        monitor(c, "set step-limit 2000000000")
        c.acks.clear()
        c.send(b"c")
        while not c.acks:                                      # the `+` says the server has the packet
            c.buf += c.sock.recv(1)
            while c.buf[:1] in (b"+", b"-"):
                c.acks.append(c.buf[:1])
                c.buf = c.buf[1:]
        time.sleep(0.2)                                        # usually mid-loop; a loaded machine may not be
        c.raw(b"\x03")                                         # the limit never ends this run: only Ctrl-C does
        assert c.packet() == b"T02thread:1;"
        before = int(c.ask(b"p3"), 16)
        assert c.ask(b"s") == b"T05thread:1;"
        assert int(c.ask(b"p3"), 16) in (before, before + 1)   # stopped between instructions, and goes on
        assert c.ask(b"?") == b"T05thread:1;"
        c.raw(b"$c#63\x03")                                    # Ctrl-C in the same read as the packet
        assert c.packet() == b"T02thread:1;"


def test_leaving_makes_way_for_the_next_client(server):
    for leave in (b"D", b"k", b"vKill;1"):
        with server.client() as c:
            assert c.ask(b"s") == b"T05thread:1;"
            c.send(leave)
            if leave != b"k":
                assert c.packet() == b"OK"
        with server.client() as c:
            assert c.ask(b"p40") == b"000000000010001c"        # from the start again
    with server.client() as c:
        monitor(c, "break *0x100090")                          # our own breakpoint, by monitor
        c.raw(b"$s#73")                                        # gone without a word, mid-exchange
    with server.client() as c:
        assert c.ask(b"p40") == b"000000000010001c"
        assert "No breakpoints or watchpoints." in monitor(c, "info breakpoints")
