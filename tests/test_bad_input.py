"""Bad input never stops a run: each bad document gets a clear message in the summary (and its
report where it has one), every other document is still cleaned, and the exit code says
whether anything failed. Inputs are never modified; outputs appear whole or not at all.
"""
from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from corpusclean.model import Document
from corpusclean.report import LONG_LINE, notices
from corpusclean.writers import JsonlWriter, atomic_file, atomic_write
from conftest import read_report, read_summary, run_cli, tree_digest, write_tree

GOOD = "A headline\n\nThe council voted on Tuesday to extend the programme.\n"


def bad_folder(root: Path) -> Path:
    """One document of every kind of awkward input, next to a good one."""
    write_tree(root, {
        "good.txt": GOOD,
        "empty.txt": b"",
        "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "latin1.txt": "Caf\xe9 cr\xe8me br\xfbl\xe9e, na\xefve fa\xe7ade.\n".encode("latin-1"),
        "utf16.txt": "\ufeffHallo Welt\r\nzweite Zeile\r\n".encode("utf-16-le"),
        "crlf.txt": b"first\r\nsecond\r\n",
        "cr.txt": b"first\rsecond\r",
        "nested/deeper.txt": GOOD,
    })
    # Unreadable entries that stay unreadable as root (chmod 000 does not stop root): a link
    # to a file that does not exist, and a FIFO, which would block a naive reader forever.
    (root / "dangling.txt").symlink_to(root / "missing.txt")
    os.mkfifo(root / "fifo.txt")
    return root


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    return bad_folder(tmp_path / "in")


FAILURES = {
    "binary": "binary file: NUL byte at offset 8; not text (UTF-16 and UTF-32 text needs a byte-order mark)",
    "dangling": "cannot read: no such file (a symbolic link to a missing file)",
    "fifo": "cannot read: not a regular file but a FIFO (named pipe)",
}


def test_each_bad_file_is_named_with_its_reason_and_the_rest_are_cleaned(bad, tmp_path):
    out = tmp_path / "out"
    result = run_cli("fix", str(bad), str(out), "--workers", "1")
    assert result.exit_code == 1
    summary = read_summary(out / "corpusclean-summary.json")
    assert summary["documents"] == {"failed": 3, "ok": 7}
    assert {f["document"]: f["error"] for f in summary["failures"]} == FAILURES
    for name, error in FAILURES.items():
        assert read_report(out, name)["error"] == error
        assert not (out / f"{name}.txt").exists()
        assert f"failed: {name}: {error}" in result.stderr
    assert (out / "good.txt").read_text() == GOOD
    assert (out / "nested/deeper.txt").read_text() == GOOD
    assert (out / "latin1.txt").read_text() == "Café crème brûlée, naïve façade.\n"
    assert (out / "utf16.txt").read_text() == "Hallo Welt\nzweite Zeile\n"
    assert (out / "crlf.txt").read_bytes() == (out / "cr.txt").read_bytes() == b"first\nsecond\n"
    assert (out / "empty.txt").read_text() == ""


def test_cleaned_oddities_are_noticed_in_their_report_and_counted_in_the_summary(bad, tmp_path):
    out = tmp_path / "out"
    run_cli("fix", str(bad), str(out), "--workers", "1")
    notices = {name: [n["kind"] for n in read_report(out, name).get("notices", [])]
               for name in ("good", "empty", "latin1", "utf16", "crlf", "cr")}
    assert notices == {"good": [], "empty": ["empty"], "latin1": ["legacy-encoding"],
                       "utf16": ["byte-order-mark", "line-endings"], "crlf": ["line-endings"],
                       "cr": ["line-endings"]}
    assert read_report(out, "latin1")["encoding"]["encoding"] == "cp1252"
    counted = {kind: entry["documents"] for kind, entry in read_summary(out / "corpusclean-summary.json")["notices"].items()}
    assert counted == {"byte-order-mark": 1, "empty": 1, "legacy-encoding": 1, "line-endings": 3}


def test_the_full_run_goes_on_past_bad_files_too(bad, tmp_path):
    out = tmp_path / "out"
    result = run_cli("run", str(bad), str(out), "--workers", "2")
    assert result.exit_code == 1
    assert read_summary(out / "corpusclean-summary.json")["documents"] == {"failed": 3, "ok": 7}
    assert (out / "good.txt").exists() and (out / "utf16.txt").exists()


