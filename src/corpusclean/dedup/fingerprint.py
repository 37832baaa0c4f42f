"""What the dedup index knows of one page: a key per line, and MinHash for the longer lines.

The unit is the line. In text dumps of web pages a line is a paragraph, a heading or one item
of chrome, and lines do not depend on what other stages removed, so the corpus pass (which
sees the encoding-fixed text only) and the removal pass agree on what a unit is.

A line is normalised before anything is hashed: casefolded, and every run of non-word
characters made one space ("Sign Up!" and "sign up" are the same line). A line with no word
character is not a unit (separators, bullets, blank lines). Then:

* every line gets an exact key, a 64-bit hash of its normalised text;
* a line of at least `short_line_words` words also gets a MinHash signature over its word
  shingles (`shingle_size` words each), its LSH band keys, and the low `verify_bits` bits of
  each signature value, which is all the index keeps to verify a candidate.

Shorter lines match by their exact key only: on a handful of shingles MinHash says little.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Iterable

import numpy as np

from .config import DedupConfig
from .hashing import (PowerTable, SpanHasher, band_keys, minhash_signatures, permutations, row_weights,
                      sha1_hash32_spans)
from .pages import PageFingerprint, PageFingerprints

_NON_WORD = re.compile(r"[^\w\n]+")
_WORD = re.compile(r"\w")
_SPACE, _NEWLINE = 0x20, 0x0A
#: `Normaliser.fold`'s mark for a code point it cannot fold alone
_UNFOLDED = 0xFFFFFFFF
#: characters of text fingerprinted in one numpy pass: many pages at once spare numpy's
#: per-call cost, and the bound keeps the temporaries (about 50 bytes a character) and the
#: powers they read (PowerTable, 16 bytes a byte of text) within a share of the last-level
#: cache. At 1 << 20 they were 50-100 MB a pass, streamed and gathered from memory: under
#: cachegrind with an 8 MB last level (what a process may keep of this host's shared 32 MB
#: while others run), a 1-worker run of the 5 MB stages corpus missed it 13.7 M times, 9.5 M
#: at 1 << 16, for 0.65% more instructions; a 1-worker run's peak RSS fell 181 -> 164 MB
#: (20 MB folder). The fingerprints are the same numbers whatever the batch.
BATCH_CHARS = 1 << 16


@dataclass
class Lines:
    """The normalised lines of one page. Arrays run over the page's lines that have words."""

    data: bytes              # the normalised text, UTF-8: words split by one space, lines by "\n"
    line: np.ndarray         # int64: index of the line in Document.lines
    words: np.ndarray        # int64: how many words it has
    start: np.ndarray        # int64: byte span of its normalised text in `data`
    end: np.ndarray
    word_start: np.ndarray   # int64: byte span of every word of the page, in order
    word_end: np.ndarray
    first_word: np.ndarray   # int64: index (into word_start) of each line's first word

    def keys(self, hasher: SpanHasher | None = None) -> np.ndarray:
        """The exact key (uint64) of every line."""
        hasher = hasher or SpanHasher(np.frombuffer(self.data, dtype=np.uint8))
        return hasher.hash64(self.start, self.end)


def normalise(text: str) -> str:
    """Casefold, and make each run of non-word characters (newlines aside) one space.

    This is the definition; `Normaliser` computes the same thing faster."""
    return _NON_WORD.sub(" ", text.casefold())


