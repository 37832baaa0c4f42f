"""Every rule id and category a run can report, without running anything: what `rules list`
shows and what `diff --category/--rule` accept.

Rule packs name their own (rulebook.py); every other stage declares the rule ids it emits and
their categories (`Stage.rules`, gathered by stages/registry.py); the layout step removes
blank lines with one fixed id. A user's packs (`--rules DIR`) may add rules and categories; a run's output names any it
used in its summary, which `names_in_run` reads.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from .colours import CATEGORY_COLOURS
from .layout import LAYOUT_CATEGORY, LAYOUT_RULE
from .rulebook import CATEGORIES, load_rulebook
from .stages.registry import stage_rules


def fixed_rules() -> dict[str, tuple[str, ...]]:
    """rule id -> its categories, for the removals that are not rules from a pack."""
    return {**{rule: info.categories for rule, (_, info) in stage_rules().items()},
            LAYOUT_RULE: (LAYOUT_CATEGORY,)}


@dataclass(frozen=True)
class Names:
    """Rule ids and categories that exist."""

    rules: frozenset[str]
    categories: frozenset[str]

    def __or__(self, other: Names) -> Names:
        return Names(self.rules | other.rules, self.categories | other.categories)


def known_names(rule_dirs: Iterable[str] = ()) -> Names:
    """What the shipped stages (and the packs in `rule_dirs`) can report."""
    rulebook = load_rulebook(extra_dirs=rule_dirs)
    fixed = fixed_rules()
    rules = {rule.id for rule in rulebook.rules} | set(fixed)
    categories = {*CATEGORIES, *CATEGORY_COLOURS, *rulebook.added_categories,
                  *(c for cs in fixed.values() for c in cs)}
    return Names(frozenset(rules), frozenset(categories))


def names_in_run(summary: dict[str, Any] | None) -> Names:
    """The rule ids and categories a run's summary names: those it removed with, and the
    categories its packs added."""
    if not summary:
        return Names(frozenset(), frozenset())
    added = added_categories(summary)
    return Names(frozenset(summary.get("removed_by_rule", {})),
                 frozenset(summary.get("removed_by_category", {})) | frozenset(added))


def added_categories(summary: dict[str, Any] | None) -> dict[str, str]:
    """category -> colour for the categories a run's rule packs added (recorded by the rules
    stage's settings in the summary's config)."""
    stages = ((summary or {}).get("config") or {}).get("stages") or {}
    rules = stages.get("rules") if isinstance(stages, dict) else None
    added = rules.get("categories") if isinstance(rules, dict) else None
    return {str(k): str(v) for k, v in added.items()} if isinstance(added, dict) else {}
