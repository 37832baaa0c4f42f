"""How many pages of the corpus each short line appears on.

A site's template ("Sign in", "Most read", "© 2024 Example Media") is on every page of the site;
a heading of one article is on one. Counting pages per line is the classifier's corpus pass:

    observe(lines) in workers    the distinct line hashes of one page (a small numpy array);
                                 a chunk of pages' together as one `PageHashes`
    Recurrence.add(...)          in the parent, in input order: hashes go to a buffer, and the
                                 buffer is merged into sorted (hash, pages) arrays when it fills
    Recurrence.freeze(...)       keeps only the hashes common enough to matter
    Recurrence.pages(hashes)     page counts for one page's lines, by binary search

Memory is 12 bytes per distinct line while counting (8 for the hash, 4 for the count) plus the
buffer, and nothing like a Python dict per line; after `freeze` only the common lines are kept.
Lines are compared case-folded, with spaces collapsed and digits made 0, so "3 comments" and
"12 comments" count as one template line. Only the observed lines of the page count, never what
earlier stages removed: the count is the same whether `run` or `strip` computes it.
"""
from __future__ import annotations

import hashlib
import re
from typing import Iterator

import numpy as np

#: lines longer than this are never template candidates here (dedup handles long repeats)
MAX_CHARS = 140
#: hashes buffered before a merge
BUFFER = 1 << 20

_DIGITS = re.compile(r"\d+")


def normalise(text: str) -> str:
    """The form under which two lines count as the same: case-folded, spaces collapsed."""
    return " ".join(text.split()).casefold()


def line_key(line: str) -> str:
    """A line's normal form (normalise) with every number made 0: "3 comments" and
    "12 comments" are the same template line."""
    return _DIGITS.sub("0", normalise(line))


def line_hash(line: str) -> int:
    return int.from_bytes(hashlib.blake2b(line_key(line).encode("utf-8"), digest_size=8).digest(), "little")


class LineHashes:
    """`line_hash` by line, for lines met on earlier pages: a site's template lines recur on
    every one of its pages, and both passes hash every short line (one process remembers
    for both passes only with one worker: forked or unpickled workers start empty). Memory stays bounded: the
    memo starts afresh once it holds `capacity` lines (a line held costs about 300 bytes)."""

    def __init__(self, capacity: int = 20_000):
        self.capacity = capacity
        self._found: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._found)

    def __call__(self, line: str) -> int:
        found = self._found.get(line)
        if found is None:
            if len(self._found) >= self.capacity:
                self._found.clear()
            found = self._found[line] = line_hash(line)
        return found


def observe(lines: list[str], hashes: LineHashes | None = None) -> np.ndarray:
    """The distinct hashes of the page's short non-blank lines, sorted (uint64). `hashes`: the
    hashes of lines met on earlier pages (LineHashes)."""
    hash_of = line_hash if hashes is None else hashes
    found = {hash_of(line) for line in lines if len(line) <= MAX_CHARS and line.strip()}
    return np.array(sorted(found), dtype=np.uint64)


class PageHashes:
    """Consecutive pages' `observe` arrays end to end in one array: what a worker hands back
    for a chunk of pages. A chunk of 64 pages pickles, crosses the pipe and is unpickled as
    two arrays instead of 64, and the parent adds it to the count in one call
    (`Recurrence.add_pages`). `hashes[i]` is page i's array, a view."""

    def __init__(self, pages: list[np.ndarray]):
        self.hashes = np.concatenate(pages) if pages else np.zeros(0, dtype=np.uint64)
        self.ends = np.cumsum([len(page) for page in pages], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, i: int) -> np.ndarray:
        if not -len(self.ends) <= i < len(self.ends):
            raise IndexError(i)
        i %= len(self.ends)
        return self.hashes[(int(self.ends[i - 1]) if i else 0):int(self.ends[i])]

    def __iter__(self) -> Iterator[np.ndarray]:
        return (self[i] for i in range(len(self)))


class Recurrence:
    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.uint64)
        self.counts = np.zeros(0, dtype=np.uint32)
        self.documents = 0
        self._buffer: list[np.ndarray] = []
        self._buffered = 0
        self._by_hash: dict[int, int] | None = None

    @classmethod
    def frozen(cls, keys: np.ndarray, counts: np.ndarray, documents: int) -> "Recurrence":
        """A finished count from elsewhere (the Ray engine counts partition by partition):
        the sorted common line hashes, their page counts, and the pages counted."""
        recurrence = cls()
        recurrence.keys, recurrence.counts, recurrence.documents = keys, counts.astype(np.uint32), documents
        return recurrence

    def add(self, hashes: np.ndarray) -> None:
        self._count(hashes, pages=1)

    def add_pages(self, pages: PageHashes) -> None:
        """`add` for each page of a chunk, in one call (the same count in the end: a merge
        sums, whenever it happens)."""
        self._count(pages.hashes, pages=len(pages))

    def _count(self, hashes: np.ndarray, pages: int) -> None:
        """`pages` pages' distinct line hashes, end to end, into the buffer."""
        self.documents += pages
        if len(hashes):
            self._buffer.append(hashes)
            self._buffered += len(hashes)
            if self._buffered >= BUFFER:
                self._merge()

    def freeze(self, min_pages: int) -> None:
        """Finish counting and keep only lines on at least `min_pages` pages."""
        self._merge()
        common = self.counts >= min_pages
        self.keys, self.counts = self.keys[common], self.counts[common]
        self._by_hash = None

    def by_hash(self) -> dict[int, int]:
        """The counts as a dict, hash -> pages, made once the count is finished: a page's few
        dozen lines are looked up one by one faster than numpy's calls start. Only the common
        lines are kept by then (freeze), so it is small."""
        if self._by_hash is None:
            self._by_hash = dict(zip(self.keys.tolist(), self.counts.tolist()))
        return self._by_hash

    def line_pages(self, lines: list[str], removed: list[bool], hash_of: LineHashes) -> dict[int, int]:
        """Page counts of a page's short live lines, by line index (a line counted on no more
        than one page, or not common enough to be kept, is left out)."""
        if not len(self.keys):
            return {}
        pages = self.by_hash()
        found = {i: pages.get(hash_of(line), 0) for i, line in enumerate(lines)
                 if not removed[i] and len(line) <= MAX_CHARS and line.strip()}
        return {i: count for i, count in found.items() if count}

    def pages(self, hashes: np.ndarray) -> np.ndarray:
        """For each hash, the number of pages it was seen on (0 when rare or unseen)."""
        if not len(self.keys) or not len(hashes):
            return np.zeros(len(hashes), dtype=np.uint32)
        where = np.searchsorted(self.keys, hashes)
        where = np.minimum(where, len(self.keys) - 1)
        found = self.keys[where] == hashes
        return np.where(found, self.counts[where], 0).astype(np.uint32)

    def _merge(self) -> None:
        if not self._buffer:
            return
        keys = np.concatenate([self.keys, *self._buffer])
        weights = np.concatenate([self.counts, np.ones(self._buffered, dtype=np.uint32)])
        unique, inverse = np.unique(keys, return_inverse=True)
        self.keys = unique
        self.counts = np.bincount(inverse, weights=weights, minlength=len(unique)).astype(np.uint32)
        self._buffer, self._buffered = [], 0
