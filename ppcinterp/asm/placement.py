"""Where the labels a file leaves to go: outside labels get slots after the code (exits), so references encode as
if the labels were there; symbols other objects define are listed for the linker, which gives them places."""

from __future__ import annotations

from collections.abc import Collection

from ppcinterp.asm.expr import Rel
from ppcinterp.asm.externs import Extern
from ppcinterp.asm.sections import _Sym
from ppcinterp.asm.state import AsmState


class Placement(AsmState):
    """The Assembler's placement half."""

    def _place_outside(self) -> dict[str, Rel]:
        """Give every label the file leaves to a 4-byte slot after the code, so branches to it encode as
        they would if the label sat right after the file's last instruction."""
        text = self.sections[".text"]
        if text.size % 4:
            text.size += -text.size % 4
        slots: dict[str, Rel] = {}
        unresolved = {k.num for k in self.forward_refs if k.instance > len(self.local_defs.get(k.num, ()))}
        for name, (_desc, pos) in self.outside_decl.items():
            wanted = int(name) in unresolved if name.isdigit() else (
                name in self.refs.first and name not in self.symbols)
            if not wanted:
                continue
            here = Rel(".text", text.size)
            text.items.append(("bytes", text.size, bytes(4), None))
            text.size += 4
            slots[name] = here
            if name.isdigit():
                self.local_defs.setdefault(int(name), []).append((here, pos))
            else:
                self.symbols[name] = _Sym("label", here, pos)
        return slots

    def extern_symbols(self, elsewhere: Collection[str] = (), linked: bool = False) -> list[Extern]:
        """The symbols the file references, does not define, and leaves to another object (not one of
        `elsewhere`, which other objects of the program define), in the order first referenced; the linker gives
        each a place (`linked`: the file is one of several objects). Undeclared ones are allowed only where GNU
        as and the linker would resolve them (see externs.py), with a warning."""
        declared = dict(self.extern_decl)
        for g in sorted(self.globals):
            declared.setdefault(g, (".globl", "", None))
        out: list[Extern] = []
        for name, first in self.refs.first.items():
            if name in self.symbols or name in elsewhere:
                continue
            what = ""
            if name in declared:
                how, what, pos = declared[name][0], declared[name][1], declared[name][2] or first
            elif self.refs.strict_use(name) is None:
                how, pos = "assumed", first
                others = " or the files linked with it" if linked else ""
                self.warnings.append((f"'{name}' is not defined in this file{others}; assuming another object "
                                      f"defines it (declare it with .extern {name} or --extern {name})", first))
            else:
                continue                    # pass 2 reports it as undefined
            out.append(Extern(name, 0, self.refs.is_code(name), how, what, pos))
        return out
