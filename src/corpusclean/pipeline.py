"""Run stages over a corpus: load → (corpus pass) → stages → apply → write, in input order.

Data flows one way. Workers load and process one document each and hand back its clean text
and report; the parent only writes and adds up, in input order, so the output is the same
whatever the number of workers. Documents are streamed through a bounded window of tasks
(`ordered_map`): memory holds the stages' corpus state and the window, never the corpus.

Each document is read, decoded, extracted (HTML) and fixed once. When a stage needs the
corpus, pass 1 loads every document anyway; each worker then spills the loaded chunk (the
fixed text and its metadata, or the reason it failed) to a file of a temporary folder beside
the output, and pass 2 takes the chunk from there instead of loading it again: a file read and
an unpickle instead of a second decoding, ftfy and trafilatura (`SpilledChunk`). Disk holds
the fixed corpus until pass 2 has consumed it, file by file; memory holds the window.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
import time
import traceback
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from .encoding import fix
from .errors import InputError
from .layout import apply, rebuild, without_layout
from .model import Document, DocumentMeta, Removal
from .progress import CLEANING, INDEXING, Progress
from .report import Summary, document_report, failure_report
from .readers import Payload, Source, read_source
from .stages.base import Stage

#: documents a worker takes in one task in the removal pass: a task costs the parent about
#: 0.15 ms of handling (submitting, reading the result), which on a 2-core machine comes out
#: of the workers' time; the dedup stage alone spends about 0.07 ms on a document
DOCUMENTS_PER_TASK = 32
#: documents a worker observes in one call in the corpus pass (`Stage.observe_batch`): a stage
#: that vectorises over many documents pays its per-call cost once a chunk, and hands back
#: one message per chunk, not one per document
OBSERVE_CHUNK = 64
#: tasks queued per worker beyond the one the parent is waiting for. The parent digests
#: results in bursts (the dedup index settles 32k lines at once, 50-100 ms) and the workers
#: must not run dry meanwhile: 8 chunks of 64 documents are about that much fingerprinting.
#: Memory in flight stays bounded: workers x this x a task's documents.
TASKS_IN_FLIGHT = 8


@dataclass
class Result:
    name: str
    report: dict[str, Any]
    clean: str | None = None                 # None when the document failed or was dropped
    extra: dict[str, Any] = field(default_factory=dict)  # JSONL fields passed through
    listed: bool = True                      # False for a JSONL line with no usable id


@dataclass
class Job:
    """What every worker needs: the stages (prepared) and the input limits."""

    stages: list[Stage]
    steps: list[str]
    max_bytes: int
    #: a writer each worker writes its own results to (a folder of files, where the order of
    #: writing changes nothing), so the parent only adds up; None when the parent must write
    #: in input order (JSONL)
    worker_sink: Any = None
    #: where the run may make its temporary folder of pass-1 spill files (the output's own
    #: folder, so they land on the disk that must hold the output anyway); None: the system's
    #: temporary folder
    spill_parent: Path | None = None
    #: set by run_corpus: the temporary folder of this run's spill files
    spill_dir: Path | None = None


def load_document(source: Source, max_bytes: int) -> tuple[Document, Payload]:
    """The encoding-fixed document, from raw input or from an earlier stage's output + report."""
    payload = read_source(source, max_bytes)
    return build_document(source.name, payload, source.relpath), payload


def build_document(name: str, payload: Payload, relpath: str | None = None) -> Document:
    """A read document, encoding-fixed (HTML: extracted first), or rebuilt from an earlier
    command's clean text and report. Raises InputError with a message for the user."""
    source_info: dict[str, Any] = {"kind": payload.kind}
    if relpath is not None:
        source_info["path"] = relpath
    source_info["bytes"] = len(payload.content.encode("utf-8")) if isinstance(payload.content, str) else len(payload.content)
    prior = payload.prior_report
    if prior is not None:
        meta = DocumentMeta(source=prior.get("source", source_info), stages=list(prior.get("stages", [])),
                            encoding=prior.get("encoding", {}), language=prior.get("language"),
                            extractor=prior.get("extractor"))
        try:
            clean = payload.content.decode("utf-8") if isinstance(payload.content, bytes) else payload.content
            removals = [Removal.from_json(row) for row in prior["removals"]]
            text = rebuild(clean, removals)
            return Document(name, text, meta, without_layout(removals))
        except (ValueError, KeyError, TypeError, IndexError) as err:  # UnicodeDecodeError is a ValueError
            raise InputError(f"its report does not match its text ({err}); was either edited?") from None
    meta = DocumentMeta(source=source_info, stages=["fix"])
    content = payload.content
    if payload.kind == "html":
        from .extract import extract_html

        content, meta.extractor = extract_html(content)
    text, meta.encoding = fix(content)
    if meta.extractor is not None:
        # the bytes were decoded by the extractor; the fix stage only saw its text
        meta.encoding.update(meta.extractor["decoded"])
    return Document(name, text, meta)


