"""A `.jsonl.gz` OUT (and a `.jsonl.gz` --report-file) is gzip members written one after the
other: the lines of the input's documents 0-31, then of 32-63, and so on
(writers.jsonl.MEMBER_DOCUMENTS). gzip, zcat, Python's gzip and our own reader read them as one
stream. Where a member begins depends on the input alone, so the file is byte for byte the same
whatever the number of workers (or the engine: tests/test_ray.py); and a worker that cleaned a
whole group compresses it itself, so that the parent, which writes in input order, only
appends bytes.
"""
from __future__ import annotations

import gzip
import json
import os
import signal
import zlib
from pathlib import Path

import pytest

from corpusclean.stages.rules import RuleStage
from corpusclean.writers import read_jsonl_output
from corpusclean.writers.jsonl import MEMBER_DOCUMENTS
from conftest import run_cli

#: 100 documents: members of documents 0-31, 32-63, 64-95 and 96-99. With 2 workers the first
#: group is one task of pass 2, cleaned by one worker; the last 64 documents or more go in
#: batches of 8 (pipeline.TAIL_BATCH), whose members the parent makes
DOCUMENTS = 100


def records(bad: tuple[int, ...] = ()) -> str:
    """DOCUMENTS JSONL records; the lines at `bad` are not JSON (no record: nothing is written for them)."""
    lines = []
    for n in range(DOCUMENTS):
        text = (f"Headline {n}\n\nThe council voted on Tuesday to extend programme {n} until next spring.\n"
                "Share on Facebook\n")
        lines.append("not a record" if n in bad else json.dumps({"id": f"doc{n:03d}", "text": text}))
    return "".join(line + "\n" for line in lines)


def corpus(tmp_path: Path, bad: tuple[int, ...] = ()) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text(records(bad), encoding="utf-8")
    return path


def run(source: Path, out: Path, *options: str) -> None:
    result = run_cli("run", str(source), str(out), "-q", *options)
    assert result.exit_code == 0, result.stderr


def members(data: bytes) -> list[bytes]:
    """Each gzip member of `data`, decompressed, in order."""
    found = []
    while data:
        member = zlib.decompressobj(wbits=31)  # one gzip member, and what follows it
        found.append(member.decompress(data) + member.flush())
        data = member.unused_data
    return found


def test_the_gz_file_is_the_plain_file_in_members_of_32_documents(tmp_path):
    source = corpus(tmp_path)
    run(source, tmp_path / "out.jsonl", "-w", "2")
    run(source, tmp_path / "out.jsonl.gz", "-w", "2")
    plain = (tmp_path / "out.jsonl").read_bytes()
    packed = (tmp_path / "out.jsonl.gz").read_bytes()
    lines = plain.splitlines(keepends=True)
    assert len(lines) == DOCUMENTS and MEMBER_DOCUMENTS == 32
    assert members(packed) == [b"".join(lines[0:32]), b"".join(lines[32:64]), b"".join(lines[64:96]),
                               b"".join(lines[96:])]
    assert gzip.decompress(packed) == plain   # Python's gzip reads on through every member
    assert [record for _, record in read_jsonl_output(tmp_path / "out.jsonl.gz")] == list(
        map(json.loads, lines))                # and so does our own reader (a .jsonl.gz IN too)


def test_one_worker_or_two_write_the_same_bytes_and_so_does_the_report_file(tmp_path):
    source = corpus(tmp_path)
    for workers in ("1", "2"):
        run(source, tmp_path / f"out-{workers}.jsonl.gz", "-w", workers,
            "--report-file", str(tmp_path / f"reports-{workers}.jsonl.gz"))
    for name in ("out", "reports"):
        one, two = ((tmp_path / f"{name}-{workers}.jsonl.gz").read_bytes() for workers in ("1", "2"))
        assert one == two
        assert len(members(one)) == 4
    reports = [json.loads(line) for line in gzip.decompress(two).splitlines()]
    assert [report["document"] for report in reports] == [f"doc{n:03d}" for n in range(DOCUMENTS)]


