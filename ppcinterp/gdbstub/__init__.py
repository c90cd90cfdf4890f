"""gdb's remote serial protocol over the debugger engine: `ppcinterp gdbserver` lets a real gdb attach.

packets.py   framing, checksums, binary escaping, run-length encoding (no engine)
regs.py      gdb's register numbering and sizes over a thread's state
tdesc.py     the target description XML made from regs.py
target.py    memory and registers as gdb reads and writes them, through the engine
resume.py    continue, step, their reverse, breakpoints and watchpoints, and stop replies
handlers.py  one packet in, its reply out; queries.py the q/Q/v packets; hostio.py vFile (gdb reads our ELF)
server.py    connections (TCP or stdin/stdout), acknowledgments, Ctrl-C while running
"""
