"""The formats crawls come in: WARC (and WET), Parquet, JSONL with other field names, and a
folder of shards; output as one file of records or as a folder mirroring the shards."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

import corpusclean.writers.parquet as parquet_writer
from conftest import read_summary, run_cli, write_tree

PROSE = ("The harbour board met on Monday to discuss the winter timetable for the island ferries, "
         "and agreed to keep the early crossing that fishermen and nurses rely on.")
TEXT = f"Sign up for our newsletter\n\n{PROSE}\n"


def html_page(title: str, body: str = PROSE) -> str:
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"<p>{body}</p><p>{body} The board meets again in March.</p></article></body></html>")


def warc_record(kind: str, record_id: str, uri: str, block: bytes, content_type: str) -> bytes:
    """One WARC/1.0 record, gzipped on its own, as crawlers write them."""
    head = (f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{record_id}>\r\n"
            f"WARC-Date: 2024-05-01T12:00:00Z\r\nWARC-Target-URI: {uri}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(block)}\r\n\r\n").encode("ascii")
    return gzip.compress(head + block + b"\r\n\r\n", mtime=0)


def http_response(body: bytes, content_type: str, status: str = "200 OK") -> bytes:
    return f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body


def warc_records() -> list[bytes]:
    """Two HTML responses (one in cp1252, declared only in its HTTP header), each after its
    request, an image and a redirect: two documents, four records skipped."""
    return [
        warc_record("request", "r1", "https://example.org/ferry", b"GET /ferry HTTP/1.1\r\n\r\n",
                    "application/http; msgtype=request"),
        warc_record("response", "d1", "https://example.org/ferry",
                    http_response(html_page("Ferry timetable kept").encode(), "text/html; charset=utf-8"),
                    "application/http; msgtype=response"),
        warc_record("response", "i1", "https://example.org/logo.png", http_response(b"\x89PNG\r\n", "image/png"),
                    "application/http; msgtype=response"),
        warc_record("response", "m1", "https://example.org/old", http_response(b"", "text/html", "301 Moved"),
                    "application/http; msgtype=response"),
        warc_record("request", "r2", "https://example.org/cafe", b"GET /cafe HTTP/1.1\r\n\r\n",
                    "application/http; msgtype=request"),
        warc_record("response", "d2", "https://example.org/cafe",
                    http_response(html_page("Café crème on the ferry").encode("cp1252"), "text/html; charset=windows-1252"),
                    "application/http; msgtype=response"),
    ]


def write_warc(path: Path) -> Path:
    path.write_bytes(b"".join(warc_records()))
    return path


def read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_a_warc_gives_one_record_per_html_response_with_its_url(tmp_path):
    warc = write_warc(tmp_path / "crawl.warc.gz")
    result = run_cli("run", str(warc), str(tmp_path / "out.jsonl"), "-q", "-w", "1")
    assert result.exit_code == 0, result.stderr
    records = read_jsonl(tmp_path / "out.jsonl")
    assert [r["id"] for r in records] == ["<urn:uuid:d1>", "<urn:uuid:d2>"]
    assert [r["url"] for r in records] == ["https://example.org/ferry", "https://example.org/cafe"]
    assert all(r["date"] == "2024-05-01T12:00:00Z" for r in records)
    assert PROSE in records[0]["text"] and "Café crème" in records[1]["text"]
    assert records[0]["title"] == "Ferry timetable kept"  # the page's own metadata, where it has some
    source = records[1]["report"]["source"]
    assert source["kind"] == "html" and source["url"] == "https://example.org/cafe" and source["date"]
    assert records[1]["report"]["extractor"]["decoded"] == {"encoding": "windows-1252", "source": "HTTP charset"}
    summary = read_summary(tmp_path / "out.jsonl.summary.json")
    assert summary["documents"] == {"ok": 2}
    assert summary["skipped"] == {"WARC request record": 2, "WARC response HTTP 301": 1, "WARC response image/png": 1}


def cut_in_a_page(records: list[bytes]) -> bytes:
    return b"".join(records)[:-30]


def cut_in_a_gzip_member(records: list[bytes]) -> bytes:
    return b"".join(records[:-1]) + records[-1][:12]  # a member's gzip header, no record in it yet


def cut_in_a_records_headers(records: list[bytes]) -> bytes:
    plain = b"".join(gzip.decompress(record) for record in records)
    return plain[: plain.rindex(b"WARC-Target-URI")]


@pytest.mark.parametrize("name, cut_short, failure", [
    # the last record's page is cut: it fails, named by its id, with what it holds
    ("cut.warc.gz", cut_in_a_page, ("<urn:uuid:d2>", "the WARC file is cut short in record 6: it holds 453 of the "
                                                     "494 bytes its Content-Length announces")),
    # only the first bytes of the last gzip member are there: no record could be read from it
    ("cut.warc.gz", cut_in_a_gzip_member, ("record 6", "the WARC file is cut short after record 5: its last gzip "
                                                       "member ends before its end")),
    # a plain WARC cut in the last record's headers (after its id, before its Content-Length)
    ("cut.warc", cut_in_a_records_headers, ("<urn:uuid:d2>", "the WARC file is cut short in record 6: its headers "
                                                             "end before their Content-Length")),
], ids=["in a page", "in a gzip member", "in a record's headers"])
def test_a_warc_cut_short_fails_as_an_input_and_keeps_the_records_before_the_cut(tmp_path, name, cut_short, failure):
    """FastWARC ends quietly where a cut file's bytes end; the run says the file is cut short
    (exit status 1, the summary's failures) and keeps every whole record before the cut."""
    warc = tmp_path / name
    warc.write_bytes(cut_short(warc_records()))
    result = run_cli("run", str(warc), str(tmp_path / "out.jsonl"), "-q", "-w", "1")
    assert result.exit_code == 1
    assert [(r["id"], r["report"]["status"]) for r in read_jsonl(tmp_path / "out.jsonl")][0] == ("<urn:uuid:d1>", "ok")
    summary = read_summary(tmp_path / "out.jsonl.summary.json")
    assert [(f["document"], f["error"]) for f in summary["failures"]] == [failure]
    assert summary["documents"] == {"ok": 1, "failed": 1}


def test_wet_conversion_records_are_text_documents(tmp_path):
    wet = tmp_path / "crawl.warc.wet.gz"
    wet.write_bytes(warc_record("conversion", "t1", "https://example.org/ferry", TEXT.encode(), "text/plain"))
    result = run_cli("strip", str(wet), str(tmp_path / "out.jsonl"), "-q", "-w", "1")  # found by its first bytes
    assert result.exit_code == 0, result.stderr
    [record] = read_jsonl(tmp_path / "out.jsonl")
    assert record["report"]["source"]["kind"] == "text"
    assert record["text"] == PROSE + "\n" and record["url"] == "https://example.org/ferry"


def test_parquet_in_and_out_keeps_every_other_column(tmp_path):
    table = pa.table({"doc_id": [7, 8], "content": [TEXT, f"Share on Facebook\n\n{PROSE}\n"],
                      "lang": ["en", "en"], "score": [0.5, 0.25]})
    pq.write_table(table, tmp_path / "in.parquet")
    result = run_cli("run", str(tmp_path / "in.parquet"), str(tmp_path / "out.parquet"), "-q", "-w", "1",
                     "--text-field", "content", "--id-field", "doc_id")
    assert result.exit_code == 0, result.stderr
    out = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [row["doc_id"] for row in out] == [7, 8]
    assert [row["lang"] for row in out] == ["en", "en"] and [row["score"] for row in out] == [0.5, 0.25]
    assert [row["content"] for row in out] == [PROSE + "\n", PROSE + "\n"]
    report = json.loads(out[0]["report"])
    assert report["document"] == "7" and report["removals"][0]["category"] == "newsletter"


def test_parquet_column_types_come_from_every_record_not_the_first_row_group(tmp_path, monkeypatch):
    """A field null in the first row groups and a number later, an integer then a float, a
    field that first appears late: each column gets the type that holds all its values. A
    value no such type holds (a string among numbers, an integer over 64 bits) fails its
    record alone, saying why."""
    monkeypatch.setattr(parquet_writer, "ROWS_PER_GROUP", 2)  # the real one is 1,024 rows
    records = [{"id": "a", "score": None}, {"id": "b", "score": None}, {"id": "c", "score": 3},
               {"id": "d", "score": 4.5, "lang": "en"}, {"id": "e", "score": "high"}, {"id": "f", "score": 2**70}]
    write_tree(tmp_path, {"in.jsonl": "".join(json.dumps({**r, "text": TEXT}) + "\n" for r in records)})
    result = run_cli("run", str(tmp_path / "in.jsonl"), str(tmp_path / "out.parquet"), "-q", "-w", "1")
    assert result.exit_code == 1
    table = pq.read_table(tmp_path / "out.parquet")
    assert (table.schema.field("score").type, table.schema.field("lang").type) == (pa.float64(), pa.string())
    assert table.select(["id", "score", "lang"]).to_pylist() == [
        {"id": "a", "score": None, "lang": None}, {"id": "b", "score": None, "lang": None},
        {"id": "c", "score": 3.0, "lang": None}, {"id": "d", "score": 4.5, "lang": "en"}]
    failures = read_summary(tmp_path / "out.parquet.summary.json")["failures"]
    assert [(f["document"], f["error"]) for f in failures] == [
        ("e", "its field 'score' holds a string where earlier records hold a number: a Parquet column has one type "
              "(a JSONL output keeps both)"),
        ("f", f"its field 'score' holds {2**70}, an integer over 64 bits, which a Parquet column cannot hold (a JSONL "
              "output keeps it)")]


def test_values_of_different_types_inside_a_parquet_field_stop_the_run_saying_so(tmp_path):
    records = [{"id": "a", "meta": {"n": 1}}, {"id": "b", "meta": {"n": "one"}}]
    write_tree(tmp_path, {"in.jsonl": "".join(json.dumps({**r, "text": TEXT}) + "\n" for r in records)})
    result = run_cli("run", str(tmp_path / "in.jsonl"), str(tmp_path / "out.parquet"), "-q", "-w", "1")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot write to OUT: the records' field 'meta' cannot be a Parquet column")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]  # nothing half-written


def test_html_metadata_goes_into_the_record_not_over_its_fields(tmp_path):
    page = ('<html><head><title>Ferries | Island Times</title><meta name="author" content="Ann Example">'
            '<meta property="article:published_time" content="2024-03-05">'
            '<link rel="canonical" href="https://example.org/ferries"></head>'
            f'<body><article><p>{PROSE}</p><p>{PROSE} More in March.</p></article></body></html>')
    lines = [json.dumps({"id": "a", "html": page}), json.dumps({"id": "b", "html": page, "title": "kept as given"})]
    write_tree(tmp_path, {"in.jsonl": "\n".join(lines) + "\n"})
    assert run_cli("run", str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"), "-q").exit_code == 0
    first, second = read_jsonl(tmp_path / "out.jsonl")
    assert (first["title"], first["author"], first["date"], first["url"]) == (
        "Ferries", "Ann Example", "2024-03-05", "https://example.org/ferries")
    assert second["title"] == "kept as given"
    assert "metadata" not in first["report"]["extractor"]  # the report is the same as a folder run's


def test_jsonl_with_another_text_field_keeps_it(tmp_path):
    write_tree(tmp_path, {"in.jsonl": json.dumps({"id": "a", "raw_content": TEXT, "url": "https://example.org/a"}) + "\n"})
    result = run_cli("run", str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"), "-q", "--text-field", "raw_content")
    assert result.exit_code == 0, result.stderr
    [record] = read_jsonl(tmp_path / "out.jsonl")
    assert list(record) == ["id", "url", "raw_content", "report"]
    assert record["raw_content"] == PROSE + "\n"


def story(i: str) -> str:
    return f"Story {i}: the council met on Tuesday and agreed the budget for the coming year at last."


def write_shards(folder: Path) -> Path:
    """Three .jsonl.gz shards of two records each, in a sub-folder for one of them."""
    for shard, ids in (("a.jsonl.gz", ["a1", "a2"]), ("b.jsonl.gz", ["b1", "b2"]), ("more/c.jsonl.gz", ["c1", "c2"])):
        path = folder / shard
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = "".join(json.dumps({"id": i, "text": f"Sign up for our newsletter\n\n{story(i)}\n"}) + "\n" for i in ids)
        path.write_bytes(gzip.compress(lines.encode(), mtime=0))
    return folder


def test_a_folder_of_jsonl_gz_shards_is_read_as_records_and_mirrored(tmp_path):
    shards = write_shards(tmp_path / "in")
    result = run_cli("run", str(shards), str(tmp_path / "out"), "-q", "-w", "2")
    assert result.exit_code == 0, result.stderr
    written = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert written == ["a.jsonl.gz", "b.jsonl.gz", "corpusclean-summary.json", "more/c.jsonl.gz"]
    for shard, ids in (("a.jsonl.gz", ["a1", "a2"]), ("more/c.jsonl.gz", ["c1", "c2"])):
        records = read_jsonl(tmp_path / "out" / shard)
        assert [r["id"] for r in records] == ids
        assert [r["text"] for r in records] == [story(i) + "\n" for i in ids]
    assert read_summary(tmp_path / "out" / "corpusclean-summary.json")["documents"] == {"ok": 6}


def test_a_folder_of_shards_into_one_file(tmp_path):
    shards = write_shards(tmp_path / "in")
    assert run_cli("run", str(shards), str(tmp_path / "all.jsonl"), "-q").exit_code == 0
    assert [r["id"] for r in read_jsonl(tmp_path / "all.jsonl")] == ["a1", "a2", "b1", "b2", "c1", "c2"]


def test_a_zstd_shard_reads_and_writes_as_zstd(tmp_path):
    line = json.dumps({"id": "z", "text": TEXT}) + "\n"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "z.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(line.encode()))
    assert run_cli("strip", str(tmp_path / "in"), str(tmp_path / "out"), "-q").exit_code == 0
    data = zstandard.ZstdDecompressor().stream_reader((tmp_path / "out" / "z.jsonl.zst").read_bytes()).read()
    assert json.loads(data)["text"] == PROSE + "\n"


@pytest.mark.parametrize("files, glob, looked_for", [
    ({}, (), "*.txt *.html"),
    ({"notes.md": "# notes\n"}, ("--glob", "*.csv"), "*.csv"),
])
def test_a_folder_with_nothing_to_read_is_an_error_saying_what_was_looked_for(tmp_path, files, glob, looked_for):
    (tmp_path / "in").mkdir()
    write_tree(tmp_path / "in", files)
    result = run_cli("run", str(tmp_path / "in"), str(tmp_path / "out"), *glob)
    assert result.exit_code == 1
    assert "holds no file to read: looked for" in result.stderr and looked_for in result.stderr
    assert not (tmp_path / "out").exists()


def test_reports_can_go_to_a_side_file_or_nowhere(tmp_path):
    write_tree(tmp_path, {"in.jsonl": json.dumps({"id": "a", "text": TEXT}) + "\n"})
    result = run_cli("run", str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"), "-q",
                     "--report-file", str(tmp_path / "reports.jsonl.gz"))
    assert result.exit_code == 0, result.stderr
    assert list(read_jsonl(tmp_path / "out.jsonl")[0]) == ["id", "text"]
    [report] = read_jsonl(tmp_path / "reports.jsonl.gz")
    assert report["document"] == "a" and report["removals"]
    assert run_cli("run", str(tmp_path / "in.jsonl"), str(tmp_path / "bare.jsonl"), "-q", "--no-reports").exit_code == 0
    assert read_jsonl(tmp_path / "bare.jsonl") == [{"id": "a", "text": PROSE + "\n"}]


def test_a_record_file_in_needs_records_out(tmp_path):
    warc = write_warc(tmp_path / "crawl.warc.gz")
    result = run_cli("run", str(warc), str(tmp_path / "out"))
    assert result.exit_code == 1 and "crawl.warc.gz holds records" in result.stderr


def test_a_folder_of_shards_writes_its_summary_where_summary_says(tmp_path):
    shards = write_shards(tmp_path / "in")
    result = run_cli("run", str(shards), str(tmp_path / "out"), "-q", "--summary", str(tmp_path / "run.json"))
    assert result.exit_code == 0, result.stderr
    assert read_summary(tmp_path / "run.json")["documents"] == {"ok": 6}
    assert not (tmp_path / "out" / "corpusclean-summary.json").exists()
