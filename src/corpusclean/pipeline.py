"""Run stages over a corpus: load → (corpus pass) → stages → apply → write, in input order.

Data flows one way. Workers load and process documents, a batch of consecutive ones at a time
(each stage over the whole batch before the next stage: `process_batch`), and hand back each
one's clean text and report; the parent only writes and adds up, in input order, so the output
is the same whatever the number of workers. Documents are streamed through a bounded window of tasks
(`ordered_map`): memory holds the stages' corpus state and the window, never the corpus.

Each document is read, decoded, extracted (HTML) and fixed once. When a stage needs the
corpus, pass 1 loads every document anyway; each worker then spills what it loaded (the fixed
text and its metadata, or why it failed to load) to a file of a temporary folder beside the
output, one file per task of pass 2 (`spill`), and pass 2 takes each document from there instead of loading it
again: a file read and an unpickle instead of a second decoding, ftfy and trafilatura
(`Loaded`). Disk holds the fixed corpus until pass 2 has consumed it, file by file; memory
holds the window. A document pass 2 finds no spill for (its chunk was retried, say) is
simply loaded again.
"""
from __future__ import annotations

import gc
import os
import pickle
import shutil
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence, overload

from .config import MAX_HTML_ELEMENTS
from .dataclass_code import dataclass_code
from .errors import OUT_ERRNOS, InputError, OutputError
from .layout import apply, rebuild, without_layout
from .model import Document, DocumentMeta, Removal
from .progress import CLEANING, INDEXING, Progress
from .report import Summary, Totals, document_report, failure_report
from .readers import Payload, Reader, RecordFields, Source, read_source
from .readers.base import as_reader, json_type
from .stages.base import Stage
from .workers import BrokenProcessPool, DocumentTimeout, Pool, chunked, memory_cap_lifted, ordered_map, time_budget
from .writers.claim import SPILL

__all__ = ["Job", "Result", "chunked", "load_document", "ordered_map", "process_one", "run_corpus"]

#: documents a worker takes in one task in the removal pass: a task costs the parent about
#: 0.15 ms of handling (submitting, reading the result), which on a 2-core machine comes out
#: of the workers' time; the dedup stage alone spends about 0.07 ms on a document
DOCUMENTS_PER_TASK = 32
#: documents cleaned together in the removal pass (`process_batch`): each stage runs over all
#: of them before the next stage starts, so that a stage's tables, memos and compiled patterns
#: are still in the CPU's caches when it comes to the next page, instead of having been pushed
#: out by the other stages' work on this one. Measured on the 20 MB corpus with one worker, the
#: stages' CPU: 6.0-6.4 s one document at a time, 4.7-4.9 s in batches of 32 (the rules stage
#: 1.4-1.5 -> 1.0 s, what it takes scanning the same pages alone). A task's documents: one
#: spill file
CLEAN_BATCH = DOCUMENTS_PER_TASK
#: documents a batch of the removal pass takes at its end (the last CLEAN_BATCH a worker of
#: them): a worker that has finished waits for the others' last batches, half a batch on
#: average (about 60 ms of a 2-worker run on the 20 MB corpus); batches a quarter the size cut
#: that wait to a quarter. Such a batch reads a quarter of a spill file (`unspill`)
TAIL_BATCH = 8
#: documents a worker observes in one call in the corpus pass (`Stage.observe_batch`): a stage
#: that vectorises over many documents pays its per-call cost once a chunk, and hands back
#: one message per chunk, not one per document. A multiple of DOCUMENTS_PER_TASK: a chunk's
#: documents are spilled in files of that many (`spill`)
OBSERVE_CHUNK = 64
#: documents a chunk of pass 1 takes at its end (the last OBSERVE_CHUNK a worker of them,
#: from a multiple of it), with several workers: a worker that has finished waits for the
#: others' last chunks before one of them builds the corpus state, half a chunk on average;
#: half-size chunks halve that. A multiple of DOCUMENTS_PER_TASK: a chunk's documents are
#: spilled in files of that many (`spill`)
OBSERVE_TAIL = OBSERVE_CHUNK // 2
#: documents per worker from which the stages are warmed (Stage.warm) before the removal pass:
#: on fewer pages a worker builds less than all that warming builds (a one-page run would pay
#: the whole warming: about 0.1 CPU-s since the sixth round, 0.35 before)
WARM_FROM = OBSERVE_CHUNK
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
    shard: str | None = None                 # the record file it came from, in a folder of shards
    #: OUT could not be written (disk full...): the run stops here, after the results before it
    stop: str | None = None
    #: what the parent appends to OUT for it, made in the worker (Job.encoder); the report is
    #: then only what the summary needs (Summary.fields), and there is no text or extra
    encoded: Any = None
    #: its place in the input, set by the parent (`take_results`) for the writer: which gzip
    #: member its line goes in (writers.jsonl.MEMBER_DOCUMENTS)
    number: int | None = None


@dataclass
class Job:
    """What every worker needs: the stages (prepared) and the input limits."""

    stages: list[Stage]
    steps: list[str]
    max_bytes: int
    #: which record fields hold the text and the id
    fields: RecordFields = RecordFields()
    #: read HTML pages' metadata (title, author, date, url) for the output records
    page_metadata: bool = False
    #: a writer each worker writes its own results to (a folder of files, where the order of
    #: writing changes nothing), so the parent only adds up; None when the parent must write
    #: in input order (JSONL)
    worker_sink: Any = None
    #: when the parent writes in input order: turns a result into the bytes it appends to OUT,
    #: in the worker (writers.jsonl.RecordEncoder), so that the parent neither serialises the
    #: result nor receives its text and report as objects; None: the parent gets the result
    encoder: Any = None
    #: HTML pages with more elements are refused (config.MAX_HTML_ELEMENTS); None: no limit
    max_html_elements: int | None = MAX_HTML_ELEMENTS
    #: bytes of memory a worker process may add to what it was forked with (RLIMIT_AS): a
    #: document needing more fails with MemoryError; None: no limit. The main process (-w 1)
    #: is never limited
    max_memory: int | None = None
    #: seconds one document may take (loading, stages, report); None: no limit
    doc_timeout: float | None = None
    #: --resume: the report of a document whose output is already whole (then it is kept as
    #: it is), or None (then it is cleaned)
    kept: Callable[[str], dict[str, Any] | None] | None = None
    #: documents (by input number) that failed in the corpus pass and are not run again
    failures: dict[int, str] = field(default_factory=dict)
    #: where the run may make its temporary folder of pass-1 spill files (the output's own
    #: folder, so they land on the disk that must hold the output anyway); None: the system's
    #: temporary folder
    spill_parent: Path | None = None
    #: how that folder's name begins (writers.claim.SPILL, after a JSONL OUT's name): a run
    #: killed outright leaves it, and the next run into the same OUT knows it as its own
    spill_prefix: str = SPILL
    #: set by run_corpus while a corpus pass's spill exists: the folder of its files
    spill_dir: Path | None = None
    #: set by run_corpus when pass 1's workers go on to pass 2: the file where the worker that
    #: builds the corpus state leaves them what they need of pass 1 (`Handover`); a worker
    #: that has taken it sets its own copy to None
    handover: Path | None = None
    #: in a worker: its stages with no corpus pass have prepared (`_get_ready`), so taking
    #: the hand-over leaves them be
    prepared: bool = False
    #: in a worker, pass 2: the documents of the spill file it read last, not yet cleaned
    unspilled: dict[int, "Loaded"] = field(default_factory=dict)
    #: the first document of pass 2's tail, whose batches take part of a spill file each
    #: (TAIL_BATCH): from there on a file stays until the run ends, since several workers may
    #: read it; None: each file is deleted once read
    spill_kept_from: int | None = None
    #: when a set, the names of the documents written (--resume removes the others' output)
    seen: set[str] | None = None
    #: set by run_corpus, for its worker processes, when the input's sources by number are
    #: made before the workers fork (Reader.listing): then a task names its documents by
    #: number (`Span`)
    listing: Sequence[Source] | None = None


