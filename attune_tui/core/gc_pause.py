"""Pausing the cyclic garbage collector while a long-lived object graph is built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a chain is parsed and folded (and its dependencies computed).

    Replaying a 2,000-file history allocates half a million objects that stay
    alive (statements, their details, catalog entries).  The collector would
    traverse them again and again as they pile up (a third of the load time),
    and, once resumed, twice more while they age through the young
    generations.  So it is paused, and afterwards the survivors are moved
    straight to the oldest generation (``freeze`` + ``unfreeze`` does exactly
    that), where the next full collection still examines them: nothing is
    exempt from collection, only the repeated young-generation passes are
    saved (young objects of other code move along too, and are examined at
    that same full collection).  Reference counting frees what is dropped.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:  # never unfreeze what someone else froze
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()
