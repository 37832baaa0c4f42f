"""One document from Python: `corpusclean.clean` and `corpusclean.Cleaner` give what
`corpusclean run` writes for a folder holding only that document, with the same report."""
from __future__ import annotations

import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

import corpusclean
from corpusclean import Cleaned, Cleaner, UsageError, clean
from conftest import read_report, run_cli, write_tree

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

PROSE = ("The harbour board met on Monday to discuss the winter timetable for the island ferries, "
         "and agreed to keep the early crossing that fishermen and nurses rely on.")
TEXT = f"Home | News | Sport | Weather\n\nSign up for our newsletter\n\n{PROSE}\n\n{PROSE}\n\nShare on Facebook\n"
HTML = (f"<!DOCTYPE html><html><head><title>Ferries</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>Winter ferry timetable kept</h1><p>{PROSE}</p><p>Sign up for our newsletter</p>"
        f"<p>{PROSE} The board will meet again in March.</p></article></body></html>")


def run_alone(tmp_path: Path, filename: str, content: str) -> tuple[str, dict]:
    """What `corpusclean run` writes for a folder holding only this document."""
    write_tree(tmp_path / "in", {filename: content})
    assert run_cli("run", str(tmp_path / "in"), str(tmp_path / "out"), "-q", "-w", "1").exit_code == 0
    name = filename.rsplit(".", 1)[0]
    text_path = tmp_path / "out" / f"{name}.txt"
    return text_path.read_text(encoding="utf-8") if text_path.exists() else "", read_report(tmp_path / "out", name)


@pytest.mark.parametrize("filename, content", [("page.txt", TEXT), ("page.html", HTML)])
def test_clean_gives_what_a_run_on_that_one_document_writes(tmp_path, filename, content):
    text, report = run_alone(tmp_path, filename, content)
    cleaned = clean(content.encode("utf-8"), name="page")  # bytes, as the file's
    assert cleaned.status == "ok"
    assert cleaned.text == text
    del report["source"]["path"]  # a file has a path; bytes in memory do not
    assert cleaned.report == report
    assert [r.to_json() for r in cleaned.removals] == report["removals"]
    from_str = clean(content, name="page")  # a str needs no decoding: the report says so
    assert from_str.text == text and from_str.removals == cleaned.removals
    assert from_str.report["encoding"]["encoding"] == "unicode"


def test_clean_runs_every_per_document_stage():
    # a paragraph the page prints twice is kept by default (it may be meant twice); dropped here
    cleaned = clean(TEXT, drop_paragraph_repeats=True)
    rules = {r.rule for r in cleaned.removals}
    assert cleaned.report["stages"] == ["fix", "strip", "dedup"]
    assert cleaned.report["language"]["code"] == "en"
    assert any(rule.startswith("newsletter.") for rule in rules)       # a rule pack
    assert "dedup.page-repeat" in rules                                # the pasted paragraph
    assert cleaned.text.count(PROSE) == 1


def test_kind_auto_reads_an_html_page_as_html_and_kind_overrides_it():
    assert clean(HTML).report["source"]["kind"] == "html"
    assert clean(HTML).metadata["title"] == "Winter ferry timetable kept"  # trafilatura prefers the headline
    assert clean(HTML.encode("utf-8")).report["source"]["kind"] == "html"
    assert clean(TEXT).report["source"]["kind"] == "text"
    assert clean(HTML, kind="text").report["source"]["kind"] == "text"


def test_options_are_the_runs_options():
    assert clean(TEXT, lang="de").status == "dropped"
    kept = clean(TEXT, disable=["newsletter"], keep_page_repeats=True).text
    assert "Sign up for our newsletter" in kept and kept.count(PROSE) == 2
    with pytest.raises(UsageError, match="unknown rule or category 'newsleter'"):
        Cleaner(disable=["newsleter"])
    with pytest.raises(UsageError, match="kind must be one of"):
        Cleaner(kind="pdf")  # type: ignore[arg-type]


def test_bad_input_is_a_failed_result_not_an_exception():
    cleaned = clean(b"\x00\x01\x02 binary")
    assert cleaned.status == "failed"
    assert cleaned.text == "" and cleaned.removals == ()
    assert "NUL byte" in cleaned.report["error"]


def test_a_cleaner_pickles_as_its_configuration():
    cleaner = Cleaner(lang="en", disable=["social"])
    copy = pickle.loads(pickle.dumps(cleaner))
    assert len(pickle.dumps(cleaner)) < 2000  # the config, not compiled rule packs
    assert copy(TEXT) == cleaner(TEXT)
    assert isinstance(copy(TEXT), Cleaned)


def readme_block(marker: str) -> str:
    """The README's ```python block that contains `marker`."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    return next(block for block in blocks if marker in block)


def test_the_readme_datasets_example_runs_on_two_processes(tmp_path):
    pytest.importorskip("datasets")
    script = tmp_path / "example.py"
    script.write_text(readme_block("num_proc=2"), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "ok 2 'The council met on Tuesday and agreed the budget for next year.\\n'",
        "ok 2 'The harbour board voted to keep the winter ferry timetable unchanged.\\n'",
        "dropped 1 ''",
    ]


def test_the_package_is_typed():
    assert (Path(corpusclean.__file__).parent / "py.typed").exists()
