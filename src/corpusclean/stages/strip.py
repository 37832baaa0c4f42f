"""The strip step: rule packs first (precise, known phrasings), then the page language, then
the classifier for the chrome no rule names."""
from __future__ import annotations

from typing import Any

from .base import Stage


def strip_stages(options: dict[str, Any]) -> list[Stage]:
    from ..rulebook import load_rulebook
    from .rules import RuleStage

    disabled = [item.strip() for value in options.get("disable", ()) for item in value.split(",") if item.strip()]
    rulebook = load_rulebook(extra_dirs=[*options.get("rule_dirs", ())], disabled=disabled)
    stages: list[Stage] = [RuleStage(rulebook)]
    try:
        from .language import LanguageStage
        from .classify import ClassifierStage
    except ImportError:  # pragma: no cover - until the classifier lands
        return stages
    langs = options.get("lang")
    stages.append(LanguageStage(allowed=[c.strip() for c in langs.split(",")] if langs else None))
    if not options.get("no_classifier"):
        stages.append(ClassifierStage())
    return stages
