"""F1: the keys of the full screen and every command with its one-line summary, over the screen (Esc, F1 or q
closes it; it scrolls)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ppcinterp.debug.registry import COMMANDS

KEYS = [
    ("Command line", [
        ("Enter", "run the command; an empty line repeats the last one"),
        ("Up / Down", "walk the command history"),
        ("Tab", "complete the command line (on an empty line: the next state pane)"),
        ("/", "on an empty line: search the source for a label, a line, `upstream N` or a regex"),
        ("Ctrl-C", "stop a running command; else clear the line (Quit)"),
        ("Ctrl-D", "on an empty line: quit (asks when a history is recorded)"),
        ("Esc", "single-key mode"),
    ]),
    ("Single-key mode (gdb's SingleKey)", [
        ("s i / n", "stepi / nexti"),
        ("c f r", "continue, finish, run"),
        ("S I N C", "reverse-stepi, reverse-stepi, reverse-nexti, reverse-continue"),
        ("2-9 0", "panes and zoom, as F2-F10"),
        ("/", "search the source"),
        ("q", "quit (asks when a history is recorded)"),
        ("other letters", "type one command, then back to single keys"),
        ("Esc", "back to the command line"),
    ]),
    ("Panes", [
        ("F1", "this help"),
        ("F2", "source / disassembly"),
        ("F3-F8, F10", "registers, SPRs, PACA, ICPs, path, device accesses; memory (memory EXPR)"),
        ("F9", "zoom: the state panes, the code, the log, none"),
        ("PgUp / PgDn", "scroll the log"),
        ("Ctrl-S", "save the screen as SVG in the current directory"),
    ]),
]


def help_text() -> Text:
    out = Text()
    for title, rows in KEYS:
        out.append(f"{title}\n", "bold")
        for key, what in rows:
            out.append(f"  {key:<14}", "bold cyan")
            out.append(f"{what}\n")
        out.append("\n")
    out.append("Commands (help NAME for more; unique prefixes work)\n", "bold")
    for name, c in sorted(COMMANDS.items()):
        aliases = f" ({', '.join(c.aliases)})" if c.aliases else ""
        out.append(f"  {name}{aliases}", "bold cyan")
        out.append(f"  {c.summary}\n")
    return out


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; height: 90%; border: round $primary; background: $surface;
                                  padding: 0 1; }
    """
    BINDINGS = [Binding("escape,f1,q", "dismiss", show=False),
                Binding("pageup", "page(-1)", show=False), Binding("pagedown", "page(1)", show=False)]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(help_text(), id="help")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).border_title = "ppcinterp debug: keys and commands (Esc closes)"
        self.query_one(VerticalScroll).focus()

    def action_page(self, direction: int) -> None:
        box = self.query_one(VerticalScroll)
        box.scroll_to(y=box.scroll_y + direction * max(1, box.size.height - 2), animate=False)
