"""The corpus index as rows Ray Data can shuffle: (part, kind, blob), one row per piece.

A map step cuts its arrays by partition (`pieces`) and Ray Data's `groupby("part")` brings all
pieces of one partition to one `map_groups` call, which joins them (`join`) and runs a reduction
of `dedup/resolve.py` on them. A piece is a few numpy arrays pickled together: a few large rows
shuffle far faster than one row per line, and the shuffle never needs to know what they hold.

The partition of a row is a hash of what it is grouped by (an exact key, a band bucket, a
group) modulo the number of partitions, so each partition holds about 1/P of the corpus's
lines; `part` of a block-keyed piece is the block's number (`block_of`).
"""
from __future__ import annotations

import pickle
from typing import Any, Iterable

import numpy as np

from ..dedup.hashing import fmix64

#: documents per block (fewer for a small input, see `engine.put_blocks`): pass 1 and pass 2
#: take a block at a time, as the local engine takes a chunk
BLOCK = 64
#: the `part` of pieces that go to the driver (page sums, template keys, common lines)
DRIVER = -1


def block_of(doc: np.ndarray | int, per_block: int) -> Any:
    return doc // per_block


def partition(values: np.ndarray, partitions: int) -> np.ndarray:
    """A partition for each value: mixed first, since positions and band keys are not random."""
    return (fmix64(values.astype(np.uint64)) % np.uint64(partitions)).astype(np.int64)


def pieces(kind: str, parts: np.ndarray, arrays: dict[str, np.ndarray]) -> list[tuple[int, str, bytes]]:
    """The rows of `arrays` cut by their partition: one (part, kind, blob) per partition present."""
    if not len(parts):
        return []
    order = np.argsort(parts, kind="stable")
    sorted_parts = parts[order]
    starts = np.flatnonzero(np.r_[True, sorted_parts[1:] != sorted_parts[:-1]])
    ends = np.r_[starts[1:], len(order)]
    out = []
    for start, end in zip(starts.tolist(), ends.tolist()):
        rows = order[start:end]
        out.append((int(sorted_parts[start]), kind, pack({name: a[rows] for name, a in arrays.items()})))
    return out


def among(sorted_values: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Which `values` are in `sorted_values` (np.isin, for a sorted array)."""
    if not len(sorted_values):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_values, values), len(sorted_values) - 1)
    return np.asarray(sorted_values[at] == values)


def positions(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Where each wanted key stands in `keys` (unsorted; every wanted key must be there)."""
    order = np.argsort(keys)
    return order[np.searchsorted(keys, wanted, sorter=order)]


def lookup(keys: np.ndarray, values: np.ndarray, wanted: np.ndarray, default: Any) -> np.ndarray:
    """The value of each wanted key among sorted `keys`, `default` where it is not there."""
    if not len(keys):
        return np.full(len(wanted), default, dtype=values.dtype)
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[at] == wanted, values[at], default)


def pack(arrays: dict[str, Any]) -> bytes:
    return pickle.dumps(arrays, protocol=5)


def join(blobs: Iterable[bytes]) -> dict[str, np.ndarray]:
    """Pieces of one kind as one set of arrays (rows end to end)."""
    parts: list[dict[str, np.ndarray]] = [pickle.loads(blob) for blob in blobs]
    if not parts:
        return {}
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def table(rows: Iterable[tuple[int, str, bytes]]) -> dict[str, np.ndarray]:
    """Rows as a batch Ray Data takes (the schema every step of the engine shares)."""
    rows = list(rows)
    return {"part": np.array([r[0] for r in rows], dtype=np.int64),
            "kind": np.array([r[1] for r in rows], dtype=object),
            "blob": np.array([r[2] for r in rows], dtype=object)}


def by_kind(batch: dict[str, np.ndarray]) -> dict[str, list[bytes]]:
    """The blobs of a batch, by kind."""
    kinds: dict[str, list[bytes]] = {}
    for kind, blob in zip(batch["kind"].tolist(), batch["blob"].tolist()):
        kinds.setdefault(kind, []).append(blob)
    return kinds
