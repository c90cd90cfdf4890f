"""`ppcinterp debug` full screen: source, disassembly and state panes over the engine, an output log and a
command line (textual).

Layout for 80x24 first: a status line; the code deck (Source | Disasm, F2) beside the state deck (Reg SPR PACA
ICP Path MMIO, F3-F8); the output log; the command line; a key line. Bigger terminals show more panes of each
deck at once (rows from 36 lines, columns from 120). F9 zooms a deck or the log.

Two modes, as gdb's TUI: the command line (letters are letters; Esc leaves it), and single-key mode (s/i stepi,
n nexti, c continue, f finish, r run, S/I N C their reverse, q quit; any other letter types a one-off command).
Commands run in a worker thread so that Ctrl-C can reach the engine: Ctrl-C interrupts a running command,
clears a half-typed line, and on an empty line quits. An internal error ends the app with the terminal
restored and one line on stderr (exit status 70).
"""

from __future__ import annotations

import contextlib
import os

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, RichLog, Static

from ppcinterp.debug import panes, panes_state
from ppcinterp.debug.engine import DebugEngine
from ppcinterp.debug.errors import InternalError
from ppcinterp.debug.fatal import INTERNAL_ERROR, internal_error_text, report_internal_error, terminal_kept
from ppcinterp.debug.repl import PROMPT, banner
from ppcinterp.debug.tui_widgets import CommandLine, Deck, Pane, SingleKeys

SINGLE = {"s": "stepi", "i": "stepi", "n": "nexti", "c": "continue", "f": "finish", "r": "run",
          "S": "reverse-stepi", "I": "reverse-stepi", "N": "reverse-nexti", "C": "reverse-continue"}
NO_REVERSE_FINISH = ("F: reverse-finish is not supported: assembly keeps no frames, so where the current routine "
                     "was called from is unknown. Use a breakpoint and reverse-continue (C), or reverse-stepi (S).")
ZOOMS = (None, "state", "code", "log")


