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
from dataclasses import dataclass

import numpy as np

from .config import DedupConfig
from .hashing import (PowerTable, SpanHasher, band_keys, minhash_signatures, permutations, row_weights,
                      sha1_hash32_spans)

_NON_WORD = re.compile(r"[^\w\n]+")
_SPACE, _NEWLINE = 0x20, 0x0A


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
    """`normalise` as numpy over code points: about five times faster than the regex.

    `re`'s \\w is a property of single code points, so it fits a lookup table (1.1 MB, built
    once, shared by forked workers): the table is made by running the regex itself over every
    code point, so the two cannot disagree."""

    def __init__(self) -> None:
        points = np.arange(0x110000, dtype=np.uint32)
        points = points[(points < 0xD800) | (points >= 0xE000)]      # surrogates are not \w
        marked = re.sub(r"\w", "\0", points.tobytes().decode("utf-32-le"))
        self.is_word = np.zeros(0x110000, dtype=bool)
        self.is_word[points[np.frombuffer(marked.encode("utf-32-le"), dtype=np.uint32) == 0]] = True
        self.is_word[0] = False                                       # NUL itself was no word

    def utf8(self, text: str) -> bytes:
        """normalise(text) encoded as UTF-8."""
        points = np.frombuffer(text.casefold().encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        other = ~(self.is_word[points] | (points == _NEWLINE))
        keep = ~other
        keep[1:] |= other[1:] & ~other[:-1]                           # the first of a run becomes " "
        if len(points):
            keep[0] |= other[0]
        out = np.where(other, np.uint32(_SPACE), points)[keep]
        return out.tobytes().decode("utf-32-le", "surrogatepass").encode("utf-8", "surrogatepass")


def split_words(text: str, normaliser: Normaliser | None = None) -> Lines:
    """Normalise a page's text and find its words and lines, all at once in numpy."""
    data = normaliser.utf8(text) if normaliser else normalise(text).encode("utf-8", "surrogatepass")
    raw = np.frombuffer(data, dtype=np.uint8)
    is_word = (raw != _SPACE) & (raw != _NEWLINE)
    edges = np.diff(is_word.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    word_start = np.flatnonzero(edges == 1)
    word_end = np.flatnonzero(edges == -1)
    newlines = np.flatnonzero(raw == _NEWLINE)
    word_line = np.searchsorted(newlines, word_start)  # newlines before a word = its line index
    first_word = np.flatnonzero(np.diff(word_line, prepend=-1))  # word_line never decreases
    line = word_line[first_word]
    words = np.diff(first_word, append=len(word_line))
    last_word = first_word + words - 1
    return Lines(data=data, line=line, words=words, start=word_start[first_word], end=word_end[last_word],
                 word_start=word_start, word_end=word_end, first_word=first_word)


@dataclass
class PageFingerprint:
    """One page's observation for the corpus pass: small numpy arrays, cheap to pickle."""

    name: str
    short_keys: np.ndarray   # uint64: distinct exact keys of the page's short lines
    short_max_chars: int     # the longest short line, in characters: pass 2 normalises no longer line
    long_line: np.ndarray    # uint32: line index of each long line, in page order
    long_key: np.ndarray     # uint64: its exact key
    long_chars: np.ndarray   # uint32: its length in characters (weights page similarity)
    long_bands: np.ndarray   # uint32 (lines x bands): LSH band keys
    long_bits: np.ndarray    # uint8/uint16 (lines x num_perm): low bits of the signature


class Fingerprinter:
    """Computes fingerprints with one config; holds the MinHash permutations and the tables
    the hashes reuse from page to page."""

    def __init__(self, config: DedupConfig):
        self.config = config
        self.perms = permutations(config.num_perm, config.seed)
        self.row_weights = row_weights(config.rows)
        self.bits_dtype = np.uint8 if config.verify_bits <= 8 else np.uint16
        self.bits_mask = (1 << config.verify_bits) - 1
        self.normaliser = Normaliser()
        self.powers = PowerTable()

    def split(self, text: str) -> tuple[Lines, SpanHasher]:
        lines = split_words(text, self.normaliser)
        return lines, SpanHasher(np.frombuffer(lines.data, dtype=np.uint8), self.powers)

    def page(self, name: str, text: str, lines_of_page: list[str]) -> PageFingerprint:
        """The fingerprint of a page: its text and the same text split in lines (a Document's
        `text` and `lines`)."""
        config = self.config
        lines, hasher = self.split(text)
        keys = lines.keys(hasher)
        long = lines.words >= config.short_line_words
        line = lines.line[long]
        lengths = np.fromiter(map(len, lines_of_page), dtype=np.uint32, count=len(lines_of_page))
        short_lengths = lengths[lines.line[~long]]
        signatures = self.signatures(lines, long, hasher)
        return PageFingerprint(
            name=name,
            short_keys=np.unique(keys[~long]),
            short_max_chars=int(short_lengths.max()) if len(short_lengths) else 0,
            long_line=line.astype(np.uint32),
            long_key=keys[long],
            long_chars=lengths[line],
            long_bands=band_keys(signatures, config.bands, self.row_weights),
            long_bits=(signatures & self.bits_mask).astype(self.bits_dtype),
        )

    def short_line_keys(self, lines_of_page: list[str], max_chars: int) -> tuple[np.ndarray, np.ndarray]:
        """(line index, exact key) of the page's short lines, looking only at lines of at most
        `max_chars` characters (no short line is longer: its fingerprint says so)."""
        candidates = [i for i, line in enumerate(lines_of_page) if len(line) <= max_chars]
        if not candidates:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
        lines, hasher = self.split("\n".join([lines_of_page[i] for i in candidates]) + "\n")
        short = lines.words < self.config.short_line_words
        return np.asarray(candidates)[lines.line[short]], lines.keys(hasher)[short]

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
