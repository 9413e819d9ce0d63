"""Pausing Python's cyclic garbage collector around a bulk step.

CPython frees an object as soon as its last reference goes; the cyclic collector only finds groups
of objects that refer to one another. It runs after every 700 container objects allocated and, now
and then, walks every object of the process (a web worker holds 100,000 or more: Django, the
criteria registry, caches). A province's import allocates about 150,000 short-lived containers
(cells, rows, keys, the changes) and frees them all when it ends, none in a cycle: in a confirmation
of 0.3 s the collector ran 180–240 times and once walked the whole heap — 10–55 ms, a sixth of the
time, to free nothing (docs/benchmarks.md, "Import, third pass").

`paused()` turns the collector off for the block and back on after it (only if it was on: blocks
nest, and threads share the switch, so the last block to end turns it back on). Objects freed by
their reference counts inside the block are never seen by the collector; a cycle made inside it is
collected at the first run after the block, as it would have been at a later run anyway. Use it
around bounded work (one import), never around a loop that may run for long.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The block runs with the cyclic collector off (see the module docstring)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
