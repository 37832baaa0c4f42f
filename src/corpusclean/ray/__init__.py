"""corpusclean on Ray (`pip install 'corpusclean[ray]'`).

From the command line, `corpusclean run IN OUT --engine ray [--address ADDR]`; for a Ray
Dataset you already hold, `clean`:

    import ray, corpusclean.ray
    ds = ray.data.read_json("pages/")                     # records with `id` and `text` (or `html`)
    cleaned = corpusclean.ray.clean(ds, lang="en")        # the same rows, cleaned, in the same order
    cleaned.write_json("clean/")

Both give, byte for byte, what the local engine gives (engine.py says how).
"""
from __future__ import annotations

from typing import Any

from ..config import RunConfig
from ..pipeline import Job
from ..readers.base import RecordFields, record_source
from ..stages.registry import build_stages
from ..writers.base import RecordOptions, json_text, output_record

__all__ = ["clean"]


def clean(ds: Any, *, workers: int | None = None, partitions: int | None = None, **options: Any) -> Any:
    """Clean a Ray Dataset of records (`id` and `text`, or `html`): a Dataset of the same records
    in the same order, each with its clean `text` (absent when it failed or was dropped) and its
    `report` as a JSON string; other columns are kept. `options` are `corpusclean.run`'s (`lang`,
    `disable`, `template_min_pages`, ...); `workers` defaults to the cluster's CPUs.

    The corpus pass runs now (its index must be built before anything is cleaned); the
    cleaning pass runs when the returned Dataset is consumed. Records are read through the
    driver a block at a time into the object store, where they are numbered in input order."""
    import ray

    from . import engine

    config = RunConfig.build("run", **options)
    workers = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))  # type: ignore[no-untyped-call]
    job = Job(stages=build_stages(config), steps=list(config.steps), max_bytes=config.input.max_bytes)
    with engine.cluster(None, workers):
        blocks = engine.put_blocks(_sources(ds), workers)
        return engine.processed(blocks, job, workers, partitions).map_batches(_records, batch_format="pandas")


def _sources(ds: Any) -> Any:
    number = 0
    for batch in ds.iter_batches(batch_size=1024, batch_format="pandas"):
        for record in batch.to_dict("records"):
            number += 1
            yield record_source(number, {k: v for k, v in record.items() if v is not None}, RecordFields(), "row")


def _records(batch: Any) -> Any:
    import pickle

    import pandas as pd

    rows = []
    for result in batch["result"].tolist():  # a job with no writer: every row a document's Result
        result = pickle.loads(result)
        if not result.listed:
            continue  # no id to write it under, as in a JSONL output
        record = output_record(result, RecordOptions())
        record["report"] = json_text(record["report"])  # as the local engine's Parquet writer writes it
        rows.append(record)
    return pd.DataFrame(rows)
