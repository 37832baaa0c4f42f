"""The Ray engine: the local engine's two passes on a Ray cluster, with the corpus index sharded.

    documents, in blocks of 64 ─▶ pass 1 (actor pool: load, screen, observe; cut by partition)
      long lines ─by key─▶ first occurrences (and the classifier's common lines, to the driver)
        ─by band bucket─▶ buckets holding two lines or more ─by key─▶ their signatures
        ─by band bucket─▶ earliest verified mate ─by key─▶ each line's group
        ─by group─▶ page firsts, parts of page sums ─by earlier page's block─▶ page pairs
        ─by later page's block─▶ page duplicates (their numbers to the driver)
        ─by group─▶ group pages, the lines to decide about (short lines by key: template keys,
          to the driver) ─by block pointed at─▶ the names asked for
      pass 2 (actor pool, one block per call): every stage, with what was sent to the block
        (its short lines, decisions, page duplicates, the names it points at, pass-1 failures)

Each arrow is a Ray Data `groupby("part").map_groups(...)` on pieces of numpy arrays
(`shards.py`); the reductions are `dedup/resolve.py`'s, the same the local engine runs on one
partition, so the output is byte for byte the local engine's for any number of workers or
partitions. Nothing per line or per page is in the driver or in every worker: the driver keeps
counts, the sorted numbers of the page duplicates and the few lines common enough to be
template chrome; every other table lives in one partition (about 1/P of the corpus's lines) or
one block. A line's 128-byte signature crosses a shuffle twice only when an LSH bucket holds
another line; otherwise only its keys travel.

Documents are read by the local engine's readers in the driver and put in the object store a
block at a time; workers read files themselves (a folder on a shared file system) and write a
folder's outputs themselves, as local workers do. Results come back in input order, so JSONL
output and the summary are written here exactly as the local engine writes them.
"""
from __future__ import annotations

import logging
import math
import os
import pickle
import time
from contextlib import contextmanager
from itertools import chain, islice
from typing import Any, Callable, Iterator

import numpy as np

from ..pipeline import Job, Result, Written, chunked, take_results
from ..progress import CLEANING, INDEXING, Progress
from ..readers import Reader, Source
from ..readers.base import as_reader
from ..report import Summary
from . import shards, steps
from .shards import BLOCK

# Ray Data logs every execution plan at INFO on stderr, where our progress and closing line go;
# it reads this when it first configures its loggers (a user's own setting wins)
os.environ.setdefault("RAY_DATA_LOG_LEVEL", "WARNING")

#: input bytes per partition the default partition count aims at: a partition's reduction then
#: holds the rows of about 20,000 distinct long lines (the band step's 14 signatures each), some
#: 100 MB with numpy's temporaries, on top of a worker's 150 MB of libraries. A cluster with
#: more memory per worker takes fewer, larger partitions (--partitions).
BYTES_PER_PARTITION = 4_000_000


def install_hint() -> str:
    return "the Ray engine needs Ray: pip install 'corpusclean[ray]'"


@contextmanager
def cluster(address: str | None, workers: int) -> Iterator[None]:
    """Join the cluster at `address`, or start a local one with `workers` CPUs; a cluster
    started here is stopped on the way out, Ctrl-C included."""
    try:
        import ray
    except ImportError:
        raise RuntimeError(install_hint()) from None
    started = not ray.is_initialized()
    if started:
        if address:
            ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
        else:
            ray.init(**local_cluster(workers), include_dashboard=False, logging_level=logging.ERROR,
                     log_to_driver=False)
    context = ray.data.DataContext.get_current()
    saved = (context.execution_options.preserve_order, context.enable_progress_bars, context.shuffle_strategy)
    context.execution_options.preserve_order = True   # blocks leave each step in the order they came
    context.enable_progress_bars = False
    # the task-based hash shuffle: its map tasks take a node's input blocks together (up to
    # DataContext.shuffle_input_batch_bytes, 1 GiB), so a shuffle makes (map tasks x partitions)
    # pieces. The sort shuffle made (blocks x blocks): a piece and its metadata in the driver
    # for each, the square of the corpus. (The actor-based hash shuffle's aggregators would
    # wait for ever on a small cluster for CPUs the pass-1 actors hold; these are tasks.)
    context.shuffle_strategy = ray.data.context.ShuffleStrategy.SHUFFLE_V2
    try:
        yield
    finally:
        (context.execution_options.preserve_order, context.enable_progress_bars, context.shuffle_strategy) = saved
        if started:
            ray.shutdown()


