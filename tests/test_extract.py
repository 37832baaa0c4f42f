"""HTML in: trafilatura finds the main text; extract.py lays it out as paragraphs and says how.

Pages here are made up with `article()`: a nav bar and a footer around an article whose body
is long enough for trafilatura to take it for the main text.
"""
from __future__ import annotations

import gzip
import json

import pytest

from conftest import read_report, run_cli, write_tree
from corpusclean.errors import InputError
from corpusclean import extract
from corpusclean.extract import READABILITY_SETTINGS, TRAFILATURA_SETTINGS, extract_html, repair_html
from corpusclean.layout import rebuild
from corpusclean.model import Removal

SENTENCE = "The harbour board met on Monday to discuss the winter timetable for the island ferries."
LONG = " ".join([SENTENCE] * 3)


def article(body: str, head: str = '<meta charset="utf-8">') -> str:
    return (f"<!DOCTYPE html><html><head>{head}<title>Ferries</title></head><body>"
            '<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>'
            f"<article><h1>Winter ferry timetable agreed</h1><p>{LONG}</p>{body}<p>{LONG}</p></article>"
            "<footer>Copyright 2024 Harbour News</footer></body></html>")


def test_blocks_become_paragraphs_and_their_parts_lines():
    text, info = extract_html(article(
        "<p>Fares stay the same.<br>Sailings start at six.</p>"
        "<ul><li>Monday to Friday: six sailings</li><li>Weekends: four sailings</li></ul>"
        "<table><tr><th>Route</th><th>Minutes</th></tr><tr><td>North</td><td>40</td></tr></table>"
        "<pre><code>def timetable():\n    return 6\n\nprint(timetable())</code></pre>"))
    assert text == (
        "Winter ferry timetable agreed\n\n"
        f"{LONG}\n\n"
        "Fares stay the same.\nSailings start at six.\n\n"          # <br> is a line break
        "Monday to Friday: six sailings\nWeekends: four sailings\n\n"  # a list is one paragraph
        "Route | Minutes\nNorth | 40\n\n"                            # a table too, a row per line
        "def timetable():\n    return 6\nprint(timetable())\n\n"    # code keeps lines and indents
        f"{LONG}\n")
    assert info["code_lines"] == [[14, 16]], "a hint for the strip stages: these lines are code"


def test_inline_code_stays_in_its_sentence():
    """A function name in running text is part of the sentence, not a code block: cut out,
    the sentence would become short lines that look like a menu (and repeat across the page)."""
    text, info = extract_html(article(
        "<p>Call <code>fetch()</code> with the mode <code>\"cors\"</code>, then read the reply.</p>"))
    assert "Call fetch() with the mode \"cors\", then read the reply.\n" in text
    assert info["code_lines"] == []


def test_navigation_and_footer_are_left_to_trafilatura():
    text, _ = extract_html(article("<p>Fares stay the same.</p>"))
    assert "Home" not in text and "Copyright" not in text


@pytest.mark.parametrize("hidden", [
    '<p style="display: none">Teaser nobody sees.</p>',
    '<p style="color:red; visibility:hidden">Teaser nobody sees.</p>',
    "<p hidden>Teaser nobody sees.</p>",
    '<div aria-hidden="true"><p>Teaser nobody sees.</p></div>',
])
def test_hidden_elements_are_not_text(hidden):
    text, info = extract_html(article(f"<p>Fares stay the same.</p>{hidden}"))
    assert "Teaser" not in text
    assert "Fares stay the same." in text
    assert info["hidden_elements_removed"] == 1


def test_a_page_hidden_until_a_script_shows_it_is_kept():
    """Anti-flicker snippets hide the whole page until a script runs: that is not chrome."""
    page = article("<p>Fares stay the same.</p>").replace("<article>", '<article style="display:none">')
    text, info = extract_html(page)
    assert "Fares stay the same." in text
    assert info["hidden_elements_removed"] == 0


