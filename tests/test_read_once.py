"""Each document is read, decoded, extracted and fixed once, even when a stage needs the
whole corpus first: pass 1 spills what it loaded beside the output, pass 2 cleans from there,
and the spill folder is gone when the run ends. (That the output is the same as loading twice
gave: tests/test_seeds.py, whose clean/ predates the spill, and the byte-identical-for-any-
number-of-workers tests.)"""
from __future__ import annotations

import gzip

import pytest

import corpusclean.encoding as encoding
import corpusclean.pipeline as pipeline
from corpusclean import run
from conftest import read_report, write_tree

ARTICLE = ("The council met on Tuesday to discuss the new library, which residents say is used "
           "every day by families and students from across the town.\n")
PAGES = {
    "a.txt": "Home\nNews\n\n" + ARTICLE + "Sign up for our newsletter\n",
    "b.txt": "Home\nNews\n\n" + ARTICLE.replace("library", "swimming pool") + "Sign up for our newsletter\n",
    "c/d.txt": "caf\xc3\xa9 menu\n\n" + ARTICLE.replace("council", "board"),  # UTF-8 read as cp1252: fixed once
    "binary.txt": b"PK\x03\x04\x00\x00",                                    # fails to load: reported once
}


def count_calls(monkeypatch: pytest.MonkeyPatch, name: str, module=pipeline) -> list[str]:
    """Record each call of MODULE.NAME (the first argument's name when it has one)."""
    calls: list[str] = []
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(getattr(args[0], "name", repr(args[0])[:40]))
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


@pytest.mark.parametrize("command", ["run", "dedup", "strip"])
def test_a_command_with_a_corpus_pass_reads_and_fixes_each_document_once(tmp_path, monkeypatch, command):
    write_tree(tmp_path / "in", PAGES)
    reads = count_calls(monkeypatch, "read_source")
    fixes = count_calls(monkeypatch, "fix", encoding)
    summary = run(tmp_path / "in", tmp_path / "out", command=command, workers=1)
    assert summary.failed == 1
    assert sorted(reads) == ["a", "b", "binary", "c/d"]
    assert len(fixes) == 4  # the binary file fails in fix, once


def test_html_is_extracted_once(tmp_path, monkeypatch):
    page = ("<html><body><nav>Home</nav><article><h1>Library</h1><p>" + ARTICLE + "</p><p>" + ARTICLE
            + "</p></article></body></html>")
    write_tree(tmp_path / "in", {"page.html.gz": gzip.compress(page.encode())})
    import corpusclean.extract as extract

    calls = []
    original = extract.extract_html
    monkeypatch.setattr(extract, "extract_html", lambda content, **kw: calls.append(1) or original(content, **kw))
    run(tmp_path / "in", tmp_path / "out", workers=1)
    assert len(calls) == 1
    assert read_report(tmp_path / "out", "page")["status"] == "ok"


@pytest.mark.parametrize("workers", [1, 2])
def test_the_spill_folder_is_gone_after_the_run(tmp_path, workers):
    write_tree(tmp_path / "in", PAGES)
    run(tmp_path / "in", tmp_path / "out", workers=workers)
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def test_jsonl_output_spills_beside_the_file_and_cleans_up(tmp_path):
    write_tree(tmp_path / "in", PAGES)
    (tmp_path / "res").mkdir()
    run(tmp_path / "in", tmp_path / "res" / "out.jsonl", workers=2)
    assert sorted(p.name for p in (tmp_path / "res").iterdir()) == ["out.jsonl", "out.jsonl.summary.json"]


def test_pass_one_spills_a_file_per_task_of_pass_two_and_each_document_comes_back_once(tmp_path):
    """A chunk of pass 1 (OBSERVE_CHUNK documents) is spilled in files of DOCUMENTS_PER_TASK,
    the documents of one task of pass 2; a document that failed to load is in no file; a chunk
    run again document by document (its worker died) spills a file per document."""
    size, chunk = pipeline.DOCUMENTS_PER_TASK, pipeline.OBSERVE_CHUNK
    assert chunk % size == 0
    numbers = [n for n in range(chunk, 2 * chunk) if n != chunk + 1]   # document chunk + 1 failed
    pipeline.spill(tmp_path, chunk, [pipeline.Loaded(n, f"doc{n}", "text\n") for n in numbers])
    pipeline.spill(tmp_path, 3 * chunk + 5, [pipeline.Loaded(3 * chunk + 5, "alone", "text\n")])
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        f"{first:012d}.pickle" for first in range(chunk, 2 * chunk, size)] + [f"{3 * chunk + 5:012d}.pickle"]
    job = pipeline.Job(stages=[], steps=[], max_bytes=10**6, spill_dir=tmp_path)
    assert [pipeline.unspill(job, n).name for n in numbers] == [f"doc{n}" for n in numbers]
    assert pipeline.unspill(job, chunk + 1) is None
    assert pipeline.unspill(job, 3 * chunk + 5).name == "alone"
    assert not list(tmp_path.iterdir())  # each file is deleted once read