def load_document(source: Source, max_bytes: int, fields: RecordFields = RecordFields(),
                  page_metadata: bool = False,
                  max_html_elements: int | None = MAX_HTML_ELEMENTS) -> tuple[Document, Payload]:
    """The encoding-fixed document, from raw input or from an earlier stage's output + report."""
    source = source.parsed()
    payload = read_source(source, max_bytes, fields)
    return build_document(source.name, payload, source.relpath, page_metadata, max_html_elements), payload


def build_document(name: str, payload: Payload, relpath: str | None = None, page_metadata: bool = False,
                   max_html_elements: int | None = MAX_HTML_ELEMENTS) -> Document:
    """A read document, encoding-fixed (HTML: extracted first, with the page's metadata when
    `page_metadata`), or rebuilt from an earlier command's clean text and report. Raises
    InputError with a message for the user."""
    source_info: dict[str, Any] = {"kind": payload.kind}
    if relpath is not None:
        source_info["path"] = relpath
    utf8 = utf8_of(payload.content)
    source_info["bytes"] = len(utf8)
    source_info.update(payload.about)
    prior = payload.prior_report
    if prior is not None:
        check_prior_report(prior)
        meta = DocumentMeta(source=prior.get("source", source_info), stages=list(prior["stages"]),
                            encoding=prior.get("encoding", {}), language=prior.get("language"),
                            extractor=prior.get("extractor"))
        try:
            clean = payload.content.decode("utf-8") if isinstance(payload.content, bytes) else payload.content
            removals = [Removal.from_json(row) for row in prior["removals"]]
            text = rebuild(clean, removals)
            return Document(name, text, meta, without_layout(removals))
        except (ValueError, KeyError, TypeError, IndexError) as err:  # UnicodeDecodeError is a ValueError
            raise InputError(f"its report does not match its text ({err}); was either edited?") from None
    from .encoding import fix  # here, not with the module: only a process that loads documents needs ftfy

    meta = DocumentMeta(source=source_info, stages=["fix"])
    content = payload.content
    if payload.kind == "html":
        from .extract import extract_html

        content, meta.extractor = extract_html(content, charset=payload.charset, with_metadata=page_metadata,
                                               max_elements=max_html_elements)
        meta.page = meta.extractor.pop("metadata", {})  # for the output record, not the report
    # a record's text, measured in UTF-8 above: the fix stage searches those bytes too
    text, meta.encoding = fix(content, utf8 if content is payload.content else None)
    if meta.extractor is not None:
        # the bytes were decoded by the extractor; the fix stage only saw its text
        meta.encoding.update(meta.extractor["decoded"])
    return Document(name, text, meta)


def utf8_of(content: bytes | str) -> bytes:
    """The input's bytes; text (a JSONL record's) as UTF-8, which it must be able to become:
    JSON can escape a lone surrogate (`"\\ud800"`) that no UTF-8 output can hold."""
    if isinstance(content, bytes):
        return content
    try:
        return content.encode("utf-8")
    except UnicodeEncodeError as err:
        raise InputError(f"the text holds a lone surrogate (U+{ord(content[err.start]):04X} at character "
                         f"{err.start}), which is not text UTF-8 can hold") from None


#: what a run reads from an earlier stage's report, and the JSON type it must have
PRIOR_REPORT_FIELDS = {"stages": list, "removals": list, "encoding": dict, "language": dict,
                       "extractor": dict, "source": dict}


def check_prior_report(prior: dict[str, Any]) -> None:
    """An earlier stage's report holds what this run carries on, in the shape it wrote it."""
    for key, kind in PRIOR_REPORT_FIELDS.items():
        if key not in prior:
            if key in ("stages", "removals"):
                raise InputError(f"its report has no `{key}`; was it edited or written by another tool?")
            continue
        if not isinstance(prior[key], kind):
            raise InputError(f"its report's `{key}` is {_json_kind(prior[key])}, not "
                             f"{'an array' if kind is list else 'an object'}; was it edited?")
    if not all(isinstance(step, str) for step in prior["stages"]):
        raise InputError("its report's `stages` holds something other than stage names; was it edited?")


#: one stage's observations: the numbers of the documents it observed, and what it saw of each
StageObserved = tuple[list[int], Sequence[Any]]
#: a group of documents observed together: their numbers, and per stage its observations (None
#: for a stage with no corpus pass)
Observed = tuple[list[int], list[StageObserved | None]]


def _json_kind(value: Any) -> str:
    name = json_type(value)
    return name if name == "null" else ("an " if name[0] in "aeiou" else "a ") + name


def observe_chunk(job: Job, chunk: Sequence[tuple[int, Source]], failures: dict[int, str]) -> list[Observed]:
    """Load consecutive documents and observe them together (`observe_docs`). A document that
    fails to load is left out: pass 2 reports the same error.

    Anything else that fails a document here goes into `failures` (number: message), so that
    pass 2 reports it without running it again. When observing the chunk fails, each document
    is observed alone (one group each), and those that fail alone are left out."""
    numbers, docs, loaded = [], [], []
    for number, source in chunk:
        try:
            with time_budget(job.doc_timeout):
                doc, payload = load_document(source, job.max_bytes, job.fields, job.page_metadata,
                                             job.max_html_elements)
        except InputError as err:
            loaded.append(Loaded(number, error=str(err)))
            continue
        except (Exception, DocumentTimeout) as err:
            failures[number] = failure_message(err, "while reading it", job.doc_timeout)
            continue
        numbers.append(number)
        docs.append(doc)
        loaded.append(Loaded(number, doc.name, doc.text, doc.meta, list(doc.removals), payload.extra))
    if job.spill_dir is not None and chunk:
        # before observing: what pass 2 cleans is exactly what loading gave
        spill(job.spill_dir, chunk[0][0], loaded)
    if not docs:
        return []
    try:
        with time_budget(job.doc_timeout and job.doc_timeout * len(docs)):
            return [(numbers, observe_docs(job, numbers, docs))]
    except (Exception, DocumentTimeout):
        pass
    groups: list[Observed] = []
    for number, doc in zip(numbers, docs):
        where = ["in the corpus pass"]
        try:
            with time_budget(job.doc_timeout):
                observed = observe_docs(job, [number], [doc], where)
        except (Exception, DocumentTimeout) as err:
            failures[number] = failure_message(err, where[0], job.doc_timeout)
            continue
        groups.append(([number], observed))
    return groups