def test_a_clean_run_exits_zero(tmp_path):
    write_tree(tmp_path / "in", {"a.txt": GOOD, "b.txt": b""})
    assert run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out")).exit_code == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_file_without_read_permission_fails_alone(tmp_path):
    write_tree(tmp_path / "in", {"good.txt": GOOD, "secret.txt": GOOD})
    (tmp_path / "in/secret.txt").chmod(0)
    try:
        result = run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"))
    finally:
        (tmp_path / "in/secret.txt").chmod(0o644)
    assert result.exit_code == 1
    assert read_report(tmp_path / "out", "secret")["error"] == "cannot read: permission denied"


def test_an_input_over_max_bytes_is_refused_by_size_not_read(tmp_path):
    write_tree(tmp_path / "in", {"big.txt": "x" * 5000, "good.txt": GOOD})
    result = run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"), "--max-bytes", "4096")
    assert result.exit_code == 1
    assert read_report(tmp_path / "out", "big")["error"] == (
        "5,000 bytes is over the --max-bytes limit of 4,096; raise the limit to process it")


def test_a_page_with_no_newline_at_all_is_cleaned_and_noticed(tmp_path):
    """A whole page on one line (here 1.1 MB; a 50 MB one is measured in the report of the
    change) is cleaned, with a notice that it lost its line breaks."""
    line = "The council voted on Tuesday to extend the programme, café über alles. " * 16_000
    write_tree(tmp_path / "in", {"one-line.txt": line})
    result = run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"))
    assert result.exit_code == 0
    assert (tmp_path / "out/one-line.txt").read_text() == line + "\n"
    (notice,) = read_report(tmp_path / "out", "one-line")["notices"]
    assert notice == {"kind": "long-line", "message": f"line 1 is {len(line):,} characters long; "
                                                      "the page may have lost its line breaks"}



def test_the_long_line_notice_names_the_first_of_the_longest_lines():
    page = Document("page", "short\n" + "a" * LONG_LINE + "\n" + "b" * LONG_LINE + "\n")
    assert notices(page) == [{"kind": "long-line", "message": f"line 2 is {LONG_LINE:,} characters long; "
                                                              "the page may have lost its line breaks"}]
    assert notices(Document("page", "short\n" + "a" * (LONG_LINE - 1) + "\n")) == []


# -- JSONL -----------------------------------------------------------------------------------

BAD_JSONL = b"\n".join([
    b'{"id": "a", "text": "Hello\\r\\nworld", "url": "https://example.org/a"}',
    b'{not json',
    b'{"id": "b", "title": "no text"}',
    b'[1, 2]',
    b'{"text": "no id"}',
    b'{"id": "c", "text": 5}',
    b'{"id": "d", "text": "caf\xe9"}',  # raw latin-1 byte: the line is not UTF-8
    b'',
    b'{"id": "e", "text": "caf\\u00c3\\u00a9"}',
]) + b"\n"


