"""The TUI's widgets: a Pane shows one pure view function's output (panes.py, panes_state.py), a Deck shows
as many of its panes as the terminal has room for, with a one-line tab bar naming their keys; the command
line keeps a history (Up/Down); SingleKeys takes gdb's SingleKey-mode letters."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.containers import Container, Vertical, VerticalScroll
from textual.widgets import Input, Static

from ppcinterp.debug.panes import View

if TYPE_CHECKING:
    from ppcinterp.debug.engine import DebugEngine

Render = Callable[["DebugEngine", int], View]


class Pane(VerticalScroll, can_focus=False):
    """A scrollable view of one pane; a view with a focus row (the pc's) keeps that row in sight."""

    DEFAULT_CSS = """
    Pane { height: 1fr; width: 1fr; scrollbar-size-vertical: 1; }
    Pane > Static { width: 1fr; }
    Pane.code > Static { text-wrap: nowrap; text-overflow: clip; }
    """

    def __init__(self, title: str, render: Render, *, id: str, code: bool = False):
        super().__init__(id=id, classes="code" if code else "")
        self.title = title
        self.render_view = render
        self.view: View | None = None           # what the pane shows now (tests read it)

    def compose(self):
        yield Static()

    def show(self, dbg: DebugEngine) -> None:
        self.view = self.render_view(dbg, max(20, self.size.width - 1))
        self.query_one(Static).update(self.view.text)
        if self.view.focus is not None:
            self.call_after_refresh(self._follow, self.view.focus)

    def _follow(self, row: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        if not self.scroll_y + 1 <= row < self.scroll_y + height - 1:
            self.scroll_to(y=max(0, row - height // 3), animate=False)


class Deck(Vertical):
    """Panes in a grid of cols x rows slots under a tab bar; the selected pane is always among those shown."""

    DEFAULT_CSS = """
    Deck { height: 1fr; }
    Deck > .tabs { height: 1; background: $panel; }
    Deck > Container { height: 1fr; layout: grid; grid-gutter: 0 1; }
    """

    def __init__(self, panes: list[Pane], keys: list[str], *, id: str):
        super().__init__(id=id)
        self.panes = panes
        self.keys = keys                          # the key shown before each pane's title ("" for none)
        self.selected = 0
        self.cols, self.rows = 1, 1

    def compose(self):
        yield Static(classes="tabs")
        with Container():
            yield from self.panes

    def on_mount(self) -> None:
        self.layout_panes()

    def shown(self) -> list[Pane]:
        k = min(len(self.panes), self.cols * self.rows)
        start = min(self.selected, len(self.panes) - k)
        return self.panes[start:start + k]

    def select(self, index: int) -> None:
        self.selected = index % len(self.panes)
        self.layout_panes()

    def slots(self, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        self.layout_panes()

    def layout_panes(self) -> None:
        shown = self.shown()
        grid = self.query_one(Container)
        grid.styles.grid_size_columns = min(self.cols, len(shown))
        grid.styles.grid_size_rows = -(-len(shown) // self.cols)
        tabs = Text()
        for pane, key in zip(self.panes, self.keys, strict=True):
            pane.display = pane in shown
            tabs.append(f"{key}{pane.title}", "bold reverse" if pane in shown else "dim")
            tabs.append(" ")
        self.query_one(".tabs", Static).update(tabs)


class CommandLine(Input):
    """The command line: Enter submits (an empty line repeats the last command), Up/Down walk the history."""

    DEFAULT_CSS = """
    CommandLine { border: none; height: 1; padding: 0; width: 1fr; background: $surface; }
    CommandLine:focus { border: none; }
    """
    BINDINGS = [Binding("up", "history(-1)", show=False), Binding("down", "history(1)", show=False)]

    def __init__(self, **kw) -> None:
        super().__init__(select_on_focus=False, **kw)      # a letter typed in single-key mode stays typed
        self.history: list[str] = []
        self.at = 0

    def remember(self, line: str) -> None:
        if line.strip() and (not self.history or self.history[-1] != line):
            self.history.append(line)
        self.at = len(self.history)

    def action_history(self, step: int) -> None:
        self.at = max(0, min(len(self.history), self.at + step))
        self.value = self.history[self.at] if self.at < len(self.history) else ""
        self.cursor_position = len(self.value)


class SingleKeys(Static, can_focus=True):
    """gdb's SingleKey mode: each letter is a command; the app decides what it means."""

    DEFAULT_CSS = "SingleKeys { height: 1; width: 1fr; background: $boost; }"

    def __init__(self, on_key: Callable[[str], bool], **kw) -> None:
        super().__init__(**kw)
        self.on_letter = on_key

    def on_key(self, event: events.Key) -> None:
        key = event.character if event.character and event.is_printable else event.key
        if self.on_letter(key):
            event.stop()
            event.prevent_default()