def observe_docs(job: Job, numbers: list[int], docs: list[Document],
                 where: list[str] | None = None) -> list[StageObserved | None]:
    """Per stage, the documents it observed and its observations of them, in order (None for a
    stage with no corpus pass). A document an earlier stage will drop (`Stage.screen`) is left
    out of the later stages' observations: a dropped page is nobody's kept copy and no evidence
    of template chrome, exactly as when the stages run one command at a time and the later
    command never sees it. `where[0]` names the stage at work, for a failure's message."""
    observed: list[StageObserved | None] = []
    for stage in job.stages:
        if where is not None:
            where[0] = f"in stage {stage.name} (corpus pass)"
        observed.append((numbers, stage.observe_batch(docs)) if stage.needs_corpus and docs else None)
        if stage.screens and docs:
            kept = [i for i, doc in enumerate(docs) if not stage.screen(doc)]
            numbers, docs = [numbers[i] for i in kept], [docs[i] for i in kept]
    return observed


@dataclass
class Loaded:
    """A document as pass 1 loaded it, for pass 2: the parts of the encoding-fixed Document
    (its text, metadata, and the removals an earlier command made), or why it failed to load."""

    number: int
    name: str = ""
    text: str = ""
    meta: DocumentMeta | None = None
    removals: list[Removal] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)   # JSONL fields passed through
    error: str | None = None                              # the InputError loading raised

    def document(self) -> Document:
        """The document as `load_document` built it."""
        if self.error is not None:
            raise InputError(self.error)
        return Document(self.name, self.text, self.meta, self.removals)


def spill(folder: Path, first: int, loaded: list[Loaded]) -> None:
    """Keep a chunk's loaded documents for pass 2: a file per DOCUMENTS_PER_TASK of them, named
    by the first number of its range (a multiple of DOCUMENTS_PER_TASK, or `first`, the chunk's
    own first number, when the chunk is one document run again alone). A task of pass 2 (that
    many documents from a multiple of it) then reads one file, and tasks half the size of
    pass 1's chunks let two workers end pass 2 closer together."""
    parts: dict[int, list[Loaded]] = {}
    for item in loaded:
        parts.setdefault(max(first, item.number - item.number % DOCUMENTS_PER_TASK), []).append(item)
    for start, part in parts.items():
        with open(folder / f"{start:012d}.pickle", "wb") as handle:
            pickle.dump(part, handle, protocol=pickle.HIGHEST_PROTOCOL)


def unspill(job: Job, number: int) -> Loaded | None:
    """Document `number` as pass 1 spilled it, or None. A file is read (and deleted) when pass
    2 first needs one of its documents; pass 2 gives a worker whole files' worth, except in its
    tail (Job.spill_kept_from), where a batch takes part of a file, which then stays for the
    other parts' workers. A chunk pass 1 ran again document by document (a worker died) has a
    file per document."""
    if number not in job.unspilled and job.spill_dir is not None:
        for first in (number - number % DOCUMENTS_PER_TASK, number):
            path = job.spill_dir / f"{first:012d}.pickle"
            try:
                with open(path, "rb") as handle:
                    kept: list[Loaded] = pickle.load(handle)
            except FileNotFoundError:
                continue
            if job.spill_kept_from is None or first < job.spill_kept_from:
                os.unlink(path)
            job.unspilled = {loaded.number: loaded for loaded in kept}
            if number in job.unspilled:
                break
    return job.unspilled.pop(number, None)


def process_one(job: Job, source: Source, number: int | None = None) -> Result:
    """Load, run the stages on and apply the removals of one document. Whatever goes wrong
    (bad input, a bug, a document over its time budget) becomes this document's failure."""
    return process_batch(job, [(number, source)])[0]


def process_batch(job: Job, batch: Sequence[tuple[int | None, Source]]) -> list[Result]:
    """`process_one` for each of consecutive documents (input number, source), each stage
    running over all of them before the next one starts (CLEAN_BATCH says why), after its
    warm-up for them (Stage.prepare_batch). Each document still fails alone, its time budget
    counts its own steps (a warm-up is none), and its result is what
    `process_one` gives it: a stage's answer for a page does not depend on what the stages did
    with other pages in between."""
    cleaning = [_Cleaning(job, source, number) for number, source in batch]
    for stage in job.stages:
        try:
            stage.prepare_batch([doc for doc in map(_Cleaning.live, cleaning) if doc is not None])
        except Exception as error:  # a warm-up only: each document's `process` meets the problem
            # again, and fails alone if it has it; said, so that a broken warm-up is noticed
            warnings.warn(f"stage {stage.name}: preparing a batch failed ({type(error).__name__}: {error}); "
                          "its documents are processed one by one", RuntimeWarning, stacklevel=1)
        for item in cleaning:
            item.run_stage(stage)
    return [item.finish() for item in cleaning]


