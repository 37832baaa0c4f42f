"""How a worker process's C heap treats memory it frees: kept for the next document instead of
handed back to the system and asked for again; and how the `corpusclean` command's process
ends without walking its heap once more (`exit_without_collecting`).

glibc's malloc returns freed memory at the top of its heap to the system once more than a
threshold lies free there, and serves a large request (a fingerprinting array, a page's text)
from a mapping of its own that it unmaps when freed; both thresholds move with what the
program does. A worker cleaning page after page frees and asks for much the same amounts again
and again, and each page of memory asked for again costs a page fault the first time it is
written (about 3 microseconds on the machines measured: as much as 3 ms a megabyte). How often
that happens depends on the order the sizes come in: on the 20 MB bench corpus a worker of the
corpus pass took 14,000 faults in one run and 41,000 in another. Fixed thresholds keep freed
memory in the heap (no more than a worker had in use at once: its peak is unchanged).

Each worker sets them when it starts (workers._start_worker), and so does the `corpusclean`
command's own process (cli.run_command: 7,000 fewer faults in a 1-worker run of the 20 MB
corpus, 2,000 in a 2-worker run's parent); a program cleaning with the library keeps the heap
settings it has.
"""
from __future__ import annotations

import atexit
import ctypes
import gc

#: mallopt's parameters (malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
#: requests below this come from the heap, and return to it when freed (glibc's largest allowed
#: value on 64-bit systems, which its adaptive threshold also stops at)
MMAP_THRESHOLD = 32 << 20
#: free memory at the top of the heap beyond this is returned to the system
TRIM_THRESHOLD = 64 << 20


def keep_freed_memory() -> bool:
    """Fix the C heap's thresholds in this process (see the module's docstring); False where
    the C library has no `mallopt` (not glibc) or refuses."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))


_EXIT_HOOKED = False


def exit_without_collecting() -> None:
    """At this process's exit, skip the garbage collector's last passes: when the interpreter
    shuts down it collects, more than once, over every object still alive (the modules, the
    stages' tables and patterns, the language profiles, what the run built), to free memory
    the system takes back at once anyway. Freezing them all first (`gc.freeze`, in an `atexit`
    hook) leaves those passes nothing to walk; objects are still freed as their modules are
    torn down, and files were closed by the writers, not by the collector. Measured on the 20
    MB bench corpus: the `corpusclean run` process ended 0.12-0.14 s after its last exit hook
    with 2 workers, 0.02 s frozen (both workers idle meanwhile: the end of the run's wall time,
    and a fifth of the parent's CPU). For the command's own process (cli.run_command); a
    program cleaning with the library keeps its collector as it is. Hooked once a process."""
    global _EXIT_HOOKED
    if not _EXIT_HOOKED:
        _EXIT_HOOKED = True
        atexit.register(gc.freeze)
