"""Category colours: every category looks different from every other, on the review page and
in the terminal alike (corpusclean/colours.py)."""
from __future__ import annotations

from itertools import combinations

import pytest

from corpusclean.colours import (BACKGROUNDS, CATEGORY_COLOURS, MIN_DELTA_E, UNHIGHLIGHTED, ciede2000,
                                 delta_e, terminal_colour)
from corpusclean.rulebook import CATEGORIES

HIGHLIGHTED = {name: colour for name, colour in CATEGORY_COLOURS.items() if name not in UNHIGHLIGHTED}


# Sharma, Wu and Dalal's published test data for CIEDE2000 (pairs 1, 2, 4 and 7 of their table)
@pytest.mark.parametrize("lab1, lab2, expected", [
    ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
    ((50, 3.1571, -77.2803), (50, 0, -82.7485), 2.8615),
    ((50, -1.3802, -84.2814), (50, 0, -82.7485), 1.0000),
    ((50, 0, 0), (50, -1, 2), 2.3669),
])
def test_ciede2000_gives_the_published_values(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("first, second", list(combinations(sorted(HIGHLIGHTED), 2)))
def test_no_two_categories_look_alike(first, second):
    difference = delta_e(HIGHLIGHTED[first], HIGHLIGHTED[second])
    assert difference >= MIN_DELTA_E, f"{first} and {second} differ by only {difference:.1f}"


@pytest.mark.parametrize("category", sorted(HIGHLIGHTED))
def test_each_category_stands_out_from_the_page_and_the_filtered_out_grey(category):
    for what, background in BACKGROUNDS.items():
        assert delta_e(HIGHLIGHTED[category], background) >= MIN_DELTA_E, f"{category} vs {what}"


def test_every_shipped_category_has_its_colour():
    assert set(CATEGORIES) | {"duplicate", "template", "language", "whitespace"} == set(CATEGORY_COLOURS)


def test_the_terminal_shows_the_pages_colours_exactly():
    """Each colour is one of xterm's 256, so `diff` and the page show the same colours."""
    numbers = {category: terminal_colour(colour) for category, colour in CATEGORY_COLOURS.items()}
    assert len(set(numbers.values())) == len(numbers)
    assert numbers["navigation"] == 39  # #00afff
    assert terminal_colour("#00b0fe") == 39  # a colour off the cube takes the nearest one