@dataclass
class Loaded:
    """One document as pass 1 loaded it, kept for pass 2: the encoding-fixed document's parts
    (its text, metadata and any removals an earlier command made), or the failed Result."""

    number: int
    source: Source                          # without the record's text: for naming failures
    name: str = ""
    text: str = ""
    meta: DocumentMeta | None = None
    removals: list[Removal] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    failed: Result | None = None

    @classmethod
    def load(cls, number: int, source: Source, max_bytes: int) -> tuple["Loaded", Document | None]:
        light = source if source.record is None else Source(
            source.name, source.path, source.relpath,
            {k: v for k, v in source.record.items() if k not in ("text", "html", "report")}, source.error)
        try:
            doc, payload = load_document(source, max_bytes)
        except InputError as err:
            return cls(number, light, failed=_failed(source, str(err))), None
        return cls(number, light, doc.name, doc.text, doc.meta, list(doc.removals), payload.extra), doc

    def document(self) -> Document:
        """The document as `load_document` built it (the same text, metadata, removals)."""
        return Document(self.name, self.text, self.meta, self.removals)


def observe_chunk(job: Job, chunk: list[tuple[int, Source]], index: int = 0) -> tuple[list[int], list[Sequence[Any] | None]]:
    """Load consecutive documents and observe them together: the numbers of those that
    loaded, and per stage their observations in that order (None for a stage with no corpus
    pass). A document that fails to load is left out. With a spill folder, the loaded chunk
    (failures too) is kept there as chunk `index` for pass 2 (`process_chunk`)."""
    numbers, docs, kept = [], [], []
    for number, source in chunk:
        loaded, doc = Loaded.load(number, source, job.max_bytes)
        kept.append(loaded)
        if doc is not None:
            numbers.append(number)
            docs.append(doc)
    if job.spill_dir is not None:
        # pickled before observing: a stage's observe must not change a document, and what
        # pass 2 reads must be exactly what loading gives
        spill = job.spill_dir / f"{index:09d}.pickle"
        with open(spill, "wb") as handle:
            pickle.dump(kept, handle, protocol=pickle.HIGHEST_PROTOCOL)
    if not docs:
        return numbers, []
    return numbers, [stage.observe_batch(docs) if stage.needs_corpus else None for stage in job.stages]


def process_chunk(job: Job, index: int) -> list[Result]:
    """Pass 2 over chunk `index` as pass 1 spilled it: each document cleaned without being
    read, decoded, extracted or fixed again. The spill file is deleted once read."""
    assert job.spill_dir is not None
    spill = job.spill_dir / f"{index:09d}.pickle"
    with open(spill, "rb") as handle:
        kept: list[Loaded] = pickle.load(handle)
    os.unlink(spill)
    results = []
    for loaded in kept:
        if loaded.failed is not None:
            results.append(loaded.failed)
            continue
        results.append(_clean(job, loaded.source, loaded.document(), loaded.extra, loaded.number))
    return results


def process_one(job: Job, source: Source, number: int | None = None) -> Result:
    try:
        doc, payload = load_document(source, job.max_bytes)
    except InputError as err:
        return _failed(source, str(err))
    return _clean(job, source, doc, payload.extra, number)


def _clean(job: Job, source: Source, doc: Document, extra: dict[str, Any], number: int | None) -> Result:
    doc.meta.number = number  # its place in the input: how corpus stages find what pass 1 saw
    try:
        clean, report = clean_document(doc, job.stages, job.steps)
    except InputError as err:
        return _failed(source, str(err))
    return Result(source.name, report, clean, extra)


def clean_document(doc: Document, stages: Sequence[Stage], steps: Sequence[str]) -> tuple[str | None, dict[str, Any]]:
    """Run the stages on a loaded document and cut their removals out: (clean text, report),
    the text None when a stage dropped the page. A stage's bug is an InputError naming the
    stage: this document fails, the run goes on."""
    for step in steps:
        if step not in doc.meta.stages:
            doc.meta.stages.append(step)
    try:
        for stage in stages:
            stage.process(doc)
            if doc.meta.dropped:
                break
    except InputError:
        raise
    except Exception as err:  # a bug, not bad input: this document fails by name, the run goes on
        where = traceback.extract_tb(err.__traceback__)[-1]
        raise InputError(f"internal error in stage {stage.name}: {type(err).__name__}: {err} "
                         f"(at {Path(where.filename).name}:{where.lineno}); please report it") from None
    if doc.meta.dropped:
        apply(doc)
        return None, document_report(doc, None, status="dropped", dropped=doc.meta.dropped)
    clean = apply(doc)
    return clean, document_report(doc, clean)


def _failed(source: Source, message: str) -> Result:
    info = {"path": source.relpath} if source.relpath is not None else {}
    listed = source.record is not None and "id" in source.record or source.path is not None
    return Result(source.name, failure_report(source.name, message, info), None,
                  {k: v for k, v in (source.record or {}).items() if k not in ("text", "html", "report")},
                  listed=listed)


# -- the driver ------------------------------------------------------------------------------

_JOB: Job | None = None  # set in the parent before the pool forks; read by workers


