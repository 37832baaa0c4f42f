"""The Ray engine: the local engine's two passes on a Ray cluster, with the corpus index sharded.

    documents, in blocks of 64 ─▶ pass 1 (actor pool: load, screen, observe; cut by partition)
      long lines ─by key─▶ first occurrences ─by band bucket─▶ earliest verified mate
                 ─by key─▶ each line's group ─by group─▶ page firsts, page shares (summed here)
                 ─by group─▶ group pages, the lines to decide about ─by block─▶ pass 2
      short lines ─by key─▶ template keys (here: only those)    classifier lines ─by hash─▶ common lines
      pass 2 (actor pool, one block per call): every stage, the block's decisions ─▶ results, in order

Each arrow is a Ray Data `groupby("part").map_groups(...)` on pieces of numpy arrays
(`shards.py`); the reductions are `dedup/resolve.py`'s, the same the local engine runs on one
partition, so the output is byte for byte the local engine's for any number of workers or
partitions. The driver holds per-page numbers only (a name, the page duplicate, content sums:
tens of bytes a page) and the few lines common enough to be template chrome; every per-line
table lives in one partition of about 1/P of the corpus's lines.

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
from typing import Any, Callable, Iterator

import numpy as np

from ..dedup import resolve
from ..pipeline import Job, Result, chunked, take_results
from ..progress import CLEANING, INDEXING, Progress
from ..readers import Source
from ..report import Summary
from . import shards, steps
from .shards import BLOCK, DRIVER

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
            ray.init(num_cpus=workers, include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)
    context = ray.data.DataContext.get_current()
    saved = (context.execution_options.preserve_order, context.enable_progress_bars, context.shuffle_strategy)
    context.execution_options.preserve_order = True   # blocks leave each step in the order they came
    context.enable_progress_bars = False
    # sort-based shuffles run as tasks; hash shuffles start aggregator actors, which on a small
    # cluster wait for CPUs the pass-1 actors still hold
    context.shuffle_strategy = ray.data.context.ShuffleStrategy.SORT_SHUFFLE_PULL_BASED
    try:
        yield
    finally:
        (context.execution_options.preserve_order, context.enable_progress_bars, context.shuffle_strategy) = saved
        if started:
            ray.shutdown()


class Blocks(list[Any]):
    """Object refs of the documents' blocks, in input order, and the input's size in bytes."""

    size = 0


def put_blocks(sources: Iterator[Source]) -> Blocks:
    """The documents in the object store, BLOCK at a time: (number, pickled source) tables."""
    import pyarrow as pa
    import ray

    refs = Blocks()
    for chunk in chunked(enumerate(sources), BLOCK):
        refs.size += sum(_size(source) for _, source in chunk)
        refs.append(ray.put(pa.table({"number": pa.array([n for n, _ in chunk], pa.int64()),
                                      "source": pa.array([pickle.dumps(s, protocol=5) for _, s in chunk],
                                                         pa.binary())})))
    return refs


def _size(source: Source) -> int:
    """About how many bytes a document is (to size partitions before any is read)."""
    if source.path is not None:
        try:
            return int(source.path.stat().st_size)
        except OSError:
            return 0
    if source.record is not None:
        return sum(len(value) for value in source.record.values() if isinstance(value, (str, bytes)))
    if source.payload is not None:
        return len(source.payload.content)
    return 0


def run_corpus(sources: Callable[[], Iterator[Source]], job: Job, write: Callable[[Result], None],
               summary: Summary, workers: int, progress: Progress | None = None, *,
               address: str | None = None, partitions: int | None = None) -> float:
    """`pipeline.run_corpus` on Ray: the same arguments, the same results in the same order."""
    started = time.perf_counter()
    progress = progress or Progress()
    try:
        with cluster(address, workers):
            blocks = put_blocks(sources())
            if any(stage.needs_corpus for stage in job.stages):
                progress.start(INDEXING)   # Ray Data runs it as a few whole steps: no counts in between
            cleaned = processed(blocks, job, workers, partitions)
            progress.start(CLEANING)
            take_results(results(cleaned), job, write, summary, progress)
    finally:
        progress.finish()
    return time.perf_counter() - started


def results(cleaned: Any) -> Iterator[Result]:
    """Each document's Result, in input order, from the Dataset `processed` gives."""
    expected, waiting = 0, dict[int, bytes]()
    for batch in cleaned.iter_batches(batch_size=None, batch_format="numpy"):
        # blocks leave the shuffle in block order; should one ever come early, it waits here
        waiting.update(zip(batch["number"].tolist(), batch["result"].tolist()))
        while expected in waiting:
            yield pickle.loads(waiting.pop(expected))
            expected += 1
    if waiting:
        raise RuntimeError(f"the Ray job lost documents {expected}..{min(waiting) - 1}")