class _Cleaning:
    """One document on its way through pass 2: loaded, then given to each stage, then its
    removals applied and its report made; or, from the step that failed it on, its failure.
    `left` is what remains of its time budget (--doc-timeout), spent step by step."""

    def __init__(self, job: Job, source: Source, number: int | None):
        self.job, self.source, self.number = job, source, number
        self.left = job.doc_timeout or None
        self.doc: Document | None = None
        self.extra: dict[str, Any] = {}
        self.result: Result | None = None
        if number is not None and number in job.failures:
            self.result = _failed(source, job.failures[number], job.fields)
        else:
            self._step(["while reading it"], self._load)

    def _load(self) -> None:
        job, number = self.job, self.number
        loaded = unspill(job, number) if number is not None else None
        if loaded is not None:
            doc, self.extra = loaded.document(), loaded.extra
        else:
            doc, payload = load_document(self.source, job.max_bytes, job.fields, job.page_metadata,
                                         job.max_html_elements)
            self.extra = payload.extra
        doc.meta.number = number  # its place in the input: how corpus stages find what pass 1 saw
        start_cleaning(doc, job.steps)
        self.doc = doc

    def live(self) -> Document | None:
        """The document while it goes through the stages: loaded, and not failed or dropped."""
        doc = self.doc
        return doc if self.result is None and doc is not None and not doc.meta.dropped else None

    def run_stage(self, stage: Stage) -> None:
        doc = self.live()
        if doc is not None:
            self._step([f"in stage {stage.name}"], stage.process, doc)

    def finish(self) -> Result:
        """Its result: the clean text and report, or its failure."""
        if self.result is None:
            where = ["while applying its removals"]
            self._step(where, self._finish, where)
        assert self.result is not None
        return self.result

    def _finish(self, where: list[str]) -> None:
        doc = self.doc
        assert doc is not None
        clean, report = finish_cleaning(doc, where)
        # the page's own metadata fills in what the record does not say (a WARC's url stays)
        extra = {**self.extra, **{k: v for k, v in doc.meta.page.items() if k not in self.extra}}
        self.result = Result(doc.name, report, clean, extra, shard=self.source.shard)

    def _step(self, where: list[str], step: Callable[..., None], *args: Any) -> None:
        """Run one step within what is left of the time budget; what goes wrong fails the
        document, saying where (`where[0]`, which the step may move on)."""
        started = time.perf_counter()
        try:
            if self.left is None:
                step(*args)
                return
            if self.left <= 0:
                raise DocumentTimeout
            with time_budget(self.left):
                step(*args)
        except InputError as err:
            self.result = _failed(self.source, str(err), self.job.fields)
        except (Exception, DocumentTimeout) as err:
            self.result = _failed(self.source, failure_message(err, where[0], self.job.doc_timeout), self.job.fields)
        finally:
            if self.left is not None:
                self.left -= time.perf_counter() - started


def clean_document(doc: Document, stages: Sequence[Stage], steps: Sequence[str]) -> tuple[str | None, dict[str, Any]]:
    """Run the stages on a loaded document and cut their removals out: (clean text, report),
    the text None when a stage dropped the page. Anything that goes wrong (a stage's bug)
    raises InputError naming the step and the exception: this document fails, the run goes
    on. (A run cleans its documents in batches, `process_batch`, with their time budgets.)"""
    start_cleaning(doc, steps)
    where = ["while cleaning it"]
    try:
        for stage in stages:
            where[0] = f"in stage {stage.name}"
            stage.process(doc)
            if doc.meta.dropped:
                break
        return finish_cleaning(doc, where)
    except InputError:
        raise
    except Exception as err:  # a bug, not bad input: this document fails by name, the run goes on
        raise InputError(failure_message(err, where[0])) from None


def start_cleaning(doc: Document, steps: Sequence[str]) -> None:
    """Record in the document the steps about to run on it (its report lists them)."""
    for step in steps:
        if step not in doc.meta.stages:
            doc.meta.stages.append(step)


def finish_cleaning(doc: Document, where: list[str]) -> tuple[str | None, dict[str, Any]]:
    """After the stages: the clean text (None for a page a stage dropped) and the report.
    `where[0]` says which of the two is being made."""
    where[0] = "while applying its removals"
    clean = apply(doc)
    where[0] = "while writing its report"
    if doc.meta.dropped:
        return None, document_report(doc, None, status="dropped", dropped=doc.meta.dropped)
    return clean, document_report(doc, clean)


def failure_message(err: BaseException, where: str, doc_timeout: float | None = None) -> str:
    """What the summary, the report and stderr say about an exception that is not the input's
    fault: where it happened, its type and message, and the line that raised it."""
    if isinstance(err, InputError):
        return str(err)
    if isinstance(err, DocumentTimeout):
        return (f"took longer than the --doc-timeout of {doc_timeout:g} s ({where.removeprefix('while ')}); "
                "raise the limit to clean it")
    if isinstance(err, MemoryError):
        return f"ran out of memory {where} (a worker process may take --max-memory-mb; raise it to clean this)"
    frames = traceback.extract_tb(err.__traceback__)
    at = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"internal error {where}: {type(err).__name__}: {err}{at}; please report it"


def _failed(source: Source, message: str, fields: RecordFields = RecordFields()) -> Result:
    """A document that failed: its report, and what its output record keeps (a record's other
    fields). A record with no usable id is not listed: it has no name to write under."""
    source = source.parsed()
    info = {"path": source.relpath} if source.relpath is not None else {}
    if source.payload is not None:
        info.update(source.payload.about)
        extra = dict(source.payload.extra)
    else:
        extra = {k: v for k, v in (source.record or {}).items() if k not in (fields.text, "html", "report")}
    listed = (source.record is not None and fields.id in source.record or source.path is not None
              or source.payload is not None)
    return Result(source.name, failure_report(source.name, message, info), None, extra,
                  listed=listed, shard=source.shard)


# -- the driver ------------------------------------------------------------------------------

_JOB: Job | None = None  # set in the parent before the pool forks; read by workers


#: a chunk's observations in groups (or, from a worker of a run on several, the name of the
#: spill folder's file that holds them: `_keep_observations`), the documents that failed
#: (number: message), its size
ObservedChunk = tuple[list[Observed] | str, dict[int, str], int]


class Span(Sequence[tuple[int, Source]]):
    """A task's consecutive documents, numbers `start` to `stop - 1`, as (number, Source) pairs
    taken from the run's listing (Job.listing). The workers forked after the listing was made
    hold it too, so a task crosses the pipe as two numbers instead of a Source a document:
    pickling those was about a tenth of the parent's coordinating in a 2-worker run of the 20
    MB bench corpus (a file's path, a JSONL line's place), and unpickling them as much again
    in the workers."""

    def __init__(self, start: int, stop: int):
        self.start, self.stop = start, stop

    def __reduce__(self) -> tuple[type[Span], tuple[int, int]]:
        return Span, (self.start, self.stop)

    def __len__(self) -> int:
        return self.stop - self.start

    @overload
    def __getitem__(self, i: int) -> tuple[int, Source]: ...
    @overload
    def __getitem__(self, i: slice) -> list[tuple[int, Source]]: ...
    def __getitem__(self, i: int | slice) -> tuple[int, Source] | list[tuple[int, Source]]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        number = self.start + i % len(self)
        assert _JOB is not None and _JOB.listing is not None
        return number, _JOB.listing[number]

    def __repr__(self) -> str:
        return f"Span({self.start}, {self.stop})"


def _tasks(listing: Sequence[Source] | None, numbered: Iterable[tuple[int, Source]], size: int,
           tail: tuple[int, int] | None = None) -> Iterator[Sequence[tuple[int, Source]]]:
    """The documents in tasks of `size` (`chunked`): Spans of the listing when there is one."""
    if listing is None:
        return chunked(numbered, size, tail)
    return (Span(numbers[0], numbers[-1] + 1) for numbers in chunked(range(len(listing)), size, tail))


def _tail(documents: int, workers: int, size: int, smaller: int) -> tuple[int, int]:
    """(first document, task size) of a pass's tail (`chunked`): the last `size` documents of
    each worker, from a multiple of `size`, go in tasks of `smaller`, so that the workers end
    the pass closer together."""
    return max(documents - workers * size, 0) // size * size, smaller


