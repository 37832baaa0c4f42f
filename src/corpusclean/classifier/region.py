"""Where the article is: the stretch of the page where prose outweighs everything else.

Every unit gets a score and the article is the run of units with the largest total (the
maximum-subarray idea of Finn et al.'s Body Text Extraction):

    a paragraph                          + its length (+ half of it alone between non-prose units)
    a one-sentence paragraph             + three quarters of its length
    ... alone between non-prose units,   0: a teaser under its headline, or a headline itself
        or with no full stop
    a short sentence                     + a quarter of its length
    a list item, a table row, code       0: as likely inside an article as outside
    ... and the caption right above code 0: "The Lorenz equations" over a formula
    any other unit                       - unit_cost (four times that for repeated controls)

Menus, link lists and teaser feeds cost more than they add, so the article's edges fall where
they begin. Three refinements keep long articles in one piece: one run of non-prose units
costs at most `gap_cap` in all (a chart or a table of contents in the middle of an article must
not cut its first half off); a second run scoring at least `second_share` of the best joins it;
and prose touching the region, marked lists it begins or ends in, and the footnotes closing it
are taken in whole.
"""
from __future__ import annotations

import re

from .config import RegionWeights
from .regex import opens_with
from .units import FOOTNOTE, MIN_LIST_ITEMS, Unit
from .verdicts import BAD, GOOD, NEARGOOD, SHORT


# a numbered heading ("Step 3", "2."): the sections under it are one text
_NUMBERED = re.compile(r"^\s*(?:(?:step|part|chapter|tip|phase|stage|schritt|teil|étape|paso|passo)\s*)?\d{1,3}\b", re.I)
#: what a text _NUMBERED matches starts with, besides white space (`\s`, str.isspace) and a
#: digit (`\d`, str.isdecimal): its words' first letters in either case, and the long s that
#: IGNORECASE takes for an s. The pattern is only tried on texts that start so (most units
#: start with another capital, and a pattern's call cost more than the test)
_NUMBERED_STARTS = frozenset("sSſpPcCtTéÉ")


def _numbered(text: str) -> bool:
    """`_NUMBERED.match(text)`: a numbered heading."""
    return opens_with(text, _NUMBERED_STARTS) and _NUMBERED.match(text) is not None


#: a section heading has at most this many words
SECTION_WORDS = 3


def unit_score(unit: Unit, weights: RegionWeights, isolated: bool = False) -> float:
    if unit.initial == GOOD:
        return (weights.isolated_good if isolated else 1.0) * unit.signals.length
    if unit.initial == NEARGOOD:
        if isolated or not unit.signals.sentence_end:  # a teaser between headlines, or a headline itself
            return weights.isolated_weight * unit.signals.length
        return weights.neargood_weight * unit.signals.length
    if unit.listed or unit.code:
        return 0.0  # list items, formulas and code are neutral: as likely inside articles as outside
    if unit.reason == "short-sentence":
        return weights.sentence_weight * unit.signals.length
    if unit.initial == BAD and unit.reason in ("markup", "page-repeat", "corpus-repeat"):
        return -weights.repeat_factor * weights.unit_cost
    return -weights.unit_cost


def find_region(units: list[Unit], weights: RegionWeights, end: int | None = None) -> tuple[int, int] | None:
    """(first, last) unit indices of the article, or None when nothing on the page is prose.

    The best-scoring run is the article; a second run before or after it that scores at least
    `second_share` of it is the article's other half (split by a gallery, a chart, an ad block)
    and the region spans both. The region lies above unit `end` when it is given: the
    readers' comments start there, and a long discussion would outscore a short article."""
    end = len(units) if end is None else end
    scores = _scores(units, weights)
    best, span = _best_run(scores, weights, 0, end)
    if span is None:
        return None
    first, last = span
    for lo, hi in ((0, first), (last + 1, end)):
        other, other_span = _best_run(scores, weights, lo, hi)
        if other_span is not None and other >= weights.second_share * best:
            first, last = min(first, other_span[0]), max(last, other_span[1])
    # prose right next to the region belongs to it even when it scores nothing on its own
    # (a closing paragraph without a full stop, a one-sentence paragraph)
    while first > 0 and _supports(units[first - 1]) and not units[first - 1].code:
        first -= 1
    while last < end - 1 and _supports(units[last + 1]) and not units[last + 1].code:
        last += 1
    return _whole_lists(units, (first, _closing_notes(units, last, weights)))