@pytest.mark.parametrize("figure", [
    '<figure><img src="quay.jpg" alt="A photo"><figcaption>The new ferry at the north quay.</figcaption></figure>',
    '<figure class="photo"><img src="quay.jpg"></figure><figcaption class="small caption">The new ferry at the north quay.</figcaption>',
])
def test_a_figure_caption_is_text_and_the_picture_is_not(figure):
    """trafilatura deletes <figure> whole and any block whose class says caption."""
    text, info = extract_html(article(f"<p>Fares stay the same.</p>{figure}"))
    assert "The new ferry at the north quay." in text.split("\n")
    assert "A photo" not in text and "quay.jpg" not in text
    assert info["blocks_exposed"]["figcaption"] == 1



def test_a_caption_whose_parts_say_caption_is_still_text():
    """trafilatura deletes any element whose class says caption, inside a <figcaption> too."""
    text, _ = extract_html(article('<p>Fares stay the same.</p><figure><img src="quay.jpg"><figcaption>'
                                   '<span class="caption">The new ferry at the north quay.</span>'
                                   ' <span class="credit">Harbour News</span></figcaption></figure>'))
    assert "The new ferry at the north quay. Harbour News" in text.split("\n")


def test_linked_names_in_a_table_of_data_keep_their_rows():
    """A table of data whose cells each wrap their text in a <div> (what a word processor's
    export writes), the first cell of each row a link: trafilatura takes each wrapper for a
    paragraph and drops those that are all link. Unwrapped, every row is whole."""
    rows = "".join(f'<tr><td><div><a href="/ships/{name.lower()}">{name}</a></div></td><td><div>{metres} m</div></td>'
                   f"<td><div>{seats} seats</div></td></tr>"
                   for name, metres, seats in (("Northern Star", 40, 220), ("Southern Cross", 35, 180),
                                               ("Island Queen", 28, 90)))
    head = "<tr><td><div>Ship</div></td><td><div>Length</div></td><td><div>Seats</div></td></tr>"
    text, info = extract_html(article(f"<p>The fleet this winter:</p><table>{head}{rows}</table>"))
    assert ("Ship | Length | Seats\nNorthern Star | 40 m | 220 seats\nSouthern Cross | 35 m | 180 seats\n"
            "Island Queen | 28 m | 90 seats") in text
    assert info["blocks_exposed"]["cell_wrapper"] == 12


def test_a_page_laid_out_in_a_table_keeps_its_menu_cell_out():
    """A layout table (rows of uneven cells: a menu column beside the article's) is not a grid
    of data: its wrappers stay, and trafilatura still leaves the menu of links out."""
    menu = "".join(f'<div><a href="/{w.lower()}">{w}</a></div>' for w in ("Home", "News", "Sport", "Weather"))
    page = ("<!DOCTYPE html><html><head><title>Ferries</title></head><body><table>"
            f'<tr><td colspan="2"><div><a href="/">Harbour News</a></div></td></tr>'
            f"<tr><td>{menu}</td><td><h1>Winter ferry timetable agreed</h1><p>{LONG}</p><p>{LONG}</p></td></tr>"
            '<tr><td colspan="2"><div><a href="/contact">Contact us</a></div></td></tr></table></body></html>')
    text, info = extract_html(page)
    assert LONG in text and "Weather" not in text and "Contact us" not in text
    assert info["blocks_exposed"]["cell_wrapper"] == 0


