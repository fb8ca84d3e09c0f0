"""Pausing Python's cyclic garbage collector while a request builds many objects at once.

Loading a few thousand returns, targets and trajectory points builds tens of thousands of model instances (each
with its ``__dict__`` and ``_state``) and then assessments of them. Every 700 allocations the collector runs, and
every few dozen runs it walks the whole heap (Django, the loaded rows, everything): measured on the demo, that
doubled the time to load the 195 measures' series and made it vary between 105 and 320 ms. Nothing built here
forms reference cycles that matter: reference counting frees it all when the request ends, and whatever cycles
there are, the collector finds at its next run after the pause.

``paused()`` nests, and re-enables the collector only if it was on when the outermost pause began. With threads,
a pause in one delays (never skips) collection in the others for as long as it lasts.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off (reference counting still frees memory)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
