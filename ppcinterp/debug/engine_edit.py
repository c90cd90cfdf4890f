"""Changing state from the debugger: `set var`, `thread N`, and what that does to the recorded history (in the
past, the future is forgotten and execution goes on live from there). A mixin of DebugEngine."""

from __future__ import annotations

import re

from ppcinterp.debug.errors import DebugError
from ppcinterp.debug.values import REGISTER_ALIASES
from ppcinterp.diagnostics import PpcError
from ppcinterp.machine.memory import MemoryFault
from ppcinterp.machine.names import StateNameError, resolve
from ppcinterp.run.events import hooks_in
from ppcinterp.run.journal import Step, change


class StateEdits:
    """Over a DebugEngine's history, machine, values and hooks."""

    def leave_past(self) -> str:
        """About to change state: when in the past, forget the recorded future and go on live from here."""
        h = self.history
        if h.at_end:
            return ""
        self.live_pc = h.pc()
        lost = h.truncate()
        self.exit = None
        for hook in hooks_in(self.hooks, self.step_hooks):
            if hook.fired and hook.fired_at >= h.pos:
                hook.rearm()
        return (f"Discarded the recorded future ({lost} instruction{'s' * (lost != 1)} after this point); "
                "execution goes on live from here.")

    def assign(self, name: str, expr: str) -> str:
        """set var NAME = EXPR; returns a notice when it forgot the future."""
        value, _ = self.values.eval(expr)
        target = name.strip().lstrip("$")
        target = REGISTER_ALIASES.get(target.lower(), target)          # $sp is r1, $toc r2
        if target.lower() == "pc":
            notice = self.leave_past()
            self.live_pc = value
            return notice
        m = re.fullmatch(r"(thread\[(\d+)\]\.)?mem(8|16|32|64)\[(.+)\]", target, re.I)
        if m:
            addr = self.values.evaluate(self.values.parse(m.group(4)))
            target = f"{m.group(1) or ''}mem{m.group(3)}[{addr:#x}]"
        try:
            ref = resolve(self.machine, target)
            self.session.writable(ref)
        except StateNameError as e:
            raise DebugError(str(e)) from None
        except PpcError as e:
            raise DebugError(e.message) from None
        if not ref.bits:
            raise DebugError(f"'{name}' is not a number (set it in a scenario's [state])")
        mt = re.match(r"thread\[(\d+)\]\.", target, re.I)
        thread = int(mt.group(1)) if mt else self.machine.current
        notice = self.leave_past()
        log: list = []
        self.machine.attach(log)
        try:
            ref.set(value)
        except MemoryFault as e:
            raise DebugError(f"Cannot access memory at address {e.addr:#x}") from None
        finally:
            self.machine.attach(None)
        if log:
            self.history.record(Step(self.history.count, thread, None, None, [change(c) for c in log],
                                     f"set var {name.strip()} = {expr}"))
        self.refresh_watches()
        return notice

    def switch_thread(self, n: int) -> str:
        if not 0 <= n < len(self.machine.threads):
            raise DebugError(f"Invalid thread ID: {n} (hardware threads 0-{len(self.machine.threads) - 1})")
        notice = ""
        old = self.machine.current
        if n != old:
            notice = self.leave_past()
            self.history.record(Step(self.history.count, old, None, None, [change(("thread", None, old, n))],
                                     f"thread {n}"))
            self.machine.current = n
            self._sync_thread()
            self.refresh_watches()
        return notice
