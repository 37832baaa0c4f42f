"""The dedup stage, page by page and across a corpus, run through the CLI like a user would.

Each test builds a few small pages, runs `corpusclean dedup`, and reads the reports: what was
removed, with which category and rule, and what each removal says it duplicates.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from conftest import read_report, read_summary, run_cli, tree_bytes, write_tree
from corpusclean.dedup.config import DedupConfig
from corpusclean.dedup.fingerprint import normalise
from corpusclean.model import Document
from corpusclean.stages.dedup import DedupStage

VOCABULARY = ("river bridge council budget school harvest market station engineer festival museum "
              "winter railway doctor island village teacher factory garden library weather hospital "
              "election orchestra harbour mountain journalist farmer stadium airport").split()


def prose(seed: int, words: int = 30) -> str:
    """A distinct paragraph of content (one line), reproducible from its seed."""
    rng = random.Random(seed)
    return " ".join(rng.choice(VOCABULARY) for _ in range(words)).capitalize() + "."


def page(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def dedup(tmp_path: Path, pages: dict[str, str], *options: str) -> Path:
    source = write_tree(tmp_path / "in", {f"{name}.txt": text for name, text in pages.items()})
    out = tmp_path / "out"
    result = run_cli("dedup", str(source), str(out), "-q", *options)
    assert result.exit_code == 0, result.output
    return out


def removed(out: Path, name: str) -> dict[int, dict]:
    """{1-based line: removal} of every dedup removal in a page's report."""
    rows = {}
    for row in read_report(out, name)["removals"]:
        if row["stage"] == "dedup":
            for line in range(row["lines"][0], row["lines"][1] + 1):
                rows[line] = row
    return rows


# -- within a page -------------------------------------------------------------------------

def test_a_line_repeated_in_a_page_is_removed_and_points_at_its_first_copy(tmp_path):
    out = dedup(tmp_path, {"a": page("Sign up", prose(1), "Sign Up!", prose(2))})
    assert list(removed(out, "a")) == [3]
    row = removed(out, "a")[3]
    assert (row["category"], row["rule"]) == ("duplicate", "dedup.page-repeat")
    assert row["details"]["duplicate_of"] == {"document": "a", "line": 1}


def test_a_block_pasted_eight_times_keeps_only_its_first_copy(tmp_path):
    block = ["Sign up", "By subscribing you agree to our Terms of Use", "You're signed up!"]
    out = dedup(tmp_path, {"a": page(prose(1), *block * 8, prose(2))})
    assert sorted(removed(out, "a")) == list(range(5, 26))
    assert (out / "a.txt").read_text() == page(prose(1), *block, prose(2))


def test_a_pasted_block_is_one_removal_pointing_at_the_original_lines(tmp_path):
    block = [prose(1), prose(2), prose(3)]
    out = dedup(tmp_path, {"a": page(*block, prose(4), *block)})
    rows = [r for r in read_report(out, "a")["removals"] if r["stage"] == "dedup"]
    assert [(r["lines"], r["details"]["duplicate_of"]) for r in rows] == [
        ([5, 7], {"document": "a", "line": 1, "lines": [1, 3]})]


def test_a_paragraph_the_page_prints_twice_stays_by_default(tmp_path):
    """A repeat is chrome when the repeated thing is: a paragraph the page means twice (a
    pull-quote, the lead under the headline and again in the story) is content. A paragraph in
    a pasted block of lines goes (above); --drop-paragraph-repeats removes every later copy."""
    text = page(prose(7, 40), prose(8), prose(7, 40), "", prose(7, 40))
    assert removed(dedup(tmp_path / "default", {"a": text}), "a") == {}
    out = dedup(tmp_path / "drop", {"a": text}, "--drop-paragraph-repeats")
    assert sorted(removed(out, "a")) == [3, 5]


def test_a_nearly_repeated_paragraph_in_a_page_is_removed(tmp_path):
    original = prose(7, 40)
    edited = original.replace(".", " today.")          # one word added: near, not exact
    out = dedup(tmp_path, {"a": page(original, prose(8), edited)}, "--drop-paragraph-repeats")
    assert removed(out, "a")[3]["details"]["duplicate_of"] == {"document": "a", "line": 1}


