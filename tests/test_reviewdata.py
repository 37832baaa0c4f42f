"""reviewdata: the one reading of a run that `diff` and `review` both draw.

A page's segments are its encoding-fixed text cut into kept and removed pieces, in order.
"""
from __future__ import annotations

import json

import pytest

from corpusclean.layout import apply
from corpusclean.model import Document, Removal
from corpusclean.reviewdata import (
    ReviewError, Selection, find_page, iter_pages, page_names, read_summary, to_lines, weave,
)
from review_run import COUNCIL, make_run


def removed(category: str, rule: str = "r") -> Removal:
    return Removal(stage="s", rule=rule, category=category, line_start=1, line_end=1, start=0, end=2, text="x\n")


def test_segments_are_the_fixed_text_in_order(tmp_path):
    page = find_page(make_run(tmp_path), "council")
    assert "".join(s.text for s in page.segments) == COUNCIL
    assert [s.text for s in page.segments if not s.kept][:2] == ["Skip to content\n", "Home | News | Sport\n"]


def test_segments_know_their_line_numbers(tmp_path):
    page = find_page(make_run(tmp_path), "council")
    lines = page.lines()
    assert [line.number for line in lines] == list(range(1, COUNCIL.count("\n") + 1))
    assert lines[8].text == "Share on Facebook" and lines[8].removal.rule == "social.share"
    assert lines[3].text == "Council approves the new river bridge" and lines[3].removal is None


def test_weave_matches_the_document_that_made_the_report():
    doc = Document("d", "a\nb\nc\nd\n")
    doc.remove(1, 2, stage="s", rule="r", category="widget")
    clean = apply(doc)
    segments = weave(clean, doc.removals)
    assert [(s.text, s.line, s.kept) for s in segments] == [("a\n", 1, True), ("b\nc\n", 2, False), ("d\n", 4, True)]
    assert [line.text for line in to_lines(segments)] == ["a", "b", "c", "d"]


def test_a_report_that_does_not_fit_its_text_is_an_error():
    doc = Document("d", "a\nb\nc\n")
    doc.remove(2, 2, stage="s", rule="r", category="widget")
    with pytest.raises(ReviewError, match="past the end of the text"):
        weave("a\n", doc.removals)  # the clean text lost a line
    with pytest.raises(ReviewError, match="does not fit the text"):
        weave("a\nb\nextra\n", [Removal("s", "r", "widget", 3, 3, 2, 4, "c\n")])


def test_a_dropped_page_has_only_its_removals():
    segments = weave(None, [removed("duplicate")])
    assert [(s.text, s.kept) for s in segments] == [("x\n", False)]


def test_selection_by_category_and_rule_pattern():
    assert Selection().matches(removed("social"))
    assert not Selection().matches(removed("whitespace")), "blank-line tidying only when asked for"
    assert Selection(categories=("whitespace",)).matches(removed("whitespace"))
    assert not Selection(categories=("social",)).matches(removed("widget"))
    assert Selection(rules=("social.*",)).matches(removed("social", "social.share"))
    assert not Selection(rules=("social.*",)).matches(removed("social", "share.social"))


def test_pages_come_in_output_order_from_a_folder_and_from_jsonl(tmp_path):
    folder = make_run(tmp_path)
    jsonl = make_run(tmp_path, jsonl=True)
    assert page_names(folder) == ["broken", "council", "notes", "recipe"]
    assert [p.name for p in iter_pages(jsonl)] == ["council", "recipe", "notes", "broken"]
    assert [p.status for p in iter_pages(jsonl)] == ["ok", "ok", "ok", "failed"]


def test_the_run_summary_is_found_beside_either_output(tmp_path):
    assert read_summary(make_run(tmp_path))["documents"] == {"failed": 1, "ok": 3}
    assert read_summary(make_run(tmp_path, jsonl=True))["documents"] == {"failed": 1, "ok": 3}


def test_edited_clean_text_is_reported_with_the_page_name(tmp_path):
    out = make_run(tmp_path)
    (out / "council.txt").write_text("someone edited this\n", encoding="utf-8")
    with pytest.raises(ReviewError, match="^council: "):
        find_page(out, "council")


def test_a_jsonl_file_without_reports_is_refused(tmp_path):
    path = tmp_path / "plain.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "hello\n"}) + "\n", encoding="utf-8")
    with pytest.raises(ReviewError, match="no `report` field"):
        list(iter_pages(path))
