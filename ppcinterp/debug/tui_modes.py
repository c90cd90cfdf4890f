"""The full screen's modes, as gdb's TUI has them, for DebuggerApp: the command line (CMD), single-key mode
(KEYS: s/i stepi, n nexti, c continue, f finish, r run, S/I N C their reverse, q quit, / search, digits for
panes; any other letter types one command), a search of the source (SEARCH: the command line takes the text)
and a y-or-n question (ASK). Quitting asks first when there is a recorded history to lose, as gdb's "A
debugging session is active"; Ctrl-C stops a running command, clears a typed line, else says gdb's "Quit"."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Label, Static

from ppcinterp.debug import panes, panes_memory, panes_state, tui_source
from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.repl import PROMPT
from ppcinterp.debug.tui_help import HelpScreen
from ppcinterp.debug.tui_widgets import CommandLine, Deck, Pane, SingleKeys

SINGLE = {"s": "stepi", "i": "stepi", "n": "nexti", "c": "continue", "f": "finish", "r": "run",
          "S": "reverse-stepi", "I": "reverse-stepi", "N": "reverse-nexti", "C": "reverse-continue"}
NO_REVERSE_FINISH = ("F: reverse-finish is not supported: assembly keeps no frames, so where the current routine "
                     "was called from is unknown. Use a breakpoint and reverse-continue (C), or reverse-stepi (S).")
QUIT_QUESTION = "Quit anyway? (y or n) "
STATE_KEYS = ["3", "4", "5", "6", "7", "8", "0"]     # F3-F8, F10 (single keys 3-8, 0)


class Modes:
    """Mixed into DebuggerApp (its widgets, `dbg`, `say`, `submit`, `busy`, `script`)."""

    # ---------------------------------------------------------------- modes
    def set_mode(self, mode: str) -> None:
        """CMD, KEYS (single-key), SEARCH (the command line takes the search text), ASK (a y-or-n question)."""
        self.mode = mode
        cmd, keys = self.query_one("#cmd", CommandLine), self.query_one("#keys", SingleKeys)
        typing = mode in ("CMD", "SEARCH")
        cmd.display, keys.display = typing, not typing
        cmd.slash_searches = mode == "CMD"
        prompt = self.query_one("#prompt", Label)
        prompt.display = typing
        prompt.update("/" if mode == "SEARCH" else PROMPT)
        keys.update(Text(QUIT_QUESTION, "bold") if mode == "ASK" else Text(" " + panes_state.SINGLE_KEYS, "bold"))
        (cmd if typing else keys).focus()
        self.query_one("#footer", Static).update(panes_state.keys_line(mode))
        self.refresh_panes()

    def action_toggle_mode(self) -> None:
        if self.mode in ("ASK", "SEARCH"):
            self._cancel()
            return
        self.once = False
        self.set_mode("KEYS" if self.mode == "CMD" else "CMD")

    def _cancel(self) -> None:
        if self.mode == "ASK":
            self.say("n\nNot confirmed.")
            self.dbg.commands.quit = False
        self.query_one("#cmd", CommandLine).value = ""
        self.set_mode(self.back)

    def single_key(self, key: str) -> bool:
        """A key in single-key mode or a question; False lets it through (function keys, bindings)."""
        if self.mode == "ASK":
            if key in ("y", "Y"):
                self.say("y")
                self.exit(return_code=self.status)
            elif key in ("n", "N"):
                self._cancel()
            elif len(key) == 1:
                self.bell()                       # gdb: "Please answer y or n."
            return len(key) == 1 or key == "enter"
        if self.busy:
            self.bell()
            return True
        if key in SINGLE:
            self.submit(SINGLE[key])
        elif key == "F":
            self.say(NO_REVERSE_FINISH, False)
        elif key == "q":
            self.request_quit()
        elif key == "enter":
            self.submit("")
        elif key == "/":
            self.start_search()
        elif key in "2345678" and len(key) == 1:
            self.action_code_pane() if key == "2" else self.action_state_pane(int(key) - 3)
        elif key == "0":
            self.action_state_pane(STATE_KEYS.index("0"))
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

    # ---------------------------------------------------------------- searching the source
    def on_command_line_search(self, event: CommandLine.Search) -> None:
        self.start_search()

    def start_search(self) -> None:
        self.back = self.mode
        self.set_mode("SEARCH")

    def search(self, query: str) -> None:
        query = query.strip() or self.last_search
        self.set_mode(self.back)
        if not query:
            return
        self.last_search = query
        self.say(f"/{query}", style="bold")
        _, at = self.anchor or (None, None)
        here = panes.source_file(self.dbg) if at is None else at.file
        loc = self.dbg.location()
        after = at.line if at is not None else loc.line if loc.line else 0
        try:
            self.show_source(tui_source.find(self.dbg, query, here, after))
        except DebugError as e:
            self.say(str(e), False)

    def show_source(self, at: tui_source.Anchor) -> None:
        """The source pane shows `at` until the next stop (the Source pane is selected if it was not)."""
        self.anchor = (panes_memory.stop_mark(self.dbg), at)
        code = self.query_one("#code", Deck)
        if self.query_one("#source", Pane) not in code.shown():
            code.select(0)
        self.call_after_refresh(self.refresh_panes)

    # ---------------------------------------------------------------- quitting
    def request_quit(self) -> None:
        """gdb's quit: with a recorded history to lose, ask first (not in a --screenshot run)."""
        if self.mode == "ASK":
            return
        steps = self.dbg.history_range()[2]
        if self.script is not None:
            self.script.clear()
            self.call_after_refresh(self._next_script_line)
        elif not self.dbg.history.steps:
            self.exit(return_code=self.status)
        else:
            self.say(f"A debugging session is active.\n\n\tIts recorded history ({steps:,} instruction"
                     f"{'s' * (steps != 1)}) will be lost.\n")
            self.back = "CMD" if self.mode == "SEARCH" else self.mode
            self.set_mode("ASK")

    def action_quit(self) -> None:            # textual's Ctrl-Q
        self.request_quit()

    def on_command_line_end_of_file(self, event: CommandLine.EndOfFile) -> None:
        if self.busy:
            self.bell()
            return
        self.say(PROMPT + "quit", style="bold")
        self.request_quit()

    def action_interrupt(self) -> None:
        """Ctrl-C: stop the running command at its next chunk; else clear the line; else gdb's harmless Quit."""
        cmd = self.query_one("#cmd", CommandLine)
        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
        elif self.mode in ("ASK", "SEARCH"):
            self._cancel()
        elif self.busy:
            self.dbg.interrupt()
            self.say("^C", style="dim")
        else:
            cmd.value = ""
            self.say("Quit", style="dim")