def test_different_paragraphs_of_a_page_all_stay(tmp_path):
    out = dedup(tmp_path, {"a": page(*(prose(i) for i in range(20)))})
    assert removed(out, "a") == {}


# -- across the corpus ---------------------------------------------------------------------

def test_a_paragraph_from_an_earlier_page_is_removed_from_the_later_one(tmp_path):
    story = prose(42, 50)
    out = dedup(tmp_path, {"a": page(prose(1), story), "b": page(prose(2), prose(3), story)})
    assert removed(out, "a") == {}
    row = removed(out, "b")[3]
    assert (row["category"], row["rule"]) == ("duplicate", "dedup.corpus-repeat")
    assert row["details"]["duplicate_of"] == {"document": "a", "line": 2}


def test_a_near_copy_in_a_later_page_counts_too(tmp_path):
    story = prose(42, 50)
    out = dedup(tmp_path, {"a": page(story), "b": page(prose(2), story.replace(".", ", said the council."), prose(3))})
    assert removed(out, "b")[2]["details"]["duplicate_of"] == {"document": "a", "line": 1}


def test_a_page_whose_story_an_earlier_page_carried_is_left_whole(tmp_path):
    """An agency story on two sites, each with its own menus: removing the second copy line by
    line would keep that site's chrome and drop its article. A page most of whose paragraphs
    are copies keeps them (whether to drop such a page is --drop-duplicate-pages' question);
    a page that shares one paragraph of several still loses that one. --syndicated-share 1
    removes every copy."""
    story = [prose(seed, 40) for seed in (50, 51, 52, 53)]
    pages = {"first": page("Daily Example | Home | World", *story, "More from the Daily Example"),
             "second": page("The Evening Sample: local news for the valley since 1904", *story[:3],
                            "Read the Evening Sample every day for the whole of the valley's news and weather."),
             "quoting": page(prose(60), prose(61), story[0], prose(62), prose(63))}
    out = dedup(tmp_path, pages)
    assert removed(out, "second") == {}
    assert list(removed(out, "quoting")) == [3]
    strict = dedup(tmp_path / "strict", pages, "--syndicated-share", "1")
    assert sorted(removed(strict, "second")) == [2, 3, 4]


def test_short_lines_shared_by_a_few_pages_stay(tmp_path):
    """'Introduction' in three pages is not duplicated content."""
    pages = {name: page("Introduction", prose(seed)) for name, seed in (("a", 1), ("b", 2), ("c", 3))}
    out = dedup(tmp_path, pages)
    assert all(removed(out, name) == {} for name in pages)


def test_lines_in_many_pages_are_template_chrome_removed_from_every_page(tmp_path):
    header = "Home | News | Sport | Weather"
    footer = "Copyright the Daily Example, all rights reserved; reproduction without written permission is prohibited."
    pages = {f"p{i:02d}": page(header, prose(i), footer) for i in range(12)}
    out = dedup(tmp_path, pages)
    for name in pages:
        rows = removed(out, name)
        assert sorted(rows) == [1, 3]
        assert {(r["category"], r["rule"]) for r in rows.values()} == {("template", "dedup.template")}
        assert rows[1]["details"]["pages"] == 12
    assert (out / "p00.txt").read_text() == page(prose(0))


def test_a_site_header_of_several_lines_is_one_removal(tmp_path):
    header = ["Example News", "Home", "World", "Business", "Sport"]
    pages = {f"p{i:02d}": page(*header, "", prose(i)) for i in range(10)}
    out = dedup(tmp_path, pages)
    rows = [r for r in read_report(out, "p03")["removals"] if r["stage"] == "dedup"]
    assert [(r["lines"], r["category"]) for r in rows] == [([1, 5], "template")]
    assert rows[0]["details"]["pages"] == 10


