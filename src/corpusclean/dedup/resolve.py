"""The dedup decisions as keyed reductions, each computable partition by partition.

The rule. A long line's *earliest near-duplicate* is the first line, in input order, that is
the same line (same normalised text) or a verified near-duplicate of it (it shares an LSH
bucket in some band and their b-bit MinHash estimate reaches the threshold), itself included.
A line whose earliest near-duplicate is an earlier line repeats it; the line it points at is
its *group*. Nothing here depends on what an earlier decision kept, so no step needs the
corpus in input order or in one process:

1. `first_occurrences` (by exact key): where each distinct line first occurs. A line's earliest
   near-duplicate depends on its text only: it is the least first occurrence among its own
   key and the keys near it.
2. `earliest_in_buckets` (by LSH band and bucket): in each bucket, each distinct line's
   earliest verified member; the least over its bands is its group (`min_by_key`, by key).
3. `group_rows` (by group, then by page): the pages each group is on (template chrome), which
   line of a page first belongs to a group (repeats within a page), and what each page shares
   with earlier pages (`page_duplicates`).

The local engine runs every step on one partition holding everything; the Ray engine runs the
same functions on partitions of a shuffle. The answers are minima and counts, which do not
depend on how rows were partitioned, so both engines give the same decisions.

Positions are `doc << 32 | line` (uint64): their order is input order.
"""
from __future__ import annotations

import numpy as np

from .arrays import distinct
from .hashing import bbit_estimates

LINE_BITS = np.uint64(32)
LINE_MASK = np.uint64(0xFFFFFFFF)


def position(doc: np.ndarray, line: np.ndarray) -> np.ndarray:
    return (doc.astype(np.uint64) << LINE_BITS) | line.astype(np.uint64)


def doc_of(pos: np.ndarray) -> np.ndarray:
    return (pos >> LINE_BITS).astype(np.int64)


def line_of(pos: np.ndarray) -> np.ndarray:
    return (pos & LINE_MASK).astype(np.int64)