def local_cluster(workers: int) -> dict[str, Any]:
    """`ray.init`'s arguments for a local cluster of `workers` CPUs. Ray runs the shuffles' map
    tasks, their reduce tasks and the other tasks in worker pools of their own, beside the two
    actor pools and Ray Data's own actors; with Ray's default of keeping as many idle workers
    as CPUs, each step's pool would be killed to start the next one's (58 worker processes
    started on a 20 MB corpus, a second and a half of CPU each), so each pool keeps its own."""
    return {"num_cpus": workers, "_system_config": {"num_workers_soft_limit": 5 * workers + 3}}


class Blocks(list[Any]):
    """Object refs of the documents' blocks, in input order, the documents in each (all but
    the last) and the input's size in bytes."""

    per_block = BLOCK
    size = 0


def put_blocks(sources: Iterator[Source], workers: int) -> Blocks:
    """The documents in the object store, a block at a time: (number, pickled source) tables.
    Blocks hold BLOCK documents; an input of fewer than two such blocks per worker is cut into
    two blocks per worker instead, so that every worker gets some."""
    import pyarrow as pa
    import ray

    numbered = enumerate(sources)
    head = list(islice(numbered, 2 * workers * BLOCK))
    refs = Blocks()
    if len(head) < 2 * workers * BLOCK:
        refs.per_block = max(1, math.ceil(len(head) / (2 * workers)))
    for chunk in chunked(chain(head, numbered), refs.per_block):
        refs.size += sum(_size(source) for _, source in chunk)
        refs.append(ray.put(pa.table({"number": pa.array([n for n, _ in chunk], pa.int64()),
                                      "source": pa.array([pickle.dumps(s, protocol=5) for _, s in chunk],
                                                         pa.binary())})))
    return refs


def _size(source: Source) -> int:
    """About how many bytes a document is (to size partitions before any is read)."""
    if source.path is not None:
        try:
            return int(os.stat(source.path).st_size)
        except OSError:
            return 0
    if source.line is not None:
        return len(source.line.raw)
    if source.record is not None:
        return sum(len(value) for value in source.record.values() if isinstance(value, (str, bytes)))
    if source.payload is not None:
        return len(source.payload.content)
    return 0


def run_corpus(sources: Reader | Callable[[], Iterator[Source]], job: Job, write: Callable[[Result], None],
               summary: Summary, workers: int, progress: Progress | None = None, *,
               address: str | None = None, partitions: int | None = None) -> float:
    """`pipeline.run_corpus` on Ray: the same arguments, the same results in the same order."""
    started = time.perf_counter()
    progress = progress or Progress()
    try:
        with cluster(address, workers):
            blocks = put_blocks(as_reader(sources).sources(), workers)
            if any(stage.needs_corpus for stage in job.stages):
                progress.start(INDEXING)   # Ray Data runs it as a few whole steps: no counts in between
            cleaned = processed(blocks, job, workers, partitions)
            progress.start(CLEANING)
            take_results(results(cleaned), job, write, summary, progress)
    finally:
        progress.finish()
    return time.perf_counter() - started


def results(cleaned: Any) -> Iterator[Result | Written]:
    """What the driver takes of the documents, in input order, from the Dataset `processed`
    gives: a document's Result, or a Written of consecutive documents (as the local engine's
    workers hand them over: `pipeline.gathered`)."""
    expected, waiting = 0, dict[int, bytes]()
    for batch in cleaned.iter_batches(batch_size=None, batch_format="numpy"):
        # blocks leave the shuffle in block order; should one ever come early, it waits here
        waiting.update(zip(batch["number"].tolist(), batch["result"].tolist()))
        while expected in waiting:
            part = pickle.loads(waiting.pop(expected))
            yield part
            expected += part.documents if isinstance(part, Written) else 1
    if waiting:
        raise RuntimeError(f"the Ray job lost documents {expected}..{min(waiting) - 1}")


