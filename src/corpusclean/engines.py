"""Where a run's documents are processed, chosen in one place.

An engine runs both passes over a corpus (`pipeline.run_corpus`'s arguments) and gives the same
results in the same order: "local" on worker processes of this machine, "ray" on a Ray cluster
(`corpusclean[ray]`, see corpusclean/ray/).
"""
from __future__ import annotations

from functools import partial
from typing import Any, Callable

from .errors import UsageError

ENGINES = ("local", "ray")


def engine_for(config: Any) -> Callable[..., float]:
    """The run_corpus of `config.engine`, with its settings; UsageError if it cannot run here."""
    if config.engine == "ray":
        try:
            import ray  # noqa: F401
        except ImportError:
            raise UsageError("--engine ray needs Ray, which is not installed: pip install 'corpusclean[ray]'") from None
        from .ray.engine import run_corpus as run_on_ray

        return partial(run_on_ray, address=config.address, partitions=config.partitions)
    from .pipeline import run_corpus

    return run_corpus