def test_a_caption_named_by_its_class_is_text_and_its_credit_goes_as_credit():
    """trafilatura deletes unread any block whose class or id says caption, <figcaption> or
    not: the caption comes back as a paragraph, and the strip stages judge it (its credit
    line is a credit)."""
    from corpusclean import clean

    picture = ('<div class="photo"><img src="quay.jpg" alt="A photo"><div class="photo-caption">'
               "<p>The new ferry at the north quay, before its first winter crossing.</p>"
               "<p>Photo: Kim Lee</p></div></div>")
    # a caption of text alone in a <div> among the <div>s of a story's boxes: trafilatura
    # skips such a div's loose text, so it becomes a <p>
    second = ('<div class="story"><div class="media"><img src="old.jpg" alt="A photo"></div>'
              '<div class="media-caption">The old ferry, retired after forty winters on the route.</div>'
              f'<div class="text-box"><p>{LONG}</p></div><div class="text-box"><p>{SENTENCE}</p></div></div>')
    page = article(f"<p>Fares stay the same.</p>{picture}<p>{SENTENCE}</p>{second}")
    text, info = extract_html(page)
    assert "The new ferry at the north quay, before its first winter crossing." in text.split("\n")
    assert "The old ferry, retired after forty winters on the route." in text.split("\n\n")
    assert info["blocks_exposed"]["named_caption"] == 2
    cleaned = clean(page, kind="html")
    assert "The new ferry at the north quay, before its first winter crossing." in cleaned.text
    assert "Kim Lee" not in cleaned.text
    assert [row["category"] for row in cleaned.report["removals"] if "Kim Lee" in row["text"]] == ["credit"]


def test_a_caption_beside_a_video_player_stays_out():
    """A video player's caption is its title and controls; the video itself is not text."""
    player = ('<figure><iframe src="https://video.example/embed/1"></iframe>'
              '<div class="media-caption">Media caption The ferry in a storm 2:31</div></figure>')
    text, info = extract_html(article(f"<p>Fares stay the same.</p>{player}"))
    assert "Media caption" not in text and info["blocks_exposed"]["named_caption"] == 0


@pytest.mark.parametrize("html, named", [
    ('<div class="photo-caption">A quay</div>', True),
    ("<span id='caption-3'>A quay</span>", True),
    ('<DIV CLASS = "wide caption">A quay</DIV>', True),
    ("<figure><img src=q.jpg><figcaption>A quay</figcaption></figure>", False),  # its own element
    ("<p>The caption under the photo was wrong.</p>", False),                      # words, not markup
    ('<img src="q.jpg" alt="a caption">', False),                                  # another attribute
    ("<script>if (a < b) show('caption', 'caption')</script><p>A quay</p>", False),   # a script's "<"
    ("<script>if (a < b) c = 'caption'</script><p id\t=\n'caption'>A quay</p>", True),  # one after it
])
def test_captions_named_in_class_or_id_are_found_in_the_markup(html, named):
    assert extract.in_class_or_id(html, "caption") is named


def test_a_mathml_formula_is_text_in_its_sentence_or_a_line_of_its_own():
    """trafilatura deletes <math> unless it carries its TeX source; a reader sees the formula.
    Its tokens are read in order, separated by spaces; the TeX annotation is not shown."""
    inline = ('<p>The roots of <math><mi>a</mi><msup><mi>x</mi><mn>2</mn></msup><mo>+</mo><mi>c</mi>'
              '<annotation encoding="application/x-tex">ax^2+c</annotation></math> are known.</p>')
    displayed = '<math display="block"><mi>E</mi><mo>=</mo><mi>m</mi><msup><mi>c</mi><mn>2</mn></msup></math>'
    text, info = extract_html(article(inline + displayed))
    assert "The roots of a x 2 + c are known." in text.split("\n")
    assert "\n\nE = m c 2\n\n" in text
    assert "ax^2" not in text
    assert info["blocks_exposed"]["math"] == 2


def test_a_displayed_formula_in_a_renderers_wrapper_named_like_a_menu_is_kept():
    """Math renderers wrap each formula in elements of their own (MathJax: class "MathJax
    CtxtMenu_Attached_0"); trafilatura deletes an element whose class calls it a menu."""
    def formula(name: str) -> str:
        return ('<mjx-container class="MathJax CtxtMenu_Attached_0"><mjx-assistive-mml display="block">'
                f'<math display="block"><mi>{name}</mi><mo>=</mo><mn>0</mn></math></mjx-assistive-mml></mjx-container>')
    text, _ = extract_html(f"<html><body><h1>Formulas</h1><p>{LONG}</p><h2>First</h2>{formula('a')}"
                           f"<h2>Second</h2>{formula('b')}<p>{LONG}</p></body></html>")
    assert "\n\nFirst\n\na = 0\n\nSecond\n\nb = 0\n\n" in text


