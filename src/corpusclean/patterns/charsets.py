"""Sets of characters as sorted, disjoint ranges of code points, and Python's own meaning of
`\\w`, `\\d`, `\\s` and IGNORECASE, read off Python's `re` rather than re-derived.

A rule's pattern is translated into RE2 syntax with every class written out as explicit ranges
(see translate.py). The ranges come from asking Python's `re` itself which characters a class
matches, so the translation means what the rule author's Python pattern means, whatever
Unicode version either engine was built with.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache, lru_cache
from typing import Iterable

MAX_CHAR = 0x10FFFF
SURROGATES = ((0xD800, 0xDFFF),)
#: Cased characters all lie below this (the last, Adlam, ends at U+1E943); test_patterns
#: checks it against the running Python, so a later Unicode version cannot slip past.
CASED_LIMIT = 0x20000

Ranges = tuple[tuple[int, int], ...]
EVERYTHING: Ranges = ((0, MAX_CHAR),)
NOTHING: Ranges = ()


def normalize(pairs: Iterable[tuple[int, int]]) -> Ranges:
    """Sorted, merged (first, last) ranges, both ends inclusive."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted(pairs):
        if merged and first <= merged[-1][1] + 1:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return tuple(merged)


def from_points(points: Iterable[int]) -> Ranges:
    return normalize((p, p) for p in points)


def union(*sets: Ranges) -> Ranges:
    return normalize(pair for ranges in sets for pair in ranges)


def complement(ranges: Ranges) -> Ranges:
    gaps = []
    start = 0
    for first, last in ranges:
        if first > start:
            gaps.append((start, first - 1))
        start = last + 1
    if start <= MAX_CHAR:
        gaps.append((start, MAX_CHAR))
    return tuple(gaps)


def intersect(a: Ranges, b: Ranges) -> Ranges:
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        first, last = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if first <= last:
            out.append((first, last))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


@lru_cache(maxsize=8192)
def clip(members: Ranges, universe: Ranges) -> Ranges:
    """`intersect` for a big set and a universe of a few ranges: only the part of `members`
    around each of the universe's ranges is looked at. (Patterns hold the same big sets, such
    as Python's `\\w`, many times over: the answers are remembered.)"""
    out: list[tuple[int, int]] = []
    for first, last in universe:
        i = max(bisect_right(members, (first, MAX_CHAR + 1)) - 1, 0)
        while i < len(members) and members[i][0] <= last:
            low, high = max(members[i][0], first), min(members[i][1], last)
            if low <= high:
                out.append((low, high))
            i += 1
    return tuple(out)


def subtract(a: Ranges, b: Ranges) -> Ranges:
    return intersect(a, complement(b))


def contains(ranges: Ranges, point: int) -> bool:
    i = bisect_right(ranges, (point, MAX_CHAR + 1)) - 1
    return i >= 0 and ranges[i][0] <= point <= ranges[i][1]


def points(ranges: Ranges) -> Iterable[int]:
    for first, last in ranges:
        yield from range(first, last + 1)


def size(ranges: Ranges) -> int:
    return sum(last - first + 1 for first, last in ranges)


# -- what Python's re means ----------------------------------------------------------------

@cache
def _universe() -> str:
    """Every code point once, in order, so that a match's index is its code point."""
    return "".join(map(chr, range(MAX_CHAR + 1)))


@cache
def python_category(escape: str) -> Ranges:
    """The characters Python's `re` (Unicode mode) matches with `\\w`, `\\d` or `\\s`. Asking
    Python about every code point takes 0.17 s; the answer depends on the Python version only,
    so it is kept in the start-up cache (cache.py) with the rule packs."""
    from ..cache import cached

    assert escape in ("\\w", "\\d", "\\s")
    return cached("charset", escape, lambda: tuple((m.start(), m.end() - 1)
                                                   for m in re.finditer(escape + "+", _universe())))


def word() -> Ranges:
    """Python's `\\w`: what `\\b` looks at on either side."""
    return python_category("\\w")


@cache
def _cased() -> tuple[str, Ranges]:
    """The characters for which IGNORECASE can make a difference, as a string and as ranges:
    those Python's `re` counts as cased, and their simple lower-case forms."""
    import _sre  # type: ignore[import-not-found]  # what Python's regex compiler folds case with

    found = set()
    for point in range(CASED_LIMIT):
        if _sre.unicode_iscased(point):
            found.add(point)
            found.add(_sre.unicode_tolower(point))
    ranges = from_points(found)
    return "".join(map(chr, points(ranges))), ranges


@lru_cache(maxsize=4096)
def ignoring_case(members: Ranges, python_source: str, flags: int) -> Ranges:
    """The characters a one-character Python pattern matches under IGNORECASE, given the ones
    it matches case-sensitively (`members`): characters without case keep their answer, and
    Python itself is asked about every cased one."""
    cased_text, cased = _cased()
    matched = from_points(ord(ch) for ch in re.findall(python_source, cased_text, flags))
    return union(subtract(members, cased), matched)
