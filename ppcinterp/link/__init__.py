"""The link stage: objects after pass 1 (ppcinterp.asm) placed into one image as the kernel's linker places
them, their symbols resolved across objects, one GOT and TOC, each object's pass 2 run at its addresses, and
the parts merged into one Program (layout.py: symbols and addresses; merge.py: the Program).

Layout, as vmlinux.lds and GNU ld do it: output sections in the order the objects first name them; within one,
each object's input section in link order, aligned to its own alignment (at least 8 bytes, 4 for `.text`); exit
slots for code no object defines at the end of `.text`, zeroed memory for such data in `extern data`; then the
TOC area: `.got` (the objects' own, then one entry per symbol addressed through `@got`) and every object's
`.toc`, with r2 (`.TOC.@tocbase`) 0x8000 past its start, aligned down to 256 bytes as GNU ld aligns it; gaps
between the objects' code are nops, as GNU ld fills them. A file of its own is a program of one object, laid out
the same way but for the TOC base, which stays 0x8000 past the TOC area's start (as ppcinterp always had it).
"""

MAX_OBJECTS = 256               # objects one program links (link.layout.link; this module stays light to import)