def _observe(indexed: tuple[int, list[tuple[int, Source]]]) -> tuple[list[int], list[Sequence[Any] | None]]:
    assert _JOB is not None
    index, chunk = indexed
    return observe_chunk(_JOB, chunk, index)


def _process(numbered: tuple[int, Source]) -> Result:
    assert _JOB is not None
    number, source = numbered
    return _hand_back(_JOB, process_one(_JOB, source, number))


def _process_chunk(index: int) -> list[Result]:
    assert _JOB is not None
    return [_hand_back(_JOB, result) for result in process_chunk(_JOB, index)]


def _hand_back(job: Job, result: Result) -> Result:
    """What the parent gets: the result, or when the worker writes it, only the summary's fields."""
    if job.worker_sink is None:
        return result
    job.worker_sink.write(result)
    return Result(result.name, Summary.fields(result.report), None, {}, result.listed)


def ordered_map(fn: Callable[[Any], Any], items: Iterable[Any], workers: int,
                per_task: int = DOCUMENTS_PER_TASK, in_flight: int = TASKS_IN_FLIGHT) -> Iterator[Any]:
    """fn over items, results in input order, on `workers` forked processes.

    Items go out in tasks of `per_task`, and at most `in_flight` tasks per worker are out at
    once: a sliding window, refilled as each result is taken, so the workers never wait for
    the slowest task of a batch or for the caller digesting a burst of results, and memory
    holds the window, never the input.

    Why not `multiprocessing.Pool`: its worker-handler thread wakes on every result waiting
    in the result pipe without reading it, and spins until the result thread does; with the
    parent busy (the dedup index build), that spinning took about 0.5 s of CPU per 100 MB
    (measured per thread), on a machine where the parent shares the cores with the workers.
    `ProcessPoolExecutor`'s manager thread reads each result when it wakes."""
    if workers <= 1:
        yield from map(fn, items)
        return
    window = workers * in_flight
    pending: deque[Future[list[Any]]] = deque()
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_leave_interrupts_to_parent)
    try:
        for task in chunked(items, per_task):
            if len(pending) >= window:
                yield from pending.popleft().result()
            pending.append(pool.submit(_map_task, fn, task))
        while pending:
            yield from pending.popleft().result()
    finally:
        # on an early exit (an error, Ctrl-C, the caller stopping), tasks not yet started are
        # dropped and the running ones finish: their outputs are whole or not there at all
        pool.shutdown(wait=True, cancel_futures=True)


def _leave_interrupts_to_parent() -> None:
    """In each worker: Ctrl-C reaches the whole process group, and a worker interrupted
    between tasks would break the pool, which then kills the others mid-write (leaving their
    temporary files). The parent alone takes the interrupt and shuts the pool down."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _map_task(fn: Callable[[Any], Any], task: list[Any]) -> list[Any]:
    return [fn(item) for item in task]


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive items in lists of `size` (the last one shorter)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def run_corpus(sources: Callable[[], Iterator[Source]], job: Job, write: Callable[[Result], None],
               summary: Summary, workers: int, progress: Progress | None = None) -> float:
    """Both passes over the corpus, telling `progress` how each goes. Returns the seconds taken."""
    global _JOB
    started = time.perf_counter()
    progress = progress or Progress()
    _JOB = job
    try:
        corpus_stages = [(i, s) for i, s in enumerate(job.stages) if s.needs_corpus]
        results: Iterable[Result]
        if corpus_stages:
            job.spill_dir = Path(tempfile.mkdtemp(prefix=".corpusclean-spill-", dir=job.spill_parent))
            progress.start(INDEXING)
            sizes: deque[int] = deque()  # of the chunks out, in order: results come back in that order

            def sized(chunks: Iterator[list[tuple[int, Source]]]) -> Iterator[list[tuple[int, Source]]]:
                for chunk in chunks:
                    sizes.append(len(chunk))
                    yield chunk

            chunks = enumerate(sized(chunked(enumerate(sources()), OBSERVE_CHUNK)))
            spilled = 0
            for numbers, observations in ordered_map(_observe, chunks, workers, per_task=1):
                spilled += 1
                if numbers:
                    for i, stage in corpus_stages:
                        stage.absorb_batch(numbers, observations[i])
                progress.advance(sizes.popleft())
            for _, stage in corpus_stages:
                stage.prepare()
            progress.finish()
            results = (result for chunk in ordered_map(_process_chunk, range(spilled), workers, per_task=1)
                       for result in chunk)
        else:
            results = ordered_map(_process, enumerate(sources()), workers)
        for stage in job.stages:
            if not stage.needs_corpus:
                stage.prepare()  # load once here what every forked worker then shares
        progress.start(CLEANING)
        for result in results:
            write(result)
            summary.add(result.report)
            progress.advance(1)
    finally:
        progress.finish()
        _JOB = None
        if job.spill_dir is not None:
            shutil.rmtree(job.spill_dir, ignore_errors=True)
            job.spill_dir = None
    return time.perf_counter() - started