def first_occurrences(key: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys (sorted) and each one's least position."""
    order = np.lexsort((pos, key))
    key, pos = key[order], pos[order]
    start = np.r_[True, key[1:] != key[:-1]] if len(key) else np.zeros(0, dtype=bool)
    return key[start], pos[start]


def buckets(bands: np.ndarray) -> np.ndarray:
    """The LSH buckets of lines (rows) in each band (columns), as one uint64 each, row-major:
    the band number above the band key, so equal keys of different bands are different buckets."""
    band = np.arange(bands.shape[1], dtype=np.uint64) << LINE_BITS
    return (band[None, :] | bands.astype(np.uint64)).reshape(-1)


def in_shared_buckets(bucket: np.ndarray) -> np.ndarray:
    """Which rows are in a bucket with another row (the only ones a bucket can say anything of)."""
    order = np.argsort(bucket, kind="stable")
    same = bucket[order][1:] == bucket[order][:-1]
    shared = np.zeros(len(bucket), dtype=bool)
    shared[order[1:][same]] = True
    shared[order[:-1][same]] = True
    return shared


def earliest_in_buckets(bucket: np.ndarray, first: np.ndarray, bits: np.ndarray,
                        threshold: float, verify_bits: int) -> np.ndarray:
    """For each row (a distinct line in one band), the least `first` among the rows of its
    bucket that verify against it, itself included.

    A bucket's members are tried earliest first, all buckets at once: round r compares every
    member not yet settled with its bucket's r-th earliest member. Most buckets hold one line;
    near-identical lines settle on their first round."""
    result = first.copy()
    rows = crowded_rows(bucket)
    if len(rows) < 2:
        return result
    sort = rows[bucket_order(bucket[rows], first[rows])]
    ordered = bucket[sort]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    run_start = np.flatnonzero(starts)
    run = np.cumsum(starts) - 1
    rank = np.arange(len(sort)) - run_start[run]
    pending = np.flatnonzero(rank > 0)                # positions in `sort` still unsettled
    r = 0
    while len(pending):
        pending = pending[rank[pending] > r]          # members up to rank r have no more candidates
        if not len(pending):
            break
        candidate = run_start[run[pending]] + r
        # rows of a 2-d array: np.take copies each whole (3-5 times as fast as bits[rows])
        ok = bbit_estimates(np.take(bits, sort[pending], axis=0), np.take(bits, sort[candidate], axis=0),
                            verify_bits) >= threshold
        result[sort[pending[ok]]] = first[sort[candidate[ok]]]
        pending = pending[~ok]
        r += 1
    return result


def crowded_rows(bucket: np.ndarray) -> np.ndarray:
    """The rows (ascending) that may share their bucket with another row: every row of a
    bucket of two or more, and a few others. Only those can find an earlier line in their
    bucket, and most buckets hold one line: `earliest_in_buckets` sorts only these (on the 20
    MB bench corpus 19% of the rows; its 14 bands in the parent's `prepare` 15.5 -> 5.1 ms).
    Found in linear time: the rows whose slot in a table of 4 to 8 slots a row (the key's low
    bits: band keys are hashes) is hit more than once, as all of a bucket's rows are."""
    slots = 1 << max(4, (4 * len(bucket)).bit_length())
    slot = (bucket & bucket.dtype.type(slots - 1)).astype(np.intp)
    return np.flatnonzero(np.bincount(slot, minlength=slots)[slot] > 1)


def bucket_order(bucket: np.ndarray, first: np.ndarray) -> np.ndarray:
    """`np.lexsort((first, bucket))`: rows by bucket, then first, then row.

    The corpus index hands rows in order of first appearance (`first` ascending) and 32-bit
    band keys: then bucket and row packed in one uint64 sort to the same order, in 60% of
    lexsort's time (it runs once per band in the parent's `prepare`). Anything else takes
    lexsort itself."""
    rows = len(bucket)
    if bucket.dtype != np.uint32 or rows >= 1 << 32 or not (first[1:] >= first[:-1]).all():
        return np.lexsort((first, bucket))
    packed = (bucket.astype(np.uint64) << np.uint64(32)) | np.arange(rows, dtype=np.uint64)
    return (np.sort(packed) & np.uint64(0xFFFFFFFF)).astype(np.int64)


def sum_by(key: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys (sorted) and the sum of each one's values (float64)."""
    keys, inverse = np.unique(key, return_inverse=True)
    return keys, np.bincount(inverse.reshape(-1), weights=value, minlength=len(keys)).astype(np.float64)


def min_by_key(key: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys (sorted) and the least value of each."""
    return first_occurrences(key, value)


def group_rows(doc: np.ndarray, line: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per long-line occurrence: is it the first line of its group in its page, and which
    earlier line of its page it repeats (-1: none). A line repeats, within its page, the group
    line itself when that is on the page, else the page's first member of the group.

    Returns (first_in_page, page_first, order): `order` sorts rows by (group, doc, line)."""
    n = len(doc)
    order = np.lexsort((line, doc, group))
    g, d = group[order], doc[order]
    starts = np.r_[True, (g[1:] != g[:-1]) | (d[1:] != d[:-1])] if n else np.zeros(0, dtype=bool)
    first_line = line[order][np.flatnonzero(starts)[np.cumsum(starts) - 1]]
    first_in_page = np.empty(n, dtype=bool)
    first_in_page[order] = starts
    page_first = np.empty(n, dtype=np.int64)
    page_first[order] = first_line
    on_page = doc_of(group) == doc
    page_first = np.where(on_page, line_of(group), page_first)
    page_first[page_first == line] = -1
    return first_in_page, page_first, order


def group_pages(group: np.ndarray, first_in_page: np.ndarray, counted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct groups (sorted) and how many pages each is on, counting only the pages of
    rows where `counted` (a page duplicate is no separate evidence of template chrome)."""
    groups = distinct(group)
    take = first_in_page & counted
    pages = np.zeros(len(groups), dtype=np.int64)
    np.add.at(pages, np.searchsorted(groups, group[take]), 1)
    return groups, pages


def page_shares(doc: np.ndarray, group: np.ndarray, chars: np.ndarray, first_in_page: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What each page holds and what it shares with earlier pages, by characters of its long
    lines (each group once per page). Returns per-page content (docs, chars) and the
    (page, earlier page, shared chars) triples, sorted."""
    docs, at = np.unique(doc[first_in_page], return_inverse=True)
    content = np.bincount(at.reshape(-1), weights=chars[first_in_page], minlength=len(docs))
    source = doc_of(group)
    shared = first_in_page & (source != doc)
    p, q = doc[shared].astype(np.uint64), source[shared].astype(np.uint64)
    pairs, inverse = np.unique((p << LINE_BITS) | q, return_inverse=True)
    amounts = np.bincount(inverse.reshape(-1), weights=chars[shared], minlength=len(pairs))
    return docs, content, doc_of(pairs), line_of(pairs), amounts


def page_duplicates(p: np.ndarray, q: np.ndarray, shared: np.ndarray, content_p: np.ndarray,
                    content_q: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each page p, the earlier page q it is most similar to (weighted Jaccard of their
    long lines: shared / (p + q - shared)), the earliest on a tie, if at least `threshold`.
    Rows are (p, q) pairs with what they share and each side's content. Returns (p, q, score)."""
    union = np.maximum(content_p + content_q - shared, shared)
    score = np.divide(shared, union, out=np.zeros_like(shared, dtype=np.float64), where=union > 0)
    order = np.lexsort((q, -score, p))            # per page: most similar first, then earliest
    p, q, score = p[order], q[order], score[order]
    best = np.flatnonzero(np.r_[True, p[1:] != p[:-1]]) if len(p) else np.zeros(0, dtype=np.int64)
    chosen = best[score[best] >= threshold]
    return p[chosen], q[chosen], score[chosen]


def short_decisions(doc: np.ndarray, line: np.ndarray, key: np.ndarray, template_keys: np.ndarray,
                    template_pages: np.ndarray, first_page: int, pages: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The short lines pass 2 decides about: those of template chrome (their key among the
    sorted `template_keys`) and those whose key recurs in their page. Rows come in (page, line)
    order, for pages `first_page` .. `first_page + pages - 1`. Returns per page the end of its
    rows, and the rows' lines, keys and template pages (0: not template)."""
    found = np.zeros(len(key), dtype=np.uint32)
    if len(template_keys):
        pos = np.minimum(np.searchsorted(template_keys, key), len(template_keys) - 1)
        found = np.where(template_keys[pos] == key, template_pages[pos], 0).astype(np.uint32)
    order = np.lexsort((key, doc))                   # equal keys of a page next to each other
    same = (key[order][1:] == key[order][:-1]) & (doc[order][1:] == doc[order][:-1])
    recurs = np.zeros(len(key), dtype=bool)
    recurs[order[1:][same]] = True
    recurs[order[:-1][same]] = True
    keep = (found > 0) | recurs                      # rows stay in (page, line) order
    ends = np.cumsum(np.bincount(doc[keep] - first_page, minlength=pages)).astype(np.int64)
    return ends, line[keep], key[keep], found[keep]