class Normaliser:
    """`normalise` as numpy over the text's UTF-8 bytes: several times faster than the regex.

    `re`'s \\w is a property of single code points, so it fits a lookup table. The table covers
    the Basic Multilingual Plane and is made by running the regex itself over every code point
    in it, so the two cannot disagree; the rare characters beyond it are asked of the regex
    one by one."""

    def __init__(self) -> None:
        # what normalising turns into a space, the code point each BMP code point folds to,
        # and each byte of UTF-8 text folded alone, for bytes.translate (normaliser_tables)
        self.is_other, self.fold, self.byte_fold = _tables()

    def utf8(self, text: str) -> bytes:
        """normalise(text) encoded as UTF-8.

        Worked on the text's UTF-8 bytes, one byte an ASCII character, the ASCII folded by
        bytes.translate: until the eleventh round this went through a code point (4 bytes) per
        character, looked each up in a 256 KB table and decoded and encoded the result again,
        twice the cost on a batch of the bench corpus's mostly ASCII pages. (On one page alone
        the numpy calls' own cost makes it slower than that was: pages are normalised in
        batches, see Fingerprinter.pages.)"""
        data = text.encode("utf-8", "surrogatepass")
        if text.isascii():
            out = np.frombuffer(data.translate(self.byte_fold), dtype=np.uint8)
        else:
            out = np.frombuffer(bytearray(data.translate(self.byte_fold)), dtype=np.uint8)  # written on
            out = self._fold_non_ascii(np.frombuffer(data, dtype=np.uint8), out)
        space = out == _SPACE
        keep = np.ones(len(out), dtype=bool)
        keep[1:] = ~(space[1:] & space[:-1])                          # only the first of a run stays
        return out[keep].tobytes()

    def _fold_non_ascii(self, raw: np.ndarray, out: np.ndarray) -> np.ndarray:
        """`out` (the bytes `raw` folded as ASCII) with each other character folded too: one
        that folds to a character of as many bytes, or to a space (a non-word character, which
        becomes as many spaces, of which `utf8` keeps one), is written over in place; the few
        others (folding to several characters, to fewer or more bytes, beyond the BMP) are
        folded alone and spliced in."""
        lead = np.flatnonzero(raw >= 0xC0)                            # each character's first byte
        b0 = raw[lead].astype(np.uint32)
        size = 2 + (b0 >= 0xE0).astype(np.int64) + (b0 >= 0xF0)      # its bytes (4: beyond the BMP)
        last = len(raw) - 1
        b1 = raw[np.minimum(lead + 1, last)].astype(np.uint32) & 0x3F
        b2 = raw[np.minimum(lead + 2, last)].astype(np.uint32) & 0x3F
        point = np.where(size == 2, (b0 & 0x1F) << 6 | b1, (b0 & 0x0F) << 12 | b1 << 6 | b2)
        point[size == 4] = 0x10000                                    # the table's "beyond the BMP"
        folded = self.fold[point]
        space = folded == _SPACE
        folded_size = 1 + (folded >= 0x80).astype(np.int64) + (folded >= 0x800)
        in_place = space | ((folded != point) & (folded_size == size) & (folded != _UNFOLDED))
        for width in (2, 3):
            at = lead[space & (size == width)]
            for k in range(width):
                out[at + k] = _SPACE
            chosen = in_place & ~space & (size == width)
            at, code = lead[chosen], folded[chosen]
            if width == 2:
                out[at] = 0xC0 | code >> 6
            else:
                out[at] = 0xE0 | code >> 12
                out[at + 1] = 0x80 | (code >> 6) & 0x3F
            out[at + width - 1] = 0x80 | code & 0x3F
        alone = np.flatnonzero(~in_place & ((folded != point) | (size == 4)))
        if not len(alone):
            return out
        pieces, done = [], 0
        for at, width in zip(lead[alone].tolist(), size[alone].tolist()):
            char = raw[at:at + width].tobytes().decode("utf-8", "surrogatepass")
            pieces += [out[done:at], _fold_alone(char)]
            done = at + width
        return np.concatenate(pieces + [out[done:]])


def _tables() -> tuple[np.ndarray, np.ndarray, bytes]:
    """`normaliser_tables()`, from the start-up cache (cache.py): making them is 3-12 ms of CPU
    in every process that fingerprints a page (run after run the same tables, for a given
    Python: its version is in the cache's key, and with it the Unicode data `re` and casefold
    follow), reading them 0.1 ms."""
    from ..cache import cached

    return cached("normaliser-tables", unicodedata.unidata_version, normaliser_tables)


def normaliser_tables() -> tuple[np.ndarray, np.ndarray, bytes]:
    """`Normaliser`'s tables: what normalising turns into a space (True: neither a word
    character nor "\n"), by code point of the BMP ([0x10000]: beyond it); the code point each
    folds to (_UNFOLDED where it cannot be folded alone); and the bytes of UTF-8 text folded
    one by one (ASCII as `fold` says, the others as they are)."""
    points = np.arange(0x10000, dtype=np.uint32)
    points = points[(points < 0xD800) | (points >= 0xE000)]      # surrogates are not \w
    # the regex marks each run of word characters (a few hundred in the BMP) rather than
    # each character: the same marks, made in a twelfth of the time (7 ms of every run)
    marked = re.sub(r"\w+", lambda run: "\0" * len(run[0]), points.tobytes().decode("utf-32-le"))
    is_word = np.zeros(0x10001, dtype=bool)                      # [0x10000]: beyond the BMP
    is_word[points[np.frombuffer(marked.encode("utf-32-le"), dtype=np.uint32) == 0]] = True
    is_word[0] = False                                            # NUL itself was no word
    is_other = ~is_word
    is_other[_NEWLINE] = False
    # casefolding is per code point (no context), so it fits a table too: each BMP code
    # point's normalised form, a space for what casefolds to a non-word character. What
    # casefolds to several code points ("ß" -> "ss"), and [0x10000] (beyond the BMP), are
    # _UNFOLDED: found one by one in a text, they are folded and asked of the regex alone.
    sizes, first = casefold_table()
    single = (sizes == 1) & (first <= 0xFFFF)
    to = first[single]
    fold = np.full(0x10001, _UNFOLDED, dtype=np.uint32)
    fold[:-1][single] = np.where(is_other[to], np.uint32(_SPACE), to)
    # ASCII folds to ASCII; the bytes of other characters stay (`_fold_non_ascii` folds them)
    byte_fold = np.arange(256, dtype=np.uint8)
    byte_fold[:0x80] = fold[:0x80]
    return is_other, fold, byte_fold.tobytes()