def test_a_table_indented_with_blockquote_is_kept():
    """trafilatura keeps a quote's own text but not the tables inside it (seen on pages laid
    out in table cells, as older pages are)."""
    page = ("<html><body><table><tr><td>Menu</td><td>"
            f"<div><h2>Winter ferries</h2><p>{LONG}</p><p>The times are:</p>"
            "<blockquote><table><tr><th>Route</th><th>Minutes</th></tr>"
            f"<tr><td>North</td><td>40</td></tr></table></blockquote><p>{LONG}</p></div>"
            "</td></tr></table></body></html>")
    text, info = extract_html(page)
    assert "Route | Minutes\nNorth | 40" in text
    assert info["blocks_exposed"]["blockquote_with_table"] == 1


def test_a_paragraph_the_page_repeats_keeps_its_copies():
    """trafilatura drops a long block equal to the one before it; the page's own repeats come
    back (the dedup stage decides about them, and records it), and no more than it holds."""
    text, info = extract_html(article(f"<div>{SENTENCE}</div><div>{SENTENCE}</div><div>{SENTENCE}</div>"))
    assert text.split("\n\n").count(SENTENCE) == 3
    assert info["repeats_restored"] == 2
    once, info = extract_html(article(f"<p>{SENTENCE}</p><p>Fares stay the same.</p><p>{SENTENCE}</p>"))
    assert once.split("\n\n").count(SENTENCE) == 2 and info["repeats_restored"] == 0


def test_copies_of_a_paragraph_that_a_share_bar_parts_all_come_back():
    """Copies one element holds apart (a share bar between them) become adjacent once
    trafilatura drops the bar, and its filter of repeats drops them too: they come back, as
    many as the page holds; a copy elsewhere on the page (a teaser in a sidebar) adds none."""
    bar = '<div class="share"><h3>Share this:</h3><span>Like</span> <span>Loading...</span></div>'
    text, info = extract_html(article(f"<p>{SENTENCE}</p><p>{SENTENCE}</p>{bar}<p>{SENTENCE}</p><p>{SENTENCE}</p>"))
    assert text.split("\n\n").count(SENTENCE) == 4
    assert "Share this:" not in text
    teaser = article(f"<p>{SENTENCE}</p>").replace("</article>", f"</article><aside><p>{SENTENCE}</p></aside>")
    text, info = extract_html(teaser)
    assert text.split("\n\n").count(SENTENCE) == 1 and info["repeats_restored"] == 0


def test_links_the_article_lists_between_its_paragraphs_come_back():
    """trafilatura drops a paragraph that is all link, and a list of links, even inside the
    article; between two paragraphs it kept, such a run is the article's own ("the
    timetables, by island:") and comes back, a paragraph per block, a line per item."""
    links = ('<p>The timetables, by island:</p><p><a href="/a">Arran timetable</a></p>'
             '<p><a href="/b">Bute timetable</a></p>'
             '<ul><li><a href="/c">Cumbrae sailings</a></li><li><a href="/d">Islay sailings</a></li></ul>'
             f"<p>{SENTENCE}</p>")
    text, info = extract_html(article(links))
    assert ("The timetables, by island:\n\nArran timetable\n\nBute timetable\n\n"
            f"Cumbrae sailings\nIslay sailings\n\n{SENTENCE}") in text
    assert info["link_blocks_restored"] == 3


def test_links_outside_the_article_or_beside_plain_text_stay_out():
    """A menu of links outside the article has no kept paragraphs on both sides, and a
    paragraph with words of its own beside its link is not a link block: neither comes back."""
    menu = '<ul class="menu"><li><a href="/w">Weather</a></li><li><a href="/t">Traffic</a></li></ul>'
    page = article(f'<p>{SENTENCE}</p><p>See <a href="/a">the Arran timetable</a>, or call us.</p><p>{SENTENCE}</p>')
    text, info = extract_html(page.replace("<article>", menu + "<article>"))
    assert "Weather" not in text and "Traffic" not in text
    assert info["link_blocks_restored"] == 0


