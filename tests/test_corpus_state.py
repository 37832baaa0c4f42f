"""Where the corpus state is built in a run on several workers: not in the parent, which only
coordinates (and so never imports numpy: tests/test_parent.py), but in one worker, between the
passes, from every chunk's observations, which the workers of pass 1 keep in the run's spill
folder. The workers of pass 2 take it as before (the hand-over). When that worker dies, the
parent builds it; the worker building it is not held to a document's memory cap. Whoever
builds it, the output is the same (tests/test_workers.py and the byte-identity checks hold the
worker counts equal)."""
from __future__ import annotations

import multiprocessing
import os
import signal
from pathlib import Path

import pytest

import corpusclean.workers as workers
from corpusclean.model import Document
from corpusclean.pipeline import OBSERVE_CHUNK, Job, run_corpus
from corpusclean.readers.files import iter_directory
from corpusclean.report import Summary
from corpusclean.stages.base import Stage
from conftest import tree_bytes, write_tree

#: pages in each test's corpus: several chunks of pass 1, so that both workers observe some
PAGES = 3 * OBSERVE_CHUNK


class CountedPages(Stage):
    """A corpus stage that counts the pages it absorbs and notes, in a file, which process
    prepared its count; a page it cleans is dropped unless the count it was handed is the whole
    corpus's."""

    name = "counted"
    log: Path

    def __init__(self) -> None:
        self.pages = 0

    def observe(self, doc: Document) -> int:
        return 1

    def absorb(self, number: int, observation: int) -> None:
        self.pages += observation

    def prepare(self) -> None:
        with open(self.log, "a") as log:
            log.write(f"{os.getpid()}\n")

    def corpus_state(self) -> int:
        return self.pages

    def use_corpus_state(self, state: int) -> "CountedPages":
        self.pages = state
        return self

    def process(self, doc: Document) -> None:
        if self.pages != PAGES:
            doc.meta.dropped = f"told of {self.pages} pages"


def run_on_two_workers(tmp_path: Path, stage: Stage, max_memory: int | None = None) -> Summary:
    source = write_tree(tmp_path / "in", {f"{n:03d}.txt": f"page {n}\n" for n in range(PAGES)})
    summary = Summary("strip", {})
    job = Job(stages=[stage], steps=["strip"], max_bytes=10**6, max_memory=max_memory)
    run_corpus(lambda: iter_directory(source), job, lambda result: None, summary, workers=2)
    for process in multiprocessing.active_children():  # the run leaves the workers' exit to them
        process.join()
    return summary


def preparers(stage: CountedPages) -> list[int]:
    return [int(pid) for pid in stage.log.read_text().split()]


def test_one_worker_builds_the_corpus_state_from_every_workers_observations(tmp_path: Path):
    CountedPages.log = tmp_path / "prepared.log"
    stage = CountedPages()
    summary = run_on_two_workers(tmp_path, stage)
    assert (summary.failed, summary.documents["dropped"], summary.documents["ok"]) == (0, 0, PAGES)
    builders = preparers(stage)
    assert len(builders) == 1 and builders[0] != os.getpid()  # once, in a worker
    assert stage.pages == 0  # the parent absorbed nothing


class KillsTheWorkerThatPrepares(CountedPages):
    """Its worker dies while preparing the count (what the out-of-memory killer does)."""

    def prepare(self) -> None:
        super().prepare()
        if workers._IN_WORKER:
            os.kill(os.getpid(), signal.SIGKILL)


def test_when_the_worker_building_the_corpus_state_dies_the_parent_builds_it(tmp_path: Path):
    KillsTheWorkerThatPrepares.log = tmp_path / "prepared.log"
    stage = KillsTheWorkerThatPrepares()
    summary = run_on_two_workers(tmp_path, stage)
    assert (summary.failed, summary.documents["dropped"], summary.documents["ok"]) == (0, 0, PAGES)
    worker, parent = preparers(stage)
    assert worker != os.getpid() and parent == os.getpid()
    assert stage.pages == PAGES


