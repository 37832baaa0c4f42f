"""Pass 2: each unit's verdict, revised with what stands around it.

- Before the article (the header zone) only a heading right above it stays: the title, the
  standfirst. Everything else there is site chrome, however it reads.
- After the article (the footer zone) nothing stays: comments, teasers, footers.
- Inside the article, prose stays; short units are judged by their nearest prose-or-not
  neighbours the way jusText does (a heading between two paragraphs stays, a line in a menu
  goes); a run of menu-like lines far from any paragraph goes; lines that are not prose but sit
  tightly between paragraphs (code, formulas, table rows) stay.
"""
from __future__ import annotations

import re

from .config import ContextLimits
from .feeds import has_date
from .region import captions_code
from .units import COMMAND, Unit
from .verdicts import ANCHORS, BAD, DROP, GOOD, KEEP, NEARGOOD, SHORT

# what code and formulas have and menus do not: brackets, assignments, operators of mathematics
_FORMULA = re.compile(r"[{}();=<>\[\]∑∏∫√∂∇≤≥≠±×÷∞]")
HEADING_WORDS = 15       # a heading has at most this many words ...
HEADING_DISTANCE = 200   # ... and a good paragraph follows within this many characters
# a byline: "By Jane Doe", in the languages most of a crawl is in
_BYLINE = re.compile(r"^(?:[Bb][Yy]|[Vv]on|[Pp]ar|[Pp]or|[Dd]i|[Dd]oor|[Aa]v)\s+\W?[A-ZÀ-ÖØ-Þ]")


def gaps(units: list[Unit]) -> tuple[list[int | None], list[int | None]]:
    """For every unit, the characters of non-prose text back to the previous prose unit and on
    to the next one (None: there is none on that side)."""
    return _since_prose(units, range(len(units))), _since_prose(units, range(len(units) - 1, -1, -1))


def _since_prose(units: list[Unit], order: range) -> list[int | None]:
    """Walking the units in `order`: the characters of non-prose text since the last prose unit."""
    found: list[int | None] = [None] * len(units)
    run: int | None = None
    for i in order:
        unit = units[i]
        if unit.initial in ANCHORS:
            run = 0
            found[i] = 0
        else:
            found[i] = run
            if run is not None:
                run += unit.signals.length
    return found


def revise(units: list[Unit], region: tuple[int, int], limits: ContextLimits) -> None:
    """Set `verdict` (KEEP or DROP) and, for drops decided here, `reason` on every unit."""
    first, last = region
    menus = Menus(units, limits)
    # the article's text starts at its first prose unit; what stands above it is header
    # (the region may begin with a short sentence or a list item that scores on its own)
    opening = next((i for i in range(first, last + 1) if units[i].initial in ANCHORS), first)
    for i, unit in enumerate(units[:first]):
        if _heading_above(units, i, opening, limits, menus):
            unit.verdict = KEEP
        else:
            _drop(unit, "header-zone")
    for unit in units[last + 1:]:
        _drop(unit, "footer-zone")
    inside = units[first:last + 1]
    shorts = _short_verdicts(inside)
    before, after = gaps(units)
    for i in range(first, last + 1):
        unit = units[i]
        gap = (before[i] or 0) + (after[i] or 0)
        if unit.initial in ANCHORS or (i < opening and _heading_above(units, i, opening, limits, menus)):
            unit.verdict = KEEP
        elif unit.initial == BAD:
            terms = unit.reason in ("few-stopwords", "no-sentence")
            tight = gap <= limits.code_gap and (terms or (unit.reason == "markup" and _introduced(units, i)))
            # a list of terms between paragraphs (code, formulas), or an item of a marked list
            # (a reference: "^ Smith, J. (2015). Title. Press.")
            unit.verdict = KEEP if tight or (terms and unit.listed) else DROP
        elif unit.listed:
            unit.verdict = KEEP  # an item of a marked list inside the article
        elif gap <= limits.code_gap and (_formula(unit) or (
                i + 1 < len(units) and captions_code(unit, units[i + 1]) and _formula(units[i + 1]))):
            unit.verdict = KEEP  # code or a formula between paragraphs, and the line titling it
        elif _leads_in(units, i, last):
            unit.verdict = KEEP
        elif _menu_of_labels(units, i, limits, menus) or (_menu_like(units, i, menus) and gap > limits.tight_gap):
            _drop(unit, "menu-run")
        elif shorts[i - first] == GOOD:
            unit.verdict = KEEP
        else:
            _drop(unit, "short-boilerplate")


def revise_extracted(units: list[Unit], limits: ContextLimits) -> None:
    """Verdicts for an extractor's main text (see page.classify_page): everything stays but
    controls made of chrome words, menu entries run together, and menus of labels. (Markup
    there is a code sample: the extractor removed the page's own.)"""
    menus = Menus(units, limits)
    for i, unit in enumerate(units):
        if unit.initial == BAD and unit.reason in ("chrome-words", "separators"):
            unit.verdict = DROP
        elif unit.initial == SHORT and not unit.listed and _menu_of_labels(units, i, limits, menus):
            _drop(unit, "menu-run")
        else:
            unit.verdict = KEEP


def _introduced(units: list[Unit], i: int) -> bool:
    """Does prose ending in a colon lead into unit i ("add this to your HTML file:")?"""
    return i > 0 and units[i - 1].initial in ANCHORS and units[i - 1].text.rstrip().endswith(":")


