"""`ppcinterp debug` full screen: source, disassembly, state and memory panes over the engine, an output log
and a command line (textual).

The layout is tui_layout's plan for the terminal's size, made again at every resize: below 120 columns the
state deck (the registers as the kernel's show_regs prints them: all of them in 10 rows at 80x24) over the code
deck (Source | Disasm, F2), else side by side with more panes of each; the log; the command line. F3-F8, F10
pick the state pane, F9 zooms, F1 lists the keys and commands, Ctrl-S saves the screen as SVG.

The modes (command line, single-key, search, a y-or-n question) are tui_modes'. Commands run in a worker thread
so that Ctrl-C can reach the engine. An internal error ends the app with the terminal restored and one line on
stderr (exit status 70).
"""

from __future__ import annotations

import contextlib
import os
import time

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from ppcinterp.debug import cmd_memory, panes, panes_memory, panes_state, tui_layout, tui_source
from ppcinterp.debug.complete import complete
from ppcinterp.debug.engine import DebugEngine
from ppcinterp.debug.errors import InternalError
from ppcinterp.debug.fatal import INTERNAL_ERROR, internal_error_text, report_internal_error, terminal_kept
from ppcinterp.debug.repl import PROMPT, banner
from ppcinterp.debug.tui_help import HelpScreen
from ppcinterp.debug.tui_modes import STATE_KEYS, Modes
from ppcinterp.debug.tui_widgets import CommandLine, Deck, Log, Pane, SingleKeys