def processed(blocks: Blocks, job: Job, workers: int, partitions: int | None = None) -> Any:
    """The Dataset of pass 2: rows (number of the first document, pickled Result or Written:
    `steps._rows`), in input order."""
    import ray
    from ray import cloudpickle

    if not blocks:
        return ray.data.from_items([]).map_batches(lambda b: {"number": [], "result": []})
    documents = ray.data.from_arrow_refs(blocks)
    # cloudpickle: a stage may be defined where workers cannot import it. Put in the object
    # store once and passed by reference: the compiled rules weigh tens of MB, and a map
    # step's arguments are pickled with its function for every step
    packed = ray.put(cloudpickle.dumps(job))  # type: ignore[no-untyped-call]
    pool = ray.data.ActorPoolStrategy(size=workers)
    if not any(stage.needs_corpus for stage in job.stages):
        return documents.map_batches(steps.ProcessAlone, fn_constructor_args=(packed, blocks, {"recurrence": None}),
                                     batch_size=None, batch_format="numpy", compute=pool)
    partitions = partitions or max(2 * workers, math.ceil(blocks.size / BYTES_PER_PARTITION))
    observed = documents.map_batches(steps.Observe, fn_constructor_args=(packed, partitions, blocks.per_block),
                                     batch_size=None,
                                     batch_format="numpy", compute=pool).materialize()
    index = Index(observed, job, partitions, blocks.per_block)
    shared = ray.put(index.shared())
    for_blocks = _kinds(observed, "lines", "fail")
    if index.decisions is not None:
        for_blocks = for_blocks.union(index.decisions)
    # gathered (a task per partition) and materialized before the pass-2 actors start: actors
    # started while the shuffle still needs CPUs would hold them, and a small cluster would wait
    # for ever. Sorted by block, since a hash shuffle's partitions come out in no useful order:
    # pass 2 then runs the blocks in input order, so the driver takes its results as they come
    # (none waits there for an earlier one) and `clean`'s Dataset is in input order. One row (a
    # block of documents) per Ray block, so that every actor gets work.
    gathered = (for_blocks.groupby("part", num_partitions=partitions)
                .map_groups(steps.gather, batch_format="numpy")
                .sort("part").repartition(target_num_rows_per_block=1).materialize())
    return gathered.map_batches(steps.Process, fn_constructor_args=(packed, blocks, shared), batch_size=1,
                                batch_format="numpy", compute=pool)


def _kinds(ds: Any, *kinds: str) -> Any:
    from ray.data.expressions import col

    return ds.filter(expr=col("kind").is_in(list(kinds)))


def _driver_pieces(ds: Any, kind: str) -> list[bytes]:
    """The blobs of one kind sent to the driver (small: per-page sums, common lines)."""
    return [row["blob"] for row in _kinds(ds, kind).iter_rows()]


