"""How the language stage tells a page's language (stages/language.py says when and on what):
the stoplists' vote, then langdetect's probabilities as VectorDetector computes them from
profiles kept in the start-up cache.

Imported where pages are detected, when the language stage first needs it (it subclasses
langdetect's Detector, so importing it imports langdetect): the main process of a run on
several workers, which only coordinates, never does.
"""
from __future__ import annotations

import functools
import itertools
import math
import random
import re
import threading
from typing import Any, Container, Iterable

import numpy as np
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram

from .classifier.stoplists import JUSTEXT_NAMES, Stoplists, stoplist_directory
from .dedup.arrays import distinct
from .stages.language import VOTE_MARGIN, VOTE_MIN_SHARE, VOTE_MIN_WORDS

_WORD = re.compile(r"\w+")
# a letter outside Basic Latin, Latin-1, Latin Extended-A/B and Latin Extended Additional
_NON_LATIN_LETTER = r"[^\W\d_A-Za-z\u00c0-\u024f\u1e00-\u1eff]"
_NON_LATIN_WORD = re.compile(rf"^.*{_NON_LATIN_LETTER}.*$", re.MULTILINE)  # in words one a line


def _non_latin(words: frozenset[str]) -> set[str]:
    """The words not written in the Latin script (the Latin ones: "the", "für", "được").
    One search over them all: a search per word took 0.2 s of every run's start."""
    return set(_NON_LATIN_WORD.findall("\n".join(words)))


def _vote_lists(stoplists: Stoplists) -> list[tuple[str, frozenset[str]]]:
    """Each langdetect code's stoplist, in code order, as the vote reads it."""
    lists = []
    for code in sorted(JUSTEXT_NAMES):
        words = stoplists.get(code) or frozenset()
        latin = words - _non_latin(words)
        if len(latin) * 2 < len(words):
            # a list in another script (Marathi, Telugu, Russian...) holds English words
            # gathered with its text: "the" is on Marathi's list. They say nothing about it.
            words = words - latin
        lists.append((code, words))
    return lists


def _stoplists_key() -> str:
    """What jusText's lists depend on besides the code: their files' sizes and times of change."""
    folder = stoplist_directory()
    if folder is None:
        return "no stoplists"
    entries = [str(folder)]
    for name in sorted(JUSTEXT_NAMES.values()):
        path = folder / f"{name}.txt"
        stat = path.stat() if path.is_file() else None
        entries.append(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}" if stat else f"{name}\0missing")
    return "\n".join(entries)


class StopwordVote:
    """Which language's stoplist covers a text's words best, and by how much.

    Built once from every jusText list a langdetect code maps to (`JUSTEXT_NAMES`): one
    dictionary from a word to the languages listing it, so a vote is a lookup per word."""

    def __init__(self, stoplists: Stoplists | None = None):
        """`stoplists`: where the lists come from; by default jusText's, read once and their
        index kept in the start-up cache (corpusclean/cache.py: 0.03 CPU-s instead of 0.1)."""
        if stoplists is None:
            from .cache import cached

            self.index = cached("stopword-vote", _stoplists_key(), lambda: VoteIndex(_vote_lists(Stoplists())))
        else:
            self.index = VoteIndex(_vote_lists(stoplists))
        self._codes = self.index.codes
        #: listed word -> the numbers (in `_codes`) of the languages listing it, and the weight
        #: of its vote for each: one look-up a word (working a word's languages out from the
        #: lists when first met cost 20 us a word inside a run, a tenth of the stage)
        alone: list[tuple[tuple[int, ...], float]] = [((number,), 1.0) for number in range(len(self._codes))]
        alone += [((), 0.0)] * (256 - len(alone))   # VoteIndex.SEVERAL: `several` says
        votes = list(map(alone.__getitem__, self.index.single))
        for word, numbers in self.index.several.items():
            votes[word] = (numbers, 1.0 / len(numbers))
        self._votes: dict[str, tuple[tuple[int, ...], float]] = dict(zip(self.index.words.split("\n"), votes))

    def decide(self, sample: str) -> dict[str, Any] | None:
        """The language when one list clearly wins (see the VOTE_ constants), else None.

        jusText's lists were gathered from real text and many hold common English words ("the"
        is on a dozen of them, Marathi's and Finnish's among them), so a word counts for each
        language listing it in inverse proportion to how many do: the words only one list
        has ("which", "nicht", "également") decide, the shared ones barely move the vote.
        The winner must also cover VOTE_MIN_SHARE of the words by itself: running prose."""
        words = _WORD.findall(sample.casefold())
        if len(words) < VOTE_MIN_WORDS:
            return None
        found = [votes for votes in map(self._votes.get, words) if votes is not None]   # the listed words'
        if not found:
            return None
        # a language's score by its number: a list index costs less than a dict's look-up by
        # code, a few hundred times a sample (a score is still its words' weights added one
        # after the other; 0.0 + weight is the weight)
        scores = [0.0] * len(self._codes)
        for numbers, weight in found:
            for number in numbers:
                scores[number] += weight
        score = max(scores)
        best = scores.index(score)   # the first in code order of the best
        scores[best] = 0.0
        runner_up = max(scores)   # 0.0: no other list holds a word
        if score < VOTE_MARGIN * max(runner_up, 1.0):
            return None
        hits = sum([best in numbers for numbers, _ in found])   # the words on the winner's list
        if hits < VOTE_MIN_SHARE * len(words):
            return None
        return {"code": self._codes[best], "method": "stopwords", "stopwords": round(hits / len(words), 3),
                "margin": round(score / max(runner_up, 1.0), 1)}


