"""One page through the classifier: units, their verdicts alone, the article region, the
verdicts in context, then the chrome that only shows as a structure or a voice.

    units, groups = units_and_groups(doc)          units.py      (and the units by group)
    judge each unit alone                          verdicts.py   (pass 1)
    demote_title_line, demote_notices              here, prose_chrome.py: they must not anchor
    region = find_region(units)                    region.py     (above the comments, if a heading names them)
    revise(units, region)                          context.py    (pass 2)
    mark_comments, mark_discussion                 comments.py
    mark_feed, mark_slideshow, mark_related,
    mark_headline_lists, mark_teaser_lists         feeds.py
    mark_prose_chrome(units, region)               prose_chrome.py

Pages with no prose at all (a list, a table, a test page) are left as they are: there is
nothing to tell the article from the chrome by, and losing a page is worse than keeping a menu.
"""
from __future__ import annotations

import re

from ..model import Document
from .comments import comment_lines, comments_start, mark_comments, mark_discussion
from .config import ClassifierConfig, ContextLimits, RegionWeights
from .context import HEADING_WORDS, revise, revise_extracted
from .feeds import (mark_feed, mark_headline_lists, mark_related, mark_slideshow, mark_teaser_lists,
                    opening_lines)
from .prose_chrome import demote_notices, mark_prose_chrome
from .region import best_run, find_region
from .units import FeatureMemo, PreparedPage, Unit, units_and_groups
from .verdicts import ANCHORS, BAD, DROP, GOOD, KEEP, NEARGOOD, judge, stoplist_usable
from .vocabulary import Vocabulary


def classify_page(doc: Document, stopwords: frozenset[str] | None, config: ClassifierConfig,
                  vocabulary: Vocabulary, corpus_pages: dict[int, int] | None = None,
                  corpus_size: int = 0, extracted: bool = False, memo: FeatureMemo | None = None,
                  prepared: PreparedPage | None = None) -> list[Unit]:
    """The page's units, each with `verdict` KEEP or DROP, `reason` and `category`.

    `corpus_pages` maps a unit's first line to the number of corpus pages that hold it.
    `extracted`: the text is an HTML extractor's main content, not a dump of the whole page.
    Then there is no header or footer to find (the extractor cut them off, and its text breaks
    lines at inline code and links, which would make prose look like menus): the whole text is
    the region, and only chrome that says what it is goes (controls made of chrome words,
    menus of labels, feeds, appeals, bios, notices).

    `memo`: the features of texts met on earlier pages (units.FeatureMemo), for a caller that
    classifies many pages with this `config` and `vocabulary`; `prepared`: the page's texts and
    their features, found with the other pages of its batch (units.prepare_pages)."""
    units, groups = units_and_groups(doc, stopwords, memo, prepared)
    if corpus_pages:
        for unit in units:
            unit.corpus_pages = corpus_pages.get(unit.first, 0)
    use_stoplist = stoplist_usable(units, config.thresholds)
    for unit in units:
        unit.initial, unit.reason, unit.category = judge(unit, config.thresholds, use_stoplist,
                                                         vocabulary, corpus_size)
    if not any(u.initial == GOOD for u in units):
        # no paragraph is long enough to be sure: take the one-sentence ones as the article
        for unit in units:
            if unit.initial == NEARGOOD:
                unit.initial = GOOD
    if not extracted:  # an extractor's text does not open with the page's <title>
        demote_title_line(doc, units)
    demote_notices(units, config.prose_chrome, vocabulary)
    region = find_region(units, config.region) if any(u.initial in ANCHORS for u in units) else None
    # reader comments under a heading that names them are not the article's other half, and
    # a long discussion must not outscore a short article: the article is found above them.
    # An extractor's text too: told to leave comments out, it still takes along those the
    # page does not mark as comments (a list of names and posts under "Comments (12)")
    discussion = None if region is None else comments_start(units, config.comments)
    if region is not None and discussion is not None:
        region = find_region(units, config.region, discussion) or region
        if region[1] >= discussion:
            discussion = None
    if extracted and not _region_holds_the_text(units, region, config.region):
        region = (0, len(units) - 1) if units else None
        trimmed = False
    else:
        trimmed = extracted
    if region is None:
        for unit in units:
            unit.verdict = DROP if unit.reason == "markup" else KEEP
        return units
    if not extracted:
        revise(units, region, config.context)
    elif not trimmed:
        revise_extracted(units, config.context)
    else:
        trim_extracted(units, region, config.context)
    mark_comments(units, region, config.comments,
                  comment_lines(doc.lines, config.comments, memo.comment_lines if memo is not None else None))
    if discussion is not None:
        mark_discussion(units, discussion, best_run(units, config.region, discussion, len(units)))
    mark_feed(units, region, config.feeds,
              opening_lines(doc.lines, config.feeds, memo.openings if memo is not None else None))
    mark_slideshow(units, region, config.feeds)
    mark_related(units, region)
    mark_headline_lists(groups, config.feeds)
    mark_teaser_lists(groups, config.feeds)
    mark_prose_chrome(units, region, config.prose_chrome, vocabulary)
    for unit in units:
        if unit.verdict == DROP and not unit.category:
            unit.category = vocabulary.unit_chrome(unit)[1] or default_category(unit)
    return units