def processed(blocks: list[Any], job: Job, workers: int, partitions: int | None = None) -> Any:
    """The Dataset of pass 2: rows (number, pickled Result), in input order."""
    import ray
    from ray import cloudpickle

    if not blocks:
        return ray.data.from_items([]).map_batches(lambda b: {"number": [], "result": []})
    documents = ray.data.from_arrow_refs(blocks)
    packed: bytes = cloudpickle.dumps(job)  # type: ignore[no-untyped-call]  # cloudpickle: a stage may be defined where workers cannot import it
    pool = ray.data.ActorPoolStrategy(size=workers)
    if not any(stage.needs_corpus for stage in job.stages):
        return documents.map_batches(steps.ProcessAlone, fn_constructor_args=(packed, blocks, {"recurrence": None, "failures": {}}),
                                     batch_size=None, batch_format="numpy", compute=pool)
    size = blocks.size if isinstance(blocks, Blocks) else len(blocks) * BLOCK * 5_000
    partitions = partitions or max(2 * workers, math.ceil(size / BYTES_PER_PARTITION))
    observed = documents.map_batches(steps.Observe, fn_constructor_args=(packed, partitions), batch_size=None,
                                     batch_format="numpy", compute=pool).materialize()
    index = Index(observed, job, partitions)
    shared = ray.put(index.shared())
    for_blocks = _kinds(observed, "lines").union(index.decisions) if index.decisions is not None \
        else _kinds(observed, "lines")
    # gathered (a task per partition) and materialized before the pass-2 actors start: actors
    # started while the shuffle still needs CPUs would hold them, and a small cluster would wait
    # for ever
    # one row (a block of documents) per Ray block, so that every actor gets work
    gathered = (for_blocks.groupby("part", num_partitions=partitions)
                .map_groups(steps.gather, batch_format="numpy")
                .repartition(target_num_rows_per_block=1).materialize())
    return gathered.map_batches(steps.Process, fn_constructor_args=(packed, blocks, shared), batch_size=1,
                                batch_format="numpy", compute=pool)


def _kinds(ds: Any, *kinds: str) -> Any:
    from ray.data.expressions import col

    return ds.filter(expr=col("kind").is_in(list(kinds)))


def _driver_pieces(ds: Any, kind: str) -> list[bytes]:
    """The blobs of one kind sent to the driver (small: per-page sums, common lines)."""
    return [row["blob"] for row in _kinds(ds, kind).iter_rows()]


