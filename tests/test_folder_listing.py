"""How a folder IN is listed (readers/files.iter_directory): which files are documents, in
which order, under which names. A run lists its input several times, so the listing does only
string work per file; these tests pin what it must still answer."""
from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest

from corpusclean.readers.files import DEFAULT_PATTERNS, iter_directory


def make(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)


def test_documents_are_listed_in_sorted_relative_path_order_with_their_output_names(tmp_path):
    make(tmp_path, "b.txt", "a/z.html", "a/b/c.htm", "a.txt", "page.html.gz", "notes.md")
    listed = [(source.name, source.relpath, source.path) for source in iter_directory(tmp_path)]
    # plain string order of the relative paths: "a.txt" before "a/b/..." ("." sorts before "/");
    # a file's path is a string
    assert listed == [("a", "a.txt", str(tmp_path / "a.txt")),
                      ("a/b/c", "a/b/c.htm", str(tmp_path / "a/b/c.htm")),
                      ("a/z", "a/z.html", str(tmp_path / "a/z.html")),
                      ("b", "b.txt", str(tmp_path / "b.txt")),
                      ("page", "page.html.gz", str(tmp_path / "page.html.gz"))]


NAMES = ["a.txt", "b.TXT", "c.html", "d.htm", "e.html.gz", "f.jsonl", "g.md", "h.txt.bak", "sub/i.txt",
         "sub/j.parquet", "sub/deeper/k.htm", "[x].txt", "y?.html"]


@pytest.mark.parametrize("patterns", [DEFAULT_PATTERNS, ("*.txt",), ("*.md", "*.bak"), ("?.htm*",),
                                      ("[[]x].txt",), ()])
def test_a_file_is_listed_exactly_when_one_of_the_patterns_matches_its_name(tmp_path, patterns):
    make(tmp_path, *NAMES)
    listed = {source.relpath for source in iter_directory(tmp_path, patterns)}
    assert listed == {name for name in NAMES if any(fnmatch.fnmatch(Path(name).name, p) for p in patterns)}


def test_a_report_without_its_text_carries_an_earlier_failure_under_the_texts_name(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "gone.report.json").write_text(
        '{"status": "failed", "error": "not valid UTF-8", "source": {"path": "sub/gone.html"}, "removals": []}')
    make(tmp_path, "sub/kept.txt", "sub/kept.report.json")
    listed = [(source.name, source.error) for source in iter_directory(tmp_path)]
    assert listed == [("sub/gone", "not valid UTF-8"), ("sub/kept", None)]


def test_both_passes_clean_the_documents_the_folder_held_when_the_run_listed_it(tmp_path):
    """Pass 2 finds what pass 1 saw of a document by its number: a file added to IN between
    the passes (here, one that sorts first) must not shift the numbers. The run cleans the
    folder as it was first listed."""
    from corpusclean.model import Document
    from corpusclean.pipeline import Job, run_corpus
    from corpusclean.readers.files import FolderReader
    from corpusclean.report import Summary
    from corpusclean.stages.base import Stage

    source = tmp_path / "in"
    make(source, "b.txt", "c.txt")

    class NamesByNumber(Stage):
        """Pass 1 notes each document's name by its number; pass 2 checks it."""

        name = "names"

        def __init__(self) -> None:
            self.names: dict[int, str] = {}

        def observe(self, doc: Document) -> str:
            return doc.name

        def absorb(self, number: int, name: str) -> None:
            self.names[number] = name

        def prepare(self) -> None:
            make(source, "a.txt")  # arrives between the passes

        def process(self, doc: Document) -> None:
            if self.names[doc.meta.number] != doc.name:
                raise AssertionError(f"{doc.name} took the number of {self.names[doc.meta.number]}")

    reader = FolderReader(source)
    cleaned: list[str] = []
    summary = Summary("strip", {})
    job = Job(stages=[NamesByNumber()], steps=["strip"], max_bytes=10**6)
    run_corpus(reader.sources, job, lambda result: cleaned.append(result.name), summary, workers=1)
    assert (cleaned, summary.failed) == (["b", "c"], 0)


def test_a_two_worker_run_names_each_tasks_documents_by_number_in_the_listing_its_workers_hold(tmp_path, monkeypatch):
    """The workers fork after the folder is listed and hold the listing too: a task crosses the
    pipe as the numbers of its documents (`pipeline.Span`: a few bytes), not as their Sources,
    and the output is what one worker, which needs no task, writes. A document that kills its
    worker still fails alone (tests/test_failures.py runs folders on two workers)."""
    import pickle

    from corpusclean import run
    from corpusclean.pipeline import Span, _build_handover
    from corpusclean.workers import Pool

    make(tmp_path / "in", *(f"{n:03d}.txt" for n in range(70)))
    tasks: list[list] = []
    submit = Pool.submit

    def record_documents(pool, fn, task):
        if fn is not _build_handover:  # the task between the passes has no document
            tasks.append(task)
        return submit(pool, fn, task)

    monkeypatch.setattr(Pool, "submit", record_documents)
    run(tmp_path / "in", tmp_path / "two", workers=2)
    run(tmp_path / "in", tmp_path / "one", workers=1)
    items = [item for task in tasks for item in task]
    assert items and all(isinstance(item, Span) for item in items)
    assert [number for span in items for number in range(span.start, span.stop)] == [*range(70)] * 2  # both passes
    assert max(len(pickle.dumps(task)) for task in tasks) < 100
    for name in ("000", "069"):
        assert (tmp_path / "two" / f"{name}.txt").read_bytes() == (tmp_path / "one" / f"{name}.txt").read_bytes()
        assert ((tmp_path / "two" / f"{name}.report.json").read_bytes()
                == (tmp_path / "one" / f"{name}.report.json").read_bytes())


def test_a_span_is_its_documents_of_the_listing_by_number(tmp_path, monkeypatch):
    import pickle

    import corpusclean.pipeline as pipeline
    from corpusclean.pipeline import Job, Span

    make(tmp_path, "a.txt", "b.txt", "c.txt", "d.txt")
    listing = list(iter_directory(tmp_path))
    monkeypatch.setattr(pipeline, "_JOB", Job(stages=[], steps=[], max_bytes=1, listing=listing))
    span = pickle.loads(pickle.dumps(Span(1, 4)))
    assert list(span) == [(1, listing[1]), (2, listing[2]), (3, listing[3])]
    assert (len(span), span[0], span[-1], span[1:]) == (3, (1, listing[1]), (3, listing[3]), list(span)[1:])
    with pytest.raises(IndexError):
        span[3]
