"""The corpus index: built in the parent from page fingerprints, in input order.

Lines fall into clusters. A short line's cluster is its exact key. A long line joins the
earliest earlier *representative* (the first line of a cluster) that shares an LSH bucket with
it and whose estimated Jaccard similarity reaches the threshold; if none does, it becomes a
representative itself. That is datasketch's query-then-insert with verification, done in
batches: a batch is first matched against the index (vectorised), then against itself (only
lines whose band keys collide inside the batch are compared one by one).

Per cluster the index counts the pages it occurs in. `finish` turns that into `Decisions`:
clusters in enough pages are template chrome (a short line: `template_min_pages`; a long line
also `template_min_share` of all pages); for the rest, every occurrence after the first
(in a later page, or later in the same page) is a duplicate of it. Whole-page duplicates are
derived from the same occurrences (see `_page_duplicates`).

Whole-page duplicates are left whole: a page that nearly duplicates an earlier page is not
separate evidence that its lines are template chrome (twenty copies of one article are one
article, not a site template), so template counts are taken again without those pages once
they are known. The stage also keeps their lines from being removed one by one as copies of
the earlier page; `drop_duplicate_pages` is the switch for dropping them.

What the index holds per distinct long line: its b-bit signature (num_perm x verify_bits),
one (key, id) pair per band, and four 32-bit numbers. Per distinct short line: a key, an id
and a page count. Repeated long lines add 20 bytes per occurrence after the first (they are
removals to make), each page's distinct short lines 12 bytes (to recount templates without the
page duplicates), every short line 12 bytes (its line and key: pass 2 reads them instead of
hashing the text again), pages their name and one number.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .arrays import Column, SortedRuns
from .config import DedupConfig
from .fingerprint import PageFingerprint, PageFingerprints
from .hashing import bbit_estimates

#: long lines (or short keys) gathered before a batch is matched: big enough for numpy to pay
BATCH_LINES = 32_768


@dataclass
class PageDecisions:
    """What the index decided for one page."""

    long_line: np.ndarray      # line index of each long line to remove, in page order
    long_cluster: np.ndarray   # its cluster
    page_first: np.ndarray     # the earlier line of this page it repeats, or -1 (an earlier page's)
    duplicate_of: int          # the earlier page this page nearly duplicates, or -1
    similarity: float


class Decisions:
    """The prepared state the removal pass reads (shared by forked workers, never written)."""

    def __init__(self, *, pages: int, absorbed: int, names: bytes, name_end: np.ndarray, template_min: int,
                 short_end: np.ndarray, short_line: np.ndarray, short_key: np.ndarray, short_pages: np.ndarray,
                 rec_doc: np.ndarray, rec_line: np.ndarray, rec_cluster: np.ndarray, rec_page_first: np.ndarray,
                 rep_doc: np.ndarray, rep_line: np.ndarray, rep_pages: np.ndarray,
                 dup_of: np.ndarray, similarity: np.ndarray):
        self.pages = pages          # page numbers seen (failed pages included)
        self.absorbed = absorbed    # pages fingerprinted
        self.template_min = template_min
        self._names, self._name_end = names, name_end
        self._short_end, self._short_line, self._short_key, self._short_pages = short_end, short_line, short_key, short_pages
        self._rec_doc, self._rec_line, self._rec_cluster, self._rec_page_first = rec_doc, rec_line, rec_cluster, rec_page_first
        self.rep_doc, self.rep_line, self.rep_pages = rep_doc, rep_line, rep_pages
        self._dup_of, self._similarity = dup_of, similarity

    def name(self, number: int) -> str:
        start = int(self._name_end[number - 1]) if number else 0
        return self._names[start:int(self._name_end[number])].decode("utf-8", "surrogatepass")

    def short_lines(self, number: int) -> tuple[list[int], list[int], list[int]]:
        """A page's short lines that something is to be decided about: those of template
        chrome and those whose key recurs in the page. Their line indices, keys, and the pages
        the key is in if it is template chrome (else 0), in page order."""
        start = int(self._short_end[number - 1]) if number else 0
        end = int(self._short_end[number])
        return (self._short_line[start:end].tolist(), self._short_key[start:end].tolist(),
                self._short_pages[start:end].tolist())

    def is_template(self, cluster: int) -> bool:
        return int(self.rep_pages[cluster]) >= self.template_min

    def page(self, number: int) -> PageDecisions:
        lo, hi = np.searchsorted(self._rec_doc, [number, number + 1])
        dup = int(self._dup_of[number]) if number < len(self._dup_of) else -1
        return PageDecisions(long_line=self._rec_line[lo:hi], long_cluster=self._rec_cluster[lo:hi],
                             page_first=self._rec_page_first[lo:hi], duplicate_of=dup,
                             similarity=float(self._similarity[number]) if dup >= 0 else 0.0)



class CorpusIndex:
    def __init__(self, config: DedupConfig):
        self.config = config
        bits_dtype = np.uint8 if config.verify_bits <= 8 else np.uint16
        self.absorbed = 0                                    # pages seen
        self._names = bytearray()
        self._name_end = Column(np.uint64)                   # per page number: end of its name
        self._page_chars = Column(np.uint32)                 # per page: chars of its distinct long lines
        self._short_line, self._short_line_key = Column(np.uint32), Column(np.uint64)  # per short line
        self._short_lines_end = Column(np.uint64)            # per page: end of its rows in those
        self._short_rows = 0
        # short lines: exact key -> cluster id, and pages per cluster
        self._short = SortedRuns(np.uint64, np.uint32)
        self._short_pages = Column(np.uint32)
        self._short_occ_doc, self._short_occ_key = Column(np.uint32), Column(np.uint64)  # (page, key) pairs
        # long lines: one row per representative, band tables key -> representative
        self._rep_bits = Column(bits_dtype, config.num_perm)
        self._rep_doc, self._rep_line = Column(np.uint32), Column(np.uint32)
        self._rep_chars, self._rep_pages = Column(np.uint32), Column(np.uint32)
        self._bands = [SortedRuns(np.uint32, np.uint32) for _ in range(config.banding[0])]
        # long-line occurrences after their cluster's first: the removals to make
        self._occ_doc, self._occ_line, self._occ_cluster = Column(np.uint32), Column(np.uint32), Column(np.uint32)
        self._occ_page_first, self._occ_chars = Column(np.int32), Column(np.uint32)
        self._pending: list[tuple[np.ndarray, PageFingerprints]] = []   # (page numbers, their fingerprints)
        self._pending_lines = 0
        self._next_number = 0

    # -- building ---------------------------------------------------------------------------
    def add(self, number: int, page: PageFingerprint) -> None:
        """One page's fingerprint; numbers must increase (input order)."""
        self.add_pages([number], PageFingerprints.of([page]))

    def add_pages(self, numbers: Sequence[int], pages: PageFingerprints) -> None:
        """Consecutive pages' fingerprints as a worker's `observe_batch` returned them, taken
        whole: slicing them into pages and joining them again took the parent, which alone
        builds the index, a third as long as the index work. Numbers must increase, across
        calls too; a number left out is a page that failed to load."""
        if not len(numbers):
            return
        given = np.asarray(numbers, dtype=np.int64)
        if given[0] < self._next_number or (len(given) > 1 and (np.diff(given) <= 0).any()):
            raise ValueError(f"pages {given.tolist()} absorbed out of order (next expected: {self._next_number})")
        # per page number from the next expected one: how far its name and short rows reach;
        # a page that failed to load has no fingerprint and its slot stays empty
        encoded = [name.encode("utf-8", "surrogatepass") for name in pages.names]
        slots = int(given[-1]) + 1 - self._next_number
        name_bytes = np.zeros(slots, dtype=np.int64)
        short_rows = np.zeros(slots, dtype=np.int64)
        name_bytes[given - self._next_number] = [len(name) for name in encoded]
        short_rows[given - self._next_number] = np.diff(pages.ends[:, 1], prepend=0)
        self._name_end.extend(len(self._names) + np.cumsum(name_bytes))
        self._short_lines_end.extend(self._short_rows + np.cumsum(short_rows))
        self._names += b"".join(encoded)
        self._short_rows += int(short_rows.sum())
        self._next_number = int(given[-1]) + 1
        self.absorbed += len(given)
        self._pending.append((given, pages))
        self._pending_lines += int(pages.ends[-1, 2] + pages.ends[-1, 0])
        if self._pending_lines >= BATCH_LINES:
            self._flush()

    def _flush(self) -> None:
        parts, self._pending, self._pending_lines = self._pending, [], 0
        if not parts:
            return
        self._page_chars.grow_to(len(self._name_end))
        pages = PageFingerprints.concat([p for _, p in parts])
        numbers = np.concatenate([n for n, _ in parts])
        rows = np.diff(pages.ends, axis=0, prepend=np.zeros((1, 3), dtype=np.int64))  # per page: rows of each kind
        self._short_line.extend(pages.short_line)
        self._short_line_key.extend(pages.short_line_key)
        self._count_short(pages.short_keys, np.repeat(numbers, rows[:, 0]).astype(np.uint32))
        if len(pages.long_line):
            self._add_long(np.repeat(numbers, rows[:, 2]).astype(np.uint32), pages.long_line, pages.long_key,
                           pages.long_chars, pages.long_bands, pages.long_bits)

    def _count_short(self, keys: np.ndarray, docs: np.ndarray) -> None:
        """Each page lists a key once, so occurrences in a batch = pages."""
        self._short_occ_key.extend(keys)
        self._short_occ_doc.extend(docs)
        keys, counts = np.unique(keys, return_counts=True)
        which, cluster = self._short.lookup(keys)
        self._short_pages.add(cluster, counts[which])
        new = np.ones(len(keys), dtype=bool)
        new[which] = False
        first_id = len(self._short_pages)
        self._short.add(keys[new], np.arange(first_id, first_id + int(new.sum()), dtype=np.uint32))
        self._short_pages.extend(counts[new].astype(np.uint32))

    def _add_long(self, doc: np.ndarray, line: np.ndarray, key: np.ndarray, chars: np.ndarray, bands: np.ndarray,
                  bits: np.ndarray) -> None:
        items = len(doc)
        # identical lines (same exact key) are settled together, by the first of them
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        order = np.argsort(first)
        distinct = first[order]                      # item index of each distinct line, input order
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        of_item = rank[inverse.reshape(-1)]          # each item's distinct line
        dbands, dbits = bands[distinct], bits[distinct]

        cluster = self._match_index(dbands, dbits)
        new_reps, cluster = self._match_batch(dbands, dbits, cluster)
        rep_items = distinct[new_reps]
        self._rep_bits.extend(dbits[new_reps])
        self._rep_doc.extend(doc[rep_items])
        self._rep_line.extend(line[rep_items])
        self._rep_chars.extend(chars[rep_items])
        self._rep_pages.extend(np.zeros(len(new_reps), dtype=np.uint32))
        for band, table in enumerate(self._bands):
            table.add(dbands[new_reps, band], cluster[new_reps])
        item_cluster = cluster[of_item]

        # first line of each cluster in each page: counts a page; later ones repeat it
        pair = (item_cluster.astype(np.uint64) << np.uint64(32)) | doc.astype(np.uint64)
        _, pair_first, pair_inverse = np.unique(pair, return_index=True, return_inverse=True)
        page_first = pair_first[pair_inverse.reshape(-1)]
        first_in_page = page_first == np.arange(items)
        clusters, counts = np.unique(item_cluster[first_in_page], return_counts=True)
        self._rep_pages.add(clusters, counts)
        page_docs, page_chars = np.unique(doc[first_in_page], return_inverse=True)
        self._page_chars.add(page_docs, np.bincount(page_chars.reshape(-1), weights=chars[first_in_page]))

        later = np.ones(items, dtype=bool)
        later[rep_items] = False
        self._occ_doc.extend(doc[later])
        self._occ_line.extend(line[later])
        self._occ_cluster.extend(item_cluster[later].astype(np.uint32))
        self._occ_page_first.extend(np.where(first_in_page, -1, line[page_first].astype(np.int64))[later].astype(np.int32))
        self._occ_chars.extend(chars[later])

    def _verified(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        return bbit_estimates(left, right, self.config.verify_bits) >= self.config.jaccard_threshold

    def _match_index(self, dbands: np.ndarray, dbits: np.ndarray) -> np.ndarray:
        """For each distinct line: the earliest representative in the index it matches, or -1."""
        result = np.full(len(dbands), -1, dtype=np.int64)
        found = [table.lookup(dbands[:, band]) for band, table in enumerate(self._bands)]
        query = np.concatenate([q for q, _ in found]).astype(np.uint64)
        if not len(query):
            return result
        rep = np.concatenate([r for _, r in found]).astype(np.uint64)
        pairs = np.unique((query << np.uint64(32)) | rep)    # sorted by (line, representative)
        query = (pairs >> np.uint64(32)).astype(np.int64)
        rep = (pairs & np.uint64(0xFFFFFFFF)).astype(np.int64)
        ok = self._verified(dbits[query], self._rep_bits.take(rep))
        lines, first = np.unique(query[ok], return_index=True)
        result[lines] = rep[ok][first]                       # smallest id = earliest representative
        return result

    def _match_batch(self, dbands: np.ndarray, dbits: np.ndarray, cluster: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Settle the lines the index did not match, against each other, in input order.
        Returns the distinct lines that become representatives, and every line's cluster."""
        unmatched = np.flatnonzero(cluster < 0)
        colliding = np.zeros(len(unmatched), dtype=bool)
        for band in range(dbands.shape[1]):
            _, inverse, counts = np.unique(dbands[unmatched, band], return_inverse=True, return_counts=True)
            colliding |= counts[inverse.reshape(-1)] > 1
        joins: dict[int, int] = {}
        buckets: list[dict[int, list[int]]] = [{} for _ in range(dbands.shape[1])]
        for line in unmatched[colliding].tolist():
            keys = dbands[line].tolist()
            candidates = sorted({c for band, k in enumerate(keys) for c in buckets[band].get(k, ())})
            if candidates:
                ok = self._verified(dbits[line][None, :], dbits[candidates])
                if ok.any():
                    joins[line] = candidates[int(np.argmax(ok))]   # earliest verified representative
                    continue
            for band, k in enumerate(keys):
                buckets[band].setdefault(k, []).append(line)
        is_rep = np.zeros(len(cluster), dtype=bool)
        is_rep[unmatched] = True
        is_rep[list(joins)] = False
        new_reps = np.flatnonzero(is_rep)
        cluster[new_reps] = len(self._rep_doc) + np.arange(len(new_reps))
        for line, rep in joins.items():
            cluster[line] = cluster[rep]
        return new_reps, cluster

    # -- finishing --------------------------------------------------------------------------
    def finish(self) -> Decisions:
        """Flush, classify clusters, find page duplicates; the index can be dropped afterwards."""
        self._flush()
        config = self.config
        pages = len(self._name_end)
        self._page_chars.grow_to(pages)
        # a long line must also be in a share of the corpus: a story syndicated to many sites
        # is in many pages too, and its first copy must stay
        template_min = max(config.template_min_pages, math.ceil(config.template_min_share * self.absorbed - 1e-9))
        rep_pages = self._rep_pages.compact()
        rep_doc, rep_line, rep_chars = self._rep_doc.compact(), self._rep_line.compact(), self._rep_chars.compact()
        template = rep_pages >= template_min
        occ_doc, occ_line, occ_cluster = self._occ_doc.compact(), self._occ_line.compact(), self._occ_cluster.compact()
        occ_page_first, occ_chars = self._occ_page_first.compact(), self._occ_chars.compact()

        # Page duplicates are judged on all their long lines, template ones included: judged
        # without them, twenty copies of one article make its paragraphs "template" and the
        # copies then share nothing. Pages of one site that differ only by a short article are
        # near-duplicate pages by this measure too, which is what they are.
        dup_of, similarity = _page_duplicates(
            pages, self._page_chars.compact(), np.zeros_like(template), rep_doc, rep_chars,
            occ_doc, occ_cluster, occ_page_first, occ_chars, config.page_threshold)
        # count again without the page duplicates: only distinct pages make a template
        is_duplicate = dup_of >= 0
        first_in_page = occ_page_first < 0
        duplicate_pages = np.bincount(occ_cluster[first_in_page & is_duplicate[occ_doc]].astype(np.int64),
                                      minlength=len(rep_pages))
        duplicate_pages += is_duplicate[rep_doc]
        rep_pages = rep_pages - duplicate_pages.astype(rep_pages.dtype)
        template = rep_pages >= template_min

        # removals: every later occurrence, and the first occurrence of a template cluster
        firsts = np.flatnonzero(template)
        rec_doc = np.concatenate([occ_doc, rep_doc[firsts]])
        rec_line = np.concatenate([occ_line, rep_line[firsts]])
        rec_cluster = np.concatenate([occ_cluster, firsts.astype(np.uint32)])
        rec_page_first = np.concatenate([occ_page_first, np.full(len(firsts), -1, dtype=np.int32)])
        order = np.lexsort((rec_line, rec_doc))

        short_keys, short_ids = self._short.items()
        short_pages = self._short_pages.take(short_ids).copy()
        dup_keys = self._short_occ_key.compact()[is_duplicate[self._short_occ_doc.compact()]]
        if len(dup_keys):
            keys, counts = np.unique(dup_keys, return_counts=True)
            short_pages[np.searchsorted(short_keys, keys)] -= counts.astype(short_pages.dtype)
        is_template = short_pages >= config.template_min_pages
        short_end, short_line, short_key, short_template = self._short_decisions(
            pages, short_keys[is_template], short_pages[is_template])
        return Decisions(
            pages=pages, absorbed=self.absorbed, names=bytes(self._names), name_end=self._name_end.compact(),
            template_min=template_min, short_end=short_end, short_line=short_line, short_key=short_key,
            short_pages=short_template,
            rec_doc=rec_doc[order], rec_line=rec_line[order], rec_cluster=rec_cluster[order],
            rec_page_first=rec_page_first[order],
            rep_doc=rep_doc, rep_line=rep_line, rep_pages=rep_pages,
            dup_of=dup_of, similarity=similarity)

    def _short_decisions(self, pages: int, template_keys: np.ndarray,
                         template_pages: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The short lines pass 2 decides about (see `Decisions.short_lines`), and per page
        the end of its rows."""
        line, key = self._short_line.compact(), self._short_line_key.compact()
        counts = np.diff(self._short_lines_end.compact(), prepend=np.uint64(0)).astype(np.int64)
        doc = np.repeat(np.arange(pages, dtype=np.int64), counts)
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
        ends = np.cumsum(np.bincount(doc[keep], minlength=pages)).astype(np.int64)
        return ends, line[keep], key[keep], found[keep]

    # -- measuring --------------------------------------------------------------------------
    def stats(self) -> dict[str, int]:
        """Sizes, for the benchmark: distinct lines and the bytes that hold them."""
        long_bytes = (self._rep_bits.nbytes + self._rep_doc.nbytes + self._rep_line.nbytes
                      + self._rep_chars.nbytes + self._rep_pages.nbytes + sum(t.nbytes for t in self._bands))
        return {
            "distinct_long": len(self._rep_doc),
            "distinct_short": len(self._short_pages),
            "long_index_bytes": long_bytes,
            "short_index_bytes": self._short.nbytes + self._short_pages.nbytes,
            "short_occurrence_bytes": (self._short_occ_doc.nbytes + self._short_occ_key.nbytes
                                       + self._short_line.nbytes + self._short_line_key.nbytes),
            "occurrence_bytes": sum(c.nbytes for c in (self._occ_doc, self._occ_line, self._occ_cluster,
                                                        self._occ_page_first, self._occ_chars)),
            "page_bytes": (len(self._names) + self._name_end.nbytes + self._page_chars.nbytes
                           + self._short_lines_end.nbytes),
        }


def _page_duplicates(pages: int, page_chars: np.ndarray, template: np.ndarray, rep_doc: np.ndarray,
                     rep_chars: np.ndarray, occ_doc: np.ndarray, occ_cluster: np.ndarray, occ_page_first: np.ndarray,
                     occ_chars: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """For each page, the earlier page whose content it nearly duplicates (or -1) and how much.

    A page's content is its long lines that are neither template chrome nor repeats within the
    page, weighted by length. Page p shares with page q the lines of p whose cluster began in q
    (near-duplicate lines count whole). Similarity is the weighted Jaccard: shared / (p + q -
    shared); p duplicates the q it is most similar to, the earliest on a tie."""
    dup_of = np.full(pages, -1, dtype=np.int32)
    similarity = np.zeros(pages, dtype=np.float32)
    content = page_chars.astype(np.float64)
    cross = occ_page_first < 0                        # first line of its cluster in this page
    chrome = cross & template[occ_cluster]
    np.subtract.at(content, occ_doc[chrome], occ_chars[chrome])
    firsts = np.flatnonzero(template)
    np.subtract.at(content, rep_doc[firsts], rep_chars[firsts])
    shared_lines = cross & ~template[occ_cluster]
    if not shared_lines.any():
        return dup_of, similarity
    p = occ_doc[shared_lines].astype(np.uint64)
    q = rep_doc[occ_cluster[shared_lines]].astype(np.uint64)
    pairs, inverse = np.unique((p << np.uint64(32)) | q, return_inverse=True)
    shared = np.bincount(inverse.reshape(-1), weights=occ_chars[shared_lines])
    p = (pairs >> np.uint64(32)).astype(np.int64)
    q = (pairs & np.uint64(0xFFFFFFFF)).astype(np.int64)
    union = np.maximum(content[p] + content[q] - shared, shared)
    score = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
    order = np.lexsort((q, -score, p))                # per page: most similar first, then earliest
    p, q, score = p[order], q[order], score[order]
    best = np.flatnonzero(np.r_[True, p[1:] != p[:-1]])
    chosen = best[score[best] >= threshold]
    dup_of[p[chosen]] = q[chosen]
    similarity[p[chosen]] = score[chosen]
    return dup_of, similarity
