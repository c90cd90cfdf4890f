"""What `ppcinterp --version` says: our version, Python's, and the installed versions of our dependencies.

A bug report needs all of them; they are looked up only when asked, so that a start-up stays cheap."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from ppcinterp import __version__

DEPENDENCIES = ("lark", "capstone", "rich", "textual")


def version_text() -> str:
    """`ppcinterp X`, then a line for Python and one for each dependency (`not installed` when missing)."""
    import platform
    from importlib import metadata  # imported here: at the top it cost every start-up some 20 ms

    lines = [f"ppcinterp {__version__}", f"Python {platform.python_version()} ({platform.python_implementation()})"]
    for name in DEPENDENCIES:
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            found = "not installed"
        lines.append(f"{name} {found}")
    return "\n".join(lines)


class VersionAction(argparse.Action):
    """argparse's --version, with the text made when the option is given."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: Any = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        print(version_text())
        parser.exit()
