"""A rule field's patterns, translated (translate.py), joined, and searched with RE2.

A translated pattern spells Python's classes out for all of Unicode: `\\w` alone is some 700
ranges, and a pattern with a few `\\b` holds dozens of such sets. RE2 compiles each in about a
millisecond, so the shipped packs took a second to compile in full, and most of that served
characters no line ever held. A Matcher therefore never compiles the whole: it compiles the
tree cut down to the characters a line can hold (translate.restrict). Every ASCII line, most
of any corpus, is searched with the ASCII cut, compiled at load; any other line with the cut
to the blocks its characters come from, compiled the first time such a line comes. On a line
whose characters all lie in the cut, the cut matches exactly where the whole would. A cut is
never bigger than the whole, and a pattern big enough that RE2 might refuse the whole is
compiled whole at load as well, so what RE2 cannot take is still refused at load.

RE2 is handed UTF-8 bytes. A line holding a lone surrogate (possible in JSONL input) cannot be
encoded, so its surrogates are replaced by U+FFFD first: translate.py only accepts classes
that treat the two alike, so the answer is the same.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import Any

import re2  # type: ignore[import-untyped]  # google-re2 ships no type information

from . import charsets
from .charsets import Ranges
from .translate import (Node, Untranslatable, alt, check_classes, parse, restrict, to_re2, without_boundaries,
                        written_size)

_SURROGATE = re.compile("[\ud800-\udfff]")
_UNANCHORED = re2._Anchor.UNANCHORED
_NO_MATCH = (-1, -1)
_UNCOMPILED = object()
ASCII: Ranges = ((0, 0x7F),)

# Blocks a line's characters are sorted into: 256 code points each below U+3000 (where
# scripts change every few hundred), then CJK, the rest of the BMP, the supplementary planes
# up to the emoji, and from there on. A cut covers the blocks a line uses.
_PAGED = 0x3000
_LARGE_BLOCKS = (0x3000, 0xA000, 0x10000, 0x1F000, charsets.MAX_CHAR + 1)
# A pattern this big (translate.written_size) is compiled whole at load too: RE2 refuses
# programs from about 2.5 million (`^\w{1000}\W{1000}\w{1000}\W{1000}$`); the biggest
# shipped pattern is 0.16 million.
_CHECK_WHOLE_ABOVE = 250_000
_MAX_CUTS = 64   # cuts one matcher keeps; lines from more mixtures use the whole pattern
# Every non-ASCII cut covers these: Latin-1 and Latin Extended (the accented letters of most
# languages written in Latin script), general punctuation (curly quotes, dashes), currency
# and letterlike symbols (€, ™). Few sets have many ranges there, and one cut then serves
# nearly every non-ASCII line of a corpus in those languages.
_COMMON = frozenset({0x00, 0x01, 0x02, 0x20, 0x21})


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
    try:
        return re2.compile(re2_source, _options())._regexp
    except re2.error as err:
        raise Untranslatable(f"RE2 cannot compile the translation: {err}") from None


def blocks(text: str) -> frozenset[int]:
    """The blocks (see above) a non-ASCII line's cut covers: the common ones and those of
    its own characters."""
    found = set(_COMMON)
    for ch in set(text):
        point = ord(ch)
        if point >= 0x80:
            found.add(point >> 8 if point < _PAGED else (_PAGED >> 8) + bisect_right(_LARGE_BLOCKS, point) - 1)
    return frozenset(found)


@lru_cache(maxsize=1024)
def universe(found: frozenset[int]) -> Ranges:
    """The characters of ASCII and of the given blocks."""
    pairs = [(0, 0x7F)]
    for block in found:
        if block < _PAGED >> 8:
            pairs.append((block << 8, (block << 8) + 0xFF))
        else:
            i = block - (_PAGED >> 8)
            pairs.append((_LARGE_BLOCKS[i], _LARGE_BLOCKS[i + 1] - 1))
    return charsets.normalize(pairs)


def compile_cut(tree: Node, characters: Ranges) -> Any:
    """The RE2 object for `tree` on lines whose characters lie in `characters` (None if no
    such line can match)."""
    cut = restrict(tree, characters)
    return None if cut is None else _compiled(to_re2(cut, characters))


class Matcher:
    """Searches a line for any of several Python patterns, in time linear in the line.

    Pickles as its tree: a worker compiles the cuts it needs, as here."""

    __slots__ = ("sources", "flags", "tree", "_ascii", "_cuts")

    def __init__(self, sources: tuple[str, ...], flags: int, tree: Node):
        self.sources = sources            # the Python patterns whose meaning this has
        self.flags = flags
        self.tree = tree                  # translated, without boundaries
        self._ascii = compile_cut(tree, ASCII)
        self._cuts: dict[frozenset[int] | None, Any] = {}   # blocks (None: any) -> RE2 object

    def search(self, text: str) -> bool:
        if text.isascii():
            regexp = self._ascii
            data = text.encode("ascii")
        else:
            try:
                data = text.encode("utf-8")
            except UnicodeEncodeError:
                text = _SURROGATE.sub("\ufffd", text)
                data = text.encode("utf-8")
            found = blocks(text)
            regexp = self._cuts.get(found, _UNCOMPILED)
            if regexp is _UNCOMPILED:
                regexp = self._cut(found)
        if regexp is None:
            return False
        return bool(regexp.Match(_UNANCHORED, data, 0, len(data))[0] != _NO_MATCH)

    def _cut(self, found: frozenset[int]) -> Any:
        if len(self._cuts) >= _MAX_CUTS:  # an unusual corpus: no more cuts, the whole pattern
            if None not in self._cuts:
                self._cuts[None] = self.whole()
            return self._cuts[None]
        regexp = self._cuts[found] = compile_cut(self.tree, universe(found))
        return regexp

    def whole(self) -> Any:
        """The RE2 object for every line (what `rules check` compiles, to prove that RE2 can
        take the whole pattern; a run only ever compiles cuts of it)."""
        return compile_cut(self.tree, charsets.EVERYTHING)

    def python(self) -> re.Pattern[str]:
        """The same patterns compiled by Python's `re`: the meaning this matcher has, for tests
        and the benchmark (never for matching: it can backtrack for ever)."""
        return re.compile("|".join(f"(?:{p})" for p in self.sources), self.flags)

    def __getstate__(self) -> tuple[tuple[str, ...], int, Node]:
        return self.sources, self.flags, self.tree

    def __setstate__(self, state: tuple[tuple[str, ...], int, Node]) -> None:
        self.__init__(*state)  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"Matcher({self.sources!r})"


@lru_cache(maxsize=2048)
def _translated(pattern: str, flags: int) -> Node:
    return without_boundaries(parse(pattern, flags))


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
    check_classes(tree)
    found = Matcher(tuple(patterns), flags, tree)
    if written_size(tree) > _CHECK_WHOLE_ABOVE:
        found.whole()  # so that a pattern RE2 may not take whole is refused at load, not mid-run
    return found
