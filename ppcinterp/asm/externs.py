"""Symbols the file references but leaves to other objects, and the GOT/TOC that address them.

GNU as leaves an undefined symbol to the linker; we must too (the whole upstream handler calls C functions,
indexes a table of hcall handlers in other files and takes a lock defined in C), but without letting a typo
become a silent exit. A reference decides:

- declared (`.extern`, `.globl` without a definition, `#pragma ppcinterp extern|outside`, `--extern`): it is
  left to another object, whatever the reference;
- undeclared, as an immediate or displacement: an error, as a typo there is far likelier than a cross-object
  reference;
- undeclared, as the target of a branch (`b`/`bl`/`ba`, and a conditional one: exceptions-64s.S's
  `beq fast_exc_return_irq` goes to entry_64.S), in data (`.long`, `.quad`, `.tc`) or through `@got`/`@toc`:
  left to another object, with a warning naming it, since that is exactly what GNU as and the linker do.

A symbol left to another object is code (an exit slot after .text: reaching it ends a run, named) when it
is an ELFv1 entry point (`.name`) or a branch target, else data (zeroed memory of its own, e.g. a lock).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ppcinterp.diagnostics import Pos

TOC_BIAS = 0x8000               # r2 points 32 KiB into the TOC so signed 16-bit offsets reach 64 KiB
DATA_SLOT = 64                  # bytes of zeroed memory for a data symbol defined elsewhere
LENIENT = frozenset({"branch", "cond", "data", "toc"})   # reference contexts that may leave a symbol to the linker


@dataclass
class References:
    """Undefined-at-the-time references by name: contexts seen and the first position of each."""

    first: dict[str, Pos | None] = field(default_factory=dict)
    contexts: dict[str, dict[str, Pos | None]] = field(default_factory=dict)

    def add(self, name: str, ctx: str, pos: Pos | None) -> None:
        self.first.setdefault(name, pos)
        self.contexts.setdefault(name, {}).setdefault(ctx, pos)

    def strict_use(self, name: str) -> tuple[str, Pos | None] | None:
        """The first reference that may not be left to the linker (context, position), if any."""
        for ctx, pos in self.contexts.get(name, {}).items():
            if ctx not in LENIENT:
                return ctx, pos
        return None

    def is_code(self, name: str) -> bool:
        return name.startswith(".") or "branch" in self.contexts.get(name, {}) or "cond" in self.contexts.get(
            name, {})


@dataclass(slots=True)
class Extern:
    """A symbol defined in another object, as the file references it."""

    name: str
    addr: int
    code: bool                  # an entry point: reaching it ends a run
    how: str                    # ".extern", ".globl", "pragma", "--extern", or "assumed" (a warning was given)
    what: str                   # what it is, as a pragma describes it
    pos: Pos | None


def undefined_message(name: str, ctx: str) -> str:
    return (f"undefined symbol '{name}' (an immediate or displacement): no included header, .set or label "
            "defines it")