def test_a_group_with_no_record_makes_no_member(tmp_path):
    """Documents 32-63 are lines that are no record: they fail, and nothing is written for them."""
    source = corpus(tmp_path, bad=tuple(range(32, 64)))
    result = run_cli("run", str(source), str(tmp_path / "out.jsonl.gz"), "-q", "-w", "2")
    assert result.exit_code == 1   # the failed documents say so
    found = members((tmp_path / "out.jsonl.gz").read_bytes())
    assert [member.count(b"\n") for member in found] == [32, 32, 4]


def test_no_record_at_all_is_still_a_gzip_file(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("not a record\n")
    assert run_cli("run", str(source), str(tmp_path / "out.jsonl.gz"), "-q").exit_code == 1
    assert gzip.decompress((tmp_path / "out.jsonl.gz").read_bytes()) == b""   # zcat and gzip -t accept it too


def test_a_batch_that_killed_its_worker_is_run_again_and_the_file_is_the_same(tmp_path, monkeypatch):
    """The batch of documents 0-31 kills the worker cleaning it (twice: once in the run, once
    run again alone), so it is run one document at a time (workers.ordered_map); no worker
    then holds the group whole, and the parent makes its member from the documents' lines."""
    source = corpus(tmp_path)
    run(source, tmp_path / "reference.jsonl.gz", "-w", "1")
    real = RuleStage.prepare_batch

    killed = tmp_path / "killed"

    def killed_on_a_batch_with_doc005(self, docs):
        if len(docs) > 1 and any(doc.name == "doc005" for doc in docs):
            killed.touch()
            os.kill(os.getpid(), signal.SIGKILL)   # what the out-of-memory killer does
        return real(self, docs)

    monkeypatch.setattr(RuleStage, "prepare_batch", killed_on_a_batch_with_doc005)
    run(source, tmp_path / "out.jsonl.gz", "-w", "2")
    assert killed.exists()
    assert (tmp_path / "out.jsonl.gz").read_bytes() == (tmp_path / "reference.jsonl.gz").read_bytes()


def test_a_worker_compresses_the_groups_it_cleaned_whole_and_hands_over_the_rest_as_lines(tmp_path):
    """What a task of pass 2 gives the parent (`pipeline.gathered`): documents 32-63 (a task
    of CLEAN_BATCH from a multiple of it) one member; documents 64-71 (a batch near the run's
    end: pipeline.TAIL_BATCH) their lines, which the parent makes into member 2 once the
    other batches' lines of documents 72-95 have come."""
    from corpusclean.pipeline import Job, Result, Written, _encoded, gathered
    from corpusclean.writers.jsonl import JsonlWriter, Packed

    writer = JsonlWriter(str(tmp_path / "out.jsonl.gz"))
    job = Job(stages=[], steps=[], max_bytes=1000, encoder=writer.encoder())

    def cleaned(numbers: range) -> list[Result]:
        return [_encoded(Result(f"doc{n}", {"document": f"doc{n}", "status": "ok", "removals": [],
                                            "sizes": {"fixed_chars": 6, "clean_chars": 6}}, "text.\n"), job.encoder)
                for n in numbers]

    [whole] = gathered(job, cleaned(range(32, 64)), 32)
    assert isinstance(whole, Written) and isinstance(whole.lines, Packed) and whole.documents == 32
    assert len(members(whole.lines.records)) == 1
    [tail] = gathered(job, cleaned(range(64, 72)), 64)
    assert isinstance(tail, Written) and not isinstance(tail.lines, Packed) and tail.documents == 8
    assert tail.lines is not None and tail.lines[0].count(b"\n") == 8
    writer.abort()


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.zst"])
def test_other_files_of_records_are_written_as_before(tmp_path, suffix):
    """Plain JSONL is appended as it comes; zstd stays one stream, compressed by the parent
    (pandas and zstandard.open read only the first frame of a file of several)."""
    source = corpus(tmp_path)
    run(source, tmp_path / f"one{suffix}", "-w", "1")
    run(source, tmp_path / f"two{suffix}", "-w", "2")
    assert (tmp_path / f"one{suffix}").read_bytes() == (tmp_path / f"two{suffix}").read_bytes()
    if suffix.endswith(".zst"):
        import zstandard

        with zstandard.open(tmp_path / f"two{suffix}", "rb") as handle:  # the first frame only
            assert handle.read().count(b"\n") == DOCUMENTS
