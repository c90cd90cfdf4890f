"""The TUI's widgets: a Pane shows one pure view function's output (panes*.py), a Deck shows as many of its
panes as the terminal has room for, with a one-line tab bar naming their keys; the Log keeps every entry so that
a new width wraps them again; the command line keeps a history (Up/Down); SingleKeys takes gdb's SingleKey-mode
letters (and the answer to a question)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, RichLog, Static

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
        self.dbg: DebugEngine | None = None
        self.shown_at = 0                         # the width the view was made for

    def on_resize(self) -> None:
        """A view is made for a width (the registers' columns): a new one makes it again, unless a command is
        running (the engine is not read then; the command's end refreshes every pane)."""
        if self.dbg is not None and self.size.width != self.shown_at and getattr(self.app, "busy", None) is None:
            self.show(self.dbg)

    def compose(self):
        yield Static()

    def show(self, dbg: DebugEngine) -> None:
        self.dbg = dbg
        self.shown_at = self.size.width
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
    Deck > .tabs > .names { width: 1fr; }
    Deck > .tabs > .note { width: auto; }
    Deck > Container { height: 1fr; layout: grid; grid-gutter: 0 1; }
    """

    def __init__(self, panes: list[Pane], keys: list[str], *, id: str, note: str = ""):
        super().__init__(id=id)
        self.panes = panes
        self.keys = keys                          # the key shown before each pane's title ("" for none)
        self.note = note                          # at the right end of the tab bar
        self.selected = 0
        self.cols, self.rows = 1, 1

    def compose(self):
        with Horizontal(classes="tabs"):
            yield Static(classes="names")
            yield Static(Text(self.note, "dim"), classes="note")
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
        self.query_one(".tabs > .names", Static).update(tabs)


class CommandLine(Input):
    """The command line: Enter submits (an empty line repeats the last command), Up/Down walk the history."""

    DEFAULT_CSS = """
    CommandLine { border: none; height: 1; padding: 0; width: 1fr; background: $surface; }
    CommandLine:focus { border: none; }
    """
    BINDINGS = [Binding("up", "history(-1)", show=False), Binding("down", "history(1)", show=False),
                Binding("ctrl+d", "end_of_file", show=False)]

    class EndOfFile(Message):
        """Ctrl-D on an empty line: gdb quits."""

    class Search(Message):
        """`/` typed on an empty line: search the source."""

    def __init__(self, **kw) -> None:
        super().__init__(select_on_focus=False, **kw)      # a letter typed in single-key mode stays typed
        self.history: list[str] = []
        self.at = 0
        self.slash_searches = True                          # off while the line is the search's own

    def on_key(self, event: events.Key) -> None:
        if event.character == "/" and not self.value and self.slash_searches:
            event.stop()
            event.prevent_default()
            self.post_message(self.Search())

    def action_end_of_file(self) -> None:
        if self.value:
            self.action_delete_right()                        # readline's Ctrl-D on a line with text
        else:
            self.post_message(self.EndOfFile())

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


class Log(RichLog):
    """The output log. RichLog wraps a line once, when written: this one keeps the entries and wraps them all
    again at a new width. A command's output taller than the log opens at the command's own line (its start,
    not a fragment of its end); PgUp/PgDn and the wheel scroll."""

    MAX_LINES = 20000                             # as wrapped; beyond, the oldest quarter goes

    def __init__(self, **kw) -> None:
        super().__init__(wrap=True, markup=False, highlight=False, auto_scroll=False, **kw)
        self.entries: list[Text] = []
        self.starts: list[int] = []               # the first line of each entry, as wrapped now
        self.mark = 0                             # the entry that starts the last thing said (a command's echo)
        self.wrapped_at = 0                       # the width the lines are wrapped at (0: no size yet)

    def add(self, text: Text, start: bool = True) -> None:
        self.entries.append(text)
        if start:
            self.mark = len(self.entries) - 1
        if not self.wrapped_at:
            return                                # wrapped at the first size
        self.starts.append(len(self.lines))
        self.write(text, scroll_end=False)
        if len(self.lines) > self.MAX_LINES:
            keep = self.MAX_LINES * 3 // 4
            drop = next((k for k, first in enumerate(self.starts) if len(self.lines) - first <= keep), self.mark)
            drop = min(drop, self.mark)           # never the last command's own output
            del self.entries[:drop]
            self.mark -= drop
            self.rewrap()
        self.follow()

    def on_resize(self, event: events.Resize) -> None:
        event.prevent_default()                   # RichLog's own handler would only replay its deferred writes
        if event.size.width and event.size.width != self.wrapped_at:
            self._size_known = True
            self.wrapped_at = event.size.width
            self.rewrap()
        else:
            self.follow()

    def rewrap(self) -> None:
        self.clear()
        self.starts = []
        for text in self.entries:
            self.starts.append(len(self.lines))
            self.write(text, scroll_end=False)
        self.follow()

    def follow(self) -> None:
        """Show the end, or the last start (a command's echo) when what follows it is taller than the log."""
        first = self.starts[self.mark] if self.mark < len(self.starts) else 0
        if len(self.lines) - first > self.scrollable_content_region.height:
            self.scroll_to(y=first, animate=False)
        else:
            self.scroll_end(animate=False)