def test_a_small_corpus_never_has_template_chrome(tmp_path):
    """Five pages sharing a header are too few to call it a template: the long line is kept
    in the first page only, the short one everywhere."""
    header, notice = "The Example Times", prose(99, 25)
    pages = {f"p{i}": page(header, notice, prose(i)) for i in range(5)}
    out = dedup(tmp_path, pages)
    assert removed(out, "p0") == {}
    for name in ("p1", "p2", "p3", "p4"):
        assert {line: row["category"] for line, row in removed(out, name).items()} == {2: "duplicate"}


LICENCE = "This article may be republished under a Creative Commons licence with attribution."


@pytest.mark.parametrize("pages_with_line, categories", [(4, {"duplicate"}), (6, {"template"})])
def test_a_long_line_must_also_be_in_the_template_share_of_all_pages(tmp_path, pages_with_line, categories):
    """Below the share a long line is duplicated content: kept in its first page only."""
    pages = {f"p{i}": page(LICENCE if i < pages_with_line else "", prose(i)) for i in range(10)}
    out = dedup(tmp_path, pages, "--template-pages", "3", "--template-share", "0.5")
    found = {row["category"] for name in pages for row in removed(out, name).values()}
    assert found == categories
    assert (removed(out, "p0") == {}) == (categories == {"duplicate"})


def test_a_short_line_needs_only_the_template_page_count(tmp_path):
    pages = {f"p{i}": page("Share this story" if i < 4 else "", prose(i)) for i in range(10)}
    out = dedup(tmp_path, pages, "--template-pages", "3", "--template-share", "0.5")
    assert {row["category"] for name in pages for row in removed(out, name).values()} == {"template"}


# -- whole pages ---------------------------------------------------------------------------

SYNDICATED = [prose(100 + i, 35) for i in range(12)]


def syndicated_pages() -> dict[str, str]:
    """b is a's story on another site (other chrome, one paragraph of twelve rewritten: 11 of
    13 distinct paragraphs shared, similarity 0.85); c is unrelated."""
    return {
        "a": page("Site A", *SYNDICATED),
        "b": page("Site B menu", *SYNDICATED[:11], prose(555, 35)),
        "c": page("Site C", *(prose(200 + i, 35) for i in range(12))),
    }


def test_a_page_that_nearly_duplicates_an_earlier_one_is_reported(tmp_path):
    out = dedup(tmp_path, syndicated_pages())
    report = read_report(out, "b")
    assert report["page_duplicate_of"]["document"] == "a"
    assert report["page_duplicate_of"]["similarity"] == pytest.approx(11 / 13, abs=0.02)
    assert report["status"] == "ok" and (out / "b.txt").exists()
    assert "page_duplicate_of" not in read_report(out, "a")
    assert "page_duplicate_of" not in read_report(out, "c")


def test_drop_duplicate_pages_leaves_them_out_but_reports_them(tmp_path):
    out = dedup(tmp_path, syndicated_pages(), "--drop-duplicate-pages")
    report = read_report(out, "b")
    assert report["status"] == "dropped" and "near-duplicate of a" in report["dropped"]
    assert not (out / "b.txt").exists()
    assert {row["rule"] for row in report["removals"] if row["stage"] == "dedup"} == {"dedup.page-duplicate"}
    summary = read_summary(out / "corpusclean-summary.json")
    assert [row["document"] for row in summary["dropped"]] == ["b"]


def test_a_duplicate_page_is_left_whole_unless_dropped(tmp_path):
    """Removing b's shared paragraphs one by one would drop the page in all but name: that is
    --drop-duplicate-pages' decision, so without it b keeps them (and says what it duplicates)."""
    out = dedup(tmp_path, syndicated_pages())
    assert [row["rule"] for row in read_report(out, "b")["removals"] if row["stage"] == "dedup"] == []
    assert SYNDICATED[0] in (out / "b.txt").read_text(encoding="utf-8")


