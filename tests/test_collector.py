"""The collector paused while the package and a run's stages are built (collector.py): no
automatic collection inside, what was built moved to the oldest generation unwalked after, and
nothing a caller set up (a collector turned off, objects frozen) undone."""
from __future__ import annotations

import gc
import weakref

from corpusclean.collector import paused


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_no_collection_runs_inside_and_the_collector_is_back_on_after():
    collections = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(count)
    try:
        with paused():
            assert not gc.isenabled()
            built = [[i] for i in range(10_000)]   # fourteen times the young generation's threshold
        assert gc.isenabled() and collections == []
    finally:
        gc.callbacks.remove(count)
    assert any(item is built for item in gc.get_objects(generation=2))   # moved up, not walked


def test_a_collector_the_caller_turned_off_stays_off():
    gc.disable()
    try:
        with paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_objects_the_caller_froze_stay_frozen():
    # asked of one object, not of gc.get_freeze_count(): a frozen object that dies meanwhile
    # (a thread's frame, in a test process that runs other tests' threads) lowers the count
    kept = [Node()]
    gc.freeze()
    try:
        with paused():
            [[i] for i in range(1000)]
        assert gc.get_freeze_count() > 0
        assert not any(item is kept for generation in range(3) for item in gc.get_objects(generation=generation))
    finally:
        gc.unfreeze()


def test_a_cycle_that_became_garbage_inside_is_still_freed():
    with paused():
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
    gc.collect()
    assert gone() is None
