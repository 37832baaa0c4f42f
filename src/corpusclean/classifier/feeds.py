"""Feeds inside a page: dated entries below an article (comments, live updates, lists of
teasers), slideshows ("1/50 ...", "2/50 ..."), and lists of links to other stories under a
"Related" heading.

A feed is a run of entries, each opened by a short line that carries a date or a time and is
not a sentence ("Anna · March 10, 2017 at 12:20 AM", "14:44", "3/9 18:45", "2 hours ago"),
followed by the entry's text. One date is a dateline; three dated entries in a row, closing
the article's region, are comments or a feed, whatever their prose reads like. The article
must keep prose of its own above the feed, so a page that is one long feed (a blog index, a
changelog) is left alone.
"""
from __future__ import annotations

import re

from ..memo import TextMemo
from .config import FeedLimits
from .regex import GatedSearch, cached_compile, opens_with
from .units import Unit
from .verdicts import ANCHORS, DROP, GOOD, KEEP

_MONTHS = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
# a time of day or an age: what comment and live-update headers show, and references do not
TIMED = re.compile(r"\b\d{1,2}:\d{2}\b|\b\d+\s+(?:second|minute|hour|day|week|month|year)s?\s+ago\b", re.IGNORECASE)
# (compiled through the start-up cache, regex.cached_compile, as RELATED: 1-1.5 ms each otherwise)
DATED = cached_compile(
    TIMED.pattern +
    r"|\b(?:" + _MONTHS + r")\.?\s+\d{1,2},?\s+\d{4}\b"        # March 10, 2017
    r"|\b\d{1,2}\.?\s+(?:" + _MONTHS + r")\.?\s+\d{4}\b"       # 10 March 2017
    r"|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b",
    re.IGNORECASE)
# DATED's answer, searched only on lines with a digit (every date and time holds one; checked
# on the pattern itself when first used): most lines have none
has_date = GatedSearch(DATED, r"\d")


# the writer an entry's meta line names: "Posted by: Sean | Jan 10, 2008", "Submitted by anna on"
POSTER = re.compile(
    r"^\W*(?:posted|submitted|written|added|commented)\s+by:?\s+(\S[^|·•@\d]{0,40}?)\s*(?:$|[|·•@,(]|\s(?:on|at)\b|\d)",
    re.IGNORECASE)


def writer(line: str) -> str | None:
    """The writer a meta line names ("Posted by: Sean | ..."), casefolded, or None."""
    found = POSTER.match(line.strip())
    return found.group(1).casefold() if found else None


# the heading of a list of other stories
RELATED = cached_compile(
    r"^(?:more |other |top |latest |recommended |related |popular |trending |editors?'? ?picks?)?"
    r"(?:related|recommended|more (?:stories|articles|news|from|on|in|like this)|you (?:may|might) (?:also )?like|"
    r"most (?:read|popular|viewed|shared|commented|e-?mailed)|read (?:next|more|also)|also (?:read|on)|trending|popular|"
    r"headlines|top rated|recent (?:posts|stories|articles)|(?:also )?in this section|"
    r"top stories|lire aussi|à lire aussi|leia (?:também|mais)|mehr zum thema|"
    r"weitere artikel|te puede interesar|noticias relacionadas|artículos relacionados)\b"
    # a section's or a place's headlines: "B.C. Headlines", "More Manitoba headlines"
    r"|^(?:more )?(?:[\w.'’&-]+ ){1,3}headlines$",
    re.IGNORECASE)
# a slide counter: "3/50", "3 of 50" at the start of a line
SLIDE = re.compile(r"^\s*(\d{1,3})\s*(?:/|of)\s*(\d{1,3})\b", re.IGNORECASE)


def opening_lines(lines: list[str], limits: FeedLimits,
                  memo: TextMemo[str, Opening] | None = None) -> list[tuple[int, bool, str | None]]:
    """(index, shows a time, the writer it names) of the page's lines that open a dated entry.
    All lines count, also those the rules already removed: a rule that took "reply · 6:32 PM"
    away leaves the feed a feed. `memo` remembers each line's answer by its text for the
    pages read after this one with the same `limits` (a site's template lines recur, dates
    and bylines among them)."""
    memo = memo if memo is not None else TextMemo()
    openings = memo.answers(lines, lambda line: _opening(line, limits))
    return [(i, *opening) for i, opening in enumerate(openings) if opening]


#: what a line is to opening_lines: (shows a time, the writer it names) for a line that opens a
#: dated entry, () for any other
Opening = tuple[()] | tuple[bool, str | None]


def _opening(line: str, limits: FeedLimits) -> Opening:
    text = line.strip()
    if text and len(text) <= limits.meta_chars and has_date(text):
        sentence = text[-1] in ".!?" and len(text.split()) > 6
        if not sentence:
            return bool(TIMED.search(text)), writer(text)
    return ()