def test_copies_of_one_page_are_not_template_chrome(tmp_path):
    """Twelve copies of one story are one story, not a site template: its first page keeps it."""
    pages = {f"copy{i:02}": page(f"Mirror {i}", *SYNDICATED) for i in range(12)}
    out = dedup(tmp_path, pages, "--template-pages", "3")
    assert removed(out, "copy00") == {}
    assert all(read_report(out, f"copy{i:02}")["page_duplicate_of"]["document"] == "copy00" for i in range(1, 12))


# -- natural repetition --------------------------------------------------------------------

REFRAIN_PAGE = page(
    "The Ballad of the River",
    "Roll on, river, roll on",
    "The mill wheel turns beneath the stone and the miller counts his grain",
    "Roll on, river, roll on",
    "The ferryman sings across the water where the willows bend and sway",
    "Roll on, river, roll on",
)


def test_a_refrain_keeps_its_first_copy_by_default(tmp_path):
    """A line sung three times is a repeat like any other: the first copy stays."""
    out = dedup(tmp_path, {"song": REFRAIN_PAGE})
    assert sorted(removed(out, "song")) == [4, 6]
    assert (out / "song.txt").read_text().count("Roll on, river, roll on") == 1


def test_a_heading_that_repeats_its_table_of_contents_entry_stays(tmp_path):
    """A short line seen twice, far apart, is structure, not a copy."""
    text = page("Contents", "Early life", "Career", "", prose(1), "", "Early life", prose(2), prose(3),
                "", "Career", prose(4))
    out = dedup(tmp_path, {"bio": text})
    assert removed(out, "bio") == {}


STORY = [
    "The town council voted on Tuesday to keep the old library open for another five years, after "
    "residents filled the hall to argue that the building was still used every day by students.",
    "Repairs to the roof will be paid for by a grant from the regional arts fund, and the council "
    "expects the work to take most of the summer, during which the reading room will stay open.",
    "Several speakers said that the library was the only warm public place in the north of the "
    "town, and that closing it would have pushed the homework club into a cold church hall.",
]


def test_a_story_the_strip_stages_kept_stays_when_the_page_prints_it_twice(tmp_path):
    """A repeat is chrome when the repeated thing is. In `run` the strip stages judged the
    story's paragraphs content, so a page that prints the story twice keeps both copies
    (`dedup` alone, on raw text, still removes a pasted block of paragraphs: above); a line of
    chrome pasted three times still loses its copies (here the strip stages take them)."""
    signup = "Get the morning briefing"
    text = page("Library saved after vote", "", *STORY, "", signup, "", *STORY, "", signup, "", signup)
    source = write_tree(tmp_path / "in", {"a.txt": text})
    result = run_cli("run", str(source), str(tmp_path / "out"), "-q")
    assert result.exit_code == 0, result.output
    clean = (tmp_path / "out" / "a.txt").read_text()
    assert all(clean.count(paragraph) == 2 for paragraph in STORY)
    assert clean.count(signup) <= 1


def test_a_title_printed_twice_close_together_loses_its_second_copy(tmp_path):
    out = dedup(tmp_path, {"a": page("The Harbour Festival", "", "The Harbour Festival", prose(1))})
    assert sorted(removed(out, "a")) == [3]


def test_a_repeated_run_of_short_lines_is_a_pasted_block(tmp_path):
    block = ["Subscribe", "Get the morning briefing"]
    out = dedup(tmp_path, {"a": page(*block, prose(1), prose(2), prose(3), prose(4), prose(5), *block)})
    assert sorted(removed(out, "a")) == [8, 9]


def test_keep_page_repeats_keeps_a_refrain(tmp_path):
    out = dedup(tmp_path, {"song": REFRAIN_PAGE}, "--keep-page-repeats")
    assert removed(out, "song") == {}
    assert (out / "song.txt").read_text() == REFRAIN_PAGE


# -- how it fits the pipeline --------------------------------------------------------------

