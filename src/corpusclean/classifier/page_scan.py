"""A page's new texts counted at once: the words, stopwords and characters that make their
LineSignals (signals.line_signals), for all the texts of a page the feature memo has not met.

Counting a text's words the plain way (`WORD.findall`, then a set lookup per word) makes a
Python string of every word: about 290 ns a word, a sixth of a 1-worker run. Here the texts
of a page are counted together in numpy, with no Python object per word or character:

- the page's texts become one array of code points, and a table of every code point's
  classes (`character_classes`: a word character as `\\w` says, a character of a script
  written without spaces, a Chinese or Japanese function character, a symbol) gives each
  text's counts by one sum (`np.add.reduceat`) and the words' starts and ends where being a
  word character changes;
- the texts are casefolded by a table of every code point's casefolding (`case_folds`), the
  words' identity read off the folded code points and the casefolded texts (Features.lowered)
  decoded from them: `str.casefold` maps a character outside ASCII at some 15-45 ns, the
  table at one or two;
- a word's identity (is it a stopword? one of the words the prose-chrome tests read?) is its
  polynomial hash, found in a perfect hash table of those words (`WordTable`), and then
  confirmed character by character: a hash never decides alone;
- the share of capitalised words (LineSignals.capitalised) is read off the words' first
  characters in the texts as written (capitals) and the words' characters (digits), where
  two regex scans a text cost some 45 ns a character (a long line's name-list test reads it).

Where the shortcut's reasoning does not hold for a text (a character of it does not casefold
to one character, or it holds FOLDS_INTO_A_WORD: see signals.folded_words; the UNFOLDED
characters), or a page brings too little new text
for numpy's cost per call to pay, the text is measured the plain way (units.features). The
tests hold every count to the plain definition.
"""
from __future__ import annotations

import re
from typing import NamedTuple, Sequence

import numpy as np

from .signals import _NO_SPACE_CLASS, _SYMBOL, FOLDS_INTO_A_WORD, WORD
from .stoplists import CJK_STOP_CHARACTERS
from .vocabulary import VOICE_OR_CUE

#: a code point's classes, bits of `character_classes`: UPPER and DIGIT are str.isupper and
#: str.isdigit (signals.capitalised_share's capitals and words of digits); UNFOLDED a character
#: that does not casefold to one character, or FOLDS_INTO_A_WORD (a text with one is measured
#: the plain way)
WORD_CHARACTER, NO_SPACE, FUNCTION_CHARACTER, SYMBOL, UPPER, DIGIT, UNFOLDED = 1, 2, 4, 8, 16, 32, 64
#: the counts of a text, one field of 16 bits a class (a text that long has no more of any)
_FIELD_BITS = 16
MAX_CHARS = (1 << _FIELD_BITS) - 1
#: a page whose new texts are shorter than this in all is measured the plain way: the scan's
#: fixed cost (some 60 numpy calls, 140-200 us a page) outweighs what it saves a character
#: (measured on the bench corpus's English texts: about 170 ns a character the plain way, 70
#: counted together, the Python left around either included)
MIN_PAGE_CHARS = 1500

_MASK64 = (1 << 64) - 1
#: the hash's base, and its inverse modulo 2**64 (odd, so it has one)
_BASE = 0x9E3779B97F4A7C15
_INVERSE = pow(_BASE, -1, 1 << 64)


class TextCounts(NamedTuple):
    """What signals.line_signals needs of a (stripped) text, besides the text itself."""

    words: int                # WORD's words
    no_space: int             # characters of scripts written without spaces
    function_characters: int  # Chinese and Japanese function characters among those
    stopwords: int | None     # stopwords among the (casefolded) words; None without a stoplist
    symbols: int              # _SYMBOL's characters
    voice: tuple[str, ...]    # vocabulary.voice_words of the casefolded words
    capitals: int             # words whose first character is a capital (str.isupper)
    digit_words: int          # words all of digits (str.isdigit)
    lowered: str              # the text casefolded


def character_classes() -> np.ndarray:
    """The classes of every code point, as one byte each (1.1 MB), built from Python's own
    patterns and str methods (0.5 s) and kept in the start-up cache (cache.py; the Python version, whose Unicode
    data they are, is in its key)."""
    from ..cache import cached

    return cached("character-classes", "", _build_classes)


