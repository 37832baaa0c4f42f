"""The quality stage: a Gopher-style flag for pages that are no prose worth keeping.

Two of the Gopher quality filters (Rae et al. 2021, "Scaling Language Models", appendix A),
measured on what the strip stages before it left of the page: a page with fewer than
`quality_min_words` words, or with more than `quality_max_symbol_ratio` symbols ("#", "..."
and "…") per word, is dropped whole, reported with the measurements. Off by default
(`--quality`): a corpus of short notices or code is not wrong, only not what Gopher wanted.

It is the README's "add a stage" example: this module and its line in `stages/registry.py`
are all it took; its options, rule ids, category and report field are declared below.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

import click

from ..cli_params import FiniteFloatRange
from ..model import Document
from .base import RuleInfo, Stage

if TYPE_CHECKING:
    from ..config import RunConfig

RULE_PREFIX = "quality."
TOO_FEW_WORDS = RULE_PREFIX + "too-few-words"
TOO_MANY_SYMBOLS = RULE_PREFIX + "too-many-symbols"
CATEGORY = "quality"
#: what Gopher counts as symbols: hash signs and ellipses (three dots or the one character)
_SYMBOL = re.compile(r"#|\.\.\.|…")


@dataclass(frozen=True)
class QualityConfig:
    #: run the quality flag (off by default)
    quality: bool = False
    #: a page with fewer words than this is dropped (Gopher: 50)
    quality_min_words: int = 50
    #: a page with more symbols per word than this is dropped (Gopher: 0.1)
    quality_max_symbol_ratio: float = 0.1

    def __post_init__(self) -> None:
        if self.quality_min_words < 0:
            raise ValueError("quality_min_words must be at least 0")
        if not 0 <= self.quality_max_symbol_ratio < math.inf:  # false for NaN too
            raise ValueError("quality_max_symbol_ratio must be a finite number, at least 0")


class QualityStage(Stage):
    name = "quality"
    step = "strip"
    Config = QualityConfig
    cli_options = (
        click.option("--quality/--no-quality", default=False, show_default=True,
                     help="Drop pages with too few words or too many symbols (Gopher's quality filters)."),
        click.option("--quality-min-words", type=click.IntRange(min=0), default=QualityConfig.quality_min_words,
                     show_default=True, help="With --quality: a page with fewer words is dropped."),
        click.option("--quality-max-symbol-ratio", type=FiniteFloatRange(min=0), show_default=True,
                     default=QualityConfig.quality_max_symbol_ratio,
                     help="With --quality: a page with more '#' and '...' per word is dropped."),
    )
    rules = {
        TOO_FEW_WORDS: RuleInfo("the page has too few words to be prose worth keeping", (CATEGORY,)),
        TOO_MANY_SYMBOLS: RuleInfo("the page has too many '#' and '...' for its words", (CATEGORY,)),
    }
    disable_prefix = RULE_PREFIX
    report_fields = ("quality",)

    def __init__(self, config: QualityConfig = QualityConfig(quality=True), disabled: Iterable[str] = ()):
        self.config = config
        names = set(disabled)
        #: its tests the user switched off, by id, or all of them by their category (`--disable quality`)
        self.disabled = frozenset(self.rules) if CATEGORY in names else frozenset(names & set(self.rules))

    @classmethod
    def from_config(cls, config: QualityConfig, run: "RunConfig") -> "QualityStage | None":
        unknown = [name for name in run.disable if name.startswith(RULE_PREFIX) and name not in cls.rules]
        if unknown:
            raise ValueError(f"--disable: unknown quality test(s) {', '.join(unknown)}; "
                             f"the quality stage's tests are: {', '.join(cls.rules)}")
        return cls(config, run.disable) if config.quality else None

    def settings(self) -> dict[str, object]:
        return {"min_words": self.config.quality_min_words,
                "max_symbol_ratio": self.config.quality_max_symbol_ratio, "disabled": sorted(self.disabled)}

    def process(self, doc: Document) -> None:
        live = [i for i in doc.live_indices() if doc.lines[i].strip()]
        text = "\n".join(doc.lines[i] for i in live)
        words = len(text.split())
        ratio = round(len(_SYMBOL.findall(text)) / words, 3) if words else 0.0
        doc.meta.fields["quality"] = {"words": words, "symbol_ratio": ratio}
        if words < self.config.quality_min_words and TOO_FEW_WORDS not in self.disabled:
            self._drop(doc, TOO_FEW_WORDS, f"{words} words, fewer than {self.config.quality_min_words}")
        elif ratio > self.config.quality_max_symbol_ratio and TOO_MANY_SYMBOLS not in self.disabled:
            self._drop(doc, TOO_MANY_SYMBOLS, f"{ratio} symbols per word, more than "
                                              f"{self.config.quality_max_symbol_ratio}")

    def _drop(self, doc: Document, rule: str, why: str) -> None:
        """Every line still live goes (so the report still rebuilds the page), and the page is
        left out of the output."""
        live = doc.live_indices()
        if live:
            doc.remove(live[0], live[-1], stage=self.name, rule=rule, category=CATEGORY,
                       reason=self.rules[rule].reason, details={"quality": doc.meta.fields["quality"]})
        doc.meta.dropped = f"quality: {why}"