def _observe(chunk: Sequence[tuple[int, Source]]) -> ObservedChunk:
    assert _JOB is not None
    failures: dict[int, str] = {}
    groups = observe_chunk(_JOB, chunk, failures)
    if _JOB.handover is not None and groups:  # a worker of several: see _build_handover
        return _keep_observations(_JOB, chunk[0][0], groups), failures, len(chunk)
    return groups, failures, len(chunk)


def _keep_observations(job: Job, first: int, groups: list[Observed]) -> str:
    """In a worker of a run on several: a chunk's observations, kept in a file of the spill
    folder for the worker that builds the corpus state (`_build_handover`) instead of sent to
    the parent. Returns the file's name, which the parent collects in input order. Named by
    the chunk's first number: a chunk run again a document at a time (its worker died) writes
    a file per document, and one of them may take the name of the chunk's half-written file,
    which it then overwrites; a file whose result never reached the parent is never read."""
    assert job.spill_dir is not None
    name = f"observed-{first:012d}.pickle"
    with open(job.spill_dir / name, "wb") as handle:
        pickle.dump(groups, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return name


def absorb(corpus_stages: Sequence[tuple[int, Stage]], groups: list[Observed]) -> None:
    """The corpus stages (each with its place in Job.stages) absorb a chunk's observations."""
    for _, observations in groups:
        for i, stage in corpus_stages:
            observed = observations[i]
            if observed is not None:
                stage.absorb_batch(*observed)


def _process(batch: Sequence[tuple[int, Source]]) -> list[Result | Written]:
    assert _JOB is not None
    if _JOB.handover is not None:
        problem = _take_handover(_JOB)
        if problem is not None:  # every document fails, saying why; the run goes on and ends
            return gathered(_JOB, [_written_or_encoded(_failed(source, problem, _JOB.fields), _JOB)
                                   for _, source in batch], batch[0][0])
    return process_batch_for_parent(_JOB, batch)


#: the file of the spill folder that holds the Handover
HANDOVER = "handover.pickle"


@dataclass
class Handover:
    """What the workers of pass 1 need for pass 2, known only when pass 1 ends: written once
    into the spill folder by the worker that builds the corpus state (`_build_handover`; a few
    MB, pickled in milliseconds), read by each worker before its first document of pass 2
    (`_take_handover`)."""

    #: each corpus stage's finished state (`Stage.corpus_state`), by its place in Job.stages
    states: dict[int, Any]
    failures: dict[int, str]
    spill_kept_from: int | None


@dataclass
class CorpusPass:
    """What the parent knows when pass 1 of a run on several workers ends, for the worker that
    builds the corpus state (`_build_handover`)."""

    #: the spill folder's files of observations (`_keep_observations`), in input order
    observations: list[str]
    #: what else pass 2 needs; the builder fills in the states
    handover: Handover


def _hand_over(job: Job, handover: Handover) -> None:
    assert job.handover is not None
    with open(job.handover, "wb") as handle:
        pickle.dump(handover, handle, protocol=pickle.HIGHEST_PROTOCOL)


def _build_handover(corpus_pass: CorpusPass) -> None:
    """Between the passes of a run on several workers, in one of them: the corpus stages absorb
    every chunk's observations, in input order, and prepare; their states go into the handover
    with what else pass 2 needs. The parent only coordinates. (It used to absorb the
    observations as they came and prepare: with numpy, 0.13-0.16 CPU-s to import, and in all
    0.25-0.3 CPU-s of its own in a 2-worker run of the 20 MB bench corpus, where 5% of the
    run's CPU is 0.55. Here one worker builds while the others get ready for pass 2, which
    takes longer: `_hand_over_from_a_worker`.) The state is the run's, not a document's: the
    worker's --max-memory-mb cap is lifted meanwhile (the parent that built it before had
    none). The stages absorb in place: taking the handover (`_take_handover`) replaces their
    state with its copy."""
    job = _JOB
    assert job is not None and job.spill_dir is not None
    corpus_stages = [(i, stage) for i, stage in enumerate(job.stages) if stage.needs_corpus]
    with memory_cap_lifted():
        for name in corpus_pass.observations:
            with open(job.spill_dir / name, "rb") as handle:
                absorb(corpus_stages, pickle.load(handle))
        for _, stage in corpus_stages:
            stage.prepare()
        handover = corpus_pass.handover
        handover.states = {i: stage.corpus_state() for i, stage in corpus_stages}
        _hand_over(job, handover)


def _hand_over_from_a_worker(job: Job, pool: Pool, corpus_pass: CorpusPass) -> None:
    """`_build_handover` on the pool's next free worker, and every other worker told to get
    ready for pass 2 meanwhile (`_get_ready`, `Pool.when_idle`): they would otherwise only wait
    for the state, and getting ready takes longer than building it (language profiles, the
    page code each worker imports, the rules' gate: 0.2-0.3 s against about 0.1 on the 20 MB
    bench corpus), so the building is hidden behind it; the builder gets ready after it, while
    the others start pass 2 and take more of its batches. (Told earlier, when pass 1's last
    chunk was handed out, a worker with no chunk left got ready while the others observed
    theirs; but then the building waited for a worker to be ready, 0.05-0.2 s with both
    idle. Pass 1's last chunks are half size instead, `OBSERVE_TAIL`, to cut that wait.)
    Built here when that worker dies (killed for lack of memory, say: this process, which
    built the state before, may have the memory), and pass 2 gets a new pool. What the
    building raises stops the run, as it would here. The files of observations go once the
    state is built (about half the size of the text they describe: 9.5 MB for the 20 MB bench
    corpus), not as they are read: the building may have to start again here."""
    built = pool.submit(_build_handover, [corpus_pass])
    pool.when_idle(_get_ready)
    try:
        built.result()
    except BrokenProcessPool:
        pool.renew()
        _build_handover(corpus_pass)
    assert job.spill_dir is not None
    for name in corpus_pass.observations:
        try:
            os.unlink(job.spill_dir / name)
        except OSError:  # gone already: the folder goes at the end of the run anyway
            pass


def _take_handover(job: Job) -> str | None:
    """In a worker, before its first document of pass 2: the corpus stages take the corpus
    state, the others prepare (language profiles), all get ready (`Stage.get_ready`: the page
    code this worker imports, which the parent never does); then what this built is frozen out of the
    collector's walks, as the parent's is. Nothing is warmed (Stage.warm): no other process
    shares what a worker builds, so it builds what its own pages need, when they need it, as a
    1-worker run does (warming each worker of a 2-worker run of the 20 MB corpus cost it about
    0.1 CPU-s on its first batch and compiled 98 pattern cuts more than the run needed;
    bench_workers.py). Returns None, or what failed, for the documents' reports (each batch
    tries again)."""
    assert job.handover is not None
    where = "while reading what pass 1 left for pass 2"
    try:
        with open(job.handover, "rb") as handle:
            handover: Handover = pickle.load(handle)
        stages = list(job.stages)
        for position, state in handover.states.items():
            where = f"while giving stage {stages[position].name} the corpus state"
            stages[position] = stages[position].use_corpus_state(state)
        for stage in stages if not job.prepared else ():
            if not stage.needs_corpus:
                where = f"while preparing stage {stage.name}"
                stage.prepare()
    except Exception as err:
        return failure_message(err, f"{where} in a worker")
    _get_stages_ready(stages)
    job.stages, job.failures, job.spill_kept_from = stages, handover.failures, handover.spill_kept_from
    job.handover = None
    gc.freeze()  # what this worker built, as _collect_for_a_run says
    return None


def _get_ready() -> None:
    """In a worker, between the passes: prepare the stages with no corpus pass (the language
    profiles) and get every stage ready, which `_take_handover` would do in its first task of
    pass 2, while another worker builds the corpus state. Done once; what fails here is left
    for `_take_handover` to try again and report (`_hand_over_from_a_worker` says when this
    runs)."""
    assert _JOB is not None
    if _JOB.handover is None or _JOB.prepared:
        return
    try:
        _prepare_for_pages(_JOB.stages)
    except Exception:
        return
    _JOB.prepared = True


def process_for_parent(job: Job, source: Source, number: int) -> Result | Written:
    """One document of pass 2, in a worker (of either engine): what the parent takes of it."""
    return process_batch_for_parent(job, [(number, source)])[0]


def process_batch_for_parent(job: Job, batch: Sequence[tuple[int, Source]]) -> list[Result | Written]:
    """Consecutive documents of pass 2 (input number, source), cleaned together
    (`process_batch`) in a worker of either engine: what the parent takes of them, in order
    (`gathered`)."""
    return gathered(job, _handled(job, batch), batch[0][0])


def _handled(job: Job, batch: Sequence[tuple[int, Source]]) -> list[Result]:
    """Pass 2 on consecutive documents, in a worker: their results in order, each written
    there (a folder) or made into the lines the parent appends (JSONL) where it can be, their
    reports whole (a document --resume keeps: what `DirectoryWriter.kept` gives)."""
    results: list[Result | None] = [None] * len(batch)
    todo = []
    for position, (number, source) in enumerate(batch):
        kept = job.kept(source.parsed().name) if job.kept is not None else None
        if kept is not None:  # --resume: its whole output from the interrupted run stays
            results[position] = Result(source.name, kept, None, {}, True)
        else:
            todo.append(position)
    for position, result in zip(todo, process_batch(job, [batch[p] for p in todo])):
        results[position] = _written_or_encoded(result, job)
    return results  # type: ignore[return-value]  # every position is filled


def _written_by_worker(result: Result, job: Job | None = None) -> Result:
    """A folder's outputs are written where they were made; the parent gets what the
    summary needs. Without a worker sink (JSONL, written in order) the whole result."""
    job = job or _JOB
    assert job is not None
    result = _written_or_encoded(result, job)
    return _summarised(result, shard=result.shard, encoded=result.encoded) if _done(result, job) else result


def _written_or_encoded(result: Result, job: Job) -> Result:
    """The result written by the worker's sink, or with `encoded` set (Job.encoder), where
    the job has either; or a stop when OUT cannot be written."""
    if job.worker_sink is None:
        return _with_lines(result, job.encoder)
    try:
        return write_result(job.worker_sink.write, result)
    except OutputError as err:  # handed back in order, so the documents before it are counted
        return Result(result.name, {}, stop=str(err))


def _done(result: Result, job: Job) -> bool:
    """The parent need only add the result up (and append its lines, when `encoded`)."""
    return result.stop is None and (job.worker_sink is not None or result.encoded is not None)


def _with_lines(result: Result, encoder: Any) -> Result:
    """The result with `encoded` set to what the parent's writer will append for it (see
    Job.encoder); as it is when there is no encoder or encoding fails (the parent then writes
    it, and reports a failure, as it would have)."""
    if encoder is None or result.stop is not None or not result.listed:
        return result
    try:
        result.encoded = encoder.encode(result)
    except Exception:
        pass
    return result


def _encoded(result: Result, encoder: Any) -> Result:
    """`_with_lines`, and of an encoded result only what the parent needs (`_summarised`)."""
    result = _with_lines(result, encoder)
    return result if result.encoded is None else _summarised(result, shard=result.shard, encoded=result.encoded)


def _summarised(result: Result, **extra: Any) -> Result:
    """What the parent needs of a result whose outputs are written, or made into bytes, already:
    the summary's fields (the text and the report stay behind)."""
    return Result(result.name, Summary.fields(result.report), None, {}, result.listed, **extra)


@dataclass
class Written:
    """Consecutive documents of a task that need nothing more of the parent than adding up,
    as a local worker hands them over together: their outputs written (a folder) or made into
    the lines the parent appends (`lines`: their records' lines, and their reports' with
    --report-file, each joined into one bytes, appended in one write; for whole groups of a
    gzip file, their members: a writers.jsonl.Packed), their reports added up (`totals`). One
    object a task where there were one per document: pickling, unpickling and adding up each
    document's summary fields, and appending its lines, were about 25 us of the parent's CPU a
    document (on the 2 cores its workers need)."""

    first: str                                  # the first document's name
    documents: int = 0
    totals: Totals = field(default_factory=Totals)
    lines: tuple[bytes, bytes | None] | None = None
    #: the names of the listed documents, when the run keeps them (Job.seen: --resume)
    names: list[str] | None = None


def gathered(job: Job, results: Sequence[Result], first: int) -> list[Result | Written]:
    """A task's results, in order (the first one document `first` of the input), as the
    parent takes them: each run of results `_done` (written by this worker, or encoded) made
    into `Written`s (`_runs_written`); the others as they are."""
    parts: list[Result | Written] = []
    start = 0
    for position, result in enumerate(results):
        if not _done(result, job):
            parts += _runs_written(job, results[start:position], first + start)
            parts.append(result)
            start = position + 1
    parts += _runs_written(job, results[start:], first + start)
    return parts


def _runs_written(job: Job, run: Sequence[Result], first: int) -> list[Written]:
    """A run of results `_done`, the first one document `first`, as one `Written`; when the
    encoder makes groups of documents into gzip members (RecordEncoder.group), the groups it
    holds whole in one Written of their members (made here, in the worker), and the documents
    before them and after them (parts of groups the parent completes) in one Written each."""
    if not run:
        return []
    size = job.encoder.group if job.encoder is not None else None
    if size is None:
        return [_written(job, run)]
    head = min(-first % size, len(run))     # the documents before the first group begins
    whole = (len(run) - head) // size * size
    pieces = ((run[:head], False), (run[head:head + whole], True), (run[head + whole:], False))
    return [_written(job, piece, packed) for piece, packed in pieces if piece]


def _written(job: Job, results: Sequence[Result], packed: bool = False) -> Written:
    """`packed`: the results are whole groups (RecordEncoder.pack)."""
    written = Written(results[0].name, len(results))
    for result in results:
        written.totals.add(result.report)
    if results[0].encoded is not None:  # all of them, then (Job.encoder: a run's every listed result)
        if packed:
            written.lines = job.encoder.pack([result.encoded for result in results])
        else:
            reports = [result.encoded[1] for result in results if result.encoded[1] is not None]
            written.lines = (b"".join(result.encoded[0] for result in results),
                             b"".join(reports) if reports else None)
    if job.seen is not None:
        written.names = [result.name for result in results if result.listed]
    return written


def write_result(write: Callable[[Result], None], result: Result) -> Result:
    """Write one result; a document that cannot be written (its name too long, a folder in
    the way, text UTF-8 cannot hold) fails alone, and its failure report is written where it
    can be. OUT itself failing (disk full, read-only, permission) raises OutputError: that
    stops the run."""
    try:
        write(result)
        return result
    except OSError as err:
        if err.errno in OUT_ERRNOS:
            raise OutputError(f"cannot write {result.name}: {err.strerror or err}") from None
        where = f" ({Path(err.filename).name})" if err.filename else ""
        failed = _failed_result(result, f"cannot write its output{where}: {err.strerror or err}")
    except Exception as err:
        failed = _failed_result(result, failure_message(err, "while writing its output"))
    try:
        write(failed)
    except Exception:
        pass  # not even its failure report can be written there: the summary and stderr name it
    return failed


def _failed_result(result: Result, message: str) -> Result:
    source = result.report.get("source", {})
    info = {"path": source["path"]} if isinstance(source, dict) and "path" in source else {}
    return Result(result.name, failure_report(result.name, message, info), None, result.extra, result.listed,
                  number=result.number)


def take_results(results: Iterable[Result | Written], job: Job, write: Callable[[Result], None], summary: Summary,
                 progress: Progress) -> None:
    """The parent's part of pass 2 (either engine's), in input order: write each result
    (unless the workers did), add it up, say so. Each result written is told its place in
    the input (`Result.number`: the documents counted before it)."""
    number = 0
    for result in results:
        if isinstance(result, Written):
            _take_written(result, job, write, summary, number)
            number += result.documents
            progress.advance(result.documents)
            continue
        if result.stop is not None:
            raise OutputError(result.stop)
        if job.worker_sink is None:
            result.number = number
            result = write_result(write, result)
        number += 1
        summary.add(result.report)
        if job.seen is not None and result.listed:
            job.seen.add(result.name)
        progress.advance(1)


def _take_written(written: Written, job: Job, write: Callable[[Result], None], summary: Summary,
                  number: int) -> None:
    """Append a `Written`'s lines (a writer takes the joined lines of several records as it
    takes one record's; `number` is the first one's place in the input), add it up.
    Appending to OUT fails only when OUT does (disk full, a file grown past what the file
    system allows: no document's fault, and no record after it could land either): the run
    stops there, naming the first document not written."""
    if written.lines is not None:
        try:
            write(Result(written.first, {}, encoded=written.lines, number=number))
        except OSError as err:
            raise OutputError(f"cannot write {written.first}: {err.strerror or err}") from None
    summary.merge(written.totals)
    if job.seen is not None and written.names:
        job.seen.update(written.names)


def _get_ready_for_cleaning(job: Job, warm: bool) -> None:
    """In a run with no corpus pass (or one worker), load or build here, once, what cleaning
    every document needs, so that the workers forked for the removal pass share it: each stage
    with no corpus pass prepares (language profiles), every stage gets ready (Stage.get_ready:
    the code its page pass runs, and what every page needs), and, when `warm`, every stage warms
    (`Stage.warm`: about 0.1 CPU-s for the shipped stages, 0.35 before the sixth round;
    bench_run.py prints it; about what each worker would otherwise build on its first pages).
    (With a corpus pass and several workers, each worker does this itself: `_take_handover`.)"""
    _prepare_for_pages(job.stages)
    if warm:
        _warm(job.stages)
    gc.freeze()  # what they built too (_collect_for_a_run)


def _prepare_for_pages(stages: Sequence[Stage]) -> None:
    """Each stage with no corpus pass prepares (the language profiles), then every stage gets
    ready (`_get_stages_ready`). A failing `prepare` raises; `_take_handover` does the same
    one stage at a time, to name the stage that failed in every document's report."""
    for stage in stages:
        if not stage.needs_corpus:
            stage.prepare()
    _get_stages_ready(stages)


def _get_stages_ready(stages: Sequence[Stage]) -> None:
    """`Stage.get_ready` for each stage (it imports the code of its page pass, whose dataclasses
    are made from code compiled once: dataclass_code.py). What fails here is left to fail again
    where it is needed: in a stage's `process`, for each document, naming the stage."""
    with dataclass_code():
        for stage in stages:
            try:
                stage.get_ready()
            except Exception:
                pass


def _warm(stages: Sequence[Stage]) -> None:
    for stage in stages:
        try:
            stage.warm()
        except Exception as error:  # what failed here fails again where it is needed, for the
            # documents that need it (each of those fails alone, as before); said here so that
            # a broken warm() does not go unnoticed as a slower run
            warnings.warn(f"stage {stage.name}: warming up failed ({type(error).__name__}: {error}); "
                          "what it builds is built when first needed", RuntimeWarning, stacklevel=1)


#: container objects made between two young collections of the garbage collector during a run
#: (Python's default is 700). A page makes tens of thousands of short-lived lists, tuples and
#: dicts; most die before a collection would look at them, so fewer collections find fewer
#: survivors to move up to the older generations, which are dearer to walk. Measured on the 20
#: MB corpus with 1 worker: 887 -> 55 young collections at 10,000. At 10,000 a collection still
#: came every few batches, mostly while reports were made (each removal a dict and two lists,
#: kept until the batch is written), and walked each page's lists of lines: 28 young and 2
#: older collections in the run, 0.15-0.24 CPU-s (gc.callbacks). At 100,000 the run has next to
#: none (0.02 CPU-s) and the same peak RSS: a run makes almost no cyclic garbage (403 objects
#: collected in the whole run), which is all a collection frees.
YOUNG_COLLECTION = 100_000


def _collect_for_a_run() -> tuple[int, int, int]:
    """Tune the garbage collector for the run; returns its thresholds as they were.

    What exists when a run starts (the stages, their tables, the language profiles), and, as
    the run goes on, what warming and each corpus stage's `prepare` build, lives until the run
    ends: `gc.freeze` keeps it out of every later collection (a full one walked every entry of
    the stoplists' sets and the profiles' n-grams, 30-40 ms each time), in this process and in
    the workers forked after it, whose collections then also leave the pages they share with
    this one untouched. Cyclic garbage frozen with it is only freed at `gc.unfreeze`, at the end
    of the run. Measured on the 20 MB corpus (all processes, CPU-s in collections): 1 worker
    0.35-0.57 -> 0.13, 2 workers JSONL 0.77 -> 0.14."""
    thresholds = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION, *thresholds[1:])
    gc.freeze()
    return thresholds