def _build_classes() -> np.ndarray:
    everything = "".join(map(chr, range(0x110000)))
    classes = np.zeros(0x110000, np.uint8)
    for bit, pattern in ((WORD_CHARACTER, WORD), (NO_SPACE, re.compile(_NO_SPACE_CLASS + "+")),
                         (SYMBOL, re.compile(_SYMBOL.pattern + "+"))):
        for match in pattern.finditer(everything):
            classes[match.start():match.end()] |= bit
    for char in CJK_STOP_CHARACTERS:
        # measure counts the function characters among the no-space characters only
        if classes[ord(char)] & NO_SPACE:
            classes[ord(char)] |= FUNCTION_CHARACTER
    for bit, test in ((UPPER, str.isupper), (DIGIT, str.isdigit)):
        classes[np.fromiter(map(test, everything), bool, len(everything))] |= bit
    classes[np.fromiter(map(len, map(str.casefold, everything)), np.intp, len(everything)) != 1] |= UNFOLDED
    classes[ord(FOLDS_INTO_A_WORD)] |= UNFOLDED
    return classes


def case_folds() -> np.ndarray:
    """Each code point's casefolding, where it is one character (else the code point itself:
    a text with an UNFOLDED character is measured the plain way), as 32-bit code points
    (4.5 MB), built from str.casefold (0.3 s) and kept in the start-up cache."""
    from ..cache import cached

    return cached("case-folds", "", _build_folds)


def _build_folds() -> np.ndarray:
    return np.fromiter((ord(folded) if len(folded := chr(code).casefold()) == 1 else code
                        for code in range(0x110000)), np.uint32, 0x110000)


#: a character's part in its text's counts of NO_SPACE, FUNCTION_CHARACTER, SYMBOL and
#: UNFOLDED characters, by its classes: one field of _FIELD_BITS each, so one sum counts all four
_PACKED = np.array([sum(((value >> bit) & 1) << (_FIELD_BITS * field) for field, bit in enumerate((1, 2, 3, 6)))
                    for value in range(128)], np.uint64)


class _Powers:
    """The hash base's powers and its inverse's, as far as the longest page needed."""

    def __init__(self) -> None:
        self.up = self.down = np.ones(0, np.uint64)

    def at_least(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        if len(self.up) < size:
            size = max(size, 2 * len(self.up), 1 << 16)
            up, down = np.full(size, _BASE, np.uint64), np.full(size, _INVERSE, np.uint64)
            up[0] = down[0] = 1
            # products wrap around modulo 2**64, as the hash's arithmetic does
            self.up, self.down = up.cumprod(), down.cumprod()
        return self.up, self.down


def _code_points(texts: Sequence[str]) -> np.ndarray:
    """The texts' code points, each text after a NUL (no word character), and a NUL at the
    end: so text i starts at `_starts(texts)[i]` and no word runs from one text into the next."""
    joined = "\0" + "\0".join(texts) + "\0"
    # surrogatepass: a lone surrogate is a code point like any other here
    return np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.uint32).astype(np.intp)


def _starts(texts: Sequence[str]) -> list[int]:
    """Where each text starts in `_code_points(texts)`, and where one after the last would."""
    starts = [1]
    for text in texts:
        starts.append(starts[-1] + len(text) + 1)
    return starts


