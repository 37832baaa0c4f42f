"""Run stages over a corpus: load → (corpus pass) → stages → apply → write, in input order.

Data flows one way. Workers load and process one document each and hand back its clean text
and report; the parent only writes and adds up, in input order, so the output is the same
whatever the number of workers. Documents are streamed through a bounded window of tasks
(`ordered_map`): memory holds the stages' corpus state and the window, never the corpus.
"""
from __future__ import annotations

import multiprocessing
import signal
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
from .model import Document, Removal
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


def load_document(source: Source, max_bytes: int) -> tuple[Document, Payload]:
    """The encoding-fixed document, from raw input or from an earlier stage's output + report."""
    payload = read_source(source, max_bytes)
    source_info: dict[str, Any] = {"kind": payload.kind}
    if source.relpath is not None:
        source_info["path"] = source.relpath
    source_info["bytes"] = len(payload.content.encode("utf-8")) if isinstance(payload.content, str) else len(payload.content)
    prior = payload.prior_report
    if prior is not None:
        meta = {key: prior[key] for key in ("encoding", "stages", "language", "extractor") if key in prior}
        meta["source"] = prior.get("source", source_info)
        try:
            clean = payload.content.decode("utf-8") if isinstance(payload.content, bytes) else payload.content
            removals = [Removal.from_json(row) for row in prior["removals"]]
            text = rebuild(clean, removals)
            return Document(source.name, text, meta, without_layout(removals)), payload
        except (ValueError, KeyError, TypeError, IndexError) as err:  # UnicodeDecodeError is a ValueError
            raise InputError(f"its report does not match its text ({err}); was either edited?") from None
    meta: dict[str, Any] = {"source": source_info, "stages": ["fix"]}
    content = payload.content
    if payload.kind == "html":
        from .extract import extract_html

        content, meta["extractor"] = extract_html(content)
    text, meta["encoding"] = fix(content)
    if payload.kind == "html":
        # the bytes were decoded by the extractor; the fix stage only saw its text
        meta["encoding"].update(meta["extractor"]["decoded"])
    return Document(source.name, text, meta), payload


def observe_chunk(job: Job, chunk: list[tuple[int, Source]]) -> tuple[list[int], list[Sequence[Any] | None]]:
    """Load consecutive documents and observe them together: the numbers of those that
    loaded, and per stage their observations in that order (None for a stage with no corpus
    pass). A document that fails to load is left out: pass 2 reports the same error."""
    numbers, docs = [], []
    for number, source in chunk:
        try:
            doc, _ = load_document(source, job.max_bytes)
        except InputError:
            continue
        numbers.append(number)
        docs.append(doc)
    if not docs:
        return numbers, []
    return numbers, [stage.observe_batch(docs) if stage.needs_corpus else None for stage in job.stages]


def process_one(job: Job, source: Source, number: int | None = None) -> Result:
    try:
        doc, payload = load_document(source, job.max_bytes)
    except InputError as err:
        return _failed(source, str(err))
    if number is not None:
        doc.meta["number"] = number  # its place in the input: how corpus stages find what pass 1 saw
    for step in job.steps:
        if step not in doc.meta["stages"]:
            doc.meta["stages"].append(step)
    try:
        for stage in job.stages:
            stage.process(doc)
            if doc.meta.get("dropped"):
                break
    except InputError as err:
        return _failed(source, str(err))
    except Exception as err:  # a bug, not bad input: this document fails by name, the run goes on
        where = traceback.extract_tb(err.__traceback__)[-1]
        return _failed(source, f"internal error in stage {stage.name}: {type(err).__name__}: {err} "
                               f"(at {Path(where.filename).name}:{where.lineno}); please report it")
    if doc.meta.get("dropped"):
        apply(doc)
        report = document_report(doc, None, status="dropped", dropped=doc.meta["dropped"])
        return Result(source.name, report, None, payload.extra)
    clean = apply(doc)
    return Result(source.name, document_report(doc, clean), clean, payload.extra)


def _failed(source: Source, message: str) -> Result:
    info = {"path": source.relpath} if source.relpath is not None else {}
    listed = source.record is not None and "id" in source.record or source.path is not None
    return Result(source.name, failure_report(source.name, message, info), None,
                  {k: v for k, v in (source.record or {}).items() if k not in ("text", "html", "report")},
                  listed=listed)


# -- the driver ------------------------------------------------------------------------------

_JOB: Job | None = None  # set in the parent before the pool forks; read by workers


def _observe(chunk: list[tuple[int, Source]]) -> tuple[list[int], list[Sequence[Any] | None]]:
    assert _JOB is not None
    return observe_chunk(_JOB, chunk)


def _process(numbered: tuple[int, Source]) -> Result:
    assert _JOB is not None
    number, source = numbered
    result = process_one(_JOB, source, number)
    if _JOB.worker_sink is None:
        return result
    _JOB.worker_sink.write(result)
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
               summary: Summary, workers: int, progress: Callable[[int], None] = lambda n: None) -> float:
    """Both passes over the corpus. Returns the seconds taken."""
    global _JOB
    started = time.perf_counter()
    _JOB = job
    try:
        corpus_stages = [(i, s) for i, s in enumerate(job.stages) if s.needs_corpus]
        if corpus_stages:
            chunks = chunked(enumerate(sources()), OBSERVE_CHUNK)
            for numbers, observations in ordered_map(_observe, chunks, workers, per_task=1):
                if numbers:
                    for i, stage in corpus_stages:
                        stage.absorb_batch(numbers, observations[i])
            for _, stage in corpus_stages:
                stage.prepare()
        for stage in job.stages:
            if not stage.needs_corpus:
                stage.prepare()  # load once here what every forked worker then shares
        for result in ordered_map(_process, enumerate(sources()), workers):
            write(result)
            summary.add(result.report)
            progress(1)
    finally:
        _JOB = None
    return time.perf_counter() - started
