"""Categories and rule ids beyond the shipped rule packs: the classifier's `heuristic.*` tests
in `rules list`, and a category a user's rule pack adds, with its colour, carried from the pack
through a run to `diff` and `review`."""
from __future__ import annotations

import json
import re

import pytest

from corpusclean.rulebook import RuleError, load_rulebook
from corpusclean.stages.classify import RULE_PREFIX, TESTS

from conftest import read_report, read_summary, run_cli, write_tree

RECIPE_PACK = """
category = "recipe-card"
colour = "#afff87"
description = "Print-a-recipe boxes"

[[rule]]
id = "recipe-card.print"
description = "A print-this-recipe button"
patterns = ['^print (this )?recipe$']
examples = ["Print recipe"]
counter_examples = ["Print the recipe on thick paper, the cook said."]

[[rule]]
id = "recipe-card.share"
category = "social"
description = "Share this recipe"
patterns = ['^share this recipe$']
examples = ["Share this recipe"]
counter_examples = ["Share this recipe with friends who like soup, she wrote in the preface."]
"""

PAGE = "Lentil soup\n\nPrint recipe\n\nRinse the lentils and simmer them for twenty minutes.\n\nShare this recipe\n"


def test_rules_list_names_every_classifier_test_with_its_categories_and_meaning():
    result = run_cli("rules", "list")
    assert result.exit_code == 0
    listed = {line.split()[0]: line for line in result.output.splitlines() if line.startswith(RULE_PREFIX)}
    assert set(listed) == {RULE_PREFIX + name for name in TESTS}
    assert listed["heuristic.author-bio"].endswith("classifier (author-bio): a paragraph describing the author")
    assert "classifier (by its words, else navigation, widget): a menu" in listed["heuristic.menu-run"]


#: a made-up page with chrome no shipped rule names (teaser headlines under the article)
NEWS_PAGE = """Council approves new river bridge after a long debate

The city council voted on Tuesday to approve the construction of a new bridge across the river, ending a debate that had lasted for more than three years and divided residents of both banks.

Supporters said the bridge would cut journey times for thousands of commuters, while opponents warned that the cost had risen sharply since the plan was first proposed in the spring of last year.

Work is expected to start next spring and to take about two years, the council said in a statement published after the vote.

Share on Facebook
Most read
Ten things to do this weekend
Why the river floods every winter
"""


def test_every_classifier_removal_has_a_category_its_test_declares(seeds_dir, tmp_path):
    write_tree(tmp_path / "in", {"news.txt": NEWS_PAGE})
    for source in (seeds_dir, tmp_path / "in"):
        out = tmp_path / "out" / source.name
        assert run_cli("strip", str(source), str(out), "-q", "-w", "1").exit_code == 0
    removals = [removal for report in (tmp_path / "out").rglob("*.report.json")
                for removal in json.loads(report.read_text(encoding="utf-8"))["removals"]
                if removal["rule"].startswith(RULE_PREFIX)]
    assert removals, "the classifier should find something to remove"
    for removal in removals:
        assert removal["category"] in TESTS[removal["rule"][len(RULE_PREFIX):]].may_emit(), removal


def test_a_pack_adds_a_category_with_its_colour(tmp_path):
    write_tree(tmp_path / "mine", {"recipe.toml": RECIPE_PACK})
    rulebook = load_rulebook(extra_dirs=[tmp_path / "mine"])
    assert {r.id: r.category for r in rulebook.rules if r.id.startswith("recipe-card.")} == {
        "recipe-card.print": "recipe-card", "recipe-card.share": "social"}
    assert rulebook.added_categories == {"recipe-card": "#afff87"}
    assert rulebook.settings()["categories"] == {"recipe-card": "#afff87"}
    assert "categories" not in load_rulebook().settings()  # shipped packs only: the summary is unchanged
    switched_off = load_rulebook(extra_dirs=[tmp_path / "mine"], disabled=["recipe-card"])
    assert [r.id for r in switched_off.rules if r.id.startswith("recipe-card.")] == ["recipe-card.share"]


@pytest.mark.parametrize("pack, message", [
    (RECIPE_PACK.replace('colour = "#afff87"\n', ""), "unknown category 'recipe-card'"),
    (RECIPE_PACK.replace("#afff87", "#00b0ff"), "looks like navigation's (#00afff)"),
    (RECIPE_PACK.replace("#afff87", "blue"), 'colour must be a string "#rrggbb"'),
    (RECIPE_PACK.replace('"recipe-card"', '"Recipe Card"', 1), "a new category's name is lower case"),
])
def test_a_new_category_needs_a_colour_unlike_the_others(tmp_path, pack, message):
    write_tree(tmp_path / "mine", {"recipe.toml": pack})
    with pytest.raises(RuleError, match=re.escape(message)):
        load_rulebook(extra_dirs=[tmp_path / "mine"])


def test_two_packs_may_not_give_one_category_two_colours(tmp_path):
    other = RECIPE_PACK.replace("#afff87", "#ffd75f").replace('"recipe-card.', '"recipe-card.other-')
    write_tree(tmp_path / "mine", {"a.toml": RECIPE_PACK, "b.toml": other})
    with pytest.raises(RuleError, match="one category, one colour"):
        load_rulebook(extra_dirs=[tmp_path / "mine"])


def test_a_run_carries_the_new_category_to_diff_and_review(tmp_path):
    write_tree(tmp_path / "mine", {"recipe.toml": RECIPE_PACK})
    write_tree(tmp_path / "in", {"soup.txt": PAGE})
    out = tmp_path / "out"
    result = run_cli("strip", str(tmp_path / "in"), str(out), "-q", "-w", "1", "--no-classifier",
                     "--rules", str(tmp_path / "mine"))
    assert result.exit_code == 0, result.output
    assert [(r["rule"], r["category"]) for r in read_report(out, "soup")["removals"] if r["stage"] == "rules"] == [
        ("recipe-card.print", "recipe-card"), ("recipe-card.share", "social")]
    summary = read_summary(out / "corpusclean-summary.json")
    assert summary["config"]["stages"]["rules"]["categories"] == {"recipe-card": "#afff87"}

    # diff accepts the category and shows it in its colour: #afff87 is xterm colour 156
    result = run_cli("diff", str(out), "soup", "--category", "recipe-card", "--color")
    assert result.exit_code == 0, result.stderr
    assert "\x1b[48;5;156m- Print recipe" in result.output

    page = tmp_path / "review.html"
    assert run_cli("review", str(out), "-o", str(page)).exit_code == 0
    index = json.loads(re.search(r'<script type="application/json" id="index">(.*?)</script>',
                                 page.read_text(encoding="utf-8"), re.S).group(1))
    assert {"name": "recipe-card", "colour": "#afff87"} in index["categories"]