def test_a_subheading_dropped_between_two_kept_paragraphs_comes_back():
    """Where trafilatura keeps two paragraphs one right after the other but drops the
    subheading the page has between them (it does when another of its extractors' texts
    wins), the subheading is put back there; a heading between blocks it did not keep (a
    sidebar's "Most read") stays out. Shown on the extractor's answer directly: which of
    trafilatura's extractors wins on a page is not something a small page can pin down."""
    from corpusclean.extract import Paragraph, block_pairs, heading_runs, parse_html, restore_dropped

    first, second = "The ferry sails at six.", "Tickets are sold on board."
    tree = parse_html(f"<html><body><article><p>{first}</p><h2>Winter sailings</h2><p>{second}</p></article>"
                      "<aside><p>Other stories</p><h3>Most read</h3><p>Snow closes the pier</p></aside></body></html>")
    runs = heading_runs(block_pairs(tree))
    kept = [Paragraph((first,)), Paragraph((second,)), Paragraph(("Snow closes the pier",))]
    restored, count = restore_dropped(kept, runs)
    assert [p.text for p in restored] == [first, "Winter sailings", second, "Snow closes the pier"]
    assert count == 1
    # trafilatura kept the heading: nothing to put back, nothing doubled
    whole = [Paragraph((first,)), Paragraph(("Winter sailings",)), Paragraph((second,))]
    assert restore_dropped(whole, runs) == (whole, 0)


def test_bytes_in_a_declared_legacy_charset():
    page = article("<p>Café crème à bord.</p>", head='<meta charset="windows-1252">').encode("cp1252")
    text, info = extract_html(page)
    assert "Café crème à bord." in text
    assert info["decoded"] == {"encoding": "windows-1252", "source": "meta charset"}


def test_a_latin1_label_reads_as_cp1252_like_browsers_do():
    page = article("<p>\u201cQuoted\u201d fares.</p>", head='<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">')
    text, info = extract_html(page.encode("cp1252"))
    assert "\u201cQuoted\u201d fares." in text
    assert info["decoded"] == {"encoding": "cp1252", "source": "meta charset"}


def test_valid_utf8_wins_over_a_wrong_declaration():
    page = article("<p>Café crème à bord.</p>", head='<meta charset="iso-8859-1">').encode("utf-8")
    text, info = extract_html(page)
    assert "Café crème à bord." in text
    assert info["decoded"] == {"encoding": "utf-8", "source": "valid UTF-8"}


def test_report_section_names_the_extractor_and_its_settings():
    _, info = extract_html(article(""))
    assert info["name"] == "trafilatura"
    assert info["version"][0].isdigit()
    assert info["settings"] == TRAFILATURA_SETTINGS
    assert info["settings"]["deduplicate"] is False


def test_same_page_twice_gives_the_same_text():
    """trafilatura's own deduplication is process-global: on, the second run would lose the
    paragraphs it saw in the first. It is off, so order and workers do not matter."""
    page = article("<p>Fares stay the same.</p>")
    first, _ = extract_html(page)
    extract_html(article("<p>Something else entirely, about buses.</p>"))
    assert extract_html(page)[0] == first
    assert first.count(LONG) == 2


def test_a_fragment_is_extracted_like_a_page():
    text, _ = extract_html(f"<p>{LONG}</p><p>{SENTENCE} Second paragraph.</p>")
    assert text == f"{LONG}\n\n{SENTENCE} Second paragraph.\n"


# -- when trafilatura finds nothing ------------------------------------------------------------

