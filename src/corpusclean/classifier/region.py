"""Where the article is: the stretch of the page where prose outweighs everything else.

Every unit gets a score: prose adds its length (one-sentence paragraphs half of it), every
unit that is not prose costs a fixed amount, and the article is the run of units with the
largest total (the maximum-subarray idea of Finn et al.'s Body Text Extraction). Menus, link
lists and teaser feeds cost more than they add, so the article's edges fall where they begin.

Two refinements keep long articles in one piece:
- one run of non-prose units costs at most `gap_cap` in all: a chart or a table of contents
  in the middle of an article must not cut its first half off;
- a short text repeated on the page ("Save", "More like this" under every teaser) costs four
  times as much: feeds of teasers are made of such lines, articles are not.
"""
from __future__ import annotations

from dataclasses import dataclass

from .units import Unit
from .verdicts import BAD, GOOD, NEARGOOD, SHORT


@dataclass(frozen=True)
class RegionWeights:
    unit_cost: float = 25.0       # what one non-prose unit costs
    neargood_weight: float = 0.5  # share of its length a one-sentence paragraph adds
    repeat_factor: float = 4.0    # repeated controls and raw markup cost this many units
    gap_cap: float = 500.0        # the most one run of non-prose units can cost


def unit_score(unit: Unit, weights: RegionWeights) -> float:
    if unit.initial == GOOD:
        return float(unit.signals.length)
    if unit.initial == NEARGOOD:
        return weights.neargood_weight * unit.signals.length
    if unit.listed:
        return 0.0  # list items are neutral: lists sit inside articles as often as outside
    if unit.initial == BAD and unit.reason in ("markup", "page-repeat", "corpus-repeat"):
        return -weights.repeat_factor * weights.unit_cost
    return -weights.unit_cost


def find_region(units: list[Unit], weights: RegionWeights) -> tuple[int, int] | None:
    """(first, last) unit indices of the article, or None when nothing on the page is prose."""
    best, best_span = 0.0, None
    total, start, gap_cost = 0.0, 0, 0.0
    for i, unit in enumerate(units):
        if total <= 0:
            total, start, gap_cost = 0.0, i, 0.0
        score = unit_score(unit, weights)
        if score < 0:
            score = max(score, gap_cost - weights.gap_cap)
            gap_cost -= score
        elif score > 0:
            gap_cost = 0.0
        total += score
        if total > best:
            best, best_span = total, (start, i)
    return best_span