#: the memory cap of the workers in the next test, and what its stage asks for (bytes)
CAP = 300_000_000
GREEDY = 2 * CAP


class NeedsMoreThanADocumentMay(CountedPages):
    """Builds a corpus state larger than a worker's cap, and asks as much for page 007."""

    def prepare(self) -> None:
        super().prepare()
        self.state = bytearray(GREEDY)
        del self.state

    def process(self, doc: Document) -> None:
        if doc.name == "007":
            bytearray(GREEDY)
        super().process(doc)


def test_the_worker_building_the_corpus_state_is_not_held_to_a_documents_memory_cap(tmp_path: Path):
    """The cap (--max-memory-mb) is for one document: the state is the run's, and the parent,
    which built it before, has none. Afterwards the cap holds again for the documents."""
    NeedsMoreThanADocumentMay.log = tmp_path / "prepared.log"
    stage = NeedsMoreThanADocumentMay()
    summary = run_on_two_workers(tmp_path, stage, max_memory=CAP)
    assert preparers(stage)[0] != os.getpid()  # built in a worker
    assert (summary.failed, summary.documents["ok"]) == (1, PAGES - 1)
    assert "ran out of memory" in summary.failures[0]["error"]


def test_pass_1_ends_in_half_chunks_that_keep_the_spill_files_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A worker that has observed its last chunk waits for the others' before the state can be
    built: the last OBSERVE_CHUNK documents of each worker go in chunks half as large (where
    the input is listed before the workers fork: a folder, a plain JSONL file). Each chunk
    still starts at a multiple of DOCUMENTS_PER_TASK, so a task of pass 2 finds its documents
    in one spill file, and the output is what one worker writes."""
    from corpusclean import run
    from corpusclean.pipeline import DOCUMENTS_PER_TASK, OBSERVE_TAIL, _observe
    from corpusclean.workers import Pool

    source = write_tree(tmp_path / "in", {f"{n:03d}.txt": f"Page {n} of the corpus.\n" for n in range(PAGES)})
    chunks: list[range] = []
    submit = Pool.submit

    def record_chunks(pool, fn, task):
        if fn is _observe:
            chunks.extend(range(span.start, span.stop) for span in task)
        return submit(pool, fn, task)

    monkeypatch.setattr(Pool, "submit", record_chunks)
    run(source, tmp_path / "two", workers=2)
    run(source, tmp_path / "one", workers=1)
    assert [len(chunk) for chunk in chunks] == [OBSERVE_CHUNK] + [OBSERVE_TAIL] * (2 * OBSERVE_CHUNK // OBSERVE_TAIL)
    assert [number for chunk in chunks for number in chunk] == [*range(PAGES)]
    assert all(chunk.start % DOCUMENTS_PER_TASK == 0 for chunk in chunks)
    two, one = tree_bytes(tmp_path / "two"), tree_bytes(tmp_path / "one")
    assert {name: data for name, data in two.items() if name != "corpusclean-summary.json"} == {
        name: data for name, data in one.items() if name != "corpusclean-summary.json"}


def test_the_files_of_observations_go_once_the_corpus_state_is_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """They are about half the size of the text they describe: the spill folder holds them only
    until the state is built, while pass 2's files stay until their documents are cleaned."""
    import corpusclean.pipeline as pipeline

    seen = tmp_path / "seen.log"  # what each worker found, before its first page of pass 2
    take_handover = pipeline._take_handover

    def look_at_the_spill_folder(job: Job) -> str | None:
        assert job.spill_dir is not None
        with open(seen, "a") as log:
            log.write(f"{sum(name.startswith('observed-') for name in os.listdir(job.spill_dir))}\n")
        return take_handover(job)

    monkeypatch.setattr(pipeline, "_take_handover", look_at_the_spill_folder)
    CountedPages.log = tmp_path / "prepared.log"
    summary = run_on_two_workers(tmp_path, CountedPages())
    assert (summary.failed, summary.documents["ok"]) == (0, PAGES)
    assert seen.read_text().split() == ["0", "0"]  # files of observations left, in each worker