class VoteIndex:
    """The stoplists as the vote reads them, in a form the start-up cache loads fast: the
    codes in order, every listed word (a line each: one string unpickles faster than
    109,000), and which languages list each word: most are on one list (`single`: a byte a
    word, that language's number), the others SEVERAL there and their numbers in `several`."""

    SEVERAL = 255

    def __init__(self, lists: list[tuple[str, frozenset[str]]]):
        if len(lists) >= self.SEVERAL:
            raise ValueError(f"{len(lists)} stoplists: a language's number must fit in a byte")
        self.codes = [code for code, _ in lists]
        words = sorted(frozenset().union(*(listed for _, listed in lists)))
        if any("\n" in word for word in words):
            raise ValueError("a stoplist word holds a line break")
        self.words = "\n".join(words)
        languages = [tuple(number for number, (_, listed) in enumerate(lists) if word in listed) for word in words]
        self.single = bytes(numbers[0] if len(numbers) == 1 else self.SEVERAL for numbers in languages)
        self.several = {word: numbers for word, numbers in enumerate(languages) if len(numbers) > 1}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VoteIndex) and (self.codes, self.words, self.single, self.several) == \
            (other.codes, other.words, other.single, other.several)


class VectorDetector(Detector):  # type: ignore[misc]  # langdetect ships no type information
    """langdetect's Detector with its per-character steps (`append`, `cleaning_text`, n-gram
    extraction) done with regular expressions, `str.translate` and a memo per word, and its
    random trials run on numpy arrays over random draws made in advance.

    Each step does the same IEEE operations in the same order as langdetect's: the elementwise
    add, multiply and divide of its loops, the sum still Python's own `sum` (numpy's pairs
    its terms), the random draws those of its seeded `random.Random`. So the probabilities are the same bit
    for bit (tests/test_language.py compares them): the 55-language loop ran in Python once
    per sampled n-gram, about a thousand times a page."""

    text: str   # what langdetect keeps of the appended text (set by Detector.__init__)

    def __init__(self, factory: Any, shared: "DetectorTables | None" = None):
        """`shared`: the tables to share with the other detectors of a process, made for this
        `factory` (fresh ones if None)."""
        super().__init__(factory)
        self._shared = shared if shared is not None else DetectorTables(factory)
        self.word_lang_prob_map = factory.word_lang_prob_map   # for langdetect's own loop, if used

    def append(self, text: str) -> None:
        """`Detector.append`: URLs and e-mail addresses become spaces, Vietnamese letters and
        their combining marks are composed, and of a run of spaces only the first is kept."""
        text = self.URL_RE.sub(" ", text)
        text = self.MAIL_RE.sub(" ", text)
        text = NGram.normalize_vi(text)[: self.max_text_length]
        # langdetect keeps a space unless the character before it in `text` was one
        self.text += _SPACE_RUN.sub(" ", text)

    def cleaning_text(self) -> None:
        """`Detector.cleaning_text`: a text with more than twice as many characters from U+0300
        on as ASCII letters loses its ASCII letters ('A' to 'z', as langdetect counts them).
        (langdetect meant to leave Latin Extended Additional out of the second count, but
        compares a block number with a block name, so every such character counts.)"""
        text = self.text
        if len(_ASCII_LETTERS.findall(text)) * 2 < len(_FROM_U0300.findall(text)):
            self.text = _ASCII_LETTERS.sub("", text)

    def _extract_ngrams(self) -> list[str]:
        """`Detector._extract_ngrams`: the 1-, 2- and 3-grams the profiles know, in langdetect's
        order. langdetect's NGram state machine starts afresh at every space, so a word (what
        lies between two spaces once each character is normalised as NGram.normalize does)
        gives the same n-grams wherever it stands (`word_ngrams`).

        Detection never calls this (it numbers the n-grams on arrays: `_ngram_rows`): it is
        the plain definition, word by word, that tests/test_language.py holds both to."""
        known = self._shared.probabilities.row  # a dict answers `in` as a set would
        result: list[str] = []
        for word, space_after in self._words():
            result += word_ngrams(word, space_after, known)
        return result

    def _ngram_rows(self) -> np.ndarray:
        """The numbers (`_Probabilities.row`) of `_extract_ngrams()`'s n-grams, in order
        (`DetectorTables.ngram_numbers`)."""
        return self._shared.ngram_numbers(self.text)

    def _words(self) -> list[tuple[str, bool]]:
        """The normalised text's words, each with whether a space follows it."""
        words = self.text.translate(self._shared.normal).split(" ")
        # every word but the last has a space after it; empty ones (two spaces) give nothing
        return [(word, True) for word in words[:-1] if word] + ([(words[-1], False)] if words[-1] else [])

    def _detect_block(self) -> None:
        """langdetect's `Detector._detect_block`, step for step, on numpy arrays.

        Every detection seeds `random.Random` afresh with the same seed, so every page reads
        the same stream of random words, from its start (`RandomStream`): which n-gram each
        `random.choice` picks is known before the trial runs (`Draws`), so each trial gathers
        its n-grams' rows in one index and multiplies the five draws between two
        normalisations in with one `np.multiply.reduce` (in order: the same products).
        (Were this Python's `random.choice` or `random.gauss` ever to draw otherwise,
        langdetect's own loop runs instead: slower, but still its answer.)"""
        if not self._shared.stream.draws_as_python():
            super()._detect_block()
            return
        self.cleaning_text()
        numbers = self._ngram_rows()   # each n-gram's number, for each n-gram in the text
        if not len(numbers):
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        table, rows = self._shared.gather(numbers)   # and its row of `table`
        stream = self._shared.stream
        draws = Draws(stream, len(rows))
        languages = len(self.langlist)
        initial = np.full(languages, 1.0 / languages)  # _init_probability: [1.0 / n] * n
        langprob = np.zeros(languages)
        at = 0                            # the next unread word of the stream
        gauss_next: float | None = None   # random.gauss makes its values two at a time
        for _ in range(self.n_trial):
            if gauss_next is None:
                z, gauss_next = stream.gauss_pair(at)
                at += 4                    # two random() calls, two words each
            else:
                z, gauss_next = gauss_next, None
            # random.gauss(0.0, 1.0) returns 0.0 + z * 1.0, which is z (a -0.0 would become
            # 0.0, which changes nothing once added to alpha)
            alpha = self.alpha + z * self.ALPHA_WIDTH
            first = draws.first_at(at)
            prob, used = self._trial(initial, alpha / self.BASE_FREQ, table, rows, draws, first)
            at = draws.position(first + used - 1) + 1
            langprob += prob / self.n_trial
        self.langprob = langprob.tolist()

    def _trial(self, initial: np.ndarray, weight: float, table: np.ndarray, rows: np.ndarray, draws: "Draws",
               first: int) -> tuple[np.ndarray, int]:
        """One of langdetect's trials from draw `first` on: the probabilities it ends with,
        and how many draws it made. langdetect multiplies each drawn n-gram's `weight +
        probabilities` in, normalising after the first draw and every fifth after it, and
        stops when one language passes CONV_THRESHOLD or after ITERATION_LIMIT draws."""
        work = self._shared.work()
        # the first draw alone: langdetect normalises after it
        prob = initial * (weight + table[rows[draws.value(first)]])
        values = prob.tolist()
        total = sum(values)  # Python's sum, as langdetect's
        prob /= total
        if max(values) / total > self.CONV_THRESHOLD:   # langdetect's max(0.0, ...): all positive
            return prob, 1
        done = 1
        blocks, pairs = work.blocks, work.pairs
        size = len(pairs)
        converged = self.CONV_THRESHOLD
        # max() over 55 values, once per five draws, cost more than the numpy product. But no
        # language passes CONV_THRESHOLD (0.99999) while another holds a thousandth of the
        # total (together they would make more than the total, a sum of positive numbers
        # exact to within 1e-14): while `leader` (the largest when last looked for) holds
        # that much, its share alone says whether the trial has converged
        leader = 0
        running = work.running
        while True:
            # the next `size` blocks of five draws, each block's slot 0 left for the
            # probabilities it starts from
            picked = draws.values(first + done, 5 * size)
            gathered = table[rows[picked]]
            gathered += weight   # weight + probabilities: addition commutes exactly
            blocks[:size, 1:] = gathered.reshape(size, 5, -1)
            blocks[0, 0] = prob
            for block, out in pairs:
                _PRODUCT(block, 0, None, out)  # ((p * f1) * f2) ... * f5, as langdetect's loop
                if _SUM_IN_ORDER:   # Python's sum, as langdetect's: the last running total
                    _ACCUMULATE(out, 0, None, running)
                    total = running.item(-1)
                else:
                    total = sum(out.tolist())
                lead = out.item(leader)
                if lead < 0.001 * total:   # it no longer leads: which does? (the first of the largest)
                    leader = int(out.argmax())
                    lead = out.item(leader)
                _DIVIDE(out, total, out)
                done += 5
                # langdetect's i is the draw's index: done - 1; it stops when i reaches the limit
                if lead / total > converged or done - 1 >= self.ITERATION_LIMIT:
                    return out.copy(), done
            prob = blocks[size, 0].copy()


