"""Cutting removals out (`layout.apply`) and putting them back (`layout.rebuild`), by example.

tests/test_properties.py checks the same promises on generated documents.
"""
from __future__ import annotations

import dataclasses

import pytest

from corpusclean.layout import LAYOUT_STAGE, apply, rebuild, without_layout
from corpusclean.model import Document, Removal


def doc(*lines: str) -> Document:
    return Document("page", "".join(line + "\n" for line in lines))


def cut(document: Document, first: int, last: int, category: str = "navigation") -> None:
    """Remove 1-based lines first..last, as a rule would."""
    document.remove(first - 1, last - 1, stage="test", rule=f"test.{category}", category=category)


def test_a_removal_in_the_middle_leaves_one_blank_line_between_paragraphs():
    page = doc("Title", "", "Share this", "", "Body text.")
    cut(page, 3, 3)
    assert apply(page) == "Title\n\nBody text.\n"
    layout = [r for r in page.removals if r.stage == LAYOUT_STAGE]
    assert [(r.line_start, r.line_end, r.text) for r in layout] == [(4, 4, "\n")]


def test_blank_lines_at_the_edges_are_tidied_and_recorded():
    page = doc("", "  ", "Body", "", "")
    assert apply(page) == "Body\n"
    assert [(r.line_start, r.line_end) for r in page.iter_removals()] == [(1, 2), (4, 5)]
    assert {r.category for r in page.removals} == {"whitespace"}


def test_removing_everything_gives_empty_text():
    page = doc("Menu", "", "Login")
    cut(page, 1, 3)
    assert apply(page) == ""
    assert rebuild("", page.removals) == page.text


def test_an_empty_document_stays_empty():
    page = Document("empty", "")
    assert page.lines == [] and apply(page) == "" and page.removals == []


def test_removals_carry_lines_offsets_and_text():
    page = doc("Menu", "Body", "Footer")
    cut(page, 2, 2, "widget")
    (removal,) = page.removals
    assert (removal.line_start, removal.line_end) == (2, 2)
    assert page.text[removal.start:removal.end] == removal.text == "Body\n"


def test_a_removal_is_the_record_its_fields_make():
    """Document.remove fills a Removal's fields at once, not through its __init__: the record
    must be the one the dataclass makes, equal, as frozen, with a copy of the details."""
    details = {"signals": {"chars": 4}}
    page = doc("Menu", "Body", "Footer")
    (removal,) = page.remove(1, 1, stage="test", rule="test.widget", category="widget", reason="why",
                             details=details)
    made = Removal(stage="test", rule="test.widget", category="widget", line_start=2, line_end=2,
                   start=5, end=10, text="Body\n", reason="why", details=details)
    assert removal == made and repr(removal) == repr(made) and vars(removal) == vars(made)
    assert removal.details is not details
    with pytest.raises(dataclasses.FrozenInstanceError):
        removal.text = "edited"  # type: ignore[misc]


def test_each_line_has_the_offset_it_starts_at():
    page = doc("a", "", "long line", "b")
    assert page.offsets == [0, 2, 3, 13]
    assert [page.text[offset:].split("\n")[0] for offset in page.offsets] == page.lines


def test_removing_across_an_earlier_removal_makes_two_records():
    page = doc("a", "b", "c", "d")
    cut(page, 2, 2, "social")
    cut(page, 1, 4, "legal")
    assert [(r.line_start, r.line_end, r.category) for r in page.iter_removals()] == [
        (1, 1, "legal"), (2, 2, "social"), (3, 4, "legal")]


def test_a_line_cannot_be_removed_twice_from_a_report():
    page = doc("a", "b")
    cut(page, 1, 2)
    with pytest.raises(ValueError, match="line 1 removed twice"):
        Document("page", page.text, removals=page.removals + page.removals[:1])


@pytest.mark.parametrize("first, last", [(-1, 0), (1, 0), (0, 2)])
def test_removing_lines_that_do_not_exist_is_an_error(first, last):
    with pytest.raises(ValueError, match="cannot remove lines"):
        doc("a", "b").remove(first, last, stage="test", rule="test.bad", category="navigation")


def test_rebuild_puts_every_removal_back_in_place():
    page = doc("", "Menu", "", "Title", "", "Share", "Share", "", "Body", "")
    cut(page, 2, 2)
    cut(page, 6, 7, "social")
    clean = apply(page)
    assert clean == "Title\n\nBody\n"
    assert rebuild(clean, page.removals) == page.text


def test_rebuild_refuses_overlapping_removals():
    page = doc("a", "b", "c")
    cut(page, 1, 2)
    other = doc("a", "b", "c")
    cut(other, 2, 3)
    with pytest.raises(ValueError, match="overlapping removals"):
        rebuild("", page.removals + other.removals)


def test_a_later_stage_re_derives_layout_removals():
    """The next command reads clean text + report, drops the layout records and tidies again:
    the same text comes out, with the same removals."""
    page = doc("", "Menu", "", "Body", "")
    cut(page, 2, 2)
    clean = apply(page)
    again = Document("page", rebuild(clean, page.removals), removals=without_layout(page.removals))
    assert apply(again) == clean
    assert [r.to_json() for r in again.iter_removals()] == [r.to_json() for r in page.iter_removals()]


@pytest.mark.parametrize("edited, message", [
    ("Title\nBody text, longer now\n", "would start inside a line"),
    ("Title\n", "clean text ends before the removal"),
])
def test_rebuild_refuses_a_clean_text_that_was_edited(edited, message):
    page = doc("Title", "Body text", "Share this")
    cut(page, 3, 3)
    assert apply(page) == "Title\nBody text\n"
    with pytest.raises(ValueError, match=message):
        rebuild(edited, page.removals)


def test_a_report_that_does_not_fit_its_text_is_refused():
    page = doc("Menu", "Body")
    cut(page, 1, 1)
    with pytest.raises(ValueError, match="do not hold the text the report says was removed"):
        Document("page", "Mend\nBody\n", removals=page.removals)
    with pytest.raises(ValueError, match="outside its 1 lines"):
        Document("page", "Body\n", removals=doc("a", "b", "c").remove(2, 2, stage="t", rule="t.r", category="legal"))
