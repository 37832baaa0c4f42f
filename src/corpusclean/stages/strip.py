"""The strip step: rule packs first (precise, known phrasings), then the page language, then
the classifier for the chrome no rule names."""
from __future__ import annotations

from typing import Any

from .base import Stage


def strip_stages(options: dict[str, Any]) -> list[Stage]:
    from ..rulebook import load_rulebook
    from .rules import RuleStage

    disabled = list(options.get("disable", ()))  # the CLI has split comma-separated values
    # "heuristic.*" ids belong to the classifier; categories switch off rules and classifier alike
    heuristics = [name for name in disabled if name.startswith("heuristic.")]
    rulebook = load_rulebook(extra_dirs=[*options.get("rule_dirs", ())],
                             disabled=[name for name in disabled if name not in heuristics])
    stages: list[Stage] = [RuleStage(rulebook)]
    try:
        from .language import LanguageStage
        from .classify import ClassifierStage
    except ImportError:  # pragma: no cover - until the classifier lands
        return stages
    import click

    from .classify import check_disabled
    from .language import parse_languages

    try:
        allowed = parse_languages(options.get("lang"))
        check_disabled(heuristics)
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    stages.append(LanguageStage(allowed=allowed))
    if not options.get("no_classifier"):
        stages.append(ClassifierStage(disabled=disabled))
    return stages