def dedup_after(tmp_path: Path, remove: tuple[int, str], text: str) -> list[dict]:
    """The dedup removals of one page after a stage that removed its line `remove[0]` (0-based)
    with category `remove[1]`."""
    from corpusclean.pipeline import Job, run_corpus
    from corpusclean.readers.files import iter_directory
    from corpusclean.report import Summary
    from corpusclean.stages.base import Stage

    class DropLine(Stage):
        name = "drop-line"

        def process(self, doc):
            doc.remove(remove[0], remove[0], stage=self.name, rule="test.drop", category=remove[1])

    source = write_tree(tmp_path / "in", {"a.txt": text})
    results = []
    job = Job(stages=[DropLine(), DedupStage(DedupConfig())], steps=["dedup"], max_bytes=10**6)
    run_corpus(lambda: iter_directory(source), job, results.append, Summary("dedup", {}), workers=1)
    return [r for r in results[0].report["removals"] if r["stage"] == "dedup"]


def test_the_report_points_at_a_first_copy_another_stage_removed(tmp_path):
    rows = dedup_after(tmp_path, (0, "navigation"), page("Sign up", prose(1), "Sign up"))
    assert [(r["lines"], r["details"]["duplicate_of"]["line"]) for r in rows] == [([3, 3], 1)]


def test_a_copy_whose_first_copy_was_removed_as_its_duplicate_stays(tmp_path):
    """The classifier removes a page's <title> line as a copy of the headline below it: the
    headline is then the copy the page keeps, not a repeat of a removed line."""
    text = page("Ferry fares frozen", prose(1), "Ferry fares frozen", prose(2))
    assert dedup_after(tmp_path, (0, "duplicate"), text) == []


def test_process_without_the_corpus_pass_says_what_is_missing():
    with pytest.raises(RuntimeError, match="corpus pass"):
        DedupStage().process(Document("a", "x\n"))


def mixed_corpus() -> dict[str, str]:
    """Pages with chrome, syndicated stories, near copies and repeats, in several folders."""
    rng = random.Random(3)
    stories = [prose(1000 + i, 40) for i in range(15)]
    pages = {}
    for i in range(36):
        site = i % 3
        body = rng.sample(stories, 4) + [prose(2000 + i, 30)]
        if i % 7 == 0:
            body.append(body[0].replace(".", " again."))
        pages[f"site{site}/p{i:02d}"] = page(f"Site {site} home", *body, "Sign up", "Sign up", f"Site {site} footer")
    return pages


def test_output_is_byte_identical_for_any_number_of_workers(tmp_path):
    source = write_tree(tmp_path / "in", {f"{name}.txt": text for name, text in mixed_corpus().items()})
    trees = []
    for workers in ("1", "3"):
        out = tmp_path / f"out{workers}"
        assert run_cli("dedup", str(source), str(out), "-q", "--workers", workers).exit_code == 0
        trees.append(tree_bytes(out))
    assert trees[0] == trees[1]
    assert any('"dedup.corpus-repeat"' in text.decode() for text in trees[0].values())


def test_dedup_of_fixed_output_equals_dedup_of_the_raw_input(tmp_path):
    """The corpus pass reads the encoding-fixed text, never earlier removals: chaining
    commands through folders gives what one command gives."""
    source = write_tree(tmp_path / "in", {f"{name}.txt": text for name, text in mixed_corpus().items()})
    assert run_cli("fix", str(source), str(tmp_path / "fixed"), "-q").exit_code == 0
    assert run_cli("dedup", str(tmp_path / "fixed"), str(tmp_path / "chained"), "-q").exit_code == 0
    assert run_cli("dedup", str(source), str(tmp_path / "direct"), "-q").exit_code == 0
    chained, direct = tree_bytes(tmp_path / "chained"), tree_bytes(tmp_path / "direct")
    texts = {name: data for name, data in direct.items() if name.endswith(".txt")}
    assert {name: chained[name] for name in texts} == texts


