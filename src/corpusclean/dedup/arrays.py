"""Two compact containers for the corpus index: a growable numpy column and a sorted multimap.

Python dicts and lists cost about 100 bytes per entry; these cost the numpy item size plus
slack, which is what keeps the index near its target of under 300 bytes per distinct line.
"""
from __future__ import annotations

import numpy as np


class Column:
    """A numpy array that grows at the end (capacity doubles), rows of any fixed shape."""

    def __init__(self, dtype: type | np.dtype, width: int | None = None):
        shape = (0,) if width is None else (0, width)
        self._data = np.zeros(shape, dtype=dtype)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def values(self) -> np.ndarray:
        """The filled part (a view: valid until the next append)."""
        return self._data[: self._size]

    def extend(self, rows: np.ndarray) -> None:
        need = self._size + len(rows)
        if need > len(self._data):
            grown = np.zeros((max(need, 2 * len(self._data), 1024),) + self._data.shape[1:], dtype=self._data.dtype)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size:need] = rows
        self._size = need

    def grow_to(self, size: int) -> None:
        """Zero-filled rows up to `size` (no-op if already that long)."""
        if size > self._size:
            self.extend(np.zeros((size - self._size,) + self._data.shape[1:], dtype=self._data.dtype))

    def compact(self) -> np.ndarray:
        """Drop the spare capacity; returns the values."""
        self._data = self._data[: self._size].copy()
        return self._data

    @property
    def nbytes(self) -> int:
        return self._data.nbytes


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
        queries = queries.astype(self.key_dtype, copy=False)
        for keys, values in self._runs:
            lo = np.searchsorted(keys, queries, side="left")
            hi = np.searchsorted(keys, queries, side="right")
            counts = hi - lo
            total = int(counts.sum())
            if not total:
                continue
            which = np.repeat(np.arange(len(queries)), counts)
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
