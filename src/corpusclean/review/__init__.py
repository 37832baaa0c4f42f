"""Showing a run to people: the terminal diff (`terminal.py`) and the review page (`page.py`).

Both read pages through `corpusclean.reviewdata`; this package only decides how they look.
Each category has one colour (`corpusclean.colours`), in the terminal and on the page alike; a
run whose rule packs added categories brings their colours in its summary.
"""
from __future__ import annotations

from typing import Mapping

from ..colours import CATEGORY_COLOURS, OTHER_COLOUR, terminal_colour


class Palette:
    """The colour of every category a run may show: the shipped ones, plus the categories the
    run's own rule packs added (category -> "#rrggbb")."""

    def __init__(self, added: Mapping[str, str] | None = None) -> None:
        self.colours = {**CATEGORY_COLOURS, **(added or {})}

    def css(self, category: str) -> str:
        return self.colours.get(category, OTHER_COLOUR)

    def terminal(self, category: str) -> int:
        """The category's colour as an xterm-256 colour number, for click.style(bg=...)."""
        return terminal_colour(self.css(category))
