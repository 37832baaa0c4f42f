"""The language stage: which language is this page written in, and should the corpus keep it?

Detection runs once per page, with langdetect, on the lines most likely to be the article:
the longest lines that end like sentences. Menus and footers are mostly English on sites of
every language ("Home", "Login", "Facebook"), so feeding them in would pull pages towards
English. The result goes into the report (`language`), chooses the classifier's stoplist, and,
with `--lang`, decides whether the page is kept at all.

langdetect draws random samples; our detector factory has its own fixed seed, so the same page
always gets the same answer, in any process, without touching langdetect's global factory.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

import click

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

_SENTENCE_END = re.compile(r"[.!?…。！？؟।][\"'”’»)\]]*\s*$")
_LETTER = re.compile(r"[^\W\d_]")


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


def content_sample(lines: list[str], limit: int = SAMPLE_CHARS) -> str:
    """The text most likely to be the article: long lines that end like sentences first, then
    the longest others, up to `limit` characters, in page order."""
    ranked = sorted(
        (i for i, line in enumerate(lines) if line.strip()),
        key=lambda i: (not _SENTENCE_END.search(lines[i]), -len(lines[i].strip()), i),
    )
    chosen, size = [], 0
    for i in ranked:
        if size >= limit:
            break
        chosen.append(i)
        size += len(lines[i].strip()) + 1
    return "\n".join(lines[i].strip() for i in sorted(chosen))[: limit + limit // 2]


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

    def settings(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "detector": "langdetect", "seed": SEED,
                "min_letters": MIN_LETTERS, "min_probability": MIN_PROBABILITY}

    def __getstate__(self) -> dict[str, Any]:
        # the loaded profiles are large and rebuilt on first use: never pickle them
        return {**self.__dict__, "_factory": None}

    def detect(self, doc: Document) -> dict[str, Any]:
        """{"code": ..., "probability": ...} for the page; code "unknown" when it cannot tell."""
        sample = content_sample(doc.lines)
        if len(_LETTER.findall(sample)) < MIN_LETTERS:
            return {"code": "unknown", "probability": 0.0}
        from langdetect.lang_detect_exception import LangDetectException

        detector = self._detector_factory().create()
        detector.append(sample)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            return {"code": "unknown", "probability": 0.0}
        if best.prob < MIN_PROBABILITY:
            return {"code": "unknown", "probability": round(best.prob, 3)}
        return {"code": best.lang, "probability": round(best.prob, 3)}

    def prepare(self) -> None:
        self._detector_factory()  # 0.7 s of profile loading, paid once instead of per worker

    def is_allowed(self, code: str) -> bool:
        if self.allowed is None or code == "unknown":
            return True
        return any(code == want or code.startswith(want + "-") for want in self.allowed)

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
            from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

            factory = DetectorFactory()
            factory.load_profile(PROFILES_DIRECTORY)
            factory.set_seed(SEED)
            self._factory = factory
        return self._factory
