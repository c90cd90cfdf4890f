"""ppcinterp: run Linux kernel PowerPC assembly source, instruction by instruction."""

__version__ = "0.1.0"
