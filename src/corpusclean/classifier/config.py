"""Every tunable number of the classifier, in one frozen dataclass per part (ClassifierConfig
holds them all), recorded in the run summary.

Kept apart from the code that uses them (verdicts.py, region.py, context.py, feeds.py,
prose_chrome.py, comments.py): a run's main process records the classifier's settings, and on
several workers never classifies a page, so it need not import the classifier's code.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Thresholds:
    """Every threshold of pass 1, in one printable place (recorded in the run summary)."""

    length_low: int = 70          # shorter than this (characters; CJK count double) is "short"
    length_high: int = 200        # longer than this can be "good"
    stop_low: float = 0.30        # jusText's stopwords_low
    stop_high: float = 0.32       # jusText's stopwords_high
    long_unit: int = 400          # from this length on, a lower stopword bar
    stop_long: float = 0.18       # ... this one
    stop_bad: float = 0.10        # below this a long unit is a list of names or terms
    stop_sentence: float = 0.15   # a full sentence this dense in stopwords is prose (names and places thin them) ...
    title_case: float = 0.6       # ... unless this share of its words is capitalised: a headline
    stop_trust: float = 0.12      # median density of long units below which the list is not the page's language
    chrome_share: float = 0.5     # a short unit with two chrome words covering this much of it is chrome
    chrome_whole: float = 0.9     # ... or one chrome word that is (nearly) all of it
    page_repeats: int = 3         # a short text this often on one page is a repeated control
    corpus_pages: int = 5         # a short line on this many pages of the corpus is a site template
    corpus_share: float = 0.02    # ... and on at least this share of them
    cjk_low: float = 0.12         # function-character density of Chinese/Japanese prose, lower bar
    cjk_high: float = 0.15        # ... and the bar for "good"
    sentence_words: int = 4       # a short unit with this many words that reads as a sentence
    markup_share: float = 0.1     # a paragraph this much in tags is markup, however it reads


@dataclass(frozen=True)
class RegionWeights:
    """How pass 2 scores runs of units to find the article region (region.py)."""

    unit_cost: float = 25.0       # what one non-prose unit costs
    neargood_weight: float = 0.75 # share of its length a one-sentence paragraph adds
    sentence_weight: float = 0.25 # share of its length a short sentence adds
    isolated_weight: float = 0.0  # ... and a one-sentence paragraph alone between non-prose units
    second_share: float = 0.5     # a second run scoring this share of the best joins the article
    isolated_good: float = 0.5    # share of its length a long paragraph alone between non-prose units adds
    repeat_factor: float = 4.0    # repeated controls and raw markup cost this many units
    gap_cap: float = 500.0        # the most one run of non-prose units can cost
    notes_reach: int = 12         # footnotes starting this many units after the article are its own
    extracted_outside: float = 0.15  # an extractor's text is trimmed to the region when at most this share of its paragraphs lies outside


@dataclass(frozen=True)
class ContextLimits:
    """How far a unit's neighbours reach when its verdict is revised in context (context.py)."""

    heading_units: int = 3         # a heading may stand this many units above the article ...
    heading_chars: int = 250       # ... with at most this much text in between
    tight_gap: int = 400           # non-prose characters between two paragraphs that still count as "inside"
    code_gap: int = 1200           # how much non-prose text (code, formulas) may sit between paragraphs
    menu_lines: int = 3            # a group of this many short lines without sentences is a menu
    label_words: int = 4           # a menu entry has at most this many words
    dateline_words: int = 8        # a line with a date and at most this many words is a dateline


@dataclass(frozen=True)
class FeedLimits:
    """What makes a run of units a feed, a slideshow, a list of headlines or teasers (feeds.py)."""

    meta_chars: int = 100       # an entry's opening line is at most this long
    min_entries: int = 3        # dated entries in a row that make a feed
    max_entry_units: int = 8    # an entry is at most this many units long
    article_anchors: int = 2    # prose units the article keeps above the feed, at least
    max_tail_anchors: int = 10  # prose units after the last entry's opening, at most
    timed_share: float = 0.5    # share of entries whose opening shows a time of day or an age
    min_slides: int = 3         # counted slides in a row that make a slideshow
    slide_heading_units: int = 3  # short lines right above the first slide that title the slideshow
    min_headlines: int = 4      # consecutive lines that make a list of headlines ...
    headline_share: float = 0.75  # ... when this share of them carries a count or a date
    min_teasers: int = 3        # headline-and-teaser paragraphs in a row that make a teaser list
    teaser_words: int = 80      # a teaser has at most this many words ...
    teaser_min_words: int = 6   # ... and at least this many
    teaser_headline_words: int = 25  # a teaser's headline has at most this many words (headlines run long)


@dataclass(frozen=True)
class ProseChromeLimits:
    """What makes a paragraph that reads as prose an appeal, a bio or a notice (prose_chrome.py)."""

    person_share: float = 0.05     # "we"/"us"/"you" words in an appeal, at least
    appeal_terms: int = 2          # appeal words in one paragraph, at least
    appeal_strong: int = 4         # this many, with twice the person share: an appeal anywhere
    bio_weak_terms: int = 2        # weak bio phrases that make a bio without a strong one
    bio_max_chars: int = 700       # bios are short
    notice_terms: int = 2          # notice phrases
    notice_max_chars: int = 900    # longer notices need a strong mark every ...
    notice_chars_per_mark: int = 400  # ... this many characters
    min_block: int = 2             # suspects in a row that are removed wherever they stand
    max_demoted: int = 3           # notices or strong appeals on one page, at most, to be chrome


@dataclass(frozen=True)
class CommentLimits:
    """What makes the end of a page a comment section (comments.py)."""

    heading_chars: int = 80     # a heading is at most this long
    article_anchors: int = 2    # prose units of the article above the heading, at least
    first_reach: int = 40       # the first entry mark stands this many lines below the heading, at most
    mark_gap: int = 40          # entry marks of one section are at most this many lines apart
    min_marks: int = 2          # entry marks that make a comment section
    meta_chars: int = 120       # a dated line is a comment's meta line when at most this long
    tail_units: int = 3         # prose units after the last mark: the last comment's text
    discussion_anchors: int = 4 # prose units above a discussion heading that make it the article's end
    headless_marks: int = 4     # lines naming a comment's writer that make a section without a heading
    headless_anchors: int = 3   # ... below at least this many prose units of the article


@dataclass(frozen=True)
class ClassifierConfig:
    """Every tunable number of the classifier, recorded in the run summary."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    region: RegionWeights = field(default_factory=RegionWeights)
    context: ContextLimits = field(default_factory=ContextLimits)
    feeds: FeedLimits = field(default_factory=FeedLimits)
    prose_chrome: ProseChromeLimits = field(default_factory=ProseChromeLimits)
    comments: CommentLimits = field(default_factory=CommentLimits)

    def signature(self) -> dict[str, Any]:
        return asdict(self)