# A JSONL corpus with what a line's place in its file must survive: a BOM before the first
# record, blank lines, multi-byte characters, a line that is no JSON, and a repeated line the
# corpus pass (dedup) must see.
JSONL_LINES = [
    b'\xef\xbb\xbf{"id": "a", "text": "Home\\nNews\\n\\n' + ARTICLE.encode().replace(b"\n", b"\\n") + b'"}\n',
    b"\n",
    '{"id": "b", "text": "Caf\u00e9 r\u00e9sum\u00e9\\n\\n'.encode() + ARTICLE.encode().replace(b"\n", b"\\n")
    + b'", "url": "https://example.org/b"}\n',
    b"not json\n",
    b'{"id": "c", "text": "Home\\nNews\\n\\nAnother story.\\n"}\n',
]


def test_a_worker_process_gets_no_line_bytes_and_reads_a_line_from_the_file_when_pass_two_misses_the_spill(
        tmp_path, monkeypatch):
    """A worker process gets a JSONL line of a plain file without its bytes, only where it
    lies in the file, and reads it there when it needs it: in pass 1 to load the document, in
    pass 2 only when it finds no spill (its task was run again after a worker died; here every
    document). The output is the same as from the gzipped file, whose lines cannot be read
    again where they lie and go to the workers whole."""
    from corpusclean.pipeline import _build_handover
    from corpusclean.workers import Pool

    (tmp_path / "in.jsonl").write_bytes(b"".join(JSONL_LINES))
    (tmp_path / "in.jsonl.gz").write_bytes(gzip.compress(b"".join(JSONL_LINES), mtime=0))
    sent: list[bytes] = []
    submit = Pool.submit

    def record_line_bytes(pool, fn, task):
        if fn is _build_handover:  # between the passes: no document
            return submit(pool, fn, task)
        for item in task:  # a chunk of (number, Source), or a Span of them (a worker takes its
            # Sources from the run's listing: a plain file's lines without their bytes)
            sent.extend(source.line.raw for _, source in item)
        return submit(pool, fn, task)

    monkeypatch.setattr(Pool, "submit", record_line_bytes)
    lines = [line.removeprefix(b"\xef\xbb\xbf") for line in JSONL_LINES if line.strip()]
    run(tmp_path / "in.jsonl.gz", tmp_path / "from-gzip.jsonl", workers=2)
    assert sent == lines + lines
    sent.clear()
    run(tmp_path / "in.jsonl", tmp_path / "from-spill.jsonl", workers=2)
    assert sent == [b""] * 8
    monkeypatch.setattr(pipeline, "unspill", lambda job, number: None)  # the workers fork after this
    run(tmp_path / "in.jsonl", tmp_path / "from-file.jsonl", workers=2)
    expected = (tmp_path / "from-gzip.jsonl").read_bytes()
    assert b'"id":"b"' in expected and b'"url":"https://example.org/b"' in expected
    assert (tmp_path / "from-spill.jsonl").read_bytes() == expected
    assert (tmp_path / "from-file.jsonl").read_bytes() == expected
    summaries = [(tmp_path / f"{name}.jsonl.summary.json").read_text() for name in ("from-gzip", "from-spill",
                                                                                    "from-file")]
    assert summaries[0] == summaries[1] == summaries[2] and '"failed":1' in summaries[0]
    run(tmp_path / "in.jsonl", tmp_path / "one-worker.jsonl", workers=1)
    assert (tmp_path / "one-worker.jsonl").read_bytes() == expected


def test_a_line_without_its_bytes_parses_as_the_line_did(tmp_path):
    """`Source.without_bytes` keeps where a plain file's line lies, and parsing reads it
    there; a gzipped file's line keeps its bytes."""
    from corpusclean.readers.jsonl import JsonlReader

    (tmp_path / "in.jsonl").write_bytes(b"".join(JSONL_LINES))
    listed = list(JsonlReader(tmp_path / "in.jsonl").sources())
    assert [s.line.number for s in listed] == [1, 3, 4, 5]
    light = [source.without_bytes() for source in listed]
    assert all(source.line.raw == b"" for source in light)
    assert [s.parsed() for s in light] == [s.parsed() for s in listed]
    assert [s.parsed().name for s in light] == ["a", "b", "line 4", "c"]
    (tmp_path / "in.jsonl.gz").write_bytes(gzip.compress(b"".join(JSONL_LINES)))
    for source in JsonlReader(tmp_path / "in.jsonl.gz").sources():
        assert source.without_bytes() is source


def test_pass_two_s_tail_takes_parts_of_a_spill_file_which_stays_for_the_other_parts(tmp_path):
    """The last batches of pass 2 are smaller (TAIL_BATCH), so two workers can each take part
    of one spill file: from Job.spill_kept_from on, a file read stays until the run ends."""
    size, part = pipeline.DOCUMENTS_PER_TASK, pipeline.TAIL_BATCH
    pipeline.spill(tmp_path, 0, [pipeline.Loaded(n, f"doc{n}", "text\n") for n in range(2 * size)])
    one, other = (pipeline.Job(stages=[], steps=[], max_bytes=10**6, spill_dir=tmp_path, spill_kept_from=size)
                  for _ in range(2))
    assert [pipeline.unspill(one, n).name for n in range(size)] == [f"doc{n}" for n in range(size)]
    assert not (tmp_path / f"{0:012d}.pickle").exists()  # before the tail: deleted once read
    tail = range(size, 2 * size)
    assert [pipeline.unspill(one, n).name for n in tail[:part]] == [f"doc{n}" for n in tail[:part]]
    assert [pipeline.unspill(other, n).name for n in tail[part:]] == [f"doc{n}" for n in tail[part:]]
    assert (tmp_path / f"{size:012d}.pickle").exists()  # the tail's file stays (the run removes the folder)
