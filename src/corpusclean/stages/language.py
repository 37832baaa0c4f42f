"""The language stage: which language is this page written in, and should the corpus keep it?

Detection runs once per page on the lines most likely to be the article: the longest lines
that end like sentences. Menus and footers are mostly English on sites of every language
("Home", "Login", "Facebook"), so feeding them in would pull pages towards English. The result
goes into the report (`language`), chooses the classifier's stoplist, and, with `--lang`,
decides whether the page is kept at all.

Two detectors, cheapest first. Running prose is about half function words, and jusText's
stoplists (the ones the classifier uses) name them for fifty of langdetect's languages: when
one language's list covers a large share of the sample's words and several times the share of
any other list, that language is the answer (`"method": "stopwords"`), for the cost of a
dictionary lookup per word. Otherwise (close languages whose lists overlap, scripts without
spaces, languages with no list, text with few function words) langdetect decides
(`"method": "langdetect"`, with its probability); it costs about 7 ms a page, most of a run's
time before this shortcut. On the dev sets and a multilingual sample the two agree on every
page the shortcut answers (`benchmarks/language_agreement.py`).

langdetect draws random samples; our detector factory has its own fixed seed, so the same page
always gets the same answer, in any process, without touching langdetect's global factory.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Sequence

import click
import numpy as np
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram

from ..classifier.stoplists import JUSTEXT_NAMES, Stoplists
from ..model import Document
from .base import RuleInfo, Stage

if TYPE_CHECKING:
    from ..config import RunConfig

#: the page is `unknown` (and kept) when its likeliest-content text has fewer letters than this
MIN_LETTERS = 40
#: how much text langdetect sees: enough to be sure, little enough to stay fast
SAMPLE_CHARS = 400
#: below this probability the best guess is not trusted and the page is `unknown`
MIN_PROBABILITY = 0.5
#: fixed seed for langdetect's random sampling: the same page always gets the same answer
SEED = 0
#: langdetect answers remembered per process (samples are at most 600 characters)
MEMO_SAMPLES = 4096

#: the stopword vote answers alone only with at least this many words in the sample ...
VOTE_MIN_WORDS = 20
#: ... when the winning list covers at least this share of them ...
VOTE_MIN_SHARE = 0.2
#: ... and at least this many times the share of the runner-up (0 counts as a tiny share)
VOTE_MARGIN = 2.0

#: what a sentence ends with, and the quotes and brackets that may close it
_SENTENCE_ENDS = frozenset(".!?…。！？؟।")
_CLOSERS = "\"'”’»)]"
#: matches at the start of a text with at least MIN_LETTERS letters ([\W\d_] is what is not one)
_ENOUGH_LETTERS = re.compile(r"(?:[\W\d_]*[^\W\d_]){%d}" % MIN_LETTERS)
_WORD = re.compile(r"\w+")
# a letter outside Basic Latin, Latin-1, Latin Extended-A/B and Latin Extended Additional
_NON_LATIN_LETTER = r"[^\W\d_A-Za-z\u00c0-\u024f\u1e00-\u1eff]"
_NON_LATIN_WORD = re.compile(rf"^.*{_NON_LATIN_LETTER}.*$", re.MULTILINE)  # in words one a line


def known_languages() -> list[str]:
    """The codes langdetect can tell apart ("en", "de", "zh-cn", ...)."""
    from langdetect.detector_factory import PROFILES_DIRECTORY
    from pathlib import Path

    return sorted(p.name for p in Path(PROFILES_DIRECTORY).iterdir())


def parse_languages(value: str | None) -> list[str] | None:
    """`--lang en,de` as a list of codes; raises ValueError naming any code langdetect lacks.

    A bare "zh" stands for both of langdetect's Chinese codes (zh-cn, zh-tw)."""
    if not value:
        return None
    codes = [code.strip().lower() for code in value.split(",") if code.strip()]
    if not codes:
        return None
    known = known_languages()
    unknown = [c for c in codes if c not in known and not any(k.startswith(c + "-") for k in known)]
    if unknown:
        raise ValueError(f"unknown language code(s): {', '.join(unknown)}; known: {', '.join(known)}")
    return codes


def ends_sentence(line: str) -> bool:
    """Whether `line` ends like a sentence: with one of .!?… (or their Chinese, Arabic and
    Devanagari forms), then perhaps closing quotes or brackets, then perhaps white space. (The
    regular expression `[.!?…。！？؟।]["'”’»)\\]]*\\s*$`, searched: `str.rstrip` strips what `\\s`
    matches, and a search tried at every position of a long line cost more than the test.)"""
    return line.rstrip().rstrip(_CLOSERS)[-1:] in _SENTENCE_ENDS