class Index:
    """The corpus pass's reductions, run as Ray Data shuffles (see the module's picture)."""

    def __init__(self, observed: Any, job: Job, partitions: int):
        self.observed, self.job, self.partitions = observed, job, partitions
        self.dedup, self.classifier = steps._stages(job)
        self.decisions: Any = None
        pages = [pickle.loads(blob) for blob in _driver_pieces(observed, "page")]
        self.page_count = max((int(p["dedup_numbers"][-1]) + 1 for p in pages if len(p["dedup_numbers"])), default=0)
        self.absorbed = sum(len(p["dedup_numbers"]) for p in pages)
        self.classifier_pages = sum(p["classifier_pages"] for p in pages)
        self.failures = {number: message for p in pages for number, message in p["failures"].items()}
        self._names(pages)
        self.recurrence = self._recurrence() if self.classifier is not None else None
        if self.dedup is not None:
            self._dedup()

    def _names(self, pages: list[dict[str, Any]]) -> None:
        """Page names by number, as the local index keeps them (empty for pages not observed)."""
        numbers = np.concatenate([p["dedup_numbers"] for p in pages]) if pages else np.zeros(0, np.int64)
        names = [name for p in pages for name in p["names"]]
        order = np.argsort(numbers, kind="stable")
        lengths = np.zeros(self.page_count, dtype=np.int64)
        encoded = [names[i].encode("utf-8", "surrogatepass") for i in order.tolist()]
        lengths[numbers[order]] = [len(e) for e in encoded]
        self.names, self.name_end = b"".join(encoded), np.cumsum(lengths).astype(np.uint64)

    def _recurrence(self) -> Any:
        from ..classifier.recurrence import Recurrence

        stage = self.classifier
        stage.recurrence = Recurrence.frozen(np.zeros(0, np.uint64), np.zeros(0, np.uint32), self.classifier_pages)
        self.min_pages = stage._min_pages()  # the classifier's own rule for "common"
        common = self._reduce(_kinds(self.observed, "rec"), steps.first_occurrences, self.partitions, None,
                              self.min_pages)
        found = [pickle.loads(b) for b in _driver_pieces(common, "common")]
        hashes = np.concatenate([f["hash"] for f in found]) if found else np.zeros(0, np.uint64)
        counts = np.concatenate([f["count"] for f in found]) if found else np.zeros(0, np.int64)
        order = np.argsort(hashes)
        return Recurrence.frozen(hashes[order], counts[order], self.classifier_pages)

    def _reduce(self, ds: Any, fn: Callable[..., Any], *args: Any) -> Any:
        return ds.groupby("part", num_partitions=self.partitions).map_groups(
            fn, fn_args=args, batch_format="numpy").materialize()

    def _groups(self, excluded: np.ndarray | None) -> Any:
        """The long lines' groups and page firsts (pieces "grp2" and "shares")."""
        config = self.dedup.config
        long = _kinds(self.observed, "long")
        parts = self.partitions
        bands = self._reduce(long, steps.first_occurrences, parts, excluded, 0)
        found = self._reduce(_kinds(bands, "band"), steps.earliest, parts, config.jaccard_threshold,
                             config.verify_bits)
        groups = self._reduce(_kinds(found, "found").union(long), steps.assign_groups, parts, excluded)
        return self._reduce(_kinds(groups, "grp"), steps.page_firsts, parts)

    def _dedup(self) -> None:
        config = self.dedup.config
        pages = self.page_count
        firsts = self._groups(None)
        content = np.zeros(pages, dtype=np.float64)
        p_parts, q_parts, shared_parts = [], [], []
        for blob in _driver_pieces(firsts, "shares"):
            piece = pickle.loads(blob)
            np.add.at(content, piece["docs"], piece["content"])
            p_parts.append(piece["p"])
            q_parts.append(piece["q"])
            shared_parts.append(piece["shared"])
        p = np.concatenate(p_parts) if p_parts else np.zeros(0, np.int64)
        q = np.concatenate(q_parts) if q_parts else np.zeros(0, np.int64)
        pairs, inverse = np.unique((p.astype(np.uint64) << resolve.LINE_BITS) | q.astype(np.uint64),
                                   return_inverse=True)
        shared = np.bincount(inverse.reshape(-1), weights=np.concatenate(shared_parts) if shared_parts else None,
                             minlength=len(pairs))
        p, q = resolve.doc_of(pairs), resolve.line_of(pairs)
        dup_p, dup_q, score = resolve.page_duplicates(p, q, shared, content[p], content[q], config.page_threshold)
        self.dup_of = np.full(pages, -1, dtype=np.int32)
        self.similarity = np.zeros(pages, dtype=np.float64)
        self.dup_of[dup_p], self.similarity[dup_p] = dup_q, score
        duplicate = self.dup_of >= 0
        if config.drop_duplicate_pages and duplicate.any():
            firsts = self._groups(duplicate)   # dropped pages are nobody's kept copy
        self.template_min = max(config.template_min_pages,
                                math.ceil(config.template_min_share * self.absorbed - 1e-9))
        decided = self._reduce(_kinds(firsts, "grp2").union(_kinds(self.observed, "short")), steps.decide,
                               duplicate, self.template_min, config.template_min_pages)
        template = [pickle.loads(b) for b in _driver_pieces(decided, "template")]
        keys = np.concatenate([t["key"] for t in template]) if template else np.zeros(0, np.uint64)
        counts = np.concatenate([t["pages"] for t in template]) if template else np.zeros(0, np.int64)
        order = np.argsort(keys)
        self.template_keys, self.template_pages = keys[order], counts[order]
        self.decisions = _kinds(decided, "dec")

    def shared(self) -> dict[str, Any]:
        """What every pass-2 worker reads: per-page numbers and the common lines."""
        shared: dict[str, Any] = {"recurrence": self.recurrence, "failures": self.failures}
        if self.dedup is not None:
            shared.update(pages=self.page_count, absorbed=self.absorbed, names=self.names, name_end=self.name_end,
                          template_min=self.template_min, template_keys=self.template_keys,
                          template_pages=self.template_pages, dup_of=self.dup_of, similarity=self.similarity)
        return shared