def mark_feed(units: list[Unit], region: tuple[int, int], limits: FeedLimits,
              openings_at: list[tuple[int, bool, str | None]]) -> None:
    """Drop the dated feed that closes the region, if there is one (reason "dated-feed").
    `openings_at` are the page's entry-opening lines (see opening_lines). Entries that all name
    one writer are one author's posts (a blog's front page, "Posted by Anna at 9:12 AM" under
    each): they stay."""
    first, last = region
    # each opening line as the index of the unit it is, or the first unit after it
    openings: list[int] = []
    timed: dict[int, bool] = {}
    writers: dict[int, str | None] = {}
    k = first
    for line, has_time, name in openings_at:
        while k <= last and units[k].last < line:
            k += 1
        if k > last:
            break
        if line < units[first].first:
            continue
        if not openings or openings[-1] != k:
            openings.append(k)
        timed[k] = timed.get(k, False) or has_time
        writers[k] = writers.get(k) or name
    if len(openings) < limits.min_entries:
        return
    # the last run of entries that follow each other closely
    runs: list[list[int]] = []
    for i in openings:
        if runs and i - runs[-1][-1] <= limits.max_entry_units:
            runs[-1].append(i)
        else:
            runs.append([i])
    entries = runs[-1]
    if len(entries) < limits.min_entries:
        return
    start = entries[0]
    # it must close the region: after its last entry, no more prose than a long entry holds
    tail_anchors = sum(1 for k in range(entries[-1] + 1, last + 1) if units[k].initial in ANCHORS)
    if tail_anchors > limits.max_tail_anchors:
        return
    with_prose = sum(1 for a, b in zip(entries, entries[1:] + [last + 1])
                     if any(units[k].initial in ANCHORS for k in range(a + 1, b)))
    above = sum(1 for k in range(first, start) if kept_prose(units[k]))
    # entries show times and have bodies: a list of dated references is no feed
    with_time = sum(1 for i in entries if timed[i])
    if with_time < len(entries) * limits.timed_share or with_prose < 2 or above < limits.article_anchors:
        return
    names = [writers[i] for i in entries]
    if all(names) and len(set(names)) == 1:
        return  # one author's posts
    # the feed's own heading ("13 comments") goes with it
    if start - 1 >= first and units[start - 1].initial not in ANCHORS and units[start - 1].verdict == KEEP:
        start -= 1
    _drop_kept(units[start:last + 1], "dated-feed")


def mark_slideshow(units: list[Unit], region: tuple[int, int], limits: FeedLimits) -> None:
    """Drop a slideshow inside the region: units opening with counters k/N (or "k of N") for one
    N, counting up by one. Its title lines above and the last slide's caption go with it. A
    recipe's "1/2 cup" has no common N and no counting, so it is never a slideshow."""
    first, last = region
    slides: list[tuple[int, int, int]] = []  # (unit index, k, N)
    for i in range(first, last + 1):
        text = units[i].text
        match = SLIDE.match(text) if opens_with(text) else None   # a counter: a digit, after white space
        if match:
            slides.append((i, int(match.group(1)), int(match.group(2))))
    run: list[tuple[int, int, int]] = []
    best: list[tuple[int, int, int]] = []
    for slide in slides:
        if run and slide[2] == run[-1][2] and slide[1] == run[-1][1] + 1:
            run.append(slide)
        else:
            run = [slide]
        if len(run) > len(best):
            best = list(run)
    if len(best) < limits.min_slides:
        return
    start, end = best[0][0], best[-1][0]
    per_slide = max(1, round((end - start) / (len(best) - 1)))
    end = min(last, end + per_slide - 1)          # the last slide's caption and credit
    for _ in range(limits.slide_heading_units):   # the slideshow's title lines
        if start - 1 >= first and units[start - 1].initial not in ANCHORS:
            start -= 1
    _drop_kept(units[start:end + 1], "slideshow")


def mark_related(units: list[Unit], region: tuple[int, int]) -> None:
    """Drop a "Related stories" list that closes the region: a short heading of that kind after
    which no paragraph of text follows (only headlines and teasers). Text follows where a
    paragraph of sentences stands right under the heading or right after another paragraph;
    a teaser stands under its headline (no sentence end), however long it is."""
    first, last = region
    for i in range(last, first, -1):
        unit = units[i]
        if unit.signals.chars > 60 or not RELATED.match(unit.text.strip(" :»›>-–—")):
            continue
        after = units[i + 1:last + 1]
        text_follows = any(u.initial == GOOD and u.signals.sentence_end and (k == 0 or _sentences(after[k - 1]))
                           for k, u in enumerate(after))
        above = sum(1 for u in units[first:i] if kept_prose(u))
        if text_follows or above < 2:
            return
        for later in units[i:last + 1]:
            if later.verdict == KEEP:
                later.verdict = DROP
                later.reason = "related-links"
                later.category = "widget"
        return