class DebuggerApp(Modes, App[None]):
    TITLE = "ppcinterp debug"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    #status { height: 1; background: $primary-darken-2; color: $text; }
    #main { height: 1fr; }
    #main.side > #code { border-right: vkey $primary-darken-2; }
    #log { background: $boost; padding: 0; scrollbar-size-vertical: 1; }
    #cmdrow { height: 1; }
    #prompt { width: auto; }
    #footer { height: 1; }
    """
    BINDINGS = [
        Binding("ctrl+c", "interrupt", priority=True, show=False),
        Binding("ctrl+q", "quit", priority=True, show=False),
        Binding("escape", "toggle_mode", priority=True, show=False),
        Binding("f1", "help", priority=True, show=False),
        Binding("f2", "code_pane", priority=True, show=False),
        *[Binding(f"f{k if k != '0' else 10}", f"state_pane({i})", priority=True, show=False)
          for i, k in enumerate(STATE_KEYS)],
        Binding("f9", "zoom", priority=True, show=False),
        Binding("tab", "tab(1)", priority=True, show=False),
        Binding("shift+tab", "tab(-1)", priority=True, show=False),
        Binding("pageup", "log_page(-1)", priority=True, show=False),
        Binding("pagedown", "log_page(1)", priority=True, show=False),
        Binding("ctrl+s", "screenshot_key", priority=True, show=False),
    ]

    def __init__(self, dbg: DebugEngine, preamble: list[tuple[str, bool]] = (), status: int = 0,
                 script: list[str] | None = None, shot: str | None = None):
        super().__init__()
        self.dbg = dbg
        self.preamble = list(preamble)        # (text, ok) printed by -x scripts and -ex commands before
        self.status = status                  # the exit status of a normal quit
        self.script = script                  # --screenshot: the commands to run, then save `shot` and end
        self.shot = shot
        self.mode = "CMD"
        self.back = "CMD"                     # the mode a search or a question returns to
        self.once = False                     # a letter typed in single-key mode: back there after its command
        self.busy: str | None = None          # the command running in the worker thread
        self.zoom: str | None = None
        self.anchor: tuple[tuple, tui_source.Anchor] | None = None    # (the stop it was set at, what to show)
        self.last_search = ""
        self.failure: str | None = None       # an internal error's one line
        self.shot_error: str | None = None    # --screenshot: why the picture was not saved
        self.transcript: list[str] = []       # the log as plain lines (tests read it)

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        s = panes_state
        yield Static(id="status")
        with Horizontal(id="main"):
            yield Deck([Pane("Source", self._source, id="source", code=True),
                        Pane("Disasm", lambda d, w: panes.disasm_pane(d), id="disasm", code=True)],
                       ["F2 ", ""], id="code")
            yield Deck([Pane("Reg", s.registers_pane, id="regs"), Pane("SPR", s.sprs_pane, id="sprs"),
                        Pane("PACA", s.paca_pane, id="paca"), Pane("ICP", s.icp_pane, id="icp"),
                        Pane("Path", s.path_pane, id="path"), Pane("MMIO", s.mmio_pane, id="mmio"),
                        Pane("Mem", panes_memory.memory_pane, id="memory")],
                       STATE_KEYS, id="state", note="F1 help")
        yield Log(id="log")
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
        self.relayout(self.size.width, self.size.height)
        self.set_mode("CMD")
        self.query_one("#cmd").focus()
        if self.script is not None:
            self.call_after_refresh(self._next_script_line)

    def on_resize(self, event: events.Resize) -> None:
        self.relayout(event.size.width, event.size.height)    # self.size is still the old one here

    def relayout(self, w: int, h: int) -> None:
        tui_layout.apply(self, tui_layout.plan(w, h, self.zoom))
        self.call_after_refresh(self.refresh_panes)            # once the panes have their new sizes

    def refresh_panes(self) -> None:
        """Show the engine's state in every visible pane and the status line (never while a command runs)."""
        if self.busy is None:
            panes_memory.observe(self.dbg)                     # at every stop, shown or not: what changed
            for deck in self.query(Deck):
                for pane in deck.shown():
                    if pane.display and deck.display:
                        pane.show(self.dbg)
        bar = self.query_one("#status", Static)
        bar.update(panes_state.status_line(self.dbg, self.mode, self.busy, bar.size.width))

    def _source(self, dbg: DebugEngine, width: int) -> panes.View:
        stop, at = self.anchor or (None, None)
        if at is None or stop != panes_memory.stop_mark(dbg):
            return panes.source_pane(dbg)
        return panes.source_pane(dbg, at.file, at.line, at.found)

    def say(self, text: str, ok: bool = True, style: str = "", output: bool = False) -> None:
        """Log text: a command's output continues its echo; anything else starts what the log keeps in sight."""
        if not text:
            return
        text = text.expandtabs(8)
        self.transcript += text.splitlines()
        self.query_one("#log", Log).add(Text(text, style or ("" if ok else "red")), start=not output)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the F1 help is up, the app's keys are its keys (Esc closes it), but for F1 and Ctrl-C."""
        return not isinstance(self.screen, HelpScreen) or action in ("help", "interrupt")

    # ---------------------------------------------------------------- panes
    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
        else:
            self.push_screen(HelpScreen())

    def action_code_pane(self) -> None:
        self.query_one("#code", Deck).select(self.query_one("#code", Deck).selected + 1)
        self.call_after_refresh(self.refresh_panes)          # once the pane shown has its size

    def action_state_pane(self, index: int) -> None:
        self.query_one("#state", Deck).select(index)
        self.call_after_refresh(self.refresh_panes)

    def action_tab(self, step: int) -> None:
        """Tab completes a command line with text in it (as gdb's TUI); otherwise it steps the state panes."""
        cmd = self.query_one("#cmd", CommandLine)
        if self.mode == "CMD" and cmd.value and step == 1:
            self.complete(cmd)
        elif self.mode in ("CMD", "KEYS"):
            self.action_state_pane(self.query_one("#state", Deck).selected + step)

    def complete(self, cmd: CommandLine) -> None:
        """gdb's Tab: the longest common completion in place; when there is none longer, the candidates."""
        if self.busy:
            self.bell()
            return
        typed, rest = cmd.value[:cmd.cursor_position], cmd.value[cmd.cursor_position:]
        got = complete(self.dbg, typed)
        common = os.path.commonprefix(got) if got else ""
        if len(got) == 1 and not common.endswith((".", "[", " ")):
            common += " "                         # a whole word, as gdb completes it
        if len(common) > len(typed):
            cmd.value, cmd.cursor_position = common + rest, len(common)
        elif got:                                 # nothing more in common: list them, as gdb's second Tab
            cut = typed.rfind(" ") + 1
            self.say("  ".join(g[cut:] for g in got), style="dim")
        else:
            self.bell()

    def action_zoom(self) -> None:
        self.zoom = tui_layout.ZOOMS[(tui_layout.ZOOMS.index(self.zoom) + 1) % len(tui_layout.ZOOMS)]
        self.relayout(self.size.width, self.size.height)

    def action_log_page(self, direction: int) -> None:
        log = self.query_one("#log", Log)
        log.scroll_to(y=log.scroll_y + direction * max(1, log.size.height - 1), animate=False)

    def action_screenshot_key(self) -> None:
        name = time.strftime("ppcinterp-%Y%m%d-%H%M%S.svg")
        try:
            self.say(f"Saved the screen to {self.save_screenshot(name)}")
        except OSError as e:
            self.say(f"Cannot save the screen to {name}: {e.strerror}", False)

    # ---------------------------------------------------------------- commands
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        cmd = self.query_one("#cmd", CommandLine)
        if self.mode == "SEARCH":
            cmd.value = ""
            self.search(event.value)
            return
        if self.busy:
            self.bell()
            return
        cmd.remember(event.value)
        cmd.value = ""
        self.submit(event.value)

    def submit(self, line: str) -> None:
        """Echo the line (an empty one shows the command it repeats) and run it in the worker thread."""
        shown = line.strip() or self.dbg.commands.repeat_line
        self.say(PROMPT + shown, style="bold")
        self.busy = shown or "(nothing)"
        before = (self.dbg.commands.list_at, cmd_memory.watched(self.dbg))
        self.refresh_panes()
        self.run_worker(lambda: self._execute(line, before), thread=True, group="command", exit_on_error=False)

    def _execute(self, line: str, before: tuple) -> None:
        try:
            text, ok, failure = self.dbg.execute(line), self.dbg.last_ok, None
        except InternalError as e:
            text, ok, failure = "", False, str(e)
        except Exception as e:        # noqa: BLE001 - the engine's own safety net failed: end the session
            text, ok, failure = "", False, internal_error_text(e)
        self.call_from_thread(self._done, text, ok, failure, before)

    def _done(self, text: str, ok: bool, failure: str | None, before: tuple) -> None:
        self.busy = None
        self.dbg.interrupt(False)             # a Ctrl-C that came too late for this command is not for the next
        if failure is not None:
            self.fail(failure)
            return
        self.say(text, ok, output=True)
        if not ok and self.script is not None:
            self.status = 1                   # --screenshot: a failed command fails the run, as --batch
        list_at, watch = before
        if self.dbg.commands.list_at != list_at and (at := tui_source.listed(self.dbg)):
            self.show_source(at)              # the source pane follows what `list` printed
        if cmd_memory.watched(self.dbg) is not watch:     # `memory` ran: show what it follows
            self.action_state_pane(STATE_KEYS.index("0"))
        if self.once and self.mode == "CMD":
            self.once = False
            self.set_mode("KEYS")
        if self.dbg.commands.quit:
            self.request_quit()
        elif self.script is not None:
            self.call_after_refresh(self._next_script_line)
        self.refresh_panes()

    def exit(self, *args, **kwargs) -> None:
        """However the app ends (q, quit, textual's Ctrl-Q, an error), a running command must stop: its thread
        would otherwise keep the process alive until the step limit."""
        self.dbg.interrupt()
        super().exit(*args, **kwargs)

    # ---------------------------------------------------------------- --screenshot: commands, a picture, the end
    def _next_script_line(self) -> None:
        if self.script:
            self.submit(self.script.pop(0))
        else:
            self.refresh_panes()
            self.call_after_refresh(self.call_after_refresh, self._shoot)   # once the panes have scrolled

    def _shoot(self) -> None:
        try:
            self.save_screenshot(os.path.basename(self.shot), os.path.dirname(self.shot) or ".")
        except OSError as e:
            self.shot_error = f"{self.shot}: cannot save the screen: {e.strerror}"
            self.exit(return_code=1)
            return
        self.exit(return_code=self.status)

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
