"""The one list of stages. A run applies them in this order, each in its step ("strip" or
"dedup"); `--disable`, `rules list`, the report, the summary, `diff` and `review` learn about a
stage from what it declares (see `stages/base.py`). Adding a stage is its module and its line
in STAGES.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..collector import paused
from .base import RuleInfo, Stage
from .classify import ClassifierStage
from .dedup import DedupStage
from .language import LanguageStage
from .quality import QualityStage
from .rules import RuleStage

if TYPE_CHECKING:
    from ..config import RunConfig

STAGES: tuple[type[Stage], ...] = (
    RuleStage,         # known chrome phrasings, from the rule packs
    LanguageStage,     # the page's language; --lang drops others
    ClassifierStage,   # the chrome no rule names, judged in context
    QualityStage,      # off by default: drops pages with too few words or too many symbols
    DedupStage,        # repeats within a page and across the corpus
)


def build_stages(config: "RunConfig") -> list[Stage]:
    """The stages of the run's steps, in order, each built from its own part of the config.
    Raises ValueError or RuleError for a bad setting, before any document is read. The
    collector is paused meanwhile: what is built lives as long as the run (collector.py)."""
    stages = []
    with paused():
        for stage_type in STAGES:
            if stage_type.step in config.steps:
                stage = stage_type.from_config(config.stage_config(stage_type), config)
                if stage is not None:
                    stages.append(stage)
    return stages


def disable_prefixes() -> tuple[str, ...]:
    """The rule-id prefixes stages claim for `--disable` (the rest go to the rule packs)."""
    return tuple(prefix for stage in STAGES if (prefix := stage.disable_prefix))


def stage_categories(steps: Iterable[str]) -> tuple[frozenset[str], dict[str, str]]:
    """The categories the stages of these steps emit themselves (not the rule packs'): those
    `--disable` switches off (every stage emitting them takes --disable names), and, with a
    stage's name, those it cannot (a stage that takes none emits them too: dedup's `duplicate`)."""
    emitted: dict[str, list[type[Stage]]] = {}
    for stage in (stage for stage in STAGES if stage.step in steps):
        for info in stage.rules.values():
            for category in info.categories:
                emitted.setdefault(category, []).append(stage)
    unreachable = {category: next(stage.name for stage in stages if stage.disable_prefix is None)
                   for category, stages in emitted.items() if any(s.disable_prefix is None for s in stages)}
    return frozenset(emitted) - frozenset(unreachable), unreachable


def report_fields() -> tuple[str, ...]:
    """The report keys stages add from `doc.meta.fields`, in stage order."""
    return tuple(key for stage in STAGES for key in stage.report_fields)


def stage_rules() -> dict[str, tuple[str, RuleInfo]]:
    """Every rule id a stage emits itself (not the rule packs'): the stage's name and what the
    stage declares about it."""
    return {rule: (stage.name, info) for stage in STAGES for rule, info in stage.rules.items()}