def test_the_seeds_lose_only_lines_they_should(tmp_path, seeds_dir):
    """Seed 001 repeats its title (line 5); seed 002 repeats a sign-up block. Nothing else in
    the seeds is a duplicate, and the five Mosul stories share no template."""
    out = tmp_path / "out"
    assert run_cli("dedup", str(seeds_dir), str(out), "-q").exit_code == 0
    assert removed(out, "001_160402298ecf2569")[5]["details"]["duplicate_of"] == {
        "document": "001_160402298ecf2569", "line": 3}
    lines = {name: sorted(removed(out, name)) for name in (p.stem for p in seeds_dir.glob("*.txt"))}
    assert lines["000_4323a60da2e338ed"] == lines["003_90b169417da9e3e3"] == lines["004_4ff61aabd5c03104"] == []
    assert lines["002_846f9df1086a7a00"] == [45, 47, 49, 50, 52, 54, 56, 58, 60, 61, 63, 65, 67, 69, 71, 72, 74, 76,
                                             77, 79, 81]


def test_the_summary_records_every_setting_and_the_minhash_scheme(tmp_path):
    out = dedup(tmp_path, {"a": page(prose(1))}, "--jaccard-threshold", "0.8")
    settings = read_summary(out / "corpusclean-summary.json")["config"]["stages"]["dedup"]
    assert settings["jaccard_threshold"] == 0.8
    assert (settings["bands"], settings["rows"]) == (9, 13)       # datasketch's choice for 0.8
    assert settings["minhash_scheme"] == "datasketch affine32"
    assert {"shingle_size", "num_perm", "seed", "short_line_words", "template_min_pages",
            "template_min_share", "page_threshold", "verify_bits"} <= set(settings)


@pytest.mark.parametrize("options, message", [
    (["--lsh-bands", "10"], "give both --lsh-bands and --lsh-rows"),
    (["--lsh-bands", "20", "--lsh-rows", "10"], "must not exceed the number of permutations"),
    (["--short-line-words", "2"], "at least the shingle size"),
])
def test_inconsistent_settings_are_refused_with_a_message(tmp_path, options, message):
    source = write_tree(tmp_path / "in", {"a.txt": "x\n"})
    result = run_cli("dedup", str(source), str(tmp_path / "out"), *options)
    assert result.exit_code == 1 and message in result.stderr


def test_dedup_help_shows_an_example():
    assert "Example:" in run_cli("dedup", "--help").output


def test_two_paragraphs_of_one_page_that_are_only_alike_both_stay(tmp_path):
    """Within a page, 'nearly' means pasted-again nearly (case, spacing, punctuation), not
    templated-but-different: 'item 11111' and 'item 22222' paragraphs are both content."""
    body = "under the terms agreed with the seller the order ships within three working days of payment and arrives insured"
    first, second = f"Regarding item 11111, {body}.", f"Regarding item 22222, {body}."
    again = first.upper()
    out = dedup(tmp_path, {"a": page(first, "", second, "", again)}, "--drop-paragraph-repeats")
    assert sorted(removed(out, "a")) == [5]          # the shouted copy of the first goes
    assert removed(out, "a")[5]["details"]["duplicate_of"]["line"] == 1


@pytest.mark.parametrize("line", ["", "One", "one two three", "One, two; three four!", prose(7), prose(8, words=3)])
def test_a_lines_shingles_are_its_runs_of_shingle_size_normalised_words(line):
    """What the within-page likeness compares: every run of `shingle_size` consecutive words
    of the normalised line, or all its words when it has no more than that."""
    stage = DedupStage(DedupConfig())
    words, size = normalise(line).split(), stage.config.shingle_size
    assert stage._shingles(line) == {tuple(words[i:i + size]) for i in range(max(1, len(words) - size + 1))}
    assert stage._alike(line, line)


# -- within an HTML page's extracted text ----------------------------------------------------

