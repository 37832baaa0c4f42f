"""The corpus index: built in the parent from page fingerprints, then resolved in one go.

Short lines match by their exact key: per key, the pages it is on. Long lines follow the rule
of `resolve.py`: a line repeats its earliest near-duplicate (the first line, in input order,
that is the same line or a verified MinHash near-duplicate of it), which is a function of its
text alone, so the whole answer is a few sorts and minima over the corpus's distinct lines,
computable partition by partition (the Ray engine does; this local index is the case of one
partition). Per group (the line a repeat points at) the index counts the pages it is on;
`finish` turns that into `Decisions`: groups on enough pages are template chrome (a short
line: `template_min_pages`; a long line also `template_min_share` of all pages); every other
line that points at an earlier line repeats it (within its page, or from an earlier page).

Whole-page duplicates are left whole: a page that nearly duplicates an earlier page is not
separate evidence that its lines are template chrome (twenty copies of one article are one
article, not a site template), so template counts leave those pages out. The stage also keeps
their lines from being removed one by one as copies of the earlier page; with
`drop_duplicate_pages` they are dropped, and then nothing may point at them: the groups are
resolved again without them, so a line first seen on a dropped page is kept where it next
occurs (a dropped page is nobody's kept copy).

What the index holds per distinct long line: its b-bit signature (num_perm x verify_bits),
its band keys (bands x 4 bytes) and a (key, id) pair. Per long line occurrence: its page,
line, distinct line and length (16 bytes). Per distinct short line: a key, an id and a page
count; each page's distinct short lines 12 bytes (to recount templates without the page
duplicates), every short line 12 bytes (its line and key: pass 2 reads them instead of
hashing the text again), pages their name and one number.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from . import resolve
from .arrays import Column, SortedRuns
from .config import DedupConfig
from .pages import PageFingerprint, PageFingerprints

#: long lines (or short keys) gathered before a batch is merged: big enough for numpy to pay
BATCH_LINES = 32_768


@dataclass
class PageDecisions:
    """What the index decided for one page's long lines (those to decide about), page order."""

    line: np.ndarray           # line index
    group_doc: np.ndarray      # the page and line of the earlier line it points at
    group_line: np.ndarray
    page_first: np.ndarray     # the earlier line of this page it repeats, or -1 (an earlier page's)
    group_pages: np.ndarray    # pages its group is on (template chrome when >= template_min)
    duplicate_of: int          # the earlier page this page nearly duplicates, or -1
    similarity: float


class PackedNames:
    """Page names by number, end to end in one bytes object (a page not observed: "")."""

    def __init__(self, names: bytes, ends: np.ndarray):
        self._names, self._ends = names, ends

    def __getitem__(self, number: int) -> str:
        start = int(self._ends[number - 1]) if number else 0
        return self._names[start:int(self._ends[number])].decode("utf-8", "surrogatepass")


class Decisions:
    """The prepared state the removal pass reads (shared by forked workers, never written).

    The local engine's covers every page; the Ray engine's one block of pages from
    `first_page` on (their short lines, long lines decided about, page duplicates) and the
    names of the earlier pages they point at."""

    def __init__(self, *, pages: int, absorbed: int, names: PackedNames | Mapping[int, str], template_min: int,
                 short_end: np.ndarray, short_line: np.ndarray, short_key: np.ndarray, short_pages: np.ndarray,
                 rec_doc: np.ndarray, rec_line: np.ndarray, rec_group: np.ndarray, rec_page_first: np.ndarray,
                 rec_pages: np.ndarray, dup_of: np.ndarray, similarity: np.ndarray, first_page: int = 0):
        self.pages = pages          # page numbers seen (failed pages included)
        self.absorbed = absorbed    # pages fingerprinted
        self.template_min = template_min
        self._names = names
        self._short_end, self._short_line, self._short_key, self._short_pages = short_end, short_line, short_key, short_pages
        self._rec_doc, self._rec_line, self._rec_group = rec_doc, rec_line, rec_group
        self._rec_page_first, self._rec_pages = rec_page_first, rec_pages
        self._dup_of, self._similarity = dup_of, similarity   # from first_page on
        #: the page the short-line rows and page duplicates start at
        self._first_page = first_page

    def name(self, number: int) -> str:
        return self._names[number]

    def short_lines(self, number: int) -> tuple[list[int], list[int], list[int]]:
        """A page's short lines that something is to be decided about: those of template
        chrome and those whose key recurs in the page. Their line indices, keys, and the pages
        the key is in if it is template chrome (else 0), in page order."""
        i = number - self._first_page
        start = int(self._short_end[i - 1]) if i else 0
        end = int(self._short_end[i])
        return (self._short_line[start:end].tolist(), self._short_key[start:end].tolist(),
                self._short_pages[start:end].tolist())

    def page(self, number: int) -> PageDecisions:
        lo, hi = np.searchsorted(self._rec_doc, [number, number + 1])
        i = number - self._first_page
        dup = int(self._dup_of[i]) if 0 <= i < len(self._dup_of) else -1
        group = self._rec_group[lo:hi]
        return PageDecisions(line=self._rec_line[lo:hi], group_doc=resolve.doc_of(group),
                             group_line=resolve.line_of(group), page_first=self._rec_page_first[lo:hi],
                             group_pages=self._rec_pages[lo:hi], duplicate_of=dup,
                             similarity=float(self._similarity[i]) if dup >= 0 else 0.0)