def test_bad_jsonl_lines_fail_one_by_one(tmp_path):
    (tmp_path / "in.jsonl").write_bytes(BAD_JSONL)
    result = run_cli("fix", str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"))
    assert result.exit_code == 1
    summary = read_summary(tmp_path / "out.jsonl.summary.json")
    assert summary["failures"] == [
        {"document": "line 2", "error": "not valid JSON (Expecting property name enclosed in double quotes at column 2)"},
        {"document": "b", "error": "record has neither `text` nor `html`"},
        {"document": "line 4", "error": "a JSON array, not an object"},
        {"document": "line 5", "error": "record has no `id`"},
        {"document": "c", "error": "`text` is a number, not a string"},
        {"document": "line 7", "error": "not valid UTF-8 (byte 24 of the line); JSONL is UTF-8"},
    ]
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    # records with an id keep their place, failed ones with their error and no text
    assert [(r["id"], r.get("text"), r["report"]["status"]) for r in records] == [
        ("a", "Hello\nworld\n", "ok"), ("b", None, "failed"), ("c", None, "failed"), ("e", "café\n", "ok")]
    assert records[1]["report"]["error"] == "record has neither `text` nor `html`"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_line_nested_too_deeply_for_the_json_parser_fails_alone(tmp_path, workers):
    """json.loads gives up (RecursionError) on arrays nested thousands deep: that line fails by
    its place, the others are cleaned (it used to stop the whole run with a traceback)."""
    deep = b"[" * 100_000 + b"]" * 100_000
    (tmp_path / "in.jsonl").write_bytes(b'{"id": "a", "text": "Hello\\nworld\\n"}\n' + deep + b"\n")
    result = run_cli("run", str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"), "-w", workers)
    assert result.exit_code == 1
    summary = read_summary(tmp_path / "out.jsonl.summary.json")
    assert summary["failures"] == [{"document": "line 2", "error": "not JSON this reader can parse (nested too deeply)"}]
    [record] = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert (record["id"], record["text"]) == ("a", "Hello\nworld\n")


def test_a_gzip_file_cut_short_fails_where_it_breaks(tmp_path):
    whole = gzip.compress(b'{"id": "a", "text": "some text"}\n' * 2000)
    (tmp_path / "in.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    result = run_cli("fix", str(tmp_path / "in.jsonl.gz"), str(tmp_path / "out.jsonl"))
    assert result.exit_code == 1
    (failure,) = read_summary(tmp_path / "out.jsonl.summary.json")["failures"]
    assert failure["error"].startswith("the file is cut short or corrupt after line ")


# -- chained input that was tampered with, and bugs ------------------------------------------

@pytest.mark.parametrize("edit", [
    lambda text: text.replace("council", "committee"),   # a word changed
    lambda text: text[:-1],                               # the last newline cut
    lambda text: "",                                      # emptied
])
def test_an_edited_text_beside_its_report_fails_clearly(tmp_path, edit):
    write_tree(tmp_path / "in", {"page.txt": "\n\n" + GOOD + "\n\n", "other.txt": GOOD})
    run_cli("fix", str(tmp_path / "in"), str(tmp_path / "fixed"))
    page = tmp_path / "fixed/page.txt"
    page.write_text(edit(page.read_text()))
    result = run_cli("strip", str(tmp_path / "fixed"), str(tmp_path / "stripped"))
    assert result.exit_code == 1
    error = read_report(tmp_path / "stripped", "page")["error"]
    assert error.startswith("its report does not match its text (") and error.endswith("was either edited?")
    assert (tmp_path / "stripped/other.txt").read_text() == GOOD


def test_a_bug_in_a_stage_fails_that_document_by_name_and_the_run_goes_on(tmp_path):
    from corpusclean.pipeline import Job, process_one
    from corpusclean.readers import Source
    from corpusclean.stages.base import Stage

    class Broken(Stage):
        name = "broken"

        def process(self, doc):
            if "boom" in doc.text:
                raise ZeroDivisionError("division by zero")

    write_tree(tmp_path, {"boom.txt": "boom\n", "fine.txt": "fine\n"})
    job = Job(stages=[Broken()], steps=[], max_bytes=10_000)
    boom = process_one(job, Source(name="boom", path=tmp_path / "boom.txt", relpath="boom.txt"))
    fine = process_one(job, Source(name="fine", path=tmp_path / "fine.txt", relpath="fine.txt"))
    assert boom.report["status"] == "failed"
    assert boom.report["error"].startswith("internal error in stage broken: ZeroDivisionError: division by zero (at test_bad_input.py:")
    assert fine.clean == "fine\n"


# -- refusing before writing -----------------------------------------------------------------

@pytest.mark.parametrize("out, message", [
    ("in", "OUT is the same as IN"),
    ("in/out", "is inside IN"),
    ("in/sub/out.jsonl", "is inside IN"),
    (".", "is inside OUT"),
])
def test_out_overlapping_in_is_refused_before_anything_is_written(tmp_path, monkeypatch, out, message):
    write_tree(tmp_path / "in", {"a.txt": GOOD, "sub/b.txt": GOOD})
    monkeypatch.chdir(tmp_path)
    before = tree_digest(tmp_path)
    result = run_cli("run", "in", out)
    assert result.exit_code == 1
    assert message in result.stderr
    assert tree_digest(tmp_path) == before


def test_a_single_file_cannot_be_cleaned_onto_itself(tmp_path, monkeypatch):
    write_tree(tmp_path, {"page.txt": GOOD})
    monkeypatch.chdir(tmp_path)
    result = run_cli("fix", "page.txt", ".")
    assert result.exit_code == 1 and "is inside OUT" in result.stderr
    assert (tmp_path / "page.txt").read_text() == GOOD


def test_a_summary_inside_in_is_refused(tmp_path):
    write_tree(tmp_path / "in", {"a.txt": GOOD})
    result = run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"), "--summary", str(tmp_path / "in/s.json"))
    assert result.exit_code == 1 and "--summary" in result.stderr
    assert not (tmp_path / "out").exists()


def test_two_inputs_with_the_same_output_name_do_not_overwrite_each_other(tmp_path):
    write_tree(tmp_path / "in", {"page.html": "<p>Hello from HTML</p>", "page.txt": GOOD})
    result = run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert read_summary(tmp_path / "out/corpusclean-summary.json")["failures"] == [
        {"document": "page.txt", "error": "writes the same output (page.txt) as page.html; rename one of them"}]
    assert "Hello from HTML" in (tmp_path / "out/page.txt").read_text()


def test_inputs_are_never_modified(bad, tmp_path):
    before = tree_digest(bad)
    run_cli("run", str(bad), str(tmp_path / "out"), "--workers", "2")
    run_cli("fix", str(bad), str(tmp_path / "fixed"))
    run_cli("strip", str(tmp_path / "fixed"), str(tmp_path / "stripped"))
    assert tree_digest(bad) == before


# -- atomic outputs --------------------------------------------------------------------------

class Crash(BaseException):
    """Stands in for the process dying: not an Exception, so nothing catches it by accident."""


def test_a_crash_while_writing_leaves_the_old_file_and_no_litter(tmp_path, monkeypatch):
    target = tmp_path / "page.txt"
    target.write_text("old content\n")

    def crash_before_rename(src, dst):
        raise Crash

    monkeypatch.setattr(os, "replace", crash_before_rename)
    with pytest.raises(Crash):
        atomic_write(target, b"new content\n")
    assert target.read_text() == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.txt"]


def test_a_crash_mid_write_leaves_no_partial_file(tmp_path, monkeypatch):
    real_write = os.write

    def dies_halfway(fd, data):
        real_write(fd, bytes(data[: len(data) // 2]))
        raise Crash

    monkeypatch.setattr(os, "write", dies_halfway)
    with pytest.raises(Crash):
        atomic_write(tmp_path / "page.txt", b"x" * 1000)
    assert list(tmp_path.iterdir()) == []


def test_a_crash_mid_write_of_a_streamed_file_leaves_no_partial_file(tmp_path, monkeypatch):
    real_fdopen = os.fdopen

    class DiesHalfway:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            raise Crash

    monkeypatch.setattr(os, "fdopen", lambda fd, mode, **kw: DiesHalfway(real_fdopen(fd, mode, **kw)))
    with pytest.raises(Crash):
        with atomic_file(tmp_path / "page.txt") as handle:
            handle.write(b"x" * 1000)
    assert list(tmp_path.iterdir()) == []


def test_a_jsonl_run_that_dies_leaves_no_output_and_no_litter(tmp_path):
    sink = JsonlWriter(str(tmp_path / "out.jsonl.gz"))
    sink.file.write({"id": "a"})
    sink.abort()
    assert list(tmp_path.iterdir()) == []


def test_a_stage_crashing_mid_run_leaves_only_whole_files(tmp_path, monkeypatch):
    """Documents written before the crash are complete; nothing half-written, no temp files.
    Documents are cleaned in batches (here of two): the batch in hand is lost whole."""
    import corpusclean.pipeline as pipeline

    write_tree(tmp_path / "in", {f"{n}.txt": GOOD for n in range(5)})
    real = pipeline.process_batch

    def dies_on_the_fourth(job, batch):
        if any(source.name == "3" for _, source in batch):
            raise Crash
        return real(job, batch)

    monkeypatch.setattr(pipeline, "CLEAN_BATCH", 2)
    monkeypatch.setattr(pipeline, "process_batch", dies_on_the_fourth)
    with pytest.raises(Crash):
        run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"), "--workers", "1")
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    # .corpusclean-run marks the run as unfinished, for --resume
    assert written == [".corpusclean-run", "0.report.json", "0.txt", "1.report.json", "1.txt"]
    assert all((tmp_path / "out" / name).read_text() == GOOD for name in ("0.txt", "1.txt"))
