"""Two compact containers for the corpus index: a growable numpy column and a sorted multimap.

Python dicts and lists cost about 100 bytes per entry; these cost the numpy item size plus
slack, which is what keeps the index near its target of under 300 bytes per distinct line.
"""
from __future__ import annotations

import numpy as np


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-d array, sorted: `np.unique(values)`, which (numpy 2) first
    asks `np.ma.is_masked`, and so imports numpy.ma the first time it runs: about 10 ms of the
    parent's CPU in the corpus pass, after the workers have forked (they would each pay it
    again), for a module corpusclean never uses."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


class Column:
    """A numpy array that grows at the end, rows of any fixed shape, kept in chunks.

    Each new chunk holds an eighth of what is already stored (at least 1024 rows), so spare
    capacity stays under about 12% and growing never copies what is stored: a doubling array
    would waste up to half its memory and briefly need three times it."""

    MIN_CHUNK = 1024

    def __init__(self, dtype: type | np.dtype, width: int | None = None):
        self._dtype = np.dtype(dtype)
        self._row_shape = () if width is None else (width,)
        self._chunks: list[np.ndarray] = []
        self._starts: list[int] = []        # row number of each chunk's first row
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def extend(self, rows: np.ndarray) -> None:
        rows = np.asarray(rows, dtype=self._dtype)
        done = 0
        while done < len(rows):
            if not self._chunks or self._size == self._starts[-1] + len(self._chunks[-1]):
                capacity = max(self.MIN_CHUNK, self._size // 8)
                self._chunks.append(np.zeros((capacity,) + self._row_shape, dtype=self._dtype))
                self._starts.append(self._size)
            chunk, start = self._chunks[-1], self._starts[-1]
            at = self._size - start
            take = min(len(rows) - done, len(chunk) - at)
            chunk[at:at + take] = rows[done:done + take]
            done += take
            self._size += take

    def grow_to(self, size: int) -> None:
        """Zero-filled rows up to `size` (no-op if already that long)."""
        if size > self._size:
            self.extend(np.zeros((size - self._size,) + self._row_shape, dtype=self._dtype))

    def _locate(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        chunk = np.searchsorted(np.asarray(self._starts), rows, side="right") - 1
        return chunk, rows - np.asarray(self._starts)[chunk]

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The given rows, in the given order."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty((len(rows),) + self._row_shape, dtype=self._dtype)
        if not len(rows):
            return out
        chunk, offset = self._locate(rows)
        for c in distinct(chunk).tolist():
            here = chunk == c
            out[here] = self._chunks[c][offset[here]]
        return out

    def add(self, rows: np.ndarray, amounts: np.ndarray) -> None:
        """values[rows] += amounts, for distinct rows."""
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return
        chunk, offset = self._locate(rows)
        amounts = np.asarray(amounts).astype(self._dtype)
        for c in distinct(chunk).tolist():
            here = chunk == c
            self._chunks[c][offset[here]] += amounts[here]

    def compact(self) -> np.ndarray:
        """Everything as one array (the chunks are merged and released)."""
        merged = np.concatenate([c for c in self._chunks] or [np.zeros((0,) + self._row_shape, self._dtype)])
        merged = merged[: self._size]
        self._chunks, self._starts = [merged], [0]
        return merged

    @property
    def nbytes(self) -> int:
        return sum(c.nbytes for c in self._chunks)


class SortedRuns:
    """A multimap from integer keys to integer values, kept as a few sorted runs.

    `add` appends a sorted run and merges runs of similar size (a log-structured merge), so
    adding n entries in batches costs O(n log n) in all and a lookup searches O(log n) runs."""

    def __init__(self, key_dtype: type, value_dtype: type):
        self.key_dtype, self.value_dtype = key_dtype, value_dtype
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        return sum(len(keys) for keys, _ in self._runs)

    def add(self, keys: np.ndarray, values: np.ndarray) -> None:
        if not len(keys):
            return
        order = np.argsort(keys, kind="stable")
        self._runs.append((keys[order].astype(self.key_dtype), values[order].astype(self.value_dtype)))
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            (k1, v1), (k2, v2) = self._runs.pop(-2), self._runs.pop()
            keys, values = np.concatenate([k1, k2]), np.concatenate([v1, v2])
            order = np.argsort(keys, kind="stable")  # stable: equal keys keep insertion order
            self._runs.append((keys[order], values[order]))

    def lookup(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every (query index, value) whose key equals the query."""
        found_query, found_value = [], []
        # sorted queries walk each run in one direction: far fewer cache misses on a big run
        order = np.argsort(queries)
        queries = queries[order].astype(self.key_dtype, copy=False)
        for keys, values in self._runs:
            lo = np.searchsorted(keys, queries, side="left")
            hit = np.flatnonzero(keys[np.minimum(lo, len(keys) - 1)] == queries)
            if not len(hit):
                continue
            # most queries miss: search the right end only for the few that hit
            lo = lo[hit]
            counts = np.searchsorted(keys, queries[hit], side="right") - lo
            total = int(counts.sum())
            which = np.repeat(order[hit], counts)
            pos = np.repeat(lo, counts) + (np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts))
            found_query.append(which)
            found_value.append(values[pos])
        if not found_query:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=self.value_dtype)
        return np.concatenate(found_query), np.concatenate(found_value)

    def contains(self, queries: np.ndarray) -> np.ndarray:
        """A boolean per query: is its key present?"""
        present = np.zeros(len(queries), dtype=bool)
        queries = queries.astype(self.key_dtype, copy=False)
        for keys, _ in self._runs:
            pos = np.minimum(np.searchsorted(keys, queries), max(len(keys) - 1, 0))
            if len(keys):
                present |= keys[pos] == queries
        return present

    def items(self) -> tuple[np.ndarray, np.ndarray]:
        """All (key, value) pairs as one sorted run."""
        if not self._runs:
            return np.zeros(0, dtype=self.key_dtype), np.zeros(0, dtype=self.value_dtype)
        keys = np.concatenate([k for k, _ in self._runs])
        values = np.concatenate([v for _, v in self._runs])
        order = np.argsort(keys, kind="stable")
        return keys[order], values[order]

    @property
    def nbytes(self) -> int:
        return sum(k.nbytes + v.nbytes for k, v in self._runs)
