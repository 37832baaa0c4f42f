"""Showing a run to people: the terminal diff (`terminal.py`) and the review page (`page.py`).

Both read pages through `corpusclean.reviewdata`; this package only decides how they look.
Each category has one colour, in the terminal and on the page alike.
"""
from __future__ import annotations

#: category -> (terminal colour for click.style, CSS colour for the page's highlight)
CATEGORY_COLOURS: dict[str, tuple[str, str]] = {
    "navigation": ("blue", "#9ec5fe"),
    "widget": ("cyan", "#9eeaf9"),
    "newsletter": ("magenta", "#e2b6f5"),
    "paywall": ("red", "#f5b5b5"),
    "donation": ("yellow", "#fde49c"),
    "social": ("bright_blue", "#b6c8f5"),
    "byline": ("green", "#b5e5c0"),
    "credit": ("bright_green", "#d4f0a8"),
    "legal": ("bright_magenta", "#f5c2e7"),
    "contact": ("bright_cyan", "#a8ede0"),
    "author-bio": ("bright_yellow", "#f0e0a8"),
    "duplicate": ("bright_red", "#f8c9a8"),
    "template": ("bright_black", "#d6d0c4"),
    "language": ("bright_black", "#cfd8e3"),
    "whitespace": ("bright_black", "#e9ecef"),
}
#: a category no pack ships (a user's own): a colour that still stands out
OTHER_COLOUR = ("white", "#dcdcdc")


def category_colour(category: str) -> tuple[str, str]:
    return CATEGORY_COLOURS.get(category, OTHER_COLOUR)
