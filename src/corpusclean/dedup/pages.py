"""What the dedup stage's corpus pass hands from the workers to the parent: each page's
fingerprint (fingerprint.py makes them), many pages' as one set of arrays.

Apart from the fingerprinting code: the process that only absorbs fingerprints into the
corpus index (index.py; the main process of a run on several workers) unpickles these and
never fingerprints a page.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class PageFingerprint:
    """One page's observation for the corpus pass: small numpy arrays, cheap to pickle."""

    name: str
    short_keys: np.ndarray   # uint64: distinct exact keys of the page's short lines
    short_line: np.ndarray   # uint32: line index of each short line, in page order
    short_line_key: np.ndarray  # uint64: its exact key (pass 2 reads these, not the text)
    long_line: np.ndarray    # uint32: line index of each long line, in page order
    long_key: np.ndarray     # uint64: its exact key
    long_chars: np.ndarray   # uint32: its length in characters (weights page similarity)
    long_bands: np.ndarray   # uint32 (lines x bands): LSH band keys
    long_bits: np.ndarray    # uint8/uint16 (lines x num_perm): low bits of the signature


#: the per-line arrays of a fingerprint, which `PageFingerprints` holds for many pages end to end
_ROW_FIELDS = ("short_keys", "short_line", "short_line_key", "long_line", "long_key", "long_chars",
               "long_bands", "long_bits")


@dataclass
class PageFingerprints:
    """The fingerprints of consecutive pages as one set of arrays, the pages' rows one after
    another: what a worker hands back for a chunk of pages (a few large arrays pickle far
    faster than seven small ones per page). `fingerprints[i]` is page i's `PageFingerprint`,
    its arrays views into these."""

    names: list[str]
    ends: np.ndarray         # int64 (pages x 3): end of each page's rows in short_keys, short_line*, long_*
    short_keys: np.ndarray
    short_line: np.ndarray
    short_line_key: np.ndarray
    long_line: np.ndarray
    long_key: np.ndarray
    long_chars: np.ndarray
    long_bands: np.ndarray
    long_bits: np.ndarray

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, i: int) -> PageFingerprint:
        (keys_end, short_end, long_end), (keys_start, short_start, long_start) = self._bounds(i)
        return PageFingerprint(
            name=self.names[i],
            short_keys=self.short_keys[keys_start:keys_end],
            short_line=self.short_line[short_start:short_end],
            short_line_key=self.short_line_key[short_start:short_end],
            long_line=self.long_line[long_start:long_end],
            long_key=self.long_key[long_start:long_end],
            long_chars=self.long_chars[long_start:long_end],
            long_bands=self.long_bands[long_start:long_end],
            long_bits=self.long_bits[long_start:long_end],
        )

    def _bounds(self, i: int) -> tuple[list[int], list[int]]:
        if not -len(self.names) <= i < len(self.names):
            raise IndexError(i)
        i %= len(self.names)
        return self.ends[i].tolist(), (self.ends[i - 1].tolist() if i else [0, 0, 0])

    @classmethod
    def of(cls, pages: list[PageFingerprint]) -> PageFingerprints:
        """Single pages' fingerprints as one set of arrays."""
        counts = np.array([[len(p.short_keys), len(p.short_line), len(p.long_line)] for p in pages],
                          dtype=np.int64).reshape(-1, 3)
        return cls(names=[p.name for p in pages], ends=counts.cumsum(axis=0),
                   **{field: np.concatenate([getattr(p, field) for p in pages]) for field in _ROW_FIELDS})

    @classmethod
    def concat(cls, parts: list[PageFingerprints]) -> PageFingerprints:
        if len(parts) == 1:
            return parts[0]
        ends, offset = [], np.zeros(3, dtype=np.int64)
        for part in parts:
            ends.append(part.ends + offset)
            if len(part.ends):
                offset = offset + part.ends[-1]
        return cls(names=[name for part in parts for name in part.names], ends=np.concatenate(ends),
                   **{field: np.concatenate([getattr(part, field) for part in parts]) for field in _ROW_FIELDS})