class CorpusIndex:
    def __init__(self, config: DedupConfig):
        self.config = config
        bits_dtype = np.uint8 if config.verify_bits <= 8 else np.uint16
        self.absorbed = 0                                    # pages seen
        self._names = bytearray()
        self._name_end = Column(np.uint64)                   # per page number: end of its name
        self._short_line, self._short_line_key = Column(np.uint32), Column(np.uint64)  # per short line
        self._short_lines_end = Column(np.uint64)            # per page: end of its rows in those
        self._short_rows = 0
        # short lines: exact key -> cluster id, and pages per cluster
        self._short = SortedRuns(np.uint64, np.uint32)
        self._short_pages = Column(np.uint32)
        self._short_occ_doc, self._short_occ_key = Column(np.uint32), Column(np.uint64)  # (page, key) pairs
        # long lines: exact key -> distinct id (in order of first occurrence), its band keys and bits
        self._long = SortedRuns(np.uint64, np.uint32)
        self._long_bands = Column(np.uint32, config.banding[0])
        self._long_bits = Column(bits_dtype, config.num_perm)
        # every long line occurrence
        self._occ_doc, self._occ_line = Column(np.uint32), Column(np.uint32)
        self._occ_id, self._occ_chars = Column(np.uint32), Column(np.uint32)
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
        calls too; a number left out is a page that failed to load (or that an earlier stage
        drops: it is nobody's kept copy)."""
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
        pages = PageFingerprints.concat([p for _, p in parts])
        numbers = np.concatenate([n for n, _ in parts])
        rows = np.diff(pages.ends, axis=0, prepend=np.zeros((1, 3), dtype=np.int64))  # per page: rows of each kind
        self._short_line.extend(pages.short_line)
        self._short_line_key.extend(pages.short_line_key)
        self._count_short(pages.short_keys, np.repeat(numbers, rows[:, 0]).astype(np.uint32))
        if len(pages.long_line):
            self._add_long(np.repeat(numbers, rows[:, 2]).astype(np.uint32), pages)

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

    def _add_long(self, doc: np.ndarray, pages: PageFingerprints) -> None:
        """Every occurrence, and each distinct line's band keys and bits once (the first time
        it is seen: ids follow input order)."""
        key = pages.long_key
        distinct, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        which, known = self._long.lookup(distinct)
        ids = np.full(len(distinct), -1, dtype=np.int64)
        ids[which] = known
        new = np.flatnonzero(ids < 0)
        new = new[np.argsort(first[new])]              # new lines get ids in input order
        ids[new] = len(self._long_bits) + np.arange(len(new))
        self._long.add(distinct[new], ids[new])
        # rows gathered with np.take: for a 2-d array it copies each row whole, 3-5 times as
        # fast as indexing with an array of rows, which copies item by item
        self._long_bands.extend(np.take(pages.long_bands, first[new], axis=0))
        self._long_bits.extend(np.take(pages.long_bits, first[new], axis=0))
        self._occ_doc.extend(doc)
        self._occ_line.extend(pages.long_line)
        self._occ_id.extend(ids[inverse.reshape(-1)])
        self._occ_chars.extend(pages.long_chars)

    # -- finishing --------------------------------------------------------------------------
    def finish(self) -> Decisions:
        """Flush, resolve groups, find page duplicates; the index can be dropped afterwards."""
        self._flush()
        config = self.config
        pages = len(self._name_end)
        # a long line must also be in a share of the corpus: a story syndicated to many sites
        # is in many pages too, and its first copy must stay
        template_min = max(config.template_min_pages, math.ceil(config.template_min_share * self.absorbed - 1e-9))
        doc, line = self._occ_doc.compact().astype(np.int64), self._occ_line.compact().astype(np.int64)
        ids, chars = self._occ_id.compact().astype(np.int64), self._occ_chars.compact().astype(np.int64)
        bands, bits = self._long_bands.compact(), self._long_bits.compact()

        group = self._groups(doc, line, ids, bands, bits)
        first_in_page, page_first, _ = resolve.group_rows(doc, line, group)
        # Page duplicates are judged on all their long lines, template ones included: judged
        # without them, twenty copies of one article make its paragraphs "template" and the
        # copies then share nothing. Pages of one site that differ only by a short article are
        # near-duplicate pages by this measure too, which is what they are.
        content_docs, content, p, q, shared = resolve.page_shares(doc, group, chars, first_in_page)
        page_content = np.zeros(pages, dtype=np.float64)
        page_content[content_docs] = content
        dup_p, dup_q, score = resolve.page_duplicates(p, q, shared, page_content[p], page_content[q],
                                                      config.page_threshold)
        dup_of = np.full(pages, -1, dtype=np.int32)
        similarity = np.zeros(pages, dtype=np.float64)
        dup_of[dup_p], similarity[dup_p] = dup_q, score
        is_duplicate = dup_of >= 0
        if config.drop_duplicate_pages and is_duplicate.any():
            # dropped pages are nobody's kept copy: resolve the others again without them
            kept = ~is_duplicate[doc]
            doc, line, ids, chars = doc[kept], line[kept], ids[kept], chars[kept]
            group = self._groups(doc, line, ids, bands, bits)
            first_in_page, page_first, _ = resolve.group_rows(doc, line, group)
        # count pages again without the page duplicates: only distinct pages make a template
        groups, counts = resolve.group_pages(group, first_in_page, ~is_duplicate[doc])
        pages_of = counts[np.searchsorted(groups, group)]
        decide = (pages_of >= template_min) | (page_first >= 0) | (group != resolve.position(doc, line))
        order = np.lexsort((line[decide], doc[decide]))

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
            pages=pages, absorbed=self.absorbed, names=PackedNames(bytes(self._names), self._name_end.compact()),
            template_min=template_min, short_end=short_end, short_line=short_line, short_key=short_key,
            short_pages=short_template,
            rec_doc=doc[decide][order], rec_line=line[decide][order], rec_group=group[decide][order],
            rec_page_first=page_first[decide][order], rec_pages=pages_of[decide][order],
            dup_of=dup_of, similarity=similarity)

    def _groups(self, doc: np.ndarray, line: np.ndarray, ids: np.ndarray, bands: np.ndarray,
                bits: np.ndarray) -> np.ndarray:
        """Each occurrence's group: the position of its earliest near-duplicate."""
        distinct, first = resolve.first_occurrences(ids, resolve.position(doc, line))
        earliest = first.copy()
        config = self.config
        # the distinct lines' bits and bands are gathered once, not once per band (num_perm
        # bytes a line, copied bands times, was a fifth of `prepare`); and not at all when
        # every distinct line occurs (no page dropped): ids count from 0, so `distinct` is
        # then every row in order, and a gather would copy them all (5 MB of bits on the 20 MB
        # bench corpus)
        if len(distinct) != len(bits):
            bits, bands = np.take(bits, distinct, axis=0), np.take(bands, distinct, axis=0)
        for band in range(bands.shape[1]):
            found = resolve.earliest_in_buckets(bands[:, band], first, bits,
                                                config.jaccard_threshold, config.verify_bits)
            np.minimum(earliest, found, out=earliest)
        return earliest[np.searchsorted(distinct, ids)]

    def _short_decisions(self, pages: int, template_keys: np.ndarray,
                         template_pages: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        counts = np.diff(self._short_lines_end.compact(), prepend=np.uint64(0)).astype(np.int64)
        doc = np.repeat(np.arange(pages, dtype=np.int64), counts)
        return resolve.short_decisions(doc, self._short_line.compact(), self._short_line_key.compact(),
                                       template_keys, template_pages, 0, pages)

    # -- measuring --------------------------------------------------------------------------
    def stats(self) -> dict[str, int]:
        """Sizes, for the benchmark: distinct lines and the bytes that hold them."""
        return {
            "distinct_long": len(self._long_bits),
            "distinct_short": len(self._short_pages),
            "long_index_bytes": self._long.nbytes + self._long_bands.nbytes + self._long_bits.nbytes,
            "short_index_bytes": self._short.nbytes + self._short_pages.nbytes,
            "short_occurrence_bytes": (self._short_occ_doc.nbytes + self._short_occ_key.nbytes
                                       + self._short_line.nbytes + self._short_line_key.nbytes),
            "occurrence_bytes": sum(c.nbytes for c in (self._occ_doc, self._occ_line, self._occ_id, self._occ_chars)),
            "page_bytes": len(self._names) + self._name_end.nbytes + self._short_lines_end.nbytes,
        }