def _sentences(unit: Unit) -> bool:
    """Prose that ends a sentence: a paragraph, not a headline (however long)."""
    return unit.initial in ANCHORS and unit.signals.sentence_end


# a headline list's items carry a count ("Macs too hip for PC users? (190)") or a time
# ("Choi wins Sony Open 14/01/08 6:41 AM", "January 15, 2008 Worker rescued from trench")
_COUNT_AT_END = re.compile(r"\S\s*[(\[]\d{1,5}[)\]]\s*$")
_WORD = re.compile(r"[^\W\d_]{2,}")
_SENTENCE_INSIDE = re.compile(r"[.!?][\"'”’)]*\s+[A-Z]")


def mark_headline_lists(groups: list[list[Unit]], limits: FeedLimits) -> None:
    """Drop lists of other stories' headlines wherever they stand (most read, most discussed,
    latest): a run of at least `min_headlines` consecutive lines, each a title of a few words
    with no sentence inside it, nearly all (`headline_share`) carrying a count in brackets or
    a date or time. An article's own list (steps, items) is made of sentences or of bare
    labels; it does not stamp each item with a count or a date. `groups`: the page's units by
    group (units.units_and_groups)."""
    for run in groups:
        if len(run) < limits.min_headlines:
            continue  # too short for a list, with or without a heading: most groups are one paragraph
        # the list's own heading ("Most discussed") may open the run
        items = run[1:] if run[0].signals.words <= 4 and not _marked(run[0]) else run
        if len(items) < limits.min_headlines or any(not _title_like(u, limits) for u in items):
            continue
        if sum(map(_marked, items)) >= limits.headline_share * len(items):
            _drop_kept(run, "related-links")


def mark_teaser_lists(groups: list[list[Unit]], limits: FeedLimits) -> None:
    """Drop lists of other stories' teasers that open or close the text: at least
    `min_teasers` paragraphs in a row, each exactly two lines, a headline (a title of a few
    words, no full stop) and under it a teaser of one or two sentences ("Bellamy raring to
    go" / "West Ham striker Craig Bellamy is expected to return on Saturday"). An article
    sets its own subheadings apart from the paragraph under them (a blank line, a block of
    their own); a listing holds each headline and its teaser together, as one item. The
    article must keep prose of its own (`article_anchors` paragraphs) on the other side of
    the list, so a page that is one listing (a blog's front page) is left alone. `groups`: the
    page's units by group (units.units_and_groups)."""
    teaser = [_teaser_pair(group, limits) for group in groups]
    start = 0
    while start < len(groups):
        if not teaser[start]:
            start += 1
            continue
        end = start
        while end + 1 < len(groups) and teaser[end + 1]:
            end += 1
        if end - start + 1 >= limits.min_teasers:
            before = [u for g in groups[:start] for u in g if kept_prose(u)]
            after = [u for g in groups[end + 1:] for u in g if kept_prose(u)]
            if (not after and len(before) >= limits.article_anchors) or (
                    not before and len(after) >= limits.article_anchors):
                _drop_kept([u for g in groups[start:end + 1] for u in g], "teaser-list")
        start = end + 1


def _teaser_pair(group: list[Unit], limits: FeedLimits) -> bool:
    """A paragraph of two lines: a headline, then a teaser longer than it."""
    if len(group) != 2 or any(u.listed or u.code for u in group):
        return False
    headline, teaser = group
    return (2 <= headline.signals.words <= limits.teaser_headline_words and not headline.signals.sentence_end
            and not _SENTENCE_INSIDE.search(headline.text)
            and limits.teaser_min_words <= teaser.signals.words <= limits.teaser_words
            and teaser.signals.words > headline.signals.words
            and len(_SENTENCE_INSIDE.findall(teaser.text)) <= 1)


def kept_prose(unit: Unit) -> bool:
    """A paragraph of the article's prose that stays (so far)."""
    return unit.initial in ANCHORS and unit.verdict == KEEP


def _marked(unit: Unit) -> bool:
    return bool(_COUNT_AT_END.search(unit.text) or has_date(unit.text))


def _title_like(unit: Unit, limits: FeedLimits) -> bool:
    """A title of a few words: not a paragraph, no sentence inside, at least three words of
    letters besides its count or date (a table's "4.2.3 April 2014" rows are figures)."""
    if unit.initial == GOOD or unit.signals.chars > limits.meta_chars + 40:
        return False  # a paragraph: no need to read its words
    lettered = _WORD.findall(DATED.sub(" ", unit.text) if has_date(unit.text) else unit.text)
    return len(lettered) >= 3 and not _SENTENCE_INSIDE.search(unit.text)


def _drop_kept(units: list[Unit], reason: str, category: str = "widget") -> None:
    """Drop the units of a span that nothing has dropped yet, naming the test that did."""
    for unit in units:
        if unit.verdict == KEEP:
            unit.verdict, unit.reason, unit.category = DROP, reason, category
