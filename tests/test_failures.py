"""Every document fails alone: whatever goes wrong with one document (bad input, a bug in any
step, an exception of any type) becomes that document's failure, named with the exception in
its report, the summary and on stderr; every other document is cleaned as if it were not
there to fail, and the exit status is 1.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

import corpusclean.encoding as encoding
import corpusclean.pipeline as pipeline
from corpusclean.model import Document
from corpusclean.writers import DirectoryWriter
from corpusclean.writers import jsonl as jsonl_writer
from corpusclean.readers import Source
from corpusclean.stages.classify import ClassifierStage
from corpusclean.stages.dedup import DedupStage
from corpusclean.stages.language import LanguageStage
from corpusclean.stages.rules import RuleStage
from conftest import read_report, read_summary, run_cli, tree_bytes, write_tree

GOOD = "A headline\n\nThe council voted on Tuesday to extend the programme until next spring.\n"
POISON = "The poisoned page says so in its first line.\n"


def corpus(root: Path) -> Path:
    return write_tree(root, {"a.txt": GOOD, "bad.txt": POISON + GOOD, "c/d.txt": GOOD.replace("council", "board")})


class Injected(RuntimeError):
    """The failure a test plants in one step of the pipeline."""


def poisoned(value: object) -> bool:
    """Does this argument belong to the poisoned document?"""
    if isinstance(value, Source):
        return value.name == "bad"
    if isinstance(value, Document):
        return value.name == "bad"
    if isinstance(value, (str, bytes)):
        return (POISON if isinstance(value, str) else POISON.encode()) in value
    if isinstance(value, pipeline.Result):
        return value.name == "bad"
    if isinstance(value, list):
        return any(poisoned(item) for item in value)
    return False


def inject(monkeypatch: pytest.MonkeyPatch, owner: object, attribute: str) -> None:
    """Make owner.attribute raise Injected when it is handed the poisoned document."""
    real = getattr(owner, attribute)

    def failing(*args, **kwargs):
        if any(poisoned(arg) for arg in args):
            raise Injected("planted by the test")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, attribute, failing)


# (what is patched, the words the failure message starts with)
STEPS = {
    "reading": (pipeline, "read_source", "internal error while reading it: Injected: planted by the test"),
    "fixing": (encoding, "fix",  # imported where a document is loaded (pipeline.build_document)
                "internal error while reading it: Injected: planted by the test"),
    "rules": (RuleStage, "process", "internal error in stage rules: Injected: planted by the test"),
    "language": (LanguageStage, "process", "internal error in stage language: Injected: planted by the test"),
    "classifier": (ClassifierStage, "process", "internal error in stage classifier: Injected: planted by the test"),
    "dedup": (DedupStage, "process", "internal error in stage dedup: Injected: planted by the test"),
    "corpus pass": (DedupStage, "observe_batch", "internal error in stage dedup (corpus pass): Injected: planted by the test"),
    "applying": (pipeline, "apply", "internal error while applying its removals: Injected: planted by the test"),
    "report": (pipeline, "document_report", "internal error while writing its report: Injected: planted by the test"),
    "writing": (DirectoryWriter, "write", "internal error while writing its output: Injected: planted by the test"),
}


@pytest.fixture(scope="module")
def uninjected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The output of the same corpus with nothing planted, to compare the others' outputs."""
    root = tmp_path_factory.mktemp("clean")
    run_cli("run", str(corpus(root / "in")), str(root / "out"), "--workers", "1", "-q")
    return tree_bytes(root / "out")


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("step", list(STEPS))
def test_a_failure_at_any_step_fails_that_document_alone(tmp_path, monkeypatch, uninjected, step, workers):
    owner, attribute, message = STEPS[step]
    inject(monkeypatch, owner, attribute)  # forked workers inherit the patch
    out = tmp_path / "out"
    result = run_cli("run", str(corpus(tmp_path / "in")), str(out), "--workers", workers)
    assert result.exit_code == 1
    (failure,) = read_summary(out / "corpusclean-summary.json")["failures"]
    assert failure["document"] == "bad"
    assert failure["error"].startswith(message) and failure["error"].endswith("please report it")
    assert f"failed: bad: {failure['error']}" in result.stderr
    if step != "writing":  # a writer that fails for this document cannot be trusted with its report
        assert read_report(out, "bad")["error"] == failure["error"]
    assert not (out / "bad.txt").exists()
    written = tree_bytes(out)
    for name in ("a.txt", "a.report.json", "c/d.txt", "c/d.report.json"):
        if step == "corpus pass":  # the dedup index never saw the poisoned page
            assert json.loads(written[name.replace(".txt", ".report.json")])["status"] == "ok"
        else:
            assert written[name] == uninjected[name], f"{name} differs from a run where nothing failed"


