"""Pass 1: what each unit looks like on its own, before its neighbours are considered.

Four classes, as in jusText:

    good      long prose: many function words, ends like a sentence
    neargood  prose, but too short to be sure (a one-sentence paragraph, a teaser)
    short     too short to judge alone: a heading, a menu entry, a caption, a list item
    bad       not prose, however long: raw markup, a run of names, a line of menu entries

Stopword thresholds are jusText's defaults. Very long units get a lower bar: a 2,000-character
line with a fifth of its words "the"/"of"/"and" is prose that carries code or formulas, while
chrome that long (a list of countries, a tag cloud) has almost none.
"""
from __future__ import annotations

import re
from typing import Iterator

from .config import Thresholds
from .signals import LineSignals
from .units import Unit
from .vocabulary import Vocabulary

GOOD, NEARGOOD, SHORT, BAD = "good", "neargood", "short", "bad"
ANCHORS = (GOOD, NEARGOOD)   # prose: what the article region is anchored on
KEEP, DROP = "keep", "drop"  # the final verdicts


def stoplist_usable(units: list[Unit], limits: Thresholds) -> bool:
    """Is the stoplist the page's language? If the page's long units barely use its words
    (langdetect guessed wrong, or the page is Latin placeholder text), ignore it."""
    densities = sorted(u.signals.stop_density for u in units
                       if u.signals.length >= 100 and u.signals.stop_density is not None)
    return bool(densities) and densities[len(densities) // 2] >= limits.stop_trust


def judge(unit: Unit, limits: Thresholds, use_stoplist: bool, vocabulary: Vocabulary,
          corpus_size: int = 0) -> tuple[str, str, str]:
    """(class, reason, category) of one unit on its own."""
    s = unit.signals
    if s.markup and s.length < limits.length_high:
        return BAD, "markup", "widget"
    if s.length < limits.length_low:
        return _judge_short(unit, limits, vocabulary, corpus_size, use_stoplist)
    if _name_list(unit.text, s, limits):
        verdict = BAD, "name-list", ""
    elif s.no_space_script:
        verdict = _judge_by_function_characters(s, limits)
    elif use_stoplist and s.stop_density is not None:
        verdict = _judge_by_stopwords(s, limits)
    else:
        verdict = _judge_by_punctuation(s, limits)
    # prose that names a tag ("add the <script> tag to the page") is prose about markup;
    # markup that is not prose, or mostly tags (a leaked embed, an HTML sample), stays bad
    if s.markup and (verdict[0] not in ANCHORS or markup_share(unit.text) > limits.markup_share):
        return BAD, "markup", "widget"
    return verdict


_TAG = re.compile(r"<[^<>]*>")


def markup_share(text: str) -> float:
    """The share of the text inside tags."""
    return sum(map(len, _TAG.findall(text))) / max(1, len(text))


# where a sentence ends inside a line and the next begins
_SENTENCE_BREAK = re.compile(r"[.!?…][\"'”’»)\]]*\s+[A-Z]")


def _name_list(text: str, s: LineSignals, limits: Thresholds) -> bool:
    """A long line that is a list of names, not prose: mostly capitalised words, no sentence
    end, and at most one sentence break inside ("Select a state Alabama Alaska Arizona ...",
    "Movie title 27 Dresses 30 Days of Night ..."). Titles of films or places carry enough
    "of" and "the" to pass the stopword test, so this is decided before it. Prose that long
    ends its sentences, and German nouns do not make half of a sentence's words."""
    # the capitals before the sentence breaks: the page scan counts most texts' capitals with
    # their words (page_scan.py), and few long lines are mostly capitalised (on the 20 MB bench
    # corpus 2,077 of the 15,880 texts whose capitals the classifier asks for), so the scan for
    # full stops is seldom made. (While the capitals took two regex scans of their own, the
    # breaks went first.)
    return (s.length >= limits.length_high and not s.sentence_end and not s.no_space_script
            and s.capitalised >= limits.title_case and _at_most_one(_SENTENCE_BREAK.finditer(text)))


def _at_most_one(matches: Iterator[re.Match[str]]) -> bool:
    """`len(list(matches)) <= 1`, without looking for the third and later: prose that lacks a
    final full stop still has many sentence breaks, and counting them all read it to its end."""
    return next(matches, None) is None or next(matches, None) is None


def _judge_short(unit: Unit, limits: Thresholds, vocabulary: Vocabulary, corpus_size: int,
                 use_stoplist: bool) -> tuple[str, str, str]:
    if unit.page_repeats >= limits.page_repeats:
        return BAD, "page-repeat", vocabulary.unit_chrome(unit)[1] or "widget"
    if corpus_size and unit.corpus_pages >= max(limits.corpus_pages, limits.corpus_share * corpus_size):
        return BAD, "corpus-repeat", vocabulary.unit_chrome(unit)[1] or "navigation"
    share, category, words = vocabulary.unit_chrome(unit)
    # one chrome word is a control only when it is the whole line ("Share", "Sign in");
    # "Language classes" or "Weekend edition" are headings that happen to contain one
    if not unit.signals.sentence_end and (share >= limits.chrome_whole or (share >= limits.chrome_share and words >= 2)):
        return BAD, "chrome-words", category
    if _reads_as_sentence(unit.signals, limits, use_stoplist):
        return SHORT, "short-sentence", ""
    return SHORT, "short", ""


def _reads_as_sentence(s: LineSignals, limits: Thresholds, use_stoplist: bool) -> bool:
    """A short unit that is a sentence of prose, not a label: "The mean is 4.33.", a line of a
    Chinese blog post. Menus and buttons are labels."""
    if s.no_space_script:
        return s.words >= limits.sentence_words * 2 and (s.stop_density or 0) >= limits.cjk_high
    if s.words < limits.sentence_words:
        return False
    if use_stoplist and s.stop_density is not None:
        return s.stop_density >= limits.stop_low and (s.sentence_end or s.capitalised < 0.5)
    return s.sentence_end


def _judge_by_stopwords(s: LineSignals, limits: Thresholds) -> tuple[str, str, str]:
    d = s.stop_density or 0.0
    if s.length >= limits.long_unit:
        if d >= limits.stop_long:
            return GOOD, "prose", ""
        if d < limits.stop_bad:
            return BAD, "few-stopwords", ""
        return NEARGOOD, "prose", ""
    if d >= limits.stop_high and s.length >= limits.length_high:
        return GOOD, "prose", ""
    if d >= limits.stop_low:
        return NEARGOOD, "prose", ""
    if s.sentence_end and d >= limits.stop_sentence and s.capitalised < limits.title_case:
        return NEARGOOD, "prose", ""
    return BAD, "few-stopwords", ""


def _judge_by_function_characters(s: LineSignals, limits: Thresholds) -> tuple[str, str, str]:
    """Chinese and Japanese: function-character density plays the stopwords' part."""
    d = s.stop_density or 0.0
    if d >= limits.cjk_high and s.length >= limits.length_high:
        return GOOD, "prose", ""
    if d >= limits.cjk_low or s.sentence_end:
        return NEARGOOD, "prose", ""
    if s.separators >= 3:
        return BAD, "separators", "navigation"
    return BAD, "no-sentence", ""


def _judge_by_punctuation(s: LineSignals, limits: Thresholds) -> tuple[str, str, str]:
    """No usable stoplist (Chinese, Japanese, Thai, or a language jusText lacks): sentences are
    told by their punctuation and their length."""
    if s.separators >= 3 and not s.sentence_end:
        return BAD, "separators", "navigation"
    if s.sentence_end and s.length >= limits.length_high:
        return GOOD, "prose", ""
    if s.sentence_end or s.length >= limits.length_high:
        return NEARGOOD, "prose", ""
    return BAD, "no-sentence", ""