def test_short_lines_an_html_article_repeats_stay_and_a_title_printed_twice_goes():
    """In an extractor's main text the strip stages judged, the menus and widgets a page
    pastes again and again are gone already: the short lines that still repeat are the
    article's own. The same status in several table rows, the caption under each picture
    of a series and a refrain all stay; a headline printed a second time right above the
    story loses that copy, and the site menu the page repeats at the foot never reaches
    the text."""
    from corpusclean import clean

    story = STORY[0]
    menu = '<nav><a href="/">Home</a> <a href="/ferries">Ferries</a> <a href="/weather">Weather</a></nav>'
    html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Ferry news</title></head><body>"
        f"{menu}<article><h1>Island ferries run late again</h1><p>Island ferries run late again</p>"
        f"<p>{story}</p><p>{STORY[1]}</p>"
        "<table><tr><th>Route</th><th>Status</th></tr><tr><td>North</td></tr><tr><td>Delayed</td></tr>"
        "<tr><td>South</td></tr><tr><td>Delayed</td></tr><tr><td>West</td></tr><tr><td>Delayed</td></tr></table>"
        f"<p>{STORY[2]}</p><p>Photograph of the quay</p><p>{prose(1)}</p><p>Photograph of the quay</p>"
        f"<p>{prose(2)}</p><p>The tide waits for no one</p><p>{prose(3)}</p><p>The tide waits for no one</p>"
        f"<p>{prose(4)}</p><p>The tide waits for no one</p><p>{prose(5)}</p></article>{menu}</body></html>")
    cleaned = clean(html, kind="html")
    assert cleaned.text.count("Delayed") == 3
    assert cleaned.text.count("Photograph of the quay") == 2
    assert cleaned.text.count("The tide waits for no one") == 3
    assert cleaned.text.count("Island ferries run late again") == 1
    assert "Weather" not in cleaned.text
    [title_copy] = [row for row in cleaned.report["removals"] if row["rule"] == "dedup.page-repeat"]
    assert title_copy["text"] == "Island ferries run late again\n"


def test_in_a_text_dump_a_short_line_pasted_three_times_still_goes(tmp_path):
    """Without an extractor's choice (a plain-text dump still holds the page's chrome), a
    short line with three copies looks pasted and keeps only its first."""
    text = page("Share this", prose(1), "", "Share this", prose(2), "", "Share this", prose(3))
    out = dedup(tmp_path, {"a": text})
    assert sorted(removed(out, "a")) == [4, 7]


# -- the syndicated-page test's shortcut ----------------------------------------------------------

def syndicated_as_defined(stage: DedupStage, doc: Document, repeats: list[tuple[int, str, int, int]]) -> bool:
    """`_syndicated` without its shortcuts: the copies' characters against every live long line's."""
    long = [i for i, line in enumerate(doc.lines) if len(normalise(line).split()) >= stage.config.short_line_words]
    live_long = sum(len(doc.lines[i]) for i in long if doc.is_live(i))
    copies = sum(len(doc.lines[line]) for line, *_ in repeats if doc.is_live(line))
    return live_long > 0 and copies > stage.config.syndicated_page_share * live_long


@pytest.fixture(scope="module")
def plain_stage() -> DedupStage:
    return DedupStage(DedupConfig())


@pytest.mark.parametrize("seed", range(200))
def test_the_syndicated_shortcuts_decide_as_the_definition(seed, plain_stage):
    """A page whose copies outweigh the bound on its long lines, or that has no live copy,
    is settled without counting words: the same answer as counting them. Lines of few long
    words, of many short ones, and of characters that casefold to several ("İ", "ß")."""
    rng = random.Random(seed)
    stage = plain_stage
    pieces = VOCABULARY + ["İİİ", "ß", "a", "–", "x y z"]
    lines = [" ".join(rng.choice(pieces) for _ in range(rng.randint(0, 14))) for _ in range(rng.randint(1, 12))]
    doc = Document("p", "\n".join(lines) + "\n")
    # the copies are long lines, as pass 1 finds them
    long = [i for i, line in enumerate(doc.lines) if len(normalise(line).split()) >= stage.config.short_line_words]
    repeats = [(i, "dedup.corpus-repeat", 0, 0) for i in long if rng.random() < 0.5]
    for i in range(len(doc.lines)):
        if rng.random() < 0.3:
            doc.remove(i, i, stage="rules", rule="x.y", category="navigation", reason="test")
    assert stage._syndicated(doc, repeats) == syndicated_as_defined(stage, doc, repeats)