def test_a_failure_while_writing_a_jsonl_record_fails_that_record_alone(tmp_path, monkeypatch):
    """Making the record fails (in the worker, which then hands the parent the whole result,
    and again in the parent's writer): that record fails, the others are written."""
    inject(monkeypatch, jsonl_writer, "output_record")
    records = [{"id": "a", "text": GOOD}, {"id": "bad", "text": POISON}, {"id": "c", "text": GOOD}]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    result = run_cli("fix", str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"))
    assert result.exit_code == 1
    (failure,) = read_summary(tmp_path / "out.jsonl.summary.json")["failures"]
    assert failure["error"].startswith("internal error while writing its output: Injected")
    assert [json.loads(line)["id"] for line in (tmp_path / "out.jsonl").read_text().splitlines()] == ["a", "c"]


def test_an_exception_that_is_not_an_error_type_still_fails_alone(tmp_path, monkeypatch):
    """MemoryError and RecursionError are what huge or deeply nested pages raise."""
    def runs_out(*args, **kwargs):
        raise MemoryError

    real = RuleStage.process
    monkeypatch.setattr(RuleStage, "process", lambda self, doc: runs_out() if doc.name == "bad" else real(self, doc))
    result = run_cli("strip", str(corpus(tmp_path / "in")), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert read_report(tmp_path / "out", "bad")["error"] == ("ran out of memory in stage rules (a worker process may take --max-memory-mb; "
                                                    "raise it to clean this)")
    assert (tmp_path / "out/a.txt").exists()


# -- the cases of issue 9, each as an adversarial user found it --------------------------------

def test_a_jsonl_text_holding_a_lone_surrogate_fails_alone(tmp_path):
    # valid JSON, but no UTF-8 text can hold U+D800
    (tmp_path / "in.jsonl").write_text('{"id": "s", "text": "x \\ud800 y"}\n{"id": "g", "text": "fine\\n"}\n')
    result = run_cli("fix", str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"))
    assert result.exit_code == 1
    assert read_summary(tmp_path / "out.jsonl.summary.json")["failures"] == [
        {"document": "s", "error": "the text holds a lone surrogate (U+D800 at character 2), which is not text UTF-8 can hold"}]
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [(r["id"], r.get("text")) for r in records] == [("s", None), ("g", "fine\n")]


@pytest.mark.parametrize("report, message", [
    ({"removals": []}, "its report has no `stages`; was it edited or written by another tool?"),
    ({"removals": [], "stages": 5}, "its report's `stages` is a number, not an array; was it edited?"),
    ({"removals": [], "stages": [1]}, "its report's `stages` holds something other than stage names; was it edited?"),
    ({"removals": {}, "stages": []}, "its report's `removals` is an object, not an array; was it edited?"),
    ({"removals": [], "stages": [], "encoding": "utf-8"}, "its report's `encoding` is a string, not an object; was it edited?"),
])
def test_an_earlier_report_of_the_wrong_shape_fails_its_document_alone(tmp_path, report, message):
    records = [{"id": "r", "text": "hello\n", "report": report}, {"id": "g", "text": "fine\n"}]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    result = run_cli("strip", str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"))
    assert result.exit_code == 1
    assert read_summary(tmp_path / "out.jsonl.summary.json")["failures"] == [{"document": "r", "error": message}]


def test_a_report_file_of_the_wrong_shape_beside_its_text_fails_alone(tmp_path):
    write_tree(tmp_path / "in", {"r.txt": "hello\n", "r.report.json": '{"removals": [], "stages": {}}',
                                 "g.txt": "fine\n"})
    result = run_cli("strip", str(tmp_path / "in"), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert read_report(tmp_path / "out", "r")["error"] == "its report's `stages` is an object, not an array; was it edited?"
    assert (tmp_path / "out/g.txt").read_text() == "fine\n"


def test_a_page_declaring_an_encoding_python_knows_but_cannot_decode_with_is_detected(tmp_path):
    """`charset="undefined"` names Python's codec that refuses everything: the page's
    declaration is wrong, so its encoding is detected, as for an unknown name."""
    page = ('<html><head><meta charset="undefined"></head><body><article><p>Caf\xe9 cr\xe8me: the council '
            'voted on Tuesday to extend the programme until next spring, the mayor said.</p></article></body></html>')
    write_tree(tmp_path / "in", {"page.html": page.encode("cp1252"), "g.txt": "fine\n"})
    result = run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"))
    assert result.exit_code == 0
    assert "Café crème" in (tmp_path / "out/page.txt").read_text()
    assert read_report(tmp_path / "out", "page")["extractor"]["decoded"]["source"] == "detected"


def test_a_corrupt_gzip_page_fails_alone(tmp_path):
    whole = gzip.compress(b"<html><body><p>" + b"The council met on Tuesday. " * 200 + b"</p></body></html>")
    corrupt = whole[:30] + bytes(b ^ 0x5A for b in whole[30:60]) + whole[60:]  # deflate data, not the CRC
    write_tree(tmp_path / "in", {"page.html.gz": corrupt, "g.txt": "fine\n"})
    result = run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert read_report(tmp_path / "out", "page")["error"].startswith("cannot read: ")
    assert (tmp_path / "out/g.txt").read_text() == "fine\n"


def test_a_jsonl_file_starting_with_a_bom_keeps_its_first_record(tmp_path):
    (tmp_path / "in.jsonl").write_bytes(b'\xef\xbb\xbf{"id": "a", "text": "first\\n"}\n{"id": "b", "text": "second\\n"}\n')
    assert run_cli("fix", str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl")).exit_code == 0
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [(r["id"], r["text"]) for r in records] == [("a", "first\n"), ("b", "second\n")]


def test_a_short_cp1251_text_is_read_as_cp1251_not_a_dos_code_page(tmp_path):
    write_tree(tmp_path / "in", {"ru.txt": "Привет мир".encode("cp1251")})
    run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"))
    assert (tmp_path / "out/ru.txt").read_text() == "Привет мир\n"
    assert read_report(tmp_path / "out", "ru")["encoding"]["encoding"] == "cp1251"


def test_an_empty_file_is_cleaned_to_an_empty_text_with_a_notice_as_the_readme_says(tmp_path):
    write_tree(tmp_path / "in", {"empty.txt": b""})
    assert run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out")).exit_code == 0
    assert (tmp_path / "out/empty.txt").read_text() == ""
    assert read_report(tmp_path / "out", "empty")["notices"] == [{"kind": "empty", "message": "empty input: nothing to clean"}]
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert "An empty file is cleaned to an empty text, with the notice `empty`" in readme
