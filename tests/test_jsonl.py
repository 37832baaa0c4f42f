"""JSONL in and out: `.jsonl`, `.jsonl.gz`, and `-` for stdin/stdout.

Output records keep the input's ids, order and other fields, and gain `text` and `report`.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from corpusclean.layout import rebuild
from corpusclean.model import Removal
from corpusclean.writers.base import dump_json, json_bytes
from conftest import read_summary, run_cli

RECORDS = [
    {"id": "b-second", "url": "https://example.org/b", "text": "Menu\n\nThe story of b.\nShare on Facebook\n", "meta": {"n": 1}},
    {"id": "a-first", "url": "https://example.org/a", "text": "caf\u00c3\u00a9 society\r\nis back\r\n"},
    {"id": 3, "text": ""},
]


def jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def check_records(out: list[dict]) -> None:
    assert [r["id"] for r in out] == ["b-second", "a-first", 3]  # same ids, same order, same types
    assert out[0]["url"] == "https://example.org/b" and out[0]["meta"] == {"n": 1}
    assert out[1]["text"] == "café society\nis back\n"
    assert out[1]["report"]["encoding"]["ftfy"][0]["line"] == 1
    assert out[2]["text"] == "" and out[2]["report"]["status"] == "ok"
    for record, original in zip(out, RECORDS):
        removals = [Removal.from_json(row) for row in record["report"]["removals"]]
        fixed = original["text"].replace("\r\n", "\n").replace("caf\u00c3\u00a9", "café")
        assert rebuild(record["text"], removals) == fixed


@pytest.mark.parametrize("suffix_in, suffix_out", [(".jsonl", ".jsonl"), (".jsonl.gz", ".jsonl.gz"), (".jsonl", ".jsonl.gz")])
def test_jsonl_files_in_and_out(tmp_path, suffix_in, suffix_out):
    source = tmp_path / f"in{suffix_in}"
    data = jsonl(RECORDS).encode("utf-8")
    source.write_bytes(gzip.compress(data) if suffix_in.endswith(".gz") else data)
    result = run_cli("run", str(source), str(tmp_path / f"out{suffix_out}"), "--workers", "2")
    assert result.exit_code == 0, result.stderr
    check_records(read_jsonl(tmp_path / f"out{suffix_out}"))
    summary = read_summary(tmp_path / f"out{suffix_out}.summary.json")
    assert summary["documents"] == {"ok": 3}


def test_stdin_to_stdout(tmp_path):
    result = run_cli("run", "-", "-", "--workers", "1", input=jsonl(RECORDS))
    assert result.exit_code == 0
    check_records([json.loads(line) for line in result.stdout.splitlines()])
    assert "corpusclean run: 3 documents" in result.stderr  # progress and totals never go to stdout


def test_stdin_to_stdout_with_a_summary_file(tmp_path):
    result = run_cli("fix", "-", "-", "-q", "--summary", str(tmp_path / "summary.json"), input=jsonl(RECORDS))
    assert result.stderr == ""
    assert read_summary(tmp_path / "summary.json")["documents"] == {"ok": 3}


def test_a_folder_can_be_written_as_jsonl(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in/page.txt").write_text("Some text.\n")
    run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out.jsonl"))
    (record,) = read_jsonl(tmp_path / "out.jsonl")
    assert record["id"] == "page" and record["text"] == "Some text.\n"


def test_a_single_file_in_writes_one_document(tmp_path):
    (tmp_path / "page.txt").write_bytes(b"Caf\xe9 text\r\n")
    result = run_cli("fix", str(tmp_path / "page.txt"), str(tmp_path / "out"))
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "corpusclean-summary.json", "page.report.json", "page.txt"]
    assert (tmp_path / "out/page.txt").read_text() == "Café text\n"


def test_jsonl_in_with_folder_out_is_refused(tmp_path):
    (tmp_path / "in.jsonl").write_text(jsonl(RECORDS))
    result = run_cli("fix", str(tmp_path / "in.jsonl"), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "JSONL input writes JSONL" in result.stderr
    assert not (tmp_path / "out").exists()


def test_stdin_with_folder_out_is_refused(tmp_path):
    result = run_cli("fix", "-", str(tmp_path / "out"), input=jsonl(RECORDS))
    assert result.exit_code == 1 and "JSONL input writes JSONL" in result.stderr


def test_gzip_output_is_reproducible(tmp_path):
    (tmp_path / "in.jsonl").write_text(jsonl(RECORDS))
    run_cli("fix", str(tmp_path / "in.jsonl"), str(tmp_path / "a.jsonl.gz"))
    run_cli("fix", str(tmp_path / "in.jsonl"), str(tmp_path / "b.jsonl.gz"))
    assert (tmp_path / "a.jsonl.gz").read_bytes() == (tmp_path / "b.jsonl.gz").read_bytes()


def strict_json(line: str) -> dict:
    """JSON as the standard defines it: no NaN or Infinity (Python's json accepts them)."""
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(line, parse_constant=refuse)


@pytest.mark.parametrize("other", [{}, {"big": 2**70}, {"note": "\ud800"}],
                         ids=["orjson writes it", "over 64 bits: the json module writes it", "a lone surrogate"])
def test_numbers_json_has_no_place_for_are_written_as_null(tmp_path, other):
    """A JSONL input may hold NaN and Infinity (Python's json reads them); the output is JSON
    that any parser reads, with null in their place, whichever library writes the record (an
    integer over 64 bits or a lone surrogate sends it to the standard library)."""
    line = '{"id": "a", "text": "The council met on Tuesday.\\n", "score": NaN, "low": -Infinity, "high": Infinity'
    (tmp_path / "in.jsonl").write_text(line + "".join(f", {json.dumps(k)}: {json.dumps(v)}" for k, v in other.items())
                                       + "}\n")
    assert run_cli("run", str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"), "-q", "-w", "1").exit_code == 0
    [record] = [strict_json(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (record["score"], record["low"], record["high"]) == (None, None, None)
    assert {key: record[key] for key in other} == other  # kept as they were
    assert record["text"] == "The council met on Tuesday.\n"
    strict_json((tmp_path / "out.jsonl.summary.json").read_text(encoding="utf-8"))


def test_a_report_row_orjson_refuses_is_written_by_the_standard_library_and_the_others_as_before():
    """dump_json writes a list's rows with orjson in one go; a row it refuses (an integer over
    64 bits) sends the list to json_bytes row by row: the same bytes a row at a time."""
    rows = [{"a": 1, "text": "caf\u00e9"}, {"big": 2**70}, {"c": float("nan")}]
    assert dump_json({"rows": rows, "n": 3}) == (
        b'{\n "rows": [\n  ' + b",\n  ".join(json_bytes(row) for row in rows) + b'\n ],\n "n": 3\n}\n')
    assert json_bytes(rows[1]) == b'{"big":1180591620717411303424}' and json_bytes(rows[2]) == b'{"c":null}'


def test_a_record_made_into_its_line_by_a_worker_is_written_as_the_parent_would_write_it(tmp_path):
    """The parent writes JSONL in input order; a worker hands it each record already made into
    its line (and its report's, with --report-file), with only what the summary needs of the
    report, so the parent appends bytes. The files are the same byte for byte."""
    from corpusclean.pipeline import Result, _encoded
    from corpusclean.writers import JsonlWriter, RecordOptions

    report = {"document": "a", "status": "ok", "sizes": {"input_bytes": 9, "fixed_chars": 9, "clean_chars": 4},
              "removals": [{"category": "navigation", "rule": "navigation.menu", "chars": [0, 5], "text": "Menu\n"}]}
    results = [Result("a", report, "Text\n", {"url": "https://example.org/a", "id": "a"}),
               Result("line 2", {"document": "line 2", "status": "failed", "error": "not JSON"}, listed=False),
               Result("b", {"document": "b", "status": "failed", "error": "bad"}, None, {"id": "b", "n": float("nan")})]
    written = []
    for encode in (False, True):
        options = RecordOptions(report_file=str(tmp_path / f"reports-{encode}.jsonl"))
        writer = JsonlWriter(str(tmp_path / f"out-{encode}.jsonl"), options=options)
        for result in results:
            handed = _encoded(result, writer.encoder()) if encode else result
            assert (handed.encoded is not None) == (encode and result.listed)
            writer.write(handed)
        writer.close({})
        written.append([(tmp_path / f"{name}-{encode}.jsonl").read_bytes() for name in ("out", "reports")])
    assert written[0] == written[1]
    assert b'"n":null' in written[1][0] and written[1][1].count(b"\n") == 2


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_full_disk_under_a_jsonl_out_stops_the_run_and_leaves_no_half_file(tmp_path, monkeypatch, workers):
    """The parent appends a task's records in one write (`pipeline.Written`); when that
    fails, OUT failed: the run stops naming the first record not written, and the half-written
    temporary file is dropped."""
    import errno

    from corpusclean.writers.jsonl import JsonlFile

    def full(self, line, number=None):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(JsonlFile, "write_line", full)
    (tmp_path / "in.jsonl").write_text(jsonl(RECORDS), encoding="utf-8")
    result = run_cli("run", str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"), "-q", "-w", workers)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot write to OUT: cannot write b-second: No space left on device.")
    assert [path.name for path in tmp_path.iterdir()] == ["in.jsonl"]


def test_a_jsonl_line_is_parsed_where_it_is_cleaned_not_where_it_is_listed(tmp_path):
    """The parent only splits the file into lines; a worker (of either engine: the Ray engine
    sends the same pickled Source) parses its line, names the document by the record's id, or
    fails it by its place when the line is no record."""
    import pickle

    from corpusclean.pipeline import Job, process_for_parent
    from corpusclean.ray.engine import _size
    from corpusclean.readers import read_source
    from corpusclean.readers.jsonl import JsonlReader

    lines = [b'{"id": "a", "text": "The council met on Tuesday.\\n", "url": "https://example.org/a"}\n', b'[1, 2]\n']
    (tmp_path / "in.jsonl").write_bytes(b"".join(lines))
    listed = list(JsonlReader(tmp_path / "in.jsonl").sources())
    assert [(s.name, s.record, s.line.raw if s.line else None) for s in listed] == [
        ("line 1", None, lines[0]), ("line 2", None, lines[1])]
    assert [_size(source) for source in listed] == [len(line) for line in lines]
    assert read_source(listed[0], 1_000_000).content == "The council met on Tuesday.\n"  # parsed on the way
    job = Job(stages=[], steps=["fix"], max_bytes=1_000_000)
    good, bad = (process_for_parent(job, pickle.loads(pickle.dumps(s)), n) for n, s in enumerate(listed))
    assert (good.name, good.clean, good.extra, good.listed) == (
        "a", "The council met on Tuesday.\n", {"id": "a", "url": "https://example.org/a"}, True)
    assert (bad.name, bad.report["error"], bad.listed) == ("line 2", "a JSON array, not an object", False)


def read_counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each time a JSONL input is opened to be read through."""
    import corpusclean.readers.jsonl as jsonl_module

    opened: list[str] = []
    original = jsonl_module.open_jsonl
    monkeypatch.setattr(jsonl_module, "open_jsonl", lambda path: opened.append(str(path)) or original(path))
    return opened


def test_a_plain_file_read_whole_once_is_listed_for_workers_from_where_its_lines_lie(tmp_path, monkeypatch):
    """What a run on several workers sends them, each pass: the lines as `sources()` lists
    them, without their bytes, listed from where the first whole reading found them (a BOM
    and blank lines as `sources()` treats them), without reading the file again."""
    from corpusclean.readers.jsonl import JsonlReader

    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + jsonl(RECORDS[:2]).encode() + b"\n  \n" + jsonl(RECORDS[2:]).encode())
    opened = read_counted(monkeypatch)
    reader = JsonlReader(path)
    read = list(reader.sources())
    expected = [source.without_bytes() for source in read]
    spans = [source.line.at for source in expected]  # type: ignore[union-attr]
    assert [path.read_bytes()[start:start + size] for _, start, size in spans] == [s.line.raw for s in read]
    assert spans[0][1] == 3 and len(read) == 3  # after the BOM; the blank lines are no records
    assert list(reader.sources_for_workers()) == list(reader.sources_for_workers()) == expected
    listing = reader.listing()  # the same by number, for a run's workers (pipeline.Span)
    assert listing is not None and list(listing) == expected and listing[-1] == expected[-1]
    assert reader.count() == 3
    assert len(opened) == 1
    assert [source.parsed().name for source in expected] == ["b-second", "a-first", "3"]  # each read where it lies


def test_a_file_is_listed_for_workers_as_it_was_when_first_read_whole(tmp_path):
    """Both passes number the same documents alike (pass 2 finds pass 1's state by number), as
    a folder IN does: a record appended between the passes is not in the run; a reading
    stopped short (the run's look for HTML pages stops at the first) is not taken for the file."""
    from corpusclean.readers.jsonl import JsonlReader

    path = tmp_path / "in.jsonl"
    path.write_text(jsonl(RECORDS[:2]))
    reader = JsonlReader(path)
    next(reader.sources())
    path.write_text(jsonl(RECORDS))
    assert [s.line.number for s in reader.sources_for_workers()] == [1, 2, 3]  # type: ignore[union-attr]
    path.write_text(jsonl(RECORDS + RECORDS))
    assert [s.line.number for s in reader.sources_for_workers()] == [1, 2, 3]  # type: ignore[union-attr]
    assert reader.count() == 3


def test_a_compressed_file_is_read_again_for_each_listing(tmp_path, monkeypatch):
    """Its lines cannot be read where they lie: each goes to a worker with its bytes."""
    from corpusclean.readers.jsonl import JsonlReader

    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(gzip.compress(jsonl(RECORDS).encode()))
    opened = read_counted(monkeypatch)
    reader = JsonlReader(path)
    assert reader.count() == 3
    for _ in range(2):
        assert [s.line.raw for s in reader.sources_for_workers()] == [  # type: ignore[union-attr]
            (json.dumps(r, ensure_ascii=False) + "\n").encode() for r in RECORDS]
    assert reader.listing() is None and len(opened) == 3  # not read through for it


def test_a_plain_file_not_read_whole_before_the_workers_fork_is_read_through_for_its_listing(tmp_path, monkeypatch):
    """A file longer than the run's look for HTML pages reads (10,000 records) is split into
    lines once before the workers fork, so that its tasks name their records by number too
    (`pipeline.Span`); the output is what one worker writes."""
    from corpusclean.pipeline import Job, Span, run_corpus
    from corpusclean.readers.jsonl import JsonlReader
    from corpusclean.report import Summary
    from corpusclean.workers import Pool

    path = tmp_path / "in.jsonl"
    path.write_text(jsonl([{"id": n, "text": f"Record {n}.\n"} for n in range(40)]))
    tasks: list[list] = []
    submit = Pool.submit
    monkeypatch.setattr(Pool, "submit", lambda pool, fn, task: tasks.append(task) or submit(pool, fn, task))
    written: dict[int, list[str]] = {}
    for workers in (2, 1):
        job = Job(stages=[], steps=["fix"], max_bytes=10**6)
        run_corpus(JsonlReader(path), job, lambda result: written.setdefault(workers, []).append(result.clean),
                   Summary("fix", {}), workers=workers)
    assert tasks and all(isinstance(item, Span) for task in tasks for item in task)
    assert written[2] == written[1] == [f"Record {n}.\n" for n in range(40)]


@pytest.mark.parametrize("shards", [False, True])
def test_a_run_on_two_workers_reads_a_plain_jsonl_input_once_in_the_parent(tmp_path, monkeypatch, shards):
    """Its checks, the progress bar's count and both passes: one reading (a folder's shard the same)."""
    from corpusclean import run

    source = tmp_path / "in" if shards else tmp_path / "in.jsonl"
    if shards:
        source.mkdir()
    (source / "part.jsonl" if shards else source).write_text(jsonl(RECORDS))
    opened = read_counted(monkeypatch)
    run(source, tmp_path / "out.jsonl", workers=2, progress=lambda n: None)
    assert len(opened) == 1
    check_records(read_jsonl(tmp_path / "out.jsonl"))


def test_json_bytes_writes_keys_that_are_not_strings_as_strings_and_what_orjson_refuses_as_the_standard_library():
    """orjson is asked for non-string keys only when it meets one (the option slows every
    call); the bytes are those it wrote with the option always on."""
    from corpusclean.writers.base import json_bytes

    assert json_bytes({"a": [1, 2.5, None], "b": "café"}) == '{"a":[1,2.5,null],"b":"café"}'.encode("utf-8")
    assert json_bytes({1: "one", "two": 2}) == b'{"1":"one","two":2}'
    assert json_bytes({"n": float("nan"), "big": 2**70}) == b'{"n":null,"big":1180591620717411303424}'
    assert json_bytes({"x": "\ud800"}) == b'{"x":"\\ud800"}'