def _word_spans(classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (start, end) positions of the words: where being a word character changes, in pairs
    (the array starts and ends with a character that is none)."""
    word = (classes & WORD_CHARACTER).view(bool)
    changes = (word[1:] ^ word[:-1]).nonzero()[0] + 1
    return changes[::2], changes[1::2]


def _hashes(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray, powers: _Powers) -> np.ndarray:
    """Each word's hash: the sum of its code points times the base's powers (the first times 1),
    modulo 2**64, from one running sum over the whole array."""
    up, down = powers.at_least(len(codes))
    running: np.ndarray = (codes.view(np.uint64) * up[:len(codes)]).cumsum()
    hashes: np.ndarray = (running.take(ends - 1) - running.take(starts - 1)) * down.take(starts)
    return hashes


class WordTable:
    """The words a page's scan looks up, for one stoplist: its stopwords and the voice words
    (vocabulary.VOICE_OR_CUE). Only words WORD finds whole can be met (a stoplist's '"the' or
    'ab.' cannot), so only those are kept.

    The lookup is a perfect hash of their hashes (hash and displace: a word's hash picks a
    bucket, the bucket's displacement picks a slot no other word of the table has), then the
    hash compared, then the word's characters compared with the found word's: exact whatever
    the hashes."""

    #: a multiplier that mixes a displaced hash before its top bits pick the slot
    _MIX = 0xD6E8FEB86659FD93

    def __init__(self, stopwords: frozenset[str] | None):
        words = sorted(word for word in VOICE_OR_CUE | (stopwords or frozenset()) if WORD.fullmatch(word))
        codes = _code_points(words)
        starts = np.array(_starts(words)[:-1], np.intp)
        lengths = np.fromiter(map(len, words), np.intp, len(words))
        hashes = _hashes(codes, starts, starts + lengths, _Powers())
        self.words = words
        self.codes, self.starts, self.lengths, self.hashes = codes, starts, lengths, hashes
        self.stop = np.fromiter((word in (stopwords or ()) for word in words), bool, len(words))
        self.voice = np.fromiter(map(VOICE_OR_CUE.__contains__, words), bool, len(words))
        #: False when two words share a hash (never seen): the page is then measured the plain way
        self.usable = len(np.unique(hashes)) == len(words)
        if self.usable:
            self._place(hashes.tolist())

    def _place(self, hashes: list[int]) -> None:
        count = len(hashes)
        bucket_bits = max(1, (count // 4).bit_length())   # about 4 words a bucket
        slot_bits = max(2, (2 * count).bit_length())      # at least twice the slots as words
        buckets: dict[int, list[int]] = {}
        for number, value in enumerate(hashes):
            buckets.setdefault(value >> (64 - bucket_bits), []).append(number)
        taken = bytearray(1 << slot_bits)
        table = [0] * (1 << slot_bits)
        displacements = [0] * (1 << bucket_bits)
        # the fullest buckets first, while most slots are free
        for bucket, members in sorted(buckets.items(), key=lambda item: -len(item[1])):
            attempt = 0
            while True:
                attempt += 1
                displacement = (attempt * _BASE) & _MASK64
                slots = [(((hashes[m] ^ displacement) * self._MIX) & _MASK64) >> (64 - slot_bits) for m in members]
                if len(set(slots)) == len(slots) and not any(taken[slot] for slot in slots):
                    break
            displacements[bucket] = displacement
            for member, slot in zip(members, slots):
                taken[slot], table[slot] = 1, member
        self._bucket_shift, self._slot_shift = np.uint64(64 - bucket_bits), np.uint64(64 - slot_bits)
        self._displacements = np.array(displacements, np.uint64)
        self._table = np.array(table, np.intp)
        self._mix = np.uint64(self._MIX)

    def find(self, codes: np.ndarray, starts: np.ndarray, ends: np.ndarray,
             hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The words of `codes` (at `starts`, `ends`, with their `hashes`) that are words of the
        table: their numbers among the words, and which word of the table each is."""
        slots = ((hashes ^ self._displacements.take(hashes >> self._bucket_shift)) * self._mix) >> self._slot_shift
        which = self._table.take(slots)
        found = (self.hashes.take(which) == hashes).nonzero()[0]
        which = which.take(found)
        lengths = ends.take(found) - starts.take(found)
        same = lengths == self.lengths.take(which)
        if not same.all():
            found, which, lengths = found[same], which[same], lengths[same]
        if not len(found):
            return found, which
        # every character of each found word against the table's word: position by position,
        # as one array (word k's characters from its start, minus where its run begins)
        ends_of_runs = lengths.cumsum()
        runs_start = ends_of_runs - lengths
        steps = np.arange(int(ends_of_runs[-1]))
        page = (starts.take(found) - runs_start).repeat(lengths) + steps
        own = (self.starts.take(which) - runs_start).repeat(lengths) + steps
        wrong = (codes.take(page) != self.codes.take(own)).nonzero()[0]
        if len(wrong):
            keep = np.ones(len(found), bool)
            keep[ends_of_runs.searchsorted(wrong, side="right")] = False
            found, which = found[keep], which[keep]
        return found, which


class PageScanner:
    """Counts pages' texts (`counts`); keeps a WordTable per stoplist met, and the hash's powers.

    A page's texts are counted `chunk_chars` characters at a time at most: the arrays take some
    50 bytes a character while they are counted (and the powers 16, kept), a page can be tens
    of megabytes (--max-bytes), and a batch's texts are counted together (units.prepare_pages:
    some 330,000 characters a batch of the 20 MB bench corpus). At 131,072 characters (6.5 MB
    of arrays) a chunk's fixed cost is still about 1/50 of its counting; a 1-worker run's peak
    RSS was 174.5 MB, against 180 with chunks of 1 M characters and 170 before batches.
    """

    def __init__(self, chunk_chars: int = 1 << 17) -> None:
        self.chunk_chars = chunk_chars
        self._powers = _Powers()
        self._tables: dict[frozenset[str] | None, WordTable] = {}
        self._classes: np.ndarray | None = None
        self._folds = np.zeros(0, np.uint32)

    def table(self, stopwords: frozenset[str] | None) -> WordTable:
        """The WordTable of a stoplist: built (4-35 ms, for 200-7,000 words) or read from the
        start-up cache (cache.py) on the first page with it."""
        from ..cache import cached

        table = self._tables.get(stopwords)
        if table is None:
            key = "\0".join(sorted(stopwords)) if stopwords is not None else ""
            table = self._tables[stopwords] = cached("word-table", key, lambda: WordTable(stopwords))
        return table

    def counts(self, texts: Sequence[str], stopwords: frozenset[str] | None) -> list[TextCounts | None] | None:
        """The TextCounts of each of `texts` (`can_scan`), None for a text with an UNFOLDED
        character; None when the stoplist's words cannot be told apart by their hashes (then
        count the plain way)."""
        table = self.table(stopwords)
        if not table.usable:
            return None
        if not texts:
            return []
        counts: list[TextCounts | None] = []
        start = chars = 0
        for end, text in enumerate(texts):
            if chars + len(text) > self.chunk_chars and end > start:
                counts += self._count(texts[start:end], stopwords, table)
                start, chars = end, 0
            chars += len(text)
        return counts + self._count(texts[start:], stopwords, table)

    def _count(self, texts: Sequence[str], stopwords: frozenset[str] | None,
               table: WordTable) -> list[TextCounts | None]:
        if self._classes is None:
            self._classes, self._folds = character_classes(), case_folds()
        codes = _code_points(texts)
        classes = self._classes.take(codes)
        # the casefolded texts, where no character is UNFOLDED (the others' are discarded):
        # their words are the folded words (signals.folded_words), and each character has its
        # original's classes but UPPER (tests/test_classifier_page_scan.py)
        folded = self._folds.take(codes)
        lowered = folded.tobytes().decode("utf-32-le", "surrogatepass")
        codes = folded.astype(np.intp)
        offsets = _starts(texts)
        sums = np.add.reduceat(_PACKED.take(classes), offsets[:-1]).tolist()
        starts, ends = _word_spans(classes)
        bounds = starts.searchsorted(offsets)
        capitals = _per_text(classes.take(starts) & UPPER, bounds)
        # a word is all digits when none of its characters is a word character but no digit
        letters = ((classes & (WORD_CHARACTER | DIGIT)) == WORD_CHARACTER).cumsum()
        digit_words = _per_text(letters.take(ends - 1) == letters.take(starts - 1), bounds)
        found, which = table.find(codes, starts, ends, _hashes(codes, starts, ends, self._powers))
        # the text of each found word, from its number among the words
        text_of = bounds.searchsorted(found, side="right") - 1
        stops = (np.bincount(text_of[table.stop.take(which)], minlength=len(texts)).tolist()
                 if stopwords is not None else [None] * len(texts))
        voice: list[tuple[str, ...]] = [()] * len(texts)
        spoken = table.voice.take(which)
        if spoken.any():
            by_text: dict[int, list[str]] = {}
            for text, word in zip(text_of[spoken].tolist(), which[spoken].tolist()):
                by_text.setdefault(text, []).append(table.words[word])
            for text, words in by_text.items():
                voice[text] = tuple(words)
        field, mask, bounds = _FIELD_BITS, MAX_CHARS, bounds.tolist()
        return [None if packed >> 3 * field else
                TextCounts(bounds[i + 1] - bounds[i], packed & mask, (packed >> field) & mask, stops[i],
                           (packed >> 2 * field) & mask, voice[i], capitals[i], digit_words[i],
                           lowered[offsets[i]:offsets[i + 1] - 1])
                for i, packed in enumerate(sums)]


def _per_text(flags: np.ndarray, bounds: np.ndarray) -> list[int]:
    """How many of each text's words have their flag set: `flags` a word each, text i's words
    being `bounds[i]:bounds[i + 1]`."""
    running = np.zeros(len(flags) + 1, np.intp)
    np.cumsum(flags != 0, out=running[1:])
    counts: list[int] = np.diff(running.take(bounds)).tolist()
    return counts


def can_scan(text: str) -> bool:
    """May `text` be given to `PageScanner.counts`? (Which still leaves a text with an
    UNFOLDED character to the plain way.)"""
    return len(text) <= MAX_CHARS and text.strip() == text
