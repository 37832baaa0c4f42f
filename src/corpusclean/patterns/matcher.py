"""A rule field's patterns, translated (translate.py), joined, and searched with RE2.

Most lines are ASCII; RE2 is handed UTF-8 bytes. A line holding a lone surrogate (possible in
JSONL input) cannot be encoded, so its surrogates are replaced by U+FFFD first: translate.py
only accepts classes that treat the two alike, so the answer is the same.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import re2  # type: ignore[import-untyped]  # google-re2 ships no type information

from .translate import Node, Untranslatable, alt, to_re2, translate

_SURROGATE = re.compile("[\ud800-\udfff]")
_UNANCHORED = re2._Anchor.UNANCHORED
_NO_MATCH = (-1, -1)


def _options() -> re2.Options:
    options = re2.Options()
    options.never_capture = True        # a yes/no answer needs no groups
    options.case_sensitive = True       # folding is already in the translated sets
    options.max_mem = 64 << 20          # written-out \w classes make big programs
    options.log_errors = False          # RE2 would print to stderr when its DFA gives up (it
                                        # then goes on with its NFA, still in linear time)
    return options


@lru_cache(maxsize=2048)
def _compiled(re2_source: str) -> Any:
    """The RE2 object itself (searched directly: no Match object per call), compiled once per
    process for each source: tests and `--rules` runs load the same packs many times."""
    return re2.compile(re2_source, _options())._regexp


class Matcher:
    """Searches a line for any of several Python patterns, in time linear in the line.

    Pickles as its RE2 source and compiles again where it is unpickled (a worker process)."""

    __slots__ = ("sources", "flags", "re2_source", "_regexp")

    def __init__(self, sources: tuple[str, ...], flags: int, re2_source: str):
        self.sources = sources            # the Python patterns whose meaning this has
        self.flags = flags
        self.re2_source = re2_source
        self._regexp = _compiled(re2_source)

    def search(self, text: str) -> bool:
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            data = _SURROGATE.sub("\ufffd", text).encode("utf-8")
        return bool(self._regexp.Match(_UNANCHORED, data, 0, len(data))[0] != _NO_MATCH)

    def python(self) -> re.Pattern[str]:
        """The same patterns compiled by Python's `re`: the meaning this matcher has, for tests
        and the benchmark (never for matching: it can backtrack for ever)."""
        return re.compile("|".join(f"(?:{p})" for p in self.sources), self.flags)

    def __getstate__(self) -> tuple[tuple[str, ...], int, str]:
        return self.sources, self.flags, self.re2_source

    def __setstate__(self, state: tuple[tuple[str, ...], int, str]) -> None:
        self.__init__(*state)  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"Matcher({self.sources!r})"


@lru_cache(maxsize=2048)
def _translated(pattern: str, flags: int) -> Node:
    return translate(pattern, flags)[1]


def translate_all(patterns: list[str], flags: int) -> list[Node]:
    """Each pattern's tree; Untranslatable names the pattern that cannot be taken."""
    trees = []
    for pattern in patterns:
        try:
            trees.append(_translated(pattern, flags))
        except Untranslatable as err:
            raise Untranslatable(f"{pattern!r}: {err}") from None
    return trees


def matcher(patterns: list[str], flags: int, trees: list[Node]) -> Matcher:
    """One Matcher for `patterns` (any may match), from their trees."""
    tree = alt(list(trees))
    assert tree is not None
    try:
        return Matcher(tuple(patterns), flags, to_re2(tree))
    except re2.error as err:
        raise Untranslatable(f"RE2 cannot compile the translation: {err}") from None
