"""Nothing is lost, shown on generated documents (hypothesis).

For any text (random lines, runs of blank lines, CR/CRLF/LF endings, any Unicode) and any
removals a stage could make:
- the clean text plus the report rebuilds the encoding-fixed text exactly;
- the clean lines are a subsequence of the fixed lines (nothing is edited or reordered);
- cleaning the clean text again removes nothing more;
- a later command reading clean text + report gets the same text and removals.
"""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from corpusclean.encoding import fix
from corpusclean.layout import apply, rebuild, without_layout
from corpusclean.model import Document, Removal
from corpusclean.report import document_report
from corpusclean.writers import dump_json
from conftest import read_report, run_cli

line_text = st.one_of(
    st.text(st.characters(blacklist_characters="\r\n"), max_size=40),
    st.sampled_from(["", " ", "\t", "\u3000", "Share this", "Menu", "Ã© mojibake", "&amp;", "东京", "“quoted”"]),
)
newline = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def raw_documents(draw) -> str:
    """Lines joined by mixed line endings, with or without a final one."""
    lines = draw(st.lists(line_text, max_size=25))
    text = "".join(line + draw(newline) for line in lines)
    if lines and draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text


@st.composite
def documents_with_removals(draw) -> Document:
    text, _ = fix(draw(raw_documents()))
    page = Document("page", text)
    for _ in range(draw(st.integers(0, 6))):
        if not page.lines:
            break
        first = draw(st.integers(0, len(page.lines) - 1))
        last = draw(st.integers(first, min(first + 4, len(page.lines) - 1)))
        category = draw(st.sampled_from(["navigation", "social", "duplicate"]))
        page.remove(first, last, stage="test", rule=f"test.{category}", category=category)
    return page


def report_removals(page: Document, clean: str) -> list[Removal]:
    """The removals as a reader of the written report sees them: through JSON and back."""
    report = json.loads(dump_json(document_report(page, clean)))
    return [Removal.from_json(row) for row in report["removals"]]


@settings(max_examples=200, deadline=None)
@given(documents_with_removals())
def test_clean_text_plus_report_rebuilds_the_fixed_text(page):
    clean = apply(page)
    assert rebuild(clean, report_removals(page, clean)) == page.text


@settings(max_examples=200, deadline=None)
@given(documents_with_removals())
def test_clean_lines_are_a_subsequence_of_the_fixed_lines(page):
    clean_lines = iter(page.lines)
    assert all(line in clean_lines for line in apply(page).split("\n")[:-1])  # `in` consumes it


@settings(max_examples=200, deadline=None)
@given(documents_with_removals())
def test_cleaning_twice_removes_nothing_more(page):
    clean = apply(page)
    again = Document("page", clean)
    assert apply(again) == clean
    assert again.removals == []


@settings(max_examples=300, deadline=None)
@given(documents_with_removals())
def test_a_chained_command_sees_the_same_document(page):
    clean = apply(page)
    removals = report_removals(page, clean)
    chained = Document("page", rebuild(clean, removals), removals=without_layout(removals))
    assert apply(chained) == clean
    assert [r.to_json() for r in chained.iter_removals()] == [r.to_json() for r in removals]


@settings(max_examples=300, deadline=None)
@given(raw_documents())
def test_fixed_text_has_one_lf_per_input_line_ending(raw):
    text, _ = fix(raw)
    line_ends = raw.count("\r\n") + raw.replace("\r\n", "").count("\r") + raw.replace("\r\n", "").count("\n")
    unterminated = 1 if raw and not raw.endswith(("\n", "\r")) else 0
    assert "\r" not in text
    assert text.count("\n") == line_ends + unterminated
    assert text == "" or text.endswith("\n")


# -- the same promise on the seeds, through the real command ---------------------------------

def test_every_seed_rebuilds_from_its_clean_text_and_report(seeds_dir, tmp_path):
    result = run_cli("run", str(seeds_dir), str(tmp_path / "clean"), "--workers", "1")
    assert result.exit_code == 0, result.stderr
    seeds = sorted(seeds_dir.glob("*.txt"))
    assert len(seeds) == 5
    for seed in seeds:
        clean = (tmp_path / "clean" / seed.name).read_text(encoding="utf-8")
        report = read_report(tmp_path / "clean", seed.stem)
        removals = [Removal.from_json(row) for row in report["removals"]]
        fixed, _ = fix(seed.read_bytes())
        assert rebuild(clean, removals) == fixed, seed.name
        assert report["sizes"]["fixed_chars"] == len(fixed)
        assert report["sizes"]["clean_chars"] == len(clean)
        assert all(fixed[r.start:r.end] == r.text for r in removals)
