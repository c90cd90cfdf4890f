"""The full-screen debugger in a real terminal (a private tmux server): the terminal as the user finds it after
each way of ending, --no-tui's prompt, and the screen at 80x24 with a resize, Ctrl-C, F1 and Ctrl-S."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time

import pytest
from conftest import ROOT

RACE = "asm/scenarios/race_host_ipi.toml"


class Tmux:
    """A private tmux server (its own socket) with one 80x24 pane running bash."""

    def __init__(self, tmp_path):
        self.socket = str(tmp_path / "tmux.sock")
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               "PS1": "$ ", "TERM": "xterm-256color"}
        env.pop("TMUX", None)
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "80", "-y", "24", "-c", str(ROOT),
                  "bash --norc --noprofile", env=env)
        self.tmux("set-option", "-s", "escape-time", "0")

    def tmux(self, *args: str, env: dict | None = None) -> str:
        return subprocess.run(["tmux", "-S", self.socket, *args], check=True, capture_output=True, text=True,
                              env=env).stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "t", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "t", "-l", text)
        self.keys("Enter")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-t", "t")

    def alternate(self) -> bool:
        return self.tmux("display-message", "-p", "-t", "t", "#{alternate_on}").strip() == "1"

    def wait(self, ready, what: str, timeout: float = 60) -> str:
        """Poll the screen until ready(screen) (the timeout only bounds a failing test)."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if ready(text):
                return text
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}; the screen:\n{text}")
            time.sleep(0.05)

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def tmux(tmp_path):
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is not installed; .ci/run must install it")
        pytest.skip("tmux not installed")
    t = Tmux(tmp_path)
    yield t
    t.close()


ENDINGS = {"quit": ["quit", "Enter"], "single-key q": ["Escape", "q"], "ctrl-d": ["C-d"],
           "internal error": ["maintenance internal-error boom", "Enter"]}


@pytest.mark.parametrize("ending", ENDINGS)
def test_the_terminal_is_usable_after_the_tui_ends(tmux, ending):
    tmux.type(f"clear; {shlex.quote(sys.executable)} -m ppcinterp debug {RACE}; echo EXIT=$?")
    tmux.wait(lambda s: "at the entry" in s and "(ppc)" in s and tmux.alternate(), "the TUI")
    if ending == "single-key q":
        tmux.keys("Escape")
        tmux.wait(lambda s: "keys: s/i stepi" in s, "single-key mode")
        tmux.keys("q")
    else:
        tmux.keys(*ENDINGS[ending])
    after = tmux.wait(lambda s: "EXIT=" in s, "the shell")
    assert not tmux.alternate()
    code = re.search(r"EXIT=(\d+)", after).group(1)
    if ending == "internal error":
        assert code == "70"
        assert "ppcinterp: internal error in the debugger: boom (maintenance internal-error)" in after
        assert "Traceback" not in after
    else:
        assert code == "0"
    tmux.type("stty -a; echo MARK$((6*7))")
    text = tmux.wait(lambda s: "\nMARK42" in s, "the shell command's output")
    assert "stty -a; echo MARK$((6*7))" in text                   # what was typed was echoed
    flags = set(re.split(r"[\s;]+", text))
    assert {"icanon", "echo", "isig"} <= flags and not {"-icanon", "-echo", "-isig"} & flags


def test_no_tui_in_a_terminal_gives_the_prompt(tmux):
    tmux.type(f"clear; {shlex.quote(sys.executable)} -m ppcinterp debug {RACE} --no-tui; echo EXIT=$?")
    tmux.wait(lambda s: "(ppc) " in s, "the prompt")
    assert not tmux.alternate()
    tmux.type("quit")
    assert "EXIT=0" in tmux.wait(lambda s: "EXIT=" in s, "the shell")


def test_at_80x24_in_a_real_terminal(tmux, tmp_path):
    """Every register without zoom, Ctrl-C harmless, F1, a resize to 200x50 and back, Ctrl-S, quit."""
    def lines(screen: str) -> list[str]:
        return screen.splitlines()

    scenario = shlex.quote(str(ROOT / RACE))
    tmux.type(f"clear; cd {shlex.quote(str(tmp_path))}; {shlex.quote(sys.executable)} -m ppcinterp debug "
              f"{scenario}; echo EXIT=$?")
    screen = tmux.wait(lambda s: "GPR28:" in s and "(ppc)" in s, "the full screen")
    rows = lines(screen)
    assert [next(r for r in rows if r.startswith(f"GPR{i:02d}:"))[:6] for i in range(0, 32, 4)]
    assert any(re.match(r"LR: \w{16}  CTR: \w{16}  XER: \w{8}  CR: \w{8}", r) for r in rows)
    assert any(re.match(r"MSR: \w{16} <SF,HV,ME>  LPCR: \w{16}", r) for r in rows)

    tmux.keys("C-c")                                     # harmless at an empty prompt
    tmux.wait(lambda s: "Quit" in s and tmux.alternate(), "gdb's Quit")
    tmux.keys("F1")
    tmux.wait(lambda s: "Single-key mode" in s, "the F1 help")
    tmux.keys("Escape")
    tmux.wait(lambda s: "GPR28:" in s, "the screen again")

    tmux.tmux("resize-window", "-t", "t", "-x", "200", "-y", "50")
    wide = tmux.wait(lambda s: any("F2 Source" in r and "F1 help" in r for r in lines(s)), "code beside state")
    assert max(map(len, lines(wide))) > 120
    tmux.tmux("resize-window", "-t", "t", "-x", "80", "-y", "24")
    tmux.wait(lambda s: any(r.startswith("GPR28: ") for r in lines(s)) and max(map(len, lines(s))) <= 80,
              "the 80x24 layout again")

    tmux.keys("C-s")
    tmux.wait(lambda s: "Saved the screen to" in s, "the screenshot")
    assert len(list(tmp_path.glob("ppcinterp-*.svg"))) == 1
    tmux.type("quit")                                    # nothing recorded: no question
    assert "EXIT=0" in tmux.wait(lambda s: "EXIT=" in s, "the shell")