def run_corpus(sources: Reader | Callable[[], Iterator[Source]], job: Job, write: Callable[[Result], None],
               summary: Summary, workers: int, progress: Progress | None = None) -> float:
    """Both passes over the corpus (`sources`: its reader, or a function listing it), telling
    `progress` how each goes. Returns the seconds taken.

    With several workers, both passes run on the same workers: they keep what they built in
    pass 1 (memos, the lines' hashes), and this process, which coordinates, builds nothing
    for them: they keep each chunk's observations in the spill folder, and between the passes
    one of them builds the corpus state from them all and leaves it to every worker
    (`_build_handover`, `Handover`), and each prepares its own stages. (Forking new workers
    from this process for pass 2, as before, made each of them fault in copies of the pages it
    touched, and made this process prepare and warm the stages: 0.15 CPU-s of its own, a
    sixth of its CPU in a 2-worker run on the 20 MB bench corpus.) The workers do not warm
    the stages: none shares what another builds (`_take_handover`).

    A document whose worker dies (killed for lack of memory, say) fails alone, in either pass,
    and the run goes on (see `workers.ordered_map`); `write` failing for one document fails
    that document; OutputError (OUT itself cannot be written) stops the run."""
    global _JOB
    started = time.perf_counter()
    progress = progress or Progress()
    _JOB = job
    thresholds = _collect_for_a_run()

    reader = as_reader(sources)
    # made before the workers fork (they do at the first task), so that they hold it too
    job.listing = reader.listing() if workers > 1 else None

    def listed() -> Iterator[Source]:
        """The sources as they go to worker processes: a JSONL line of a plain file without
        its bytes, which the worker reads from the file (`Reader.sources_for_workers`), so that
        the parent pickles and pipes no document (JSONL would otherwise cross the pipe whole in
        each pass, though pass 2 takes each document from pass 1's spill). With one worker
        nothing crosses a pipe, and the line read here is used."""
        return reader.sources_for_workers() if workers > 1 else reader.sources()

    def observe_crashed(chunk: Sequence[tuple[int, Source]], reason: str) -> list[ObservedChunk]:
        return [([], {number: reason for number, _ in chunk}, len(chunk))]

    def process_crashed(batch: Sequence[tuple[int, Source]], reason: str) -> list[list[Result]]:
        return [[_written_by_worker(_failed(source, reason)) for _, source in batch]]

    pool: Pool | None = None
    try:
        corpus_stages = [(i, s) for i, s in enumerate(job.stages) if s.needs_corpus]
        # without a corpus pass the stages are warmed (Stage.warm) here, before the workers
        # fork and share what it built, when there are several and at least WARM_FROM
        # documents each: one process builds only what its own documents need, and on a few
        # pages a worker builds less than all of it
        enough = WARM_FROM * workers if workers > 1 else None
        if corpus_stages:
            # a stage that screens (the language stage with --lang) loads what it screens with
            # where it first screens: in each worker, which this process, coordinating, never
            # does (it would import langdetect and load its profiles, about 0.05 CPU-s, alone
            # before the workers start, where they each load their own side by side)
            job.spill_dir = Path(tempfile.mkdtemp(prefix=job.spill_prefix, dir=job.spill_parent))
            if workers > 1:  # both passes on these workers (forked on the first task)
                pool = Pool(workers, job.max_memory)
                job.handover = job.spill_dir / HANDOVER
            progress.start(INDEXING)
            seen = 0
            # its last chunks half size (OBSERVE_TAIL), where the number of documents is known
            observe_tail = (_tail(len(job.listing), workers, OBSERVE_CHUNK, OBSERVE_TAIL)
                            if pool is not None and job.listing is not None else None)
            chunks = _tasks(job.listing, enumerate(listed()), OBSERVE_CHUNK, observe_tail)
            kept: list[str] = []  # with a pool: the files of observations, in input order
            for observed, failures, size in ordered_map(_observe, chunks, workers, per_task=1, crashed=observe_crashed,
                                                        max_memory=job.max_memory, pool=pool,
                                                        split=lambda chunk: [[item] for item in chunk]):
                job.failures.update(failures)
                if isinstance(observed, str):
                    kept.append(observed)
                else:
                    absorb(corpus_stages, observed)
                progress.advance(size)
                seen += size
            if pool is None:  # one worker: this process holds the corpus state
                for _, stage in corpus_stages:
                    stage.prepare()
                gc.freeze()  # the corpus state too (_collect_for_a_run)
            progress.finish()
        tail = None
        numbered: Iterator[tuple[int, Source]] = enumerate(listed())
        if pool is not None:
            tail = _tail(seen, workers, CLEAN_BATCH, TAIL_BATCH)  # pass 2's last batches smaller
            job.spill_kept_from = tail[0]
            _hand_over_from_a_worker(job, pool, CorpusPass(kept, Handover({}, job.failures, job.spill_kept_from)))
        else:  # one worker, or no corpus pass: ready here, before the workers fork
            if job.listing is None:  # enough documents to warm for? (the ones looked at go first)
                head = list(islice(numbered, enough or 0))
                known = len(head)
                numbered = chain(head, numbered)
            else:
                known = len(job.listing)
            _get_ready_for_cleaning(job, warm=enough is not None and known >= enough)
        progress.start(CLEANING)
        # tasks of one batch of DOCUMENTS_PER_TASK from a multiple of it: each reads one spill
        # file (spill()); a batch that kills its worker is run again a document at a time
        batches = ordered_map(_process, _tasks(job.listing, numbered, CLEAN_BATCH, tail), workers, 1, TASKS_IN_FLIGHT,
                              crashed=process_crashed, split=lambda batch: [[item] for item in batch],
                              max_memory=job.max_memory, pool=pool)
        take_results(chain.from_iterable(batches), job, write, summary, progress)
        if pool is not None:  # every result is in: the workers exit while the caller writes its summary
            pool.close(wait=False)
            pool = None
    finally:
        if pool is not None:  # stopped early between the passes, or while taking results
            pool.stop()
        progress.finish()
        gc.set_threshold(*thresholds)  # a program cleaning with the library gets its
        gc.unfreeze()                   # collections back as they were
        _JOB = None
        job.listing = None
        if job.spill_dir is not None:
            shutil.rmtree(job.spill_dir, ignore_errors=True)
            job.spill_dir = None
            job.spill_kept_from = None
            job.handover = None
    return time.perf_counter() - started