class DebuggerApp(App[None]):
    TITLE = "ppcinterp debug"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    #status { height: 1; background: $primary-darken-2; color: $text; }
    #main { height: 1fr; }
    #code { width: 48; border-right: vkey $primary-darken-2; }
    #log { height: 5; border-top: hkey $primary-darken-2; padding: 0; scrollbar-size-vertical: 1; }
    #cmdrow { height: 1; }
    #prompt { width: auto; }
    #footer { height: 1; }
    """
    BINDINGS = [
        Binding("ctrl+c", "interrupt", priority=True, show=False),
        Binding("escape", "toggle_mode", priority=True, show=False),
        Binding("f2", "code_pane", priority=True, show=False),
        *[Binding(f"f{i + 3}", f"state_pane({i})", priority=True, show=False) for i in range(6)],
        Binding("f9", "zoom", priority=True, show=False),
        Binding("tab", "state_pane_step(1)", priority=True, show=False),
        Binding("shift+tab", "state_pane_step(-1)", priority=True, show=False),
        Binding("pageup", "log_page(-1)", priority=True, show=False),
        Binding("pagedown", "log_page(1)", priority=True, show=False),
    ]

    def __init__(self, dbg: DebugEngine, preamble: list[tuple[str, bool]] = (), status: int = 0):
        super().__init__()
        self.dbg = dbg
        self.preamble = list(preamble)        # (text, ok) printed by -x scripts and -ex commands before
        self.status = status                  # the exit status of a normal quit
        self.mode = "CMD"
        self.once = False                     # a letter typed in single-key mode: back there after its command
        self.busy: str | None = None          # the command running in the worker thread
        self.zoom: str | None = None
        self.failure: str | None = None       # an internal error's one line
        self.transcript: list[str] = []       # the log as plain lines (tests read it)

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        s = panes_state
        yield Static(id="status")
        with Horizontal(id="main"):
            yield Deck([Pane("Source", lambda d, w: panes.source_pane(d), id="source", code=True),
                        Pane("Disasm", lambda d, w: panes.disasm_pane(d), id="disasm", code=True)],
                       ["F2 ", ""], id="code")
            yield Deck([Pane("Reg", s.registers_pane, id="regs"), Pane("SPR", s.sprs_pane, id="sprs"),
                        Pane("PACA", s.paca_pane, id="paca"), Pane("ICP", s.icp_pane, id="icp"),
                        Pane("Path", s.path_pane, id="path"), Pane("MMIO", s.mmio_pane, id="mmio")],
                       [f"{i}" for i in range(3, 9)], id="state")
        yield RichLog(id="log", wrap=True, markup=False, highlight=False, max_lines=5000)
        with Horizontal(id="cmdrow"):
            yield Label(PROMPT, id="prompt")
            yield CommandLine(id="cmd")
            yield SingleKeys(self.single_key, id="keys")
        yield Static(id="footer")

    def on_mount(self) -> None:
        self.query_one("#keys").display = False
        for note in self.dbg.notes:
            self.say(note, False)
        for text, ok in self.preamble:
            self.say(text, ok)
        self.say(banner(self.dbg))
        self.set_mode("CMD")
        self.query_one("#cmd").focus()

    def on_resize(self) -> None:
        w, h = self.size
        self.query_one("#code").styles.width = 48 if w < 120 else w * 2 // 5
        self.query_one("#code", Deck).slots(1, 2 if h >= 36 else 1)
        self.query_one("#state", Deck).slots(1 + (w >= 120) + (w >= 170), 1 + (h >= 36) + (h >= 52))
        self.query_one("#log").styles.height = 5 if h < 36 else h // 5
        self.call_after_refresh(self.refresh_panes)

    def refresh_panes(self) -> None:
        """Show the engine's state in every visible pane and the status line (never while a command runs)."""
        if self.busy is None:
            for deck in self.query(Deck):
                for pane in deck.shown():
                    if pane.display and deck.display:
                        pane.show(self.dbg)
        bar = self.query_one("#status", Static)
        bar.update(panes_state.status_line(self.dbg, self.mode, self.busy, bar.size.width))

    def say(self, text: str, ok: bool = True, style: str = "") -> None:
        if not text:
            return
        text = text.expandtabs(8)
        self.transcript += text.splitlines()
        self.query_one("#log", RichLog).write(Text(text, style or ("" if ok else "red")))

    # ---------------------------------------------------------------- modes
    def set_mode(self, mode: str) -> None:
        self.mode = mode
        cmd, keys = self.query_one("#cmd", CommandLine), self.query_one("#keys", SingleKeys)
        cmd.display, keys.display = mode == "CMD", mode == "KEYS"
        self.query_one("#prompt").display = mode == "CMD"
        keys.update(Text(" " + panes_state.SINGLE_KEYS, "bold"))
        (cmd if mode == "CMD" else keys).focus()
        self.query_one("#footer", Static).update(panes_state.keys_line(mode))
        self.refresh_panes()

    def action_toggle_mode(self) -> None:
        self.once = False
        self.set_mode("KEYS" if self.mode == "CMD" else "CMD")

    def single_key(self, key: str) -> bool:
        """A key in single-key mode; False lets it through (function keys, bindings)."""
        if self.busy:
            self.bell()
            return True
        if key in SINGLE:
            self.submit(SINGLE[key])
        elif key == "F":
            self.say(NO_REVERSE_FINISH, False)
        elif key == "q":
            self.exit(return_code=self.status)
        elif key == "enter":
            self.submit("")
        elif key in "2345678" and len(key) == 1:
            self.action_code_pane() if key == "2" else self.action_state_pane(int(key) - 3)
        elif key == "9":
            self.action_zoom()
        elif len(key) == 1 and key.isprintable() and key != " ":
            self.once = True                     # gdb: any other key types one command
            self.set_mode("CMD")
            cmd = self.query_one("#cmd", CommandLine)
            cmd.value, cmd.cursor_position = key, 1
        else:
            return False
        return True

    # ---------------------------------------------------------------- panes
    def action_code_pane(self) -> None:
        self.query_one("#code", Deck).select(self.query_one("#code", Deck).selected + 1)
        self.call_after_refresh(self.refresh_panes)          # once the pane shown has its size

    def action_state_pane(self, index: int) -> None:
        self.query_one("#state", Deck).select(index)
        self.call_after_refresh(self.refresh_panes)

    def action_state_pane_step(self, step: int) -> None:
        self.action_state_pane(self.query_one("#state", Deck).selected + step)

    def action_zoom(self) -> None:
        self.zoom = ZOOMS[(ZOOMS.index(self.zoom) + 1) % len(ZOOMS)]
        self.query_one("#code").display = self.zoom in (None, "code")
        self.query_one("#state").display = self.zoom in (None, "state")
        self.query_one("#main").display = self.zoom != "log"
        self.query_one("#log").styles.height = "1fr" if self.zoom == "log" else 5
        if self.zoom != "log":
            self.on_resize()
        self.call_after_refresh(self.refresh_panes)

    def action_log_page(self, direction: int) -> None:
        log = self.query_one("#log", RichLog)
        log.scroll_to(y=log.scroll_y + direction * max(1, log.size.height - 1), animate=False)

    # ---------------------------------------------------------------- commands
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.busy:
            self.bell()
            return
        cmd = self.query_one("#cmd", CommandLine)
        cmd.remember(event.value)
        cmd.value = ""
        self.submit(event.value)

    def submit(self, line: str) -> None:
        """Echo the line (an empty one shows the command it repeats) and run it in the worker thread."""
        shown = line.strip() or self.dbg.commands.repeat_line
        self.say(PROMPT + shown, style="bold")
        self.busy = shown or "(nothing)"
        self.refresh_panes()
        self.run_worker(lambda: self._execute(line), thread=True, group="command", exit_on_error=False)

    def _execute(self, line: str) -> None:
        try:
            text, ok, failure = self.dbg.execute(line), self.dbg.last_ok, None
        except InternalError as e:
            text, ok, failure = "", False, str(e)
        except Exception as e:        # noqa: BLE001 - the engine's own safety net failed: end the session
            text, ok, failure = "", False, internal_error_text(e)
        self.call_from_thread(self._done, text, ok, failure)

    def _done(self, text: str, ok: bool, failure: str | None) -> None:
        self.busy = None
        self.dbg.interrupt(False)             # a Ctrl-C that came too late for this command is not for the next
        if failure is not None:
            self.fail(failure)
            return
        self.say(text, ok)
        if self.dbg.commands.quit:
            self.exit(return_code=self.status)
            return
        if self.once:
            self.once = False
            self.set_mode("KEYS")
        self.refresh_panes()

    def action_interrupt(self) -> None:
        """Ctrl-C: stop the running command at its next chunk; else clear the line; on an empty line, quit."""
        cmd = self.query_one("#cmd", CommandLine)
        if self.busy:
            self.dbg.interrupt()
            self.say("^C", style="dim")
        elif self.mode == "CMD" and cmd.value:
            cmd.value = ""
        else:
            self.exit(return_code=self.status)

    def exit(self, *args, **kwargs) -> None:
        """However the app ends (q, quit, Ctrl-C, textual's Ctrl-Q, an error), a running command must stop: its
        thread would otherwise keep the process alive until the step limit."""
        self.dbg.interrupt()
        super().exit(*args, **kwargs)

    # ---------------------------------------------------------------- failing
    def fail(self, message: str) -> None:
        self.failure = message
        self.exit(return_code=INTERNAL_ERROR)

    def _handle_exception(self, error: Exception) -> None:
        """Any exception textual did not expect (a bug in a pane, say): end with our one line, not a traceback
        (PPCINTERP_TRACEBACK=1 keeps textual's)."""
        self.failure = self.failure or internal_error_text(error)
        self.dbg.interrupt()
        super()._handle_exception(error)
        self._return_code = INTERNAL_ERROR
        if not os.environ.get("PPCINTERP_TRACEBACK"):
            with contextlib.suppress(AttributeError):
                self._exit_renderables.clear()


def run_tui(dbg: DebugEngine, preamble: list[tuple[str, bool]], status: int) -> int:
    app = DebuggerApp(dbg, preamble, status)
    with terminal_kept():
        app.run()
    if app.failure is not None:
        return report_internal_error(app.failure)
    return app.return_code or 0