def _region_holds_the_text(units: list[Unit], region: tuple[int, int] | None, weights: RegionWeights) -> bool:
    """Does the article region hold an extractor's text, all but at most `extracted_outside`
    of its long paragraphs? Then what stands outside it is the chrome the extractor took along
    (a related-stories list, a footer). Where much of the prose lies outside, the region is
    what is unsure (text split at inline code and links looks like a menu), and the
    extractor's choice stands."""
    if region is None:
        return False
    total = sum(u.signals.length for u in units if u.initial == GOOD)
    outside = sum(u.signals.length for i, u in enumerate(units)
                  if u.initial == GOOD and not region[0] <= i <= region[1])
    return outside <= weights.extracted_outside * total


def trim_extracted(units: list[Unit], region: tuple[int, int], limits: ContextLimits) -> None:
    """Verdicts for an extractor's text whose article region is clear: inside the region the
    extractor's verdicts stand (revise_extracted); above and below it, the header and footer
    zones go as on a whole page, except what is content wherever it stands: long paragraphs,
    marked lists and tables, code, and the headline. Above the region the extractor's
    verdicts stand too where that text outweighs the region's."""
    first, last = region
    revise(units, region, limits)
    # what stands above the region is the extractor's chrome only while it is the lesser part:
    # where it outweighs the region (a page of formulas and headings with one paragraph of
    # prose at its end), the region is what is unsure, and the extractor's choice stands there
    above = sum(u.signals.length for u in units[:first])
    top = 0 if above > sum(u.signals.length for u in units[first:last + 1]) else first
    revise_extracted(units[top:last + 1], limits)
    opening = next((i for i in range(first, last + 1) if units[i].initial in ANCHORS), first)
    for i, unit in enumerate(units):
        outside = i < first or i > last
        if outside and unit.verdict == DROP and unit.reason in ("header-zone", "footer-zone") and (
                unit.initial == GOOD or unit.listed or unit.code):
            unit.verdict = KEEP
        elif i == opening - 1 and unit.verdict == DROP and _headline(unit):
            unit.verdict = KEEP
        elif outside and unit.verdict == DROP and unit.reason == "few-stopwords" and _long_prose(unit):
            unit.verdict = KEEP


def _headline(unit: Unit) -> bool:
    """The extractor's line right above the article's first paragraph, one line of a few words
    that is no sentence: its headline. On a whole page that place belongs to the page's
    <title> or the site's name; the extractor has cut those off. (A headline in a language
    with no usable stoplist is judged by punctuation alone, and a headline has none.)"""
    return (unit.first == unit.last and unit.reason in ("no-sentence", "few-stopwords")
            and not unit.signals.link and not unit.signals.sentence_end
            and 3 <= unit.signals.words <= HEADING_WORDS)


def _long_prose(unit: Unit) -> bool:
    """A long paragraph of sentences the extractor kept: its few stopwords (names, figures,
    a reference list, a language the stoplist covers badly) do not outweigh the extractor's
    choice."""
    return unit.signals.words >= 30 or (unit.signals.words >= 15 and unit.signals.sentence_end)


# what sites put between a headline and their name in a page's <title>
_TITLE_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|::|·|»)\s+")


def demote_title_line(doc: Document, units: list[Unit]) -> None:
    """Text dumps open with the page's <title>: the headline again, often with the site's name
    ("Library saved after vote | Valley Courier"). When the page's first line repeats a later
    line that way, it is a duplicate of the headline, not a heading of its own."""
    first_line = next((i for i, line in enumerate(doc.lines) if line.strip()), None)
    if first_line is None or not units or units[0].first != first_line or units[0].last != first_line:
        return
    head = units[0]
    parts = {head.key, *(p for p in _TITLE_SEPARATOR.split(head.key) if len(p) >= 10)}
    # a unit's key can only be a part if its casefolded text starts with the part's first
    # word: only such units are normalised whole (most are paragraphs that start otherwise)
    openings = tuple({part.split(" ", 1)[0] for part in parts})
    if any(u.features.lowered.startswith(openings) and u.key in parts
           for u in units[1:] if u.signals.chars >= 10):
        head.initial, head.reason, head.category = BAD, "page-title", "duplicate"


def default_category(unit: Unit) -> str:
    """The category of a drop when no chrome word names it: prose outside the article is
    teasers and comments (widget); short lines and lists of terms are navigation."""
    if unit.initial in ANCHORS:
        return "widget"
    return "navigation"
