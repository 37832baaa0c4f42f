"""Every rule id and category a run can report, without running anything: what `rules list`
shows and what `diff --category/--rule` accept.

Rule packs name their own (rulebook.py); the classifier's tests are listed once in
stages/classify.py (TESTS); the dedup, language and layout stages each remove with a few fixed
ids. A user's packs (`--rules DIR`) may add rules and categories; a run's output names any it
used in its summary, which `names_in_run` reads.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from .colours import CATEGORY_COLOURS
from .layout import LAYOUT_CATEGORY, LAYOUT_RULE
from .rulebook import CATEGORIES, load_rulebook
from .stages.classify import RULE_PREFIX, TESTS
from .stages.dedup import CORPUS_REPEAT_RULE, PAGE_DUPLICATE_RULE, PAGE_REPEAT_RULE, TEMPLATE_RULE

#: rule id -> its categories, for the stages whose removals are not rules from a pack
FIXED_RULES: dict[str, tuple[str, ...]] = {
    PAGE_REPEAT_RULE: ("duplicate",),
    CORPUS_REPEAT_RULE: ("duplicate",),
    PAGE_DUPLICATE_RULE: ("duplicate",),
    TEMPLATE_RULE: ("template",),
    "language.filter": ("language",),   # stages/language.py: a page not in --lang
    LAYOUT_RULE: (LAYOUT_CATEGORY,),
}


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
    rules = {rule.id for rule in rulebook.rules} | {RULE_PREFIX + name for name in TESTS} | set(FIXED_RULES)
    categories = {*CATEGORIES, *CATEGORY_COLOURS, *rulebook.added_categories,
                  *(c for test in TESTS.values() for c in test.may_emit()),
                  *(c for cs in FIXED_RULES.values() for c in cs)}
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