def has_letters(text: str) -> bool:
    """Whether `text` holds at least MIN_LETTERS letters (`[^\\W\\d_]`), reading only as far as
    it needs to (what `len(re.findall(r"[^\\W\\d_]", text)) >= MIN_LETTERS` says)."""
    return _ENOUGH_LETTERS.match(text) is not None


def content_sample(lines: list[str], limit: int = SAMPLE_CHARS) -> str:
    """The text most likely to be the article: long lines that end like sentences first, then
    the longest others, up to `limit` characters, in page order."""
    ranked = sorted(
        (i for i, line in enumerate(lines) if line.strip()),
        key=lambda i: (not ends_sentence(lines[i]), -len(lines[i].strip()), i),
    )
    chosen, size = [], 0
    for i in ranked:
        if size >= limit:
            break
        chosen.append(i)
        size += len(lines[i].strip()) + 1
    return "\n".join(lines[i].strip() for i in sorted(chosen))[: limit + limit // 2]


def _non_latin(words: frozenset[str]) -> set[str]:
    """The words not written in the Latin script (the Latin ones: "the", "für", "được").
    One search over them all: a search per word took 0.2 s of every run's start."""
    return set(_NON_LATIN_WORD.findall("\n".join(words)))


class StopwordVote:
    """Which language's stoplist covers a text's words best, and by how much.

    Built once from every jusText list a langdetect code maps to (`JUSTEXT_NAMES`): one
    dictionary from a word to the languages listing it, so a vote is a lookup per word."""

    def __init__(self, stoplists: Stoplists | None = None):
        stoplists = stoplists or Stoplists()
        self._lists: list[tuple[str, frozenset[str]]] = []
        for code in sorted(JUSTEXT_NAMES):
            words = stoplists.get(code) or frozenset()
            latin = words - _non_latin(words)
            if len(latin) * 2 < len(words):
                # a list in another script (Marathi, Telugu, Russian...) holds English words
                # gathered with its text: "the" is on Marathi's list. They say nothing about it.
                words = words - latin
            self._lists.append((code, words))
        self._any: frozenset[str] = frozenset().union(*(words for _, words in self._lists))
        #: word -> the languages listing it, filled in as words are met: building it for all
        #: 118,000 listed words up front took 0.17 s of every run's start
        self._index: dict[str, tuple[str, ...]] = {}

    def languages_of(self, word: str) -> tuple[str, ...]:
        """The codes whose list holds `word` (casefolded), in code order."""
        codes = self._index.get(word)
        if codes is None:
            codes = () if word not in self._any else tuple(code for code, words in self._lists if word in words)
            if codes:
                self._index[word] = codes  # only listed words: the memo stays bounded by the lists
        return codes

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
        scores: dict[str, float] = {}
        hits: dict[str, int] = {}
        listed = self._any
        for word in [word for word in words if word in listed]:  # the others add nothing
            codes = self.languages_of(word)
            weight = 1.0 / len(codes)
            for code in codes:
                scores[code] = scores.get(code, 0.0) + weight
                hits[code] = hits.get(code, 0) + 1
        if not scores:
            return None
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        best, score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if hits[best] < VOTE_MIN_SHARE * len(words) or score < VOTE_MARGIN * max(runner_up, 1.0):
            return None
        return {"code": best, "method": "stopwords", "stopwords": round(hits[best] / len(words), 3),
                "margin": round(score / max(runner_up, 1.0), 1)}


@dataclass(frozen=True)
class LanguageConfig:
    #: keep only pages in these languages (others are reported as dropped); None keeps all.
    #: A string is a comma-separated list ("en,de").
    lang: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        value: str | Sequence[str] | None = self.lang
        if value is not None and not isinstance(value, str):
            value = ",".join(value)
        codes = parse_languages(value)
        object.__setattr__(self, "lang", tuple(codes) if codes else None)


class VectorDetector(Detector):  # type: ignore[misc]  # langdetect ships no type information
    """langdetect's Detector with its inner loop on numpy arrays instead of Python lists, and
    its per-character steps (`append`, `cleaning_text`, n-gram extraction) written with
    regular expressions and plain string slicing instead of a method call per character.

    Each step does the same IEEE operations in the same order: the elementwise add, multiply
    and divide of langdetect's loops, the sum still Python's left-to-right `sum`, the same
    seeded random choices. So the probabilities are the same bit for bit
    (tests/test_language.py compares them), at about a third of the cost: the 55-language
    loop ran in Python once per sampled n-gram, thousands of times a page."""

    text: str   # what langdetect keeps of the appended text (set by Detector.__init__)

    def __init__(self, factory: Any, rows: "NgramRows | None" = None):
        """`rows`: the n-gram table to share with the other detectors of a process, made for
        this `factory` (a fresh one if None)."""
        super().__init__(factory)
        self._rows = rows if rows is not None else NgramRows(factory.word_lang_prob_map)
        # langdetect's n-gram extraction only asks whether the profiles know an n-gram, three
        # times a character: a frozenset answers that without a Python call
        self.word_lang_prob_map = factory.word_lang_prob_map.known

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
        order, from langdetect's NGram state machine written out with local variables: the
        last three characters since a space (a space before the first), each character
        normalised as NGram.normalize does (remembered per character), nothing while two
        capitals follow each other."""
        known = self.word_lang_prob_map
        result: list[str] = []
        grams, capital = " ", False
        for ch in self.text:
            ch = _normalized(ch)
            last = grams[-1]
            if last == " ":
                grams, capital = " ", False
                if ch == " ":
                    continue
            elif len(grams) >= 3:
                grams = grams[1:]
            grams += ch
            if ch.isupper():
                if last.isupper():
                    capital = True
            else:
                capital = False
            if capital:
                continue
            if ch != " " and ch in known:
                result.append(ch)
            if len(grams) >= 2:
                pair = grams[-2:]
                if pair in known:
                    result.append(pair)
                if len(grams) == 3 and grams in known:
                    result.append(grams)
        return result

    def _detect_block(self) -> None:
        """langdetect's `Detector._detect_block`, step for step, with each sampled n-gram's
        probabilities as a row of one table: `random.choice` draws an index from the length
        alone, so choosing among the occurrences' rows draws the n-grams langdetect draws.
        (Multiplying the five draws between two normalisations in as one block, in order,
        gives the same products but costs as much: numpy's cost per call dominates here.)"""
        self.cleaning_text()
        ngrams = self._extract_ngrams()  # only n-grams of the profiles
        if not ngrams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        # a text's n-grams repeat (a 400-character sample has about 1,000, a few hundred of
        # them distinct): one row per distinct n-gram, and for each occurrence its row (the
        # order of the rows is of no account: a draw picks an occurrence)
        distinct, inverse = np.unique(self._rows.rows(ngrams), return_inverse=True)
        table = self._rows.table[distinct]
        rows = inverse.reshape(-1).tolist()
        languages = len(self.langlist)
        self.langprob = [0.0] * languages
        choice = self.random.choice
        self.random.seed(self.seed)
        for _ in range(self.n_trial):
            prob = np.array(self._init_probability(), dtype=np.float64)
            alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            weight = alpha / self.BASE_FREQ
            # each n-gram's factor for this trial, `weight + probabilities` as langdetect adds
            # them at every draw, added once per n-gram instead
            factors = weight + table
            i = 0
            while True:
                prob *= factors[choice(rows)]
                if i % 5 == 0:
                    values = prob.tolist()
                    total = sum(values)  # Python's left-to-right sum, as langdetect's
                    prob /= total
                    # the largest quotient is the largest value's: dividing by a positive number
                    # keeps the order, and this is the same division
                    if max(0.0, max(values) / total) > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT:
                        break
                i += 1
            for j in range(languages):
                self.langprob[j] += float(prob[j]) / self.n_trial



class NgramRows:
    """Each n-gram's probabilities in every language, as rows of one table that grows as
    n-grams are met (their probabilities worked out on first use, _Probabilities.array), so
    that a page's n-grams become its table in one numpy index instead of an array each."""

    def __init__(self, probabilities: "_Probabilities"):
        self._probabilities = probabilities
        self._row: dict[str, int] = {}
        self.table = np.empty((0, probabilities.size), dtype=np.float64)

    def rows(self, ngrams: list[str]) -> list[int]:
        """The row of each n-gram (which the profiles must know), adding the new ones."""
        get = self._row.get
        found = [get(ngram, -1) for ngram in ngrams]
        if -1 in found:
            new = [ngram for ngram in dict.fromkeys(ngrams) if ngram not in self._row]
            first = len(self._row)
            if first + len(new) > len(self.table):
                # doubling, up to every n-gram of the profiles (87,598 rows of 55 floats: 38 MB)
                size = max(min(2 * len(self.table), len(self._probabilities.known)), first + len(new), 1024)
                grown = np.empty((size, self.table.shape[1]))
                grown[:first] = self.table[:first]
                self.table = grown
            for row, ngram in enumerate(new, start=first):
                self.table[row] = self._probabilities.array(ngram)
                self._row[ngram] = row
            found = [self._row[ngram] for ngram in ngrams]
        return found


_SPACE_RUN = re.compile(" {2,}")
_ASCII_LETTERS = re.compile("[A-z]")           # langdetect's 'A' <= ch <= 'z', [ \ ] ^ _ ` included
_FROM_U0300 = re.compile("[\u0300-\U0010ffff]")


@lru_cache(maxsize=None)
def _normalized(ch: str) -> str:
    """NGram.normalize, remembered: a character's normal form depends on it alone (the
    characters a process meets are bounded by Unicode)."""
    return str(NGram.normalize(ch))


class LanguageStage(Stage):
    name = "language"
    step = "strip"
    Config = LanguageConfig
    cli_options = (
        click.option("--lang", default=None, metavar="CODES",
                     help="Keep only pages in these languages, e.g. en,de (others are reported as dropped)."),
    )
    rules = {"language.filter": RuleInfo("the page is not in a language --lang keeps", ("language",))}

    @classmethod
    def from_config(cls, config: LanguageConfig, run: "RunConfig") -> "LanguageStage":
        return cls(allowed=list(config.lang) if config.lang else None)

    def __init__(self, allowed: list[str] | None = None):
        self.allowed = [code.lower() for code in allowed] if allowed else None
        self._factory: Any = None  # langdetect's profiles, loaded on first use in each process
        self._rows: NgramRows | None = None  # VectorDetector's n-gram table, made with the profiles
        self._vote: StopwordVote | None = None  # the stoplists' index, built on first use
        self._answers: dict[str, dict[str, Any]] = {}  # sample -> langdetect's answer

    def settings(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "detector": "stopwords, then langdetect", "seed": SEED,
                "min_letters": MIN_LETTERS, "min_probability": MIN_PROBABILITY,
                "vote": {"min_words": VOTE_MIN_WORDS, "min_share": VOTE_MIN_SHARE, "margin": VOTE_MARGIN}}

    def __getstate__(self) -> dict[str, Any]:
        # the loaded profiles are large and rebuilt on first use: never pickle them
        return {**self.__dict__, "_factory": None, "_vote": None, "_rows": None, "_answers": {}}

    def detect(self, doc: Document) -> dict[str, Any]:
        """{"code": ..., "method": ..., and the method's evidence} for the page; code "unknown"
        when it cannot tell. With no stoplists found, every page goes to langdetect."""
        sample = content_sample(doc.lines)
        if not has_letters(sample):
            return {"code": "unknown", "probability": 0.0}
        if self._vote is None:
            self._vote = StopwordVote()
        voted = self._vote.decide(sample)
        if voted is not None:
            return voted
        return self.remembered_langdetect(sample)

    def remembered_langdetect(self, sample: str) -> dict[str, Any]:
        """`langdetect`, from memory for a sample met before in this process. The answer
        depends on the sample alone (the detector is seeded afresh for each), and syndicated
        copies and pages that are all chrome share their samples: a fifth of langdetect's
        pages on a make_corpus corpus, half on the dev set."""
        answer = self._answers.get(sample)
        if answer is None:
            if len(self._answers) >= MEMO_SAMPLES:
                self._answers.clear()
            answer = self._answers[sample] = self.langdetect(sample)
        return dict(answer)

    def langdetect(self, sample: str) -> dict[str, Any]:
        """langdetect's answer for a sample, seeded: {"code", "method", "probability"}."""

        factory = self._detector_factory()
        if self._rows is None:
            self._rows = NgramRows(factory.word_lang_prob_map)
        detector = VectorDetector(factory, self._rows)
        detector.append(sample)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            return {"code": "unknown", "probability": 0.0}
        probability = round(float(best.prob), 3)
        if best.prob < MIN_PROBABILITY:
            return {"code": "unknown", "method": "langdetect", "probability": probability}
        return {"code": best.lang, "method": "langdetect", "probability": probability}

    def prepare(self) -> None:
        # paid once here instead of per worker: langdetect's profiles, the stoplists' index
        self._detector_factory()
        if self._vote is None:
            self._vote = StopwordVote()

    def is_allowed(self, code: str) -> bool:
        if self.allowed is None or code == "unknown":
            return True
        return any(code == want or code.startswith(want + "-") for want in self.allowed)

    @property
    def screens(self) -> bool:
        return self.allowed is not None   # without --lang no page is dropped

    def screen(self, doc: Document) -> bool:
        """With `--lang`, whether `process` will drop the page (detection reads every line of
        the page, never what other stages removed, so both passes get the same answer)."""
        return self.allowed is not None and not self.is_allowed(self.detect(doc)["code"])

    def process(self, doc: Document) -> None:
        language = self.detect(doc)
        doc.meta.language = language
        if self.is_allowed(language["code"]):
            return
        live = doc.live_indices()
        if live:
            doc.remove(live[0], live[-1], stage=self.name, rule="language.filter", category="language",
                       reason=f"page language {language['code']} is not one of {','.join(self.allowed or [])}",
                       details={"language": language})
        doc.meta.dropped = f"language {language['code']} not in {','.join(self.allowed or [])}"

    def _detector_factory(self) -> Any:
        if self._factory is None:
            from langdetect.detector_factory import PROFILES_DIRECTORY

            self._factory = Profiles(PROFILES_DIRECTORY, SEED)
        return self._factory


class Profiles:
    """What a langdetect Detector takes from its DetectorFactory (`langlist`, `seed`,
    `word_lang_prob_map`), with each n-gram's probabilities worked out when a page first
    needs them.

    `DetectorFactory.load_profile` builds, up front, a list of 55 probabilities for each of
    the 87,598 n-grams of its profiles: 0.33 CPU-s of every run's start, where a page meets a
    few hundred n-grams. This reads the same files in the same order (the order fixes each
    language's index) and does the same arithmetic when asked, so the probabilities are the
    same floats (tests/test_language.py compares them with langdetect's own factory)."""

    def __init__(self, directory: str, seed: int):
        import json
        import os

        names = os.listdir(directory)  # langdetect's order, and its count as the vectors' length
        self.langlist: list[str] = []
        self.seed = seed
        profiles: list[tuple[dict[str, int], list[int]]] = []
        for name in names:
            path = os.path.join(directory, name)
            if name.startswith(".") or not os.path.isfile(path):
                continue
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
            self.langlist.append(data["name"])
            profiles.append((data["freq"], data["n_words"]))
        self.word_lang_prob_map = _Probabilities(profiles, len(names))


class _Probabilities:
    """n-gram -> its probability in each language, as DetectorFactory.add_profile makes it."""

    def __init__(self, profiles: list[tuple[dict[str, int], list[int]]], size: int):
        self._profiles = profiles
        self.size = size
        self._freqs = [freq for freq, _ in profiles]
        #: each profile's n-gram totals by length, as floats: row n-1 for n-grams of length n
        self._totals = np.array([n_words[:3] for _, n_words in profiles], dtype=np.float64).T.copy()
        self.known = frozenset().union(*(freq for freq, _ in profiles))  # every profile's n-grams

    def __contains__(self, ngram: object) -> bool:
        return ngram in self.known

    def array(self, ngram: str) -> np.ndarray:
        """`self[ngram]` as a numpy array, the same floats: each count divided by its
        profile's n-gram total in one numpy division (IEEE division is correctly rounded
        either way) instead of a Python loop over the languages."""
        if ngram not in self.known:
            raise KeyError(ngram)
        probabilities = np.zeros(self.size, dtype=np.float64)
        length = len(ngram)
        if 1 <= length <= 3:
            counts = np.array([freq.get(ngram, 0) for freq in self._freqs], dtype=np.float64)
            totals = self._totals[length - 1]
            np.divide(counts, totals, out=probabilities[: len(counts)], where=counts != 0)
        return probabilities

    def __getitem__(self, ngram: str) -> list[float]:
        if ngram not in self.known:
            raise KeyError(ngram)
        probabilities = [0.0] * self.size
        length = len(ngram)
        if 1 <= length <= 3:
            for index, (freq, n_words) in enumerate(self._profiles):
                count = freq.get(ngram)
                if count is not None:
                    probabilities[index] = 1.0 * count / n_words[length - 1]
        return probabilities