class Index:
    """The corpus pass's reductions, run as Ray Data shuffles (see the module's picture). The
    driver keeps counts, the sorted numbers of the page duplicates and the lines common enough
    to be template chrome; `decisions` is the Dataset of what each block of pass 2 reads."""

    def __init__(self, observed: Any, job: Job, partitions: int, per_block: int):
        self.observed, self.job, self.partitions, self.per_block = observed, job, partitions, per_block
        self.dedup, self.classifier = steps._stages(job)
        self.decisions: Any = None
        pages = [pickle.loads(blob) for blob in _driver_pieces(observed, "page")]
        self.page_count = max((p["last"] + 1 for p in pages), default=0)
        self.absorbed = sum(p["absorbed"] for p in pages)
        self.classifier_pages = sum(p["classifier_pages"] for p in pages)
        min_pages = self._min_pages() if self.classifier is not None else 0
        # one shuffle by key for both: the long lines' first occurrences, the classifier's lines
        first = self._reduce(_kinds(observed, "occ", "sig", "rec"), steps.first_occurrences, partitions, None,
                             min_pages)
        self.recurrence = self._recurrence(first) if self.classifier is not None else None
        if self.dedup is not None:
            self._dedup(first)

    def _min_pages(self) -> int:
        """The classifier's own rule for "common" (it depends on the number of pages only)."""
        from ..classifier.recurrence import Recurrence

        stage = self.classifier
        stage.recurrence = Recurrence.frozen(np.zeros(0, np.uint64), np.zeros(0, np.uint32), self.classifier_pages)
        return int(stage._min_pages())

    def _recurrence(self, first: Any) -> Any:
        from ..classifier.recurrence import Recurrence

        found = [pickle.loads(b) for b in _driver_pieces(first, "common")]
        hashes = np.concatenate([f["hash"] for f in found]) if found else np.zeros(0, np.uint64)
        counts = np.concatenate([f["count"] for f in found]) if found else np.zeros(0, np.int64)
        order = np.argsort(hashes)
        return Recurrence.frozen(hashes[order], counts[order], self.classifier_pages)

    def _reduce(self, ds: Any, fn: Callable[..., Any], *args: Any) -> Any:
        return ds.groupby("part", num_partitions=self.partitions).map_groups(
            fn, fn_args=args, batch_format="numpy").materialize()

    def _groups(self, first: Any, excluded: np.ndarray | None) -> Any:
        """The long lines' groups and page firsts (pieces "grp2", "chars" and "share"), from
        their first occurrences (`first`, computed without the same sorted pages `excluded`)."""
        config = self.dedup.config
        parts = self.partitions
        asked = self._reduce(_kinds(first, "band"), steps.crowded, parts)
        votes = self._reduce(_kinds(asked, "crowd").union(_kinds(first, "known")), steps.attach, parts)
        found = self._reduce(_kinds(votes, "vote"), steps.earliest, parts, config.jaccard_threshold,
                             config.verify_bits)
        groups = self._reduce(_kinds(found, "found").union(_kinds(self.observed, "occ")), steps.assign_groups,
                              parts, excluded)
        return self._reduce(_kinds(groups, "grp"), steps.page_firsts, parts, self.per_block)

    def _dedup(self, first: Any) -> None:
        config = self.dedup.config
        per_block = self.per_block
        firsts = self._groups(first, None)
        pairs = self._reduce(_kinds(firsts, "chars", "share"), steps.page_pairs, per_block)
        dups = self._reduce(_kinds(pairs, "pair", "content"), steps.duplicates, config.page_threshold, per_block)
        found = [pickle.loads(b)["page"] for b in _driver_pieces(dups, "dups")]
        duplicate = np.sort(np.concatenate(found)) if found else np.zeros(0, np.int64)
        if config.drop_duplicate_pages and len(duplicate):
            # dropped pages are nobody's kept copy
            first = self._reduce(_kinds(self.observed, "occ", "sig"), steps.first_occurrences, self.partitions,
                                 duplicate, 0)
            firsts = self._groups(first, duplicate)
        self.template_min = max(config.template_min_pages,
                                math.ceil(config.template_min_share * self.absorbed - 1e-9))
        decided = self._reduce(_kinds(firsts, "grp2").union(_kinds(self.observed, "short")), steps.decide,
                               duplicate, self.template_min, config.template_min_pages, per_block)
        template = [pickle.loads(b) for b in _driver_pieces(decided, "template")]
        keys = np.concatenate([t["key"] for t in template]) if template else np.zeros(0, np.uint64)
        counts = np.concatenate([t["pages"] for t in template]) if template else np.zeros(0, np.int64)
        order = np.argsort(keys)
        self.template_keys, self.template_pages = keys[order], counts[order]
        named = self._reduce(_kinds(self.observed, "names").union(_kinds(dups, "ask"), _kinds(decided, "ask")),
                             steps.names, per_block)
        self.decisions = _kinds(decided, "dec").union(_kinds(dups, "dup"), _kinds(named, "name"))

    def shared(self) -> dict[str, Any]:
        """What every pass-2 worker reads: counts and the common lines."""
        shared: dict[str, Any] = {"recurrence": self.recurrence}
        if self.dedup is not None:
            shared.update(pages=self.page_count, absorbed=self.absorbed, template_min=self.template_min,
                          template_keys=self.template_keys, template_pages=self.template_pages)
        return shared
