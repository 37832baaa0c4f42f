"""Bounded resources: one page cannot take a worker's gigabytes or minutes. A compressed page
is read only up to --max-bytes of what it inflates to, an HTML page of more than
--max-html-elements elements is refused before it is parsed into a tree, and a worker that
needs more than --max-memory-mb fails the document it was cleaning, not the run."""
from __future__ import annotations

import gzip

from corpusclean.extract import count_elements
from corpusclean.stages.rules import RuleStage
from conftest import read_report, read_summary, run_cli, write_tree

GOOD = "A headline\n\nThe council voted on Tuesday to extend the programme until next spring.\n"
ROW = '<div class="item"><p>The council met on Tuesday to discuss the budget of the town.</p><span>x</span></div>\n'


def page(rows: int) -> bytes:
    return f"<html><body>{ROW * rows}</body></html>".encode()


def test_a_page_that_inflates_past_max_bytes_is_not_read_whole(tmp_path):
    bomb = gzip.compress(page(300_000))  # 30 MB of markup in about 100 KB
    assert len(bomb) < 200_000
    write_tree(tmp_path / "in", {"bomb.html.gz": bomb, "good.txt": GOOD})
    result = run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"), "--max-bytes", "10000000")
    assert result.exit_code == 1
    assert read_report(tmp_path / "out", "bomb")["error"] == "decompresses to over the --max-bytes limit of 10,000,000"
    assert (tmp_path / "out/good.txt").read_text() == GOOD


def test_a_page_with_too_many_elements_is_refused_before_it_is_parsed(tmp_path):
    """The 30 MB page of the issue's kind (about 900k elements) under the default limit: the
    count stops at the limit, so refusing it costs a fraction of what parsing would."""
    write_tree(tmp_path / "in", {"huge.html.gz": gzip.compress(page(300_000)), "small.html": page(30),
                                 "good.txt": GOOD})
    result = run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert read_summary(tmp_path / "out/corpusclean-summary.json")["failures"] == [
        {"document": "huge", "error": "the page has over 100,000 HTML elements (--max-html-elements); "
                                      "raise the limit to clean it"}]
    assert "The council met on Tuesday" in (tmp_path / "out/small.txt").read_text()


def test_the_element_limit_is_a_flag(tmp_path):
    write_tree(tmp_path / "in", {"page.html": page(300)})
    refused = run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"), "--max-html-elements", "500")
    assert refused.exit_code == 1
    assert run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out2"), "--max-html-elements", "0").exit_code == 0


def test_elements_are_counted_as_the_parser_sees_them():
    assert count_elements(page(10).decode(), 1000) == 2 + 10 * 3   # html, body, a div, p and span a row
    assert count_elements("<p>a</p><p>b", 1000) == 4               # the html and body lxml supplies


def test_a_document_needing_more_memory_than_a_worker_may_take_fails_alone(tmp_path, monkeypatch):
    real = RuleStage.process

    def greedy(self, doc):
        if doc.name == "greedy":
            bytearray(3_000_000_000)  # what a 70 MB page costs the stages, at once
        real(self, doc)

    monkeypatch.setattr(RuleStage, "process", greedy)
    write_tree(tmp_path / "in", {"greedy.txt": GOOD, "good.txt": GOOD})
    result = run_cli("strip", str(tmp_path / "in"), str(tmp_path / "out"), "-w", "2", "--max-memory-mb", "1500")
    assert result.exit_code == 1
    assert read_report(tmp_path / "out", "greedy")["error"] == ("ran out of memory in stage rules (a worker process may take --max-memory-mb; "
                                                    "raise it to clean this)")
    assert (tmp_path / "out/good.txt").read_text() == GOOD