def test_a_title_never_closed_is_closed_so_the_page_has_a_body():
    """A damaged page whose <title> has no end tag: a parser would read the whole page as the
    title, and every extractor would find nothing. It is closed after its first line."""
    page = article("<p>Fares stay the same.</p>").replace("</title>", "\n<!-- scripts -->")
    text, info = extract_html(page)
    assert info["name"] == "trafilatura"
    assert info["repaired"] == ["unclosed <title>"]
    assert "harbour board met on Monday" in text and "Fares stay the same." in text


@pytest.mark.parametrize("title", ["<title>Ferries</title>", "<title>\n  Ferries\n</title>", "<TITLE>Ferries</TITLE >"])
def test_a_closed_title_is_left_as_it_is(title):
    html = f"<html><head>{title}</head><body><p>{LONG}</p></body></html>"
    assert repair_html(html) == (html, [])


def test_readability_takes_over_when_trafilatura_finds_nothing(monkeypatch):
    monkeypatch.setattr(extract, "_trafilatura", lambda tree: [])
    text, info = extract_html(article("<p>Fares stay the same.</p>"))
    assert info["name"] == "readability-lxml"
    assert info["fallback"] == ["trafilatura found no main text"]
    assert info["settings"] == READABILITY_SETTINGS
    assert f"{LONG}\n\nFares stay the same.\n\n{LONG}" in text
    assert "Copyright 2024" not in text  # readability chose the article, not the page


def test_the_pages_own_text_when_no_extractor_finds_anything(monkeypatch):
    """The last resort keeps the whole visible page, laid out like a text dump, and says the
    strip stages must judge it as a whole page (its menus and footer are still in it)."""
    monkeypatch.setattr(extract, "_trafilatura", lambda tree: [])
    monkeypatch.setattr(extract, "_readability", lambda tree: [])
    page = article("<ul><li>Adults 4.50</li><li>Children 2.00</li></ul><table><tr><td>Dep</td><td>09:00</td></tr></table>")
    text, info = extract_html(page)
    assert info["name"] == "page text" and info["main_text"] is False
    assert info["fallback"] == ["trafilatura found no main text", "readability-lxml found no main text"]
    assert text == (f"Home News Sport\n\nWinter ferry timetable agreed\n\n{LONG}\n\n"
                    f"Adults 4.50\nChildren 2.00\n\nDep | 09:00\n\n{LONG}\n\nCopyright 2024 Harbour News\n")


def test_page_text_through_run_is_cleaned_as_a_whole_page(tmp_path, monkeypatch):
    """Text from the last resort goes through the classifier's whole-page tests: the menu
    above the article and the footer below go, the article stays. The report says which path
    ran."""
    monkeypatch.setattr(extract, "_trafilatura", lambda tree: [])
    monkeypatch.setattr(extract, "_readability", lambda tree: [])
    page = ("<html><body><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li>"
            "<li><a href='/sport'>Sport</a></li><li><a href='/weather'>Weather</a></li></ul>"
            f"<h1>Winter ferry timetable agreed</h1><p>{LONG}</p><p>{LONG} Fares stay the same.</p>"
            "<div>Privacy</div><div>Terms</div><div>Contact us</div></body></html>")
    source = write_tree(tmp_path / "in", {"ferry.html": page})
    result = run_cli("run", str(source), str(tmp_path / "out"), "-q", "-w", "1")
    assert result.exit_code == 0, result.stderr
    report = read_report(tmp_path / "out", "ferry")
    assert report["extractor"]["name"] == "page text"
    clean = (tmp_path / "out" / "ferry.txt").read_text(encoding="utf-8")
    assert clean == f"Winter ferry timetable agreed\n\n{LONG}\n\n{LONG} Fares stay the same.\n"


@pytest.mark.parametrize("page, message", [
    (b"", "empty HTML page"),
    (b"   \n", "empty HTML page"),
    (b"<html><body><script>var ready = true;</script><img src='photo.png'></body></html>", "no main text"),
])
def test_nothing_to_extract_is_an_error(page, message):
    with pytest.raises(InputError, match=message):
        extract_html(page)


