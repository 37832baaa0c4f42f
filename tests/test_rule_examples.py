"""Every shipped rule against its own examples, one test per example.

Each rule in rules/*.toml lists `examples` (page fragments it must remove entirely) and
`counter_examples` (fragments it must leave alone). A failing id such as
`newsletter.signup-prompt/example-3` names the rule and the example to look at.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from corpusclean.rulebook import CATEGORIES, load_rulebook
from corpusclean.stages.rules import check_example

SHIPPED = load_rulebook().rules
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def example_cases():
    for rule in SHIPPED:
        for kind, texts in (("example", rule.examples), ("counter_example", rule.counter_examples)):
            for number in range(1, len(texts) + 1):
                label = "example" if kind == "example" else "counter"
                yield pytest.param(rule, kind, number, id=f"{rule.id}/{label}-{number}")


@pytest.mark.parametrize("rule, kind, number", list(example_cases()))
def test_rule_example(rule, kind, number):
    failure = check_example(rule, kind, number)
    assert failure is None, str(failure)


def test_every_category_has_a_rule():
    assert {rule.category for rule in SHIPPED} == set(CATEGORIES)


def test_rule_ids_start_with_their_category():
    """So a report row, or a --disable argument, says what kind of chrome a rule removes."""
    assert [r.id for r in SHIPPED if not r.id.startswith(r.category + ".")] == []


@pytest.mark.parametrize("category", CATEGORIES)
def test_each_category_shows_at_least_three_phrasings_the_seeds_do_not_use(category):
    """Rules must generalise beyond the five seed pages: each category's examples include at
    least three whose every line is absent from the seeds."""
    seed_lines = {line.strip().casefold()
                  for path in SEEDS.glob("*.txt")
                  for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    unseen = [text for rule in SHIPPED if rule.category == category for text in rule.examples
              if not any(line.strip().casefold() in seed_lines for line in text.splitlines() if line.strip())]
    assert len(unseen) >= 3, f"{category}: only {unseen}"