def casefold_table() -> tuple[np.ndarray, np.ndarray]:
    """How many code points each BMP code point casefolds to, and the first of them.

    Every run builds this (it is part of the stage's fixed cost), so the BMP is casefolded
    256 code points at a time, and one by one only in the few blocks whose folded text is
    longer (a block holding "ß" or "ﬁ"): no character folds to nothing, so a block that keeps
    its length folds each character to one. 1 ms where a call per code point took 7."""
    sizes = np.ones(0x10000, dtype=np.int64)
    first = np.empty(0x10000, dtype=np.uint32)
    bmp = np.arange(0x10000, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    for start in range(0, 0x10000, 256):
        folded = bmp[start:start + 256].casefold()
        if len(folded) == 256:
            first[start:start + 256] = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            continue
        for point in range(start, start + 256):
            one = chr(point).casefold()
            sizes[point], first[point] = len(one), ord(one[0])
    return sizes, first


def words_per_line(text: str, lines: int, normaliser: Normaliser) -> np.ndarray:
    """How many words each of the text's first `lines` lines has once normalised (what
    `len(normalise(line).split())` says, and split_words counts), without making the normalised
    text: the folded code points say where words start. A character that casefolds to several
    ("ß", "İ") takes split_words' way."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    out = normaliser.fold.take(points, mode="clip")
    if (out == _UNFOLDED).any():
        found = split_words(text, normaliser)
        counts = np.zeros(lines, dtype=np.int64)
        inside = found.line < lines
        counts[found.line[inside]] = found.words[inside]
        return counts
    word = (out != _SPACE) & (out != _NEWLINE)
    starts = np.flatnonzero(word[1:] & ~word[:-1]) + 1
    if len(word) and word[0]:
        starts = np.concatenate(([0], starts))
    line_of = np.searchsorted(np.flatnonzero(out == _NEWLINE), starts)   # newlines before a word
    return np.bincount(line_of[line_of < lines], minlength=lines)[:lines]


def _fold_alone(char: str) -> np.ndarray:
    """The normalised UTF-8 bytes of one character `Normaliser.fold` leaves out (or folds to
    a character of another size)."""
    folded = "".join(c if _WORD.fullmatch(c) else " " for c in char.casefold())
    return np.frombuffer(folded.encode("utf-8", "surrogatepass"), dtype=np.uint8)


def split_words(text: str, normaliser: Normaliser | None = None) -> Lines:
    """Normalise a page's text and find its words and lines, all at once in numpy."""
    data = normaliser.utf8(text) if normaliser else normalise(text).encode("utf-8", "surrogatepass")
    raw = np.frombuffer(data, dtype=np.uint8)
    # normalised text holds only word characters (every UTF-8 byte of one is above 0x20),
    # single spaces and newlines
    is_word = np.zeros(len(raw) + 2, dtype=np.int8)
    is_word[1:-1] = raw > _SPACE
    edges = is_word[1:] - is_word[:-1]
    word_start = np.flatnonzero(edges == 1)
    word_end = np.flatnonzero(edges == -1)
    newlines = np.flatnonzero(raw == _NEWLINE)
    word_line = np.searchsorted(newlines, word_start)  # newlines before a word = its line index
    new_line = np.ones(len(word_line), dtype=bool)     # word_line never decreases
    new_line[1:] = word_line[1:] != word_line[:-1]
    first_word = np.flatnonzero(new_line)
    line = word_line[first_word]
    words = np.empty_like(first_word)
    words[:-1] = first_word[1:] - first_word[:-1]
    words[-1:] = len(word_line) - first_word[-1:]
    last_word = first_word + words - 1
    return Lines(data=data, line=line, words=words, start=word_start[first_word], end=word_end[last_word],
                 word_start=word_start, word_end=word_end, first_word=first_word)


def _drawn(num_perm: int, seed: int, rows: int) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """The MinHash permutations and the band's row weights, from the start-up cache (cache.py):
    drawing them imports numpy.random, 0.008 CPU-s of every process that fingerprints a page,
    for 1 KB of numbers the same in every run (RandomState's stream is fixed by numpy's policy)."""
    from ..cache import cached

    return cached("minhash-draws", f"{num_perm}\0{seed}\0{rows}",
                  lambda: (permutations(num_perm, seed), row_weights(rows)))


class Fingerprinter:
    """Computes fingerprints with one config; holds the MinHash permutations and the tables
    the hashes reuse from page to page."""

    def __init__(self, config: DedupConfig):
        self.config = config
        self.perms, self.row_weights = _drawn(config.num_perm, config.seed, config.banding[1])
        self.bits_dtype = np.uint8 if config.verify_bits <= 8 else np.uint16
        self.bits_mask = (1 << config.verify_bits) - 1
        self.normaliser = Normaliser()
        self.powers = PowerTable()
        self.recent = RecentLines(config.banding[0], config.num_perm, self.bits_dtype)

    def split(self, text: str) -> tuple[Lines, SpanHasher]:
        lines = split_words(text, self.normaliser)
        return lines, SpanHasher(np.frombuffer(lines.data, dtype=np.uint8), self.powers)

    def page(self, name: str, text: str, lines_of_page: list[str]) -> PageFingerprint:
        """The fingerprint of a page: its text and the same text split in lines (a Document's
        `text` and `lines`)."""
        return self.pages([(name, text, lines_of_page)])[0]

    def pages(self, pages: Iterable[tuple[str, str, list[str]]]) -> PageFingerprints:
        """The fingerprints of many pages, each given as (name, text, lines) like `page`'s
        arguments. The same numbers as one `page` call per page, in far fewer numpy calls:
        pages are fingerprinted together, about BATCH_CHARS characters at a time."""
        parts: list[PageFingerprints] = []
        group: list[tuple[str, str, list[str]]] = []
        size = 0
        for page in pages:
            if group and size + len(page[1]) > BATCH_CHARS:
                parts.append(self._pages_at_once(group))
                group, size = [], 0
            group.append(page)
            size += len(page[1])
        if group or not parts:
            parts.append(self._pages_at_once(group))
        return PageFingerprints.concat(parts)

    def _pages_at_once(self, pages: list[tuple[str, str, list[str]]]) -> PageFingerprints:
        """Normalise and hash the pages' texts as one text (a page's lines are the text's lines
        between its first and its last, and no hash spans a newline), then cut the arrays
        back into pages."""
        config = self.config
        texts = [text if not text or text.endswith("\n") else text + "\n" for _, text, _ in pages]
        line_counts = np.fromiter((len(lines) for _, _, lines in pages), dtype=np.int64, count=len(pages))
        first_line = np.zeros(len(pages) + 1, dtype=np.int64)      # each page's first line in the text
        np.cumsum(line_counts, out=first_line[1:])
        lengths = np.fromiter(chain.from_iterable(map(len, lines) for _, _, lines in pages), dtype=np.uint32,
                              count=int(first_line[-1]))
        lines, hasher = self.split("".join(texts))
        page_of = np.searchsorted(first_line, lines.line, side="right") - 1
        local = (lines.line - first_line[page_of]).astype(np.uint32)
        keys = lines.keys(hasher)
        long = lines.words >= config.short_line_words
        long_rows = np.flatnonzero(long)
        bands, bits = self.recent.fetch(keys[long])
        missing = bands[:, 0] == _MISSING                          # not seen lately: compute
        if missing.any():
            # a line repeated in these pages (chrome) is computed once
            missing_keys, first, inverse = np.unique(keys[long_rows[missing]], return_index=True,
                                                     return_inverse=True)
            todo = np.zeros(len(long), dtype=bool)
            todo[long_rows[missing][first]] = True
            signatures = self.signatures(lines, todo, hasher)      # rows in line order
            order = np.argsort(first)                              # unique-key order -> line order
            rank = np.empty_like(order)
            rank[order] = np.arange(len(order))
            new_bands = band_keys(signatures, config.banding[0], self.row_weights)[rank]
            new_bits = (signatures & self.bits_mask).astype(self.bits_dtype)[rank]
            bands[missing] = new_bands[inverse.reshape(-1)]
            bits[missing] = new_bits[inverse.reshape(-1)]
            self.recent.store(missing_keys, new_bands, new_bits)
        # short lines: each page's distinct keys, sorted
        short_page, short_keys = page_of[~long], keys[~long]
        order = np.lexsort((short_keys, short_page))
        short_page, short_keys = short_page[order], short_keys[order]
        distinct = np.ones(len(order), dtype=bool)
        distinct[1:] = (short_keys[1:] != short_keys[:-1]) | (short_page[1:] != short_page[:-1])
        ends = np.stack([np.bincount(short_page[distinct], minlength=len(pages)),
                         np.bincount(page_of[~long], minlength=len(pages)),
                         np.bincount(page_of[long], minlength=len(pages))], axis=1).cumsum(axis=0)
        return PageFingerprints(
            names=[name for name, _, _ in pages],
            ends=ends.astype(np.int64).reshape(-1, 3),
            short_keys=short_keys[distinct],
            short_line=local[~long],
            short_line_key=keys[~long],
            long_line=local[long],
            long_key=keys[long],
            long_chars=lengths[lines.line[long]],
            long_bands=bands,
            long_bits=bits,
        )

    def signatures(self, lines: Lines, which: np.ndarray, hasher: SpanHasher) -> np.ndarray:
        """Full MinHash signatures (uint32, lines x num_perm) of the selected lines."""
        k = self.config.shingle_size
        first = lines.first_word[which]
        shingles = lines.words[which] - k + 1           # every selected line has >= k words
        total = int(shingles.sum())
        if total == 0:
            return np.zeros((0, self.config.num_perm), dtype=np.uint32)
        # index of each shingle's first word: first[line] + 0, 1, ... shingles[line]-1
        offsets = np.arange(total) - np.repeat(np.cumsum(shingles) - shingles, shingles)
        head = np.repeat(first, shingles) + offsets
        starts, ends = lines.word_start[head], lines.word_end[head + k - 1]
        if self.config.shingle_hash == "sha1":
            hashes = sha1_hash32_spans(lines.data, starts, ends)
        else:
            hashes = (hasher.hash64(starts, ends) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        return minhash_signatures(hashes, shingles, self.perms)


def line_shingles(normalised_line: str, shingle_size: int) -> list[bytes]:
    """The shingles of one normalised line, as bytes: what datasketch's MinHash is fed to get
    the same signature (the vectorised code hashes exactly these spans)."""
    words = normalised_line.split()
    return [" ".join(words[i:i + shingle_size]).encode("utf-8") for i in range(len(words) - shingle_size + 1)]


#: a band key value RecentLines uses for "not known" (a real key may equal it: then the line is
#: only recomputed, which gives the same fingerprint)
_MISSING = np.uint32(0xFFFFFFFF)


class RecentLines:
    """The band keys and bits of long lines this process fingerprinted lately, by exact key.

    Template chrome and syndicated paragraphs repeat the same long lines page after page;
    their fingerprint is a function of their text alone, so a repeat is looked up instead of
    hashed again. This only saves time: output never depends on what is remembered. Holds at
    most `capacity` lines and starts afresh when full."""

    def __init__(self, bands: int, num_perm: int, bits_dtype: type, capacity: int = 1 << 15):
        self.capacity = capacity
        self._row: dict[int, int] = {}
        self._used = 0                      # rows handed out since the last start afresh
        self._bands = np.empty((capacity, bands), dtype=np.uint32)
        self._bits: np.ndarray = np.empty((capacity, num_perm), dtype=bits_dtype)

    def fetch(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Band keys and bits for each key; rows of unknown keys have band keys _MISSING."""
        rows = np.fromiter(map(self._row.get, keys.tolist(), repeat(-1)), dtype=np.int64, count=len(keys))
        known = rows >= 0
        bands = np.full((len(keys), self._bands.shape[1]), _MISSING, dtype=np.uint32)
        bits = np.zeros((len(keys), self._bits.shape[1]), dtype=self._bits.dtype)
        bands[known] = self._bands[rows[known]]
        bits[known] = self._bits[rows[known]]
        return bands, bits

    def store(self, keys: np.ndarray, bands: np.ndarray, bits: np.ndarray) -> None:
        if self._used + len(keys) > self.capacity:
            self._row.clear()
            self._used = 0
        # fresh rows (a key stored again, its band key having been _MISSING, gets a new row:
        # the old one is never read again)
        new = keys[: self.capacity].tolist()
        rows = list(range(self._used, self._used + len(new)))
        self._used += len(new)
        self._row.update(zip(new, rows))
        self._bands[rows], self._bits[rows] = bands[: len(rows)], bits[: len(rows)]
