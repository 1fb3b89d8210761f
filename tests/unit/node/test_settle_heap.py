"""settle_heap: what start-up made stays out of the collector's full passes."""

from __future__ import annotations

import gc
import weakref

from levante.node.process import settle_heap


def test_start_up_objects_are_frozen_and_garbage_is_not() -> None:
    class Cycle:
        def __init__(self) -> None:
            self.me = self

    alive = [object() for _ in range(10)]
    garbage = weakref.ref(Cycle())  # unreachable already: collected first, not frozen
    try:
        settle_heap()
        assert gc.get_freeze_count() >= len(alive)
        assert garbage() is None
    finally:
        gc.unfreeze()
