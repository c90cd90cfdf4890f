"""The console script exits without freeing its heap (cli.run: os._exit after flushing): everything written
still arrives, the status is main()'s, and a reader that stops early is no error."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import FRAGMENT, ROOT, ppc

from ppcinterp import cli

# a child whose stdout is block-buffered, as a user's is when piped (this environment may set PYTHONUNBUFFERED)
BUFFERED = {**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}, "PYTHONPATH": str(ROOT)}


def test_all_output_arrives_through_a_pipe(capsys):
    assert cli.main(["disasm", str(FRAGMENT), "--cpu", "PPC970"]) == 0
    expected = capsys.readouterr().out
    r = subprocess.run([sys.executable, "-m", "ppcinterp", "disasm", str(FRAGMENT), "--cpu", "PPC970"], cwd=ROOT,
                       env=BUFFERED, capture_output=True, text=True)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == expected and len(expected) > 8192        # more than one buffer's worth, and a partial one


def test_the_status_is_mains():
    r = ppc("check", "no-such-file.S")
    assert r.returncode == 1
    assert "cannot read 'no-such-file.S'" in r.stderr


def test_a_reader_that_stops_early_is_no_error():
    p = subprocess.Popen([sys.executable, "-m", "ppcinterp", "disasm", str(FRAGMENT)], cwd=ROOT, env=BUFFERED,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    first = p.stdout.readline()
    p.stdout.close()                   # as `| head -1` does
    err = p.stderr.read()
    assert p.wait(timeout=60) == 0
    assert first.startswith(str(FRAGMENT).encode())
    assert b"Traceback" not in err and b"Exception ignored" not in err


def test_a_reader_gone_before_anything_is_written_is_no_error():
    for args in (["--version"], ["--help"], ["disasm", str(FRAGMENT)]):
        p = subprocess.Popen([sys.executable, "-m", "ppcinterp", *args], cwd=ROOT, env=BUFFERED,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert p.stdout is not None and p.stderr is not None
        p.stdout.close()               # before the child has started: its first write meets a closed pipe
        err = p.stderr.read()
        assert p.wait(timeout=60) == 0, (args, err)
        assert b"Traceback" not in err and b"Exception ignored" not in err, (args, err)


def test_usage_errors_keep_argparse_s_status():
    r = ppc("no-such-command")
    assert r.returncode == 2 and "invalid choice" in r.stderr
