"""The garbage collector paused while the package and a run's stages are built.

Importing corpusclean and building its stages makes a few hundred thousand container objects
(module tables, rule trees and packs read from the start-up cache, compiled patterns) that
live as long as the process or the run. Python's collector walks the young objects every 700
allocations, and what survives again in older generations: at start-up it walked what had
just been built 150 times (0.09-0.10 CPU-s of a one-page run's 0.6-0.7) and found next to no
garbage. `paused()` turns it off while such things are built, then moves what exists to the
oldest generation without walking it, where only a full collection looks (a run's pipeline
freezes it before that: pipeline._collect_for_a_run). Measured with benchmarks/bench_startup.py.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection inside the block (a caller that had turned the collector off
    keeps it off); what was made meanwhile goes to the oldest generation unwalked (a cycle that
    became garbage meanwhile is still freed, by the next full collection)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        _to_oldest_generation()
        if enabled:
            gc.enable()


def _to_oldest_generation() -> None:
    """Every tracked object into the oldest generation, without walking any (the permanent
    generation is merged into the oldest when unfrozen); not while objects are frozen, which
    unfreezing would thaw too (a run's, or the program's own)."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
