"""How the full screen shares the terminal: a plan made from its size and the zoom alone, applied to the widgets
at every resize and every F9, so that any size, and any size after any other, gets the same layout.

Below 120 columns the state deck sits over the code deck, the whole width: the registers in the kernel's
show_regs form take 10 rows of 80 columns (r0-r31, CR, LR, CTR, XER, MSR and LPCR bits), so at 80x24 the
source keeps 6 rows and the log 4. From 120 columns the decks sit side by side, and bigger terminals show more
panes of each. F9 cycles the zoom: the state deck, the code deck, the log, none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ppcinterp.debug.tui import DebuggerApp

SIDE_BY_SIDE = 120           # columns from which code and state sit side by side
STATE_ROWS = 10              # rows of one stacked state pane: the registers' show_regs form at 80 columns
ZOOMS = (None, "state", "code", "log")


@dataclass(frozen=True)
class Plan:
    side: bool                       # code beside state (else state over code)
    code: bool                       # which parts are shown
    state: bool
    log_only: bool
    code_width: int | None           # side by side: the code deck's columns (None: all)
    state_height: int | None         # stacked: the state deck's rows (None: all)
    code_slots: tuple[int, int]      # (columns, rows) of panes each deck shows at once
    state_slots: tuple[int, int]
    log_height: int | None           # None: all (the log zoomed)
    footer: bool                     # the key line (below 30 rows the F1 overlay lists the keys)


def plan(w: int, h: int, zoom: str | None) -> Plan:
    footer = h >= 30
    log = 4 if h < 30 else 5 if h < 36 else h // 6
    code_slots = (1, 2 if h >= 36 else 1)
    side = w >= SIDE_BY_SIDE
    if zoom == "log":
        return Plan(side, False, False, True, None, None, code_slots, (1, 1), None, footer)
    if zoom == "code":
        return Plan(side, True, False, False, None, None, code_slots, (1, 1), log, footer)
    if zoom == "state":
        slots = (max(1, min(3, w // 41)), 1 + (h >= 36) + (h >= 52))
        return Plan(side, False, True, False, None, None, code_slots, slots, log, footer)
    if side:
        code_width = w * 2 // 5
        slots = (max(1, min(3, (w - code_width - 1) // 41)), 1 + (h >= 36) + (h >= 52))
        return Plan(True, True, True, False, code_width, None, code_slots, slots, log, footer)
    rows = 1 + (h >= 48)
    return Plan(False, True, True, False, None, 1 + STATE_ROWS * rows, (1, rows), (1, rows), log, footer)


def apply(app: DebuggerApp, p: Plan) -> None:
    """Size and show the widgets as the plan says (the state deck first when stacked)."""
    from ppcinterp.debug.tui_widgets import Deck

    main, log, footer = app.query_one("#main"), app.query_one("#log"), app.query_one("#footer")
    code, state = app.query_one("#code", Deck), app.query_one("#state", Deck)
    main.display = not p.log_only
    main.styles.layout = "horizontal" if p.side else "vertical"
    main.set_class(p.side, "side")
    if p.side != (main.children[0] is code):
        main.move_child(code, before=state) if p.side else main.move_child(state, before=code)
    code.display, state.display = p.code, p.state
    code.styles.width = p.code_width if p.side and p.code_width and p.state else "1fr"
    code.styles.height = "1fr"
    state.styles.width = "1fr"
    state.styles.height = p.state_height if not p.side and p.state_height and p.code else "1fr"
    code.slots(*p.code_slots)
    state.slots(*p.state_slots)
    log.styles.height = "1fr" if p.log_height is None else p.log_height
    footer.display = p.footer