def _formula(unit: Unit) -> bool:
    """Code or a formula, not a menu whose separators happen to be symbols ("A | B | C")."""
    return unit.code and bool(_FORMULA.search(unit.text) or COMMAND.match(unit.text))


def _leads_in(units: list[Unit], i: int, last: int) -> bool:
    """A sentence inside the article that ends in a colon and leads into what follows it: code,
    a list, a quote, a paragraph ("First, edit the configuration:"). Menus are not sentences,
    and what a menu's heading leads into are labels."""
    unit = units[i]
    if i >= last or unit.initial != SHORT or unit.reason != "short-sentence" or not unit.text.rstrip().endswith(":"):
        return False
    following = units[i + 1]
    return following.code or following.listed or following.initial in ANCHORS or (
        following.initial == BAD and following.reason in ("few-stopwords", "no-sentence", "markup"))


def _heading_above(units: list[Unit], i: int, opening: int, limits: ContextLimits, menus: Menus) -> bool:
    """Is unit i a heading of the article's text that starts at unit `opening`: close above it,
    not bad on its own, not a link, not a menu line, and not the byline or the dateline (those
    are chrome even where they stand)?"""
    unit = units[i]
    if opening - i > limits.heading_units or unit.initial == BAD or unit.signals.link:
        return False
    if sum(u.signals.length for u in units[i + 1:opening]) > limits.heading_chars:
        return False
    if _BYLINE.match(unit.text) or (unit.signals.words <= limits.dateline_words and has_date(unit.text)):
        return False
    return not _menu_like(units, i, menus)


def _drop(unit: Unit, reason: str) -> None:
    unit.verdict = DROP
    if unit.initial != BAD:  # a unit bad on its own keeps the reason that made it bad
        unit.reason = reason


class Menus:
    """What revise asks of a unit's group (its run of consecutive lines in `units`): its first
    and last index, and whether it looks like a menu (`menu_lines` or more units, all short or
    bad on their own, none a sentence). Found once per group, when a unit of it first asks:
    asked unit by unit, each question walked the unit's whole group, a menu of n lines n times.
    (The verdicts of a page do not change the units' `initial`.)"""

    __slots__ = ("_units", "_limits", "_found")

    def __init__(self, units: list[Unit], limits: ContextLimits):
        self._units = units
        self._limits = limits
        self._found: list[tuple[int, int, bool] | None] = [None] * len(units)

    def of(self, i: int) -> tuple[int, int, bool]:
        """(first, last, menu) of unit i's group."""
        found = self._found[i]
        if found is None:
            units = self._units
            group = units[i].group
            lo = hi = i
            while lo > 0 and units[lo - 1].group == group:
                lo -= 1
            while hi < len(units) - 1 and units[hi + 1].group == group:
                hi += 1
            menu = hi - lo + 1 >= self._limits.menu_lines and all(
                u.initial in (SHORT, BAD) and not u.signals.sentence_end for u in units[lo:hi + 1])
            found = (lo, hi, menu)
            self._found[lo:hi + 1] = [found] * (hi - lo + 1)
        return found


def _menu_like(units: list[Unit], i: int, menus: Menus) -> bool:
    """A short unit in a group of several short lines, none of which is a sentence."""
    unit = units[i]
    return not (unit.signals.sentence_end or unit.listed) and menus.of(i)[2]


def _menu_of_labels(units: list[Unit], i: int, limits: ContextLimits, menus: Menus) -> bool:
    """A menu wherever it stands: several lines in a row that are all labels (a few capitalised
    words, no sentence), not introduced by a line ending in a colon (that is a list)."""
    if not _menu_like(units, i, menus):
        return False
    lo, hi, _ = menus.of(i)
    if lo > 0 and units[lo - 1].text.rstrip().endswith(":"):
        return False
    return all(u.signals.words <= limits.label_words and u.signals.capitalised >= 0.5 for u in units[lo:hi + 1])


def _short_verdicts(units: list[Unit]) -> list[str]:
    """jusText's context rules for short units, inside the article: a short unit between two
    prose units is good, between two bad ones bad; between one of each it is good only when a
    near-good unit stands next to it on the bad side. The article's edges count as bad."""
    classes = [u.initial for u in units]
    # headings: a short line shortly before a good paragraph counts as near-good
    for i, unit in enumerate(units):
        if classes[i] != SHORT or unit.signals.link or unit.signals.words > HEADING_WORDS:
            continue
        distance = 0
        for later in units[i + 1:]:
            if later.initial == GOOD:
                classes[i] = NEARGOOD
                break
            distance += later.signals.length
            if distance > HEADING_DISTANCE:
                break

    def neighbour(i: int, step: int, skip_neargood: bool) -> str:
        j = i + step
        while 0 <= j < len(classes):
            c = classes[j]
            if c in (GOOD, BAD) or (c == NEARGOOD and not skip_neargood):
                return c
            j += step
        return BAD

    out = list(classes)
    for i, c in enumerate(classes):
        if c == NEARGOOD and units[i].initial == SHORT:
            out[i] = GOOD
            continue
        if c != SHORT:
            continue
        prev, nxt = neighbour(i, -1, True), neighbour(i, 1, True)
        if prev == GOOD and nxt == GOOD:
            out[i] = GOOD
        elif prev == BAD and nxt == BAD:
            out[i] = BAD
        elif (prev == BAD and neighbour(i, -1, False) == NEARGOOD) or \
                (nxt == BAD and neighbour(i, 1, False) == NEARGOOD):
            out[i] = GOOD
        else:
            out[i] = BAD
    return out