#: np.multiply.reduce and np.divide, called with positional arguments: numpy parses keyword
#: arguments at about a microsecond a call, twice per five draws
_PRODUCT = np.multiply.reduce
_DIVIDE = np.divide
_ACCUMULATE = np.add.accumulate
#: whether Python's `sum` of floats adds them one after the other, as np.add.accumulate does
#: (CPython before 3.12; 3.12 compensates for rounding, and then `sum` itself is called)
_SUM_IN_ORDER = sum([1e16, 1.0, -1e16]) == 0.0


class DetectorTables:
    """What the VectorDetectors of a process share: the profiles' probabilities of the
    n-grams met so far (`gather`), the normal form and case of each character met and the
    stream of random words (each only ever added to, under a lock where two threads could
    add at once: threads detecting at once with the same tables are safe)."""

    def __init__(self, factory: Any):
        self.probabilities: _Probabilities = factory.word_lang_prob_map
        self._languages = len(factory.langlist)
        self.normal = _NormalForms()
        self._upper = _UpperFlags()
        self.stream = RandomStream(factory.seed)
        #: the probabilities of the n-grams met, a row each, in the order they were met: room
        #: for every n-gram, but the memory of a row is only taken when it is written to
        #: (numpy asks the system for zeroed memory, given page by page as it is touched) ...
        self._table = np.zeros((self.probabilities.count, self.probabilities.size))
        self._rows = 0
        #: ... and each n-gram's row there by its number (-1: not met yet)
        self._row_of = np.full(self.probabilities.count, -1, dtype=np.int64)
        self._lock = threading.Lock()
        self._own = threading.local()   # each thread's _TrialWork

    def work(self) -> "_TrialWork":
        """This thread's work array (a detection writes to it: threads never share one)."""
        work: _TrialWork | None = getattr(self._own, "work", None)
        if work is None:
            work = self._own.work = _TrialWork(self._languages)
        return work

    def gather(self, numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A table holding the probabilities of the n-grams numbered `numbers`, and their
        rows in it."""
        with self._lock:
            rows = self._row_of[numbers]
            new = rows < 0
            if new.any():
                self._add(distinct(numbers[new]))   # np.unique's, without importing numpy.ma (arrays.distinct)
                rows = self._row_of[numbers]
            return self._table, rows

    def _add(self, numbers: np.ndarray) -> None:
        end = self._rows + len(numbers)
        self.probabilities.fill(self._table, self._rows, numbers)
        self._row_of[numbers] = np.arange(self._rows, end)
        self._rows = end

    def ngram_numbers(self, text: str) -> np.ndarray:
        """The numbers of the n-grams langdetect's `_extract_ngrams` finds in `text`, in its
        order, worked out on arrays of code points instead of character by character.

        NGram, once `text` is normalised, looks up at each character c (after p, after q):
        c, pc and qpc, the last only if p is no space, and none of them if c and p are both
        capitals (`capitalword`); at a space after a character, p + " " and qp + " "; at a
        space after a space, nothing. The text starts after a space. An n-gram is its code
        points written 21 bits apart (`_Probabilities.keys`), and found by a binary search."""
        padded = " " + text.translate(self.normal)
        codes = np.frombuffer(padded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
        capital = np.frombuffer(padded.translate(self._upper).encode("ascii"), dtype=np.bool_)
        space = codes == _SPACE
        after_char = ~space[:-1]                              # the one before is no space
        counted = ~space[1:] & ~(capital[1:] & capital[:-1])   # a character NGram counts
        ends_word = space[1:] & after_char                     # a space after a character
        pairs = (codes[:-1] << 21) | codes[1:]
        triples = np.zeros_like(pairs)   # (none at the first character: a space is before it)
        triples[1:] = (codes[:-2] << 42) | pairs[1:]
        keys = np.stack((codes[1:], pairs, triples), axis=1)
        looked_up = np.stack((counted, counted | ends_word, (after_char & counted) | ends_word), axis=1)
        keys = keys[looked_up]   # character after character, each one's 1-, 2- and 3-gram
        known = self.probabilities.keys
        at = np.searchsorted(known, keys)
        np.minimum(at, len(known) - 1, out=at)
        return self.probabilities.key_numbers[at[known[at] == keys]]  # type: ignore[no-any-return]


def word_ngrams(word: str, space_after: bool, known: Container[str]) -> list[str]:
    """The n-grams langdetect's NGram gives for a word (normalised, no spaces) that follows a
    space or starts the text, and, with `space_after`, for the space after it: the ones of
    `word_windows` the profiles know. (What `_extract_ngrams`, the definition the tests
    hold detection to, reads; detection itself numbers n-grams on arrays: `DetectorTables.ngram_numbers`.)"""
    return [window for window in word_windows(word, space_after) if window in known]


def word_windows(word: str, space_after: bool) -> list[str]:
    """What langdetect's NGram looks up, in order, on " " + word (+ " "): at each character
    the last one, two and three characters since the space, nothing while two capitals
    follow each other (NGram.capitalword), and at the space after the last two and three.
    Some of them no profile holds (the first character's window with two spaces in front)."""
    # a second space in front gives the first character a three-character window too, which
    # no profile holds (none holds two spaces): NGram has none there
    padded = "  " + word
    positions: Iterable[int] = range(2, len(padded))
    if any(map(str.isupper, word[1:])):   # a first capital follows the space: it never counts
        positions = [i for i in positions if not (padded[i].isupper() and padded[i - 1].isupper())]
    windows = [window for i in positions for window in (padded[i], padded[i - 1: i + 1], padded[i - 2: i + 1])]
    if space_after:
        last = padded[-2:] + " "   # NGram keeps the last three characters: two and the space
        windows += (last[1:], last)
    return windows


class _UpperFlags(dict):  # type: ignore[type-arg]
    """A `str.translate` table: "\\x01" for a character `str.isupper` calls a capital, else
    "\\x00", worked out the first time it is met."""

    def __missing__(self, code: int) -> str:
        flag = self[code] = "\x01" if chr(code).isupper() else "\x00"
        return flag


class _NormalForms(dict):  # type: ignore[type-arg]
    """A `str.translate` table: each character's NGram.normalize form, worked out the first
    time it is met (the characters a process meets are bounded by Unicode)."""

    def __missing__(self, code: int) -> str:
        normal = self[code] = str(NGram.normalize(chr(code)))
        return normal


class _TrialWork:
    """The trials' work array: blocks of six rows (the probabilities a block starts from,
    then its five draws' factors), each block's product written into slot 0 of the next, and
    the (block, slot) views the loop reads, made once."""

    BLOCKS = 40   # draws gathered at a time: 200 (a trial makes about 150)

    def __init__(self, languages: int):
        self.blocks = np.zeros((self.BLOCKS + 1, 6, languages))
        self.pairs = [(self.blocks[b], self.blocks[b + 1, 0]) for b in range(self.BLOCKS)]
        self.running = np.zeros(languages)   # a block's running sums


class RandomStream:
    """The 32-bit words `random.Random(seed)` gives, in order, as a numpy array made longer
    when a detection reads past its end. Every one of Python's random draws is made from
    these words: `getrandbits(k)` (k <= 32) is one word shifted right by 32 - k,
    `random()` is two words made into a float."""

    def __init__(self, seed: int):
        self.seed = seed
        self._random = random.Random(seed)
        self.words = np.zeros(0, dtype=np.uint32)
        self._as_python: bool | None = None

    def draws_as_python(self) -> bool:
        """Whether this Python's `random.gauss` and `random.choice` make their values from
        the words as `gauss_pair` and `Draws` do (CPython's have since 3.2): checked once, on
        draws such as a detection makes."""
        if self._as_python is None:
            self._as_python = self._check_draws()
        return self._as_python

    def _check_draws(self) -> bool:
        theirs = random.Random(self.seed)
        at = 0
        for n in (1, 2, 3, 55, 1000, 4097):
            if self.gauss_pair(at) != (theirs.gauss(0.0, 1.0), theirs.gauss(0.0, 1.0)):
                return False
            draws = Draws(self, n)
            first = draws.first_at(at + 4)
            if draws.values(first, 50).tolist() != [theirs.choice(range(n)) for _ in range(50)]:
                return False
            at = draws.position(first + 49) + 1
        return True

    def upto(self, end: int) -> np.ndarray:
        """The words, at least `end` of them."""
        if end > len(self.words):
            more = max(end - len(self.words), len(self.words), 4096)
            made = np.frombuffer(self._random.randbytes(4 * more), dtype="<u4")  # words in order
            self.words = np.concatenate((self.words, made))
        return self.words

    def uniform(self, at: int) -> float:
        """`random.random()` from the words at `at` and `at + 1` (CPython's random_random)."""
        words = self.upto(at + 2)
        a, b = int(words[at]) >> 5, int(words[at + 1]) >> 6
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0)

    def gauss_pair(self, at: int) -> tuple[float, float]:
        """The two normal values `random.gauss` makes from the four words at `at`: the one it
        returns and the one it keeps for its next call."""
        x2pi = self.uniform(at) * _TWOPI
        g2rad = math.sqrt(-2.0 * math.log(1.0 - self.uniform(at + 2)))
        return math.cos(x2pi) * g2rad, math.sin(x2pi) * g2rad


class Draws:
    """Where `random.choice(seq)` lands, for a `len(seq)` of n, when it reads the stream:
    `_randbelow` takes a word's top n.bit_length() bits and tries the next word while they
    are n or more. Accepted draws are found a few thousand words at a time."""

    SCAN = 2048

    def __init__(self, stream: RandomStream, n: int):
        self._stream, self._n, self._shift = stream, n, 32 - n.bit_length()
        self._scanned = 0
        self.positions = np.zeros(0, dtype=np.int64)   # each accepted draw's word
        self.choices = np.zeros(0, dtype=np.int64)     # and the index it picks

    def _scan(self) -> None:
        start = self._scanned
        self._scanned += self.SCAN
        top = self._stream.upto(self._scanned)[start: self._scanned] >> np.uint32(self._shift)
        accepted = np.flatnonzero(top < self._n)
        self.positions = np.concatenate((self.positions, accepted + start))
        self.choices = np.concatenate((self.choices, top[accepted].astype(np.int64)))

    def first_at(self, at: int) -> int:
        """The number of the first draw made from word `at` on."""
        while not len(self.positions) or self.positions[-1] < at:
            self._scan()
        return int(np.searchsorted(self.positions, at))

    def position(self, draw: int) -> int:
        """The word draw number `draw` was made from."""
        while len(self.positions) <= draw:
            self._scan()
        return int(self.positions[draw])

    def value(self, draw: int) -> int:
        return int(self.values(draw, 1)[0])

    def values(self, first: int, count: int) -> np.ndarray:
        """The indices draws `first` to `first + count - 1` pick."""
        while len(self.choices) < first + count:
            self._scan()
        return self.choices[first: first + count]


_SPACE_RUN = re.compile(" {2,}")
_SPACE = ord(" ")
_ASCII_LETTERS = re.compile("[A-z]")           # langdetect's 'A' <= ch <= 'z', [ \ ] ^ _ ` included
_FROM_U0300 = re.compile("[^\x00-\u02ff]")   # U+0300 on (the range written out took 7 ms to compile)
_TWOPI = 2.0 * math.pi   # random.py's TWOPI


class Profiles:
    """What a langdetect Detector takes from its DetectorFactory (`langlist`, `seed`,
    `word_lang_prob_map`), read once and kept in the start-up cache (corpusclean/cache.py).

    `DetectorFactory.load_profile` builds, up front, a Python list of 55 probabilities for
    each of the 87,598 n-grams of its profiles: 0.33 CPU-s of every run's start. This reads
    the same files in the same order (the order fixes each language's index) and does the
    same arithmetic, for all n-grams at once in numpy, so the probabilities are the same
    floats (tests/test_language.py compares them with langdetect's own factory): 0.15 CPU-s
    read afresh, 0.002 from the cache (arrays, and the n-grams as one string: `_read_profiles`)."""

    def __init__(self, directory: str, seed: int):
        from .cache import cached

        self.seed = seed
        self.langlist, ngrams, size, sparse, keys = cached("profiles", _profiles_key(directory),
                                                           lambda: _read_profiles(directory))
        self.word_lang_prob_map = _Probabilities(ngrams, size, sparse, keys)


def _profiles_key(directory: str) -> str:
    """What the profiles read from `directory` depend on besides the code: its files, in
    langdetect's order (os.listdir's), each with its size and time of change."""
    import os

    entries = []
    for name in os.listdir(directory):
        stat = os.stat(os.path.join(directory, name))
        entries.append(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return "\n".join([os.path.abspath(directory), *entries])


#: the non-zero probabilities of n-gram number i are `values[first[i]:first[i + 1]]`, of the
#: languages `columns[first[i]:first[i + 1]]` (in language order)
Sparse = tuple[np.ndarray, np.ndarray, np.ndarray]   # (first, columns, values)


def _read_profiles(directory: str) -> tuple[list[str], str, int, Sparse, tuple[np.ndarray, np.ndarray]]:
    """langdetect's profiles as DetectorFactory.load_profile and add_profile read them: the
    languages in os.listdir's order, every profile's n-grams (in the order the profiles
    first list them, a line each: one string unpickles in a fraction of the time 87,598 do),
    the vectors' length (the folder's entries, as langdetect counts them), the non-zero
    probabilities, n-gram after n-gram (`Sparse`): a count divided by the profile's total
    for the n-gram's length (none for longer n-grams), and the n-grams' keys (`_keys`)."""
    import json
    import os

    names = os.listdir(directory)
    langlist: list[str] = []
    profiles: list[tuple[dict[str, int], list[int]]] = []
    for name in names:
        path = os.path.join(directory, name)
        if name.startswith(".") or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        langlist.append(data["name"])
        profiles.append((data["freq"], data["n_words"]))
    ngrams = list(dict.fromkeys(itertools.chain.from_iterable(freq for freq, _ in profiles)))
    number = dict(zip(ngrams, range(len(ngrams))))
    rows, columns, values = [], [], []
    for language, (freq, n_words) in enumerate(profiles):
        lengths = np.fromiter(map(len, freq), dtype=np.int64, count=len(freq))
        kept = (lengths >= 1) & (lengths <= 3)
        counts = np.fromiter(freq.values(), dtype=np.float64, count=len(freq))
        totals = np.array([np.nan, *n_words[:3]], dtype=np.float64)   # by length: n_words[n - 1]
        row = np.fromiter(map(number.__getitem__, freq), dtype=np.int64, count=len(freq))
        rows.append(row[kept])
        columns.append(np.full(int(kept.sum()), language, dtype=np.int64))
        # IEEE division is correctly rounded, in numpy as in Python: 1.0 * count / total
        values.append(counts[kept] / totals[lengths[kept]])
    row, column = np.concatenate(rows), np.concatenate(columns)
    order = np.lexsort((column, row))   # n-gram after n-gram, each one's languages in order
    first = np.concatenate(([0], np.cumsum(np.bincount(row, minlength=len(ngrams))))).astype(np.int32)
    sparse = (first, column[order].astype(np.int16), np.concatenate(values)[order])
    if any("\n" in ngram for ngram in ngrams):
        raise ValueError(f"an n-gram of the profiles in {directory} holds a line break")
    return langlist, "\n".join(ngrams), len(names), sparse, _keys(ngrams)


def _keys(ngrams: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each n-gram's code points written 21 bits apart (all of Unicode fits in 21 bits: a
    1-gram's key is below 2**21, a 2-gram's below 2**42, as no code point is 0), in order,
    and the number of the n-gram each key is. n-grams that normalised text cannot hold
    (longer than three characters, or with a NUL, which NGram makes a space) have none."""
    keys, numbers = [], []
    for number, ngram in enumerate(ngrams):
        if 1 <= len(ngram) <= 3 and "\0" not in ngram:
            key = 0
            for char in ngram:
                key = (key << 21) | ord(char)
            keys.append(key)
            numbers.append(number)
    order = np.argsort(np.array(keys, dtype=np.int64), kind="stable")
    return np.array(keys, dtype=np.int64)[order], np.array(numbers, dtype=np.int64)[order]


class _Probabilities:
    """n-gram -> its probability in each language, as DetectorFactory.add_profile makes it:
    the n-grams are numbered, and their non-zero probabilities kept as they come from the
    start-up cache (`Sparse`, 2.5 MB). A dense table of all 87,598 n-grams (55 floats each,
    38 MB) took 0.01-0.09 CPU-s of every run's start to fill, most of it the kernel handing
    over zeroed pages, to use a tenth of its rows (`DetectorTables.gather` fills the ones met).
    Detection finds n-grams by their keys (`keys`, sorted, and `key_numbers`); `row`, a
    dict from each n-gram to its number, is made only if asked for (by `_extract_ngrams`,
    the definition the tests hold detection to, and langdetect's own loop)."""

    def __init__(self, ngrams: str, size: int, sparse: Sparse, keys: tuple[np.ndarray, np.ndarray]):
        self.size = size
        self._ngrams = ngrams
        self.first, self.columns, self.values = sparse
        self.count = len(self.first) - 1   # n-grams
        self.keys, self.key_numbers = keys

    @functools.cached_property
    def row(self) -> dict[str, int]:
        """Every profile's n-gram -> its number (a dict answers `in` as a set would)."""
        ngrams = self._ngrams.split("\n")
        return dict(zip(ngrams, range(len(ngrams))))

    def __contains__(self, ngram: object) -> bool:
        return ngram in self.row

    def __getitem__(self, ngram: str) -> list[float]:
        return self.rows(np.array([self.row[ngram]])).tolist()[0]  # type: ignore[no-any-return]

    def rows(self, numbers: np.ndarray) -> np.ndarray:
        """The probabilities of the n-grams numbered `numbers`, a row each."""
        table = np.zeros((len(numbers), self.size))
        self.fill(table, 0, numbers)
        return table

    def fill(self, table: np.ndarray, at: int, numbers: np.ndarray) -> None:
        """Write the probabilities of the n-grams numbered `numbers` into `table`'s rows from
        `at` on (rows still all zeros)."""
        starts = self.first[numbers].astype(np.int64)
        counts = self.first[numbers + 1] - starts
        ends = np.cumsum(counts)
        # each non-zero probability's place in `values`: its n-gram's start, then on
        taken = np.repeat(starts - (ends - counts), counts) + np.arange(ends[-1] if len(ends) else 0)
        table[np.repeat(np.arange(at, at + len(numbers)), counts), self.columns[taken]] = self.values[taken]