def _closing_notes(units: list[Unit], last: int, weights: RegionWeights) -> int:
    """The article's own notes and references close it ("^ Smith, J. (2015). ...", "[3] ..."),
    under a heading or two ("Notes", "See also", "References"): a marked list of footnotes that
    starts within `notes_reach` units of the region's end, with no paragraph in between, belongs
    to it. Returns the new last unit (the first footnote: the whole list follows)."""
    for k in range(last + 1, min(len(units), last + 1 + weights.notes_reach)):
        unit = units[k]
        if unit.initial == GOOD:
            return last
        if unit.listed and FOOTNOTE.match(unit.text):
            notes = 0
            while k + notes < len(units) and units[k + notes].listed and FOOTNOTE.match(units[k + notes].text):
                notes += 1
            return k if notes >= MIN_LIST_ITEMS else last
    return last


def _supports(unit: Unit) -> bool:
    """Does this neighbour make a paragraph part of a text, rather than a teaser between
    headlines? Other prose does, and so do code, formulas and list items."""
    return (unit.initial in (GOOD, NEARGOOD) and not _headline(unit)) or unit.code or unit.listed


def _headline(unit: Unit) -> bool:
    """A one-sentence paragraph with no full stop, in a script that writes them: a title."""
    return unit.initial == NEARGOOD and not unit.signals.sentence_end and not unit.signals.no_space_script


def _titles_section(unit: Unit) -> bool:
    """A heading that opens a section of the text rather than a teaser's headline: numbered
    ("Step 3", "2.") or a short label ("Features", "Page Inspector"). Teaser headlines are
    whole sentences of a title."""
    return _numbered(unit.text) or (unit.initial == SHORT and unit.signals.words <= SECTION_WORDS)


def _scores(units: list[Unit], weights: RegionWeights) -> list[float]:
    support = [_supports(u) for u in units]
    scores = []
    for i, unit in enumerate(units):
        # a short paragraph under a section label (a feature list, numbered steps) is text;
        # a long one under a label is as likely a slideshow caption, and needs prose around it
        titled = i > 0 and unit.initial == NEARGOOD and _titles_section(units[i - 1])
        isolated = not (i > 0 and (support[i - 1] or titled or _numbered(units[i - 1].text))) \
            and not (i + 1 < len(units) and support[i + 1])
        if i + 1 < len(units) and captions_code(unit, units[i + 1]):
            scores.append(0.0)  # the code's title or lead-in: as neutral as the code
        else:
            scores.append(unit_score(unit, weights, isolated))
    return scores


def captions_code(unit: Unit, following: Unit) -> bool:
    """A short line right above a block of code or a formula that it titles or leads into
    ("Example", "The Lorenz equations", "Install it with"). Menus are not followed by code."""
    return unit.initial == SHORT and not unit.code and following.code and following.first - unit.last <= 2


def best_run(units: list[Unit], weights: RegionWeights, lo: int, hi: int) -> tuple[int, int] | None:
    """The best-scoring run of units[lo:hi] (the way the article region is found), or None."""
    return _best_run(_scores(units, weights), weights, lo, hi)[1]


def _best_run(scores: list[float], weights: RegionWeights, lo: int, hi: int) -> tuple[float, tuple[int, int] | None]:
    """Maximum subarray of scores[lo:hi], each run of negatives capped at `gap_cap`."""
    best, best_span = 0.0, None
    total, start, gap_cost = 0.0, lo, 0.0
    for i in range(lo, hi):
        if total <= 0:
            total, start, gap_cost = 0.0, i, 0.0
        score = scores[i]
        if score < 0:
            score = max(score, gap_cost - weights.gap_cap)
            gap_cost -= score
        elif score > 0:
            gap_cost = 0.0
        total += score
        if total > best:
            best, best_span = total, (start, i)
    return best, best_span


def _whole_lists(units: list[Unit], span: tuple[int, int]) -> tuple[int, int]:
    """A region that begins or ends inside a marked list takes the whole list: its items score
    nothing, so the maximum subarray would cut it wherever its first prose item happens to be."""
    first, last = span
    while first > 0 and units[first].listed and units[first - 1].listed:
        first -= 1
    while last < len(units) - 1 and units[last].listed and units[last + 1].listed:
        last += 1
    return first, last