# -- through the pipeline ----------------------------------------------------------------------

def test_html_files_and_jsonl_html_records_through_fix(tmp_path):
    page = article("<p>Fares stay the same.</p>")
    source = write_tree(tmp_path / "in", {"ferry.html.gz": gzip.compress(page.encode("utf-8")), "plain.htm": page})
    result = run_cli("fix", str(source), str(tmp_path / "out"), "-q", "-w", "1")
    assert result.exit_code == 0, result.stderr
    expected, _ = extract_html(page)
    for name in ("ferry", "plain"):
        assert (tmp_path / "out" / f"{name}.txt").read_text(encoding="utf-8") == expected
        report = read_report(tmp_path / "out", name)
        assert report["source"]["kind"] == "html"
        assert report["extractor"]["name"] == "trafilatura"

    records = tmp_path / "pages.jsonl"
    records.write_text(json.dumps({"id": "ferry", "html": page, "url": "https://example.org/ferry"}) + "\n", encoding="utf-8")
    result = run_cli("fix", str(records), str(tmp_path / "out.jsonl"), "-q", "-w", "1")
    assert result.exit_code == 0, result.stderr
    record = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert record["text"] == expected
    assert record["url"] == "https://example.org/ferry"
    assert record["report"]["extractor"]["settings"]["deduplicate"] is False


def test_html_through_run_rebuilds_the_extracted_text(tmp_path):
    """Whatever the strip and dedup stages remove from extracted text, the report holds it."""
    page = article("<p>Share this article on Facebook</p><p>Sign up for our newsletter</p>")
    source = write_tree(tmp_path / "in", {"ferry.html": page})
    result = run_cli("run", str(source), str(tmp_path / "out"), "-q", "-w", "1")
    assert result.exit_code == 0, result.stderr
    report = read_report(tmp_path / "out", "ferry")
    clean = (tmp_path / "out" / "ferry.txt").read_text(encoding="utf-8")
    removals = [Removal.from_json(row) for row in report["removals"]]
    assert rebuild(clean, removals) == extract_html(page)[0]
    assert "harbour board" in clean


def test_code_samples_that_repeat_statements_stay_whole_through_run(tmp_path):
    """A program repeats its keywords and statements, and each sample is shown whole: within
    a page, the dedup stage leaves repeats inside code blocks alone (the extractor's
    `code_lines` say where they are)."""
    first = "SELECT\n    name,\n    fare\nFROM\n    ferries\nORDER BY\n    fare;"
    second = "SELECT\n    name,\n    route\nFROM\n    ferries\nORDER BY\n    name;"
    page = article(f"<p>The first query lists the fares:</p><pre><code>{first}</code></pre>"
                   f"<p>The second lists the routes:</p><pre><code>{second}</code></pre>")
    source = write_tree(tmp_path / "in", {"ferry.html": page})
    result = run_cli("run", str(source), str(tmp_path / "out"), "-q", "-w", "1")
    assert result.exit_code == 0, result.stderr
    clean = (tmp_path / "out" / "ferry.txt").read_text(encoding="utf-8")
    assert f"{first}\n\n" in clean and f"{second}\n\n" in clean


def test_an_lxml_without_its_table_of_form_classes_parses_with_trafilaturas_own_parser(monkeypatch):
    """_html_parser reads lxml.html's table of form classes, a private name: without it the
    page is parsed by trafilatura's parser as it is (the element classes asked of Python)."""
    from lxml import html as lxml_html
    from trafilatura.utils import HTML_PARSER

    monkeypatch.delattr(lxml_html.HtmlElementClassLookup, "_default_element_classes")
    extract._html_parser.cache_clear()
    try:
        assert extract._html_parser() is HTML_PARSER
        tree = extract.parse_html("<html><body><form><input name=q></form><p>A quay</p></body></html>")
        assert isinstance(tree.find(".//form"), lxml_html.FormElement)
    finally:
        extract._html_parser.cache_clear()   # the next page gets the parser with the C lookup again
