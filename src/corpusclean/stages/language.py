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
(`"method": "langdetect"`, with its probability): about 7 ms a page in langdetect's own
code, most of a run's time before this shortcut, about 1.5 ms in VectorDetector, which
computes the same probabilities. On the dev sets and a multilingual sample the two agree on every
page the shortcut answers (`benchmarks/language_agreement.py`).

langdetect draws random samples; our detector factory has its own fixed seed, so the same page
always gets the same answer, in any process, without touching langdetect's global factory.

The detectors' code (language_detection.py: the vote, VectorDetector, the profiles) is
imported where pages are detected, when the stage first needs it: the main process of a run
on several workers only declares the stage and records its settings, and never imports it
(nor langdetect).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

import click

from ..memo import TextMemo
from ..model import Document
from .base import RuleInfo, Stage

if TYPE_CHECKING:
    from ..config import RunConfig
    from ..language_detection import DetectorTables, StopwordVote

#: the page is `unknown` (and kept) when its likeliest-content text has fewer letters than this
MIN_LETTERS = 40
#: how much text langdetect sees: enough to be sure, little enough to stay fast
SAMPLE_CHARS = 400
#: below this probability the best guess is not trusted and the page is `unknown`
MIN_PROBABILITY = 0.5
#: fixed seed for langdetect's random sampling: the same page always gets the same answer
SEED = 0
#: characters of samples whose answers are remembered, per process (a sample has at most 600)
MEMO_SAMPLE_CHARS = 2_000_000

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


def known_languages() -> list[str]:
    """The codes langdetect can tell apart ("en", "de", "zh-cn", ...): its profiles' names,
    read from its folder without importing it (checking --lang is the main process's work,
    detecting the workers')."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("langdetect")
    if spec is None or spec.origin is None:
        raise ValueError("--lang needs langdetect, which is not installed")
    return sorted(p.name for p in (Path(spec.origin).parent / "profiles").iterdir())  # detector_factory.PROFILES_DIRECTORY


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
    texts = list(map(str.strip, lines))
    lengths = list(map(len, texts))
    # (ends_sentence of a stripped line, without its own rstrip: the line's answer; a blank
    # line ends none)
    ends = [text.rstrip(_CLOSERS)[-1:] in _SENTENCE_ENDS for text in texts]
    chosen: list[int] = []
    size = 0
    # the sentences, then (most pages have enough of those) the other lines: each the longest
    # first, and of two as long the one higher on the page (a stable sort). A key per line
    # and two short sorts, not a tuple per line in one sort: a fifth of the stage's own time
    for sentences in (True, False):
        ranked = sorted([i for i, length in enumerate(lengths) if length and ends[i] is sentences],
                        key=lengths.__getitem__, reverse=True)
        for i in ranked:
            if size >= limit:
                return _joined(texts, chosen, limit)
            chosen.append(i)
            size += 1 + lengths[i]
    return _joined(texts, chosen, limit)


def _joined(texts: list[str], chosen: list[int], limit: int) -> str:
    return "\n".join([texts[i] for i in sorted(chosen)])[: limit + limit // 2]


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
        self._tables: DetectorTables | None = None  # what VectorDetectors share, made with the profiles
        self._vote: StopwordVote | None = None  # the stoplists' index, built on first use
        self._answers: TextMemo[str, dict[str, Any]] = TextMemo(MEMO_SAMPLE_CHARS)  # sample -> its answer

    def settings(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "detector": "stopwords, then langdetect", "seed": SEED,
                "min_letters": MIN_LETTERS, "min_probability": MIN_PROBABILITY,
                "vote": {"min_words": VOTE_MIN_WORDS, "min_share": VOTE_MIN_SHARE, "margin": VOTE_MARGIN}}

    def __getstate__(self) -> dict[str, Any]:
        # the loaded profiles are large and rebuilt on first use: never pickle them
        return {**self.__dict__, "_factory": None, "_vote": None, "_tables": None,
                "_answers": TextMemo(MEMO_SAMPLE_CHARS)}

    def detect(self, doc: Document) -> dict[str, Any]:
        """{"code": ..., "method": ..., and the method's evidence} for the page; code "unknown"
        when it cannot tell. With no stoplists found, every page goes to langdetect."""
        sample = content_sample(doc.lines)
        if not has_letters(sample):
            return {"code": "unknown", "probability": 0.0}
        # the answer depends on the sample alone (langdetect is seeded afresh for each), and
        # syndicated copies and pages that are all chrome share their samples: an eighth of
        # the pages of a make_corpus corpus and of the dev sets, a fifth of those langdetect
        # decides there, are answered from memory
        answer = self._answers.found.get(sample)
        if answer is None:
            answer = self._answers.keep(sample, sample, self.detect_sample(sample))
        return dict(answer)

    def detect_sample(self, sample: str) -> dict[str, Any]:
        """The stopword vote's answer for a sample with letters enough, else langdetect's."""
        if self._vote is None:
            from ..language_detection import StopwordVote

            self._vote = StopwordVote()
        voted = self._vote.decide(sample)
        return voted if voted is not None else self.langdetect(sample)

    def langdetect(self, sample: str) -> dict[str, Any]:
        """langdetect's answer for a sample, seeded: {"code", "method", "probability"}."""
        from langdetect.lang_detect_exception import LangDetectException

        from ..language_detection import VectorDetector

        detector = VectorDetector(self._detector_factory(), self._detector_tables())
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
        # paid once here instead of per worker: langdetect's profiles and their table, the
        # stoplists' index
        from ..language_detection import StopwordVote

        self._detector_tables()
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

    def _detector_tables(self) -> "DetectorTables":
        if self._tables is None:
            from ..language_detection import DetectorTables

            self._tables = DetectorTables(self._detector_factory())
        return self._tables

    def _detector_factory(self) -> Any:
        if self._factory is None:
            from langdetect.detector_factory import PROFILES_DIRECTORY

            from ..language_detection import Profiles

            self._factory = Profiles(PROFILES_DIRECTORY, SEED)
        return self._factory
