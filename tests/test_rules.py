"""Rule packs and the rule engine, by example.

How a pack is read and when it is refused (rulebook.py), how `--rules` and `--disable` change
the loaded set, how each scope finds its span (stages/rules.py), and the `corpusclean rules`
commands. The shipped rules' own examples are run in test_rule_examples.py.
"""
from __future__ import annotations

import pickle
import random
import textwrap
from pathlib import Path

import pytest

from corpusclean.model import Document
from corpusclean.rulebook import CATEGORIES, RuleError, load_rulebook, parse_pack
from corpusclean.stages.rules import LineMemo, Page, RuleStage, gate_for, in_zone, scan, span_from

from conftest import read_report, run_cli, write_tree

# A minimal valid rule; tests add or break one field at a time.
BASE = """
[[rule]]
id = "widget.print-button"
category = "widget"
description = "A print button"
patterns = ['^print$']
examples = ["Print"]
counter_examples = ["Print runs were cut."]
"""


def rules_from(toml: str, source: str = "test.toml"):
    return parse_pack(textwrap.dedent(toml), source)


def removed(text: str, toml: str) -> list[tuple[int, int, str]]:
    """(1-based first line, last line, rule id) of each removal the pack's rules make on text."""
    doc = Document("page", text)
    scan(doc, tuple(rules_from(toml)), "rules")
    return [(r.line_start, r.line_end, r.rule) for r in doc.iter_removals()]


def rule(**fields: object) -> str:
    """A one-rule pack: BASE with fields replaced or added (values as TOML source)."""
    lines = [line for line in BASE.strip().splitlines() if line.split(" = ")[0] not in fields]
    return "\n".join(lines + [f"{key} = {value}" for key, value in fields.items()]) + "\n"


# -- loading the shipped set ---------------------------------------------------------------

def test_the_shipped_packs_cover_every_category_and_load_once_into_a_rulebook():
    book = load_rulebook()
    assert {r.category for r in book.rules} == set(CATEGORIES)
    assert len({r.id for r in book.rules}) == len(book.rules)
    assert all(r.source.startswith("rules/") for r in book.rules)


def test_settings_name_the_packs_and_fingerprint_the_rules():
    settings = load_rulebook(disabled=["social"]).settings()
    assert settings["packs"] == ["rules/"]
    assert settings["disabled"] == ["social"]
    assert settings == load_rulebook(disabled=["social"]).settings()  # same rules, same record
    assert settings["fingerprint"] != load_rulebook().settings()["fingerprint"]


# -- refusing a bad pack -------------------------------------------------------------------

BAD_PACKS = [
    (rule(patterns="['^(print$']"), "bad regex in patterns"),
    (rule(patterns="['^print|']"), "would match every line"),
    (rule(patterns="['(|print)']"), "would match every line"),
    (rule(patterns="['^(print) \\1$']"), "uses a backreference"),
    (rule(colour='"red"'), "unknown field(s) colour"),
    (rule(category='"sidebar"'), "unknown category 'sidebar'"),
    (rule(id='"Print Button"'), "id must look like CATEGORY.NAME"),
    (rule(id='"widget"'), "id must look like CATEGORY.NAME"),
    (rule(max_chars='"short"'), "max_chars must be a whole number"),
    (rule(max_chars="0"), "max_chars must be at least 1"),
    (rule(examples="[]"), "examples is empty"),
    (rule(unless="[]"), "unless is empty"),
    (rule(counter_examples='["  "]'), "blank entry"),
    (rule(scope='"page"'), "scope must be one of"),
    (rule(to_page_end="true"), "only applies to scope = 'block'"),
    (rule(scope='"block"'), "exactly one way to extend"),
    (rule(scope='"block"', to_page_end="true", end="['^end$']"), "exactly one way to extend"),
    (rule(require_count="2"), "require_count needs require"),
    (rule(patterns="['^{menu}$']"), "unknown word list(s) menu"),
    (BASE.replace('description = "A print button"\n', ""), "missing field(s) description"),
    (BASE.replace('category = "widget"\n', ""), "missing field(s) category"),
    ("[[rule]]\nid = 'x.y'\npatterns = ['a'", "not valid TOML"),
    ('colour = "red"\n' + BASE, 'colour must be a string "#rrggbb"'),
    ('category = "widget"\ncolour = "#87d7ff"\n' + BASE, "colour is only for a category the pack adds"),
    ('category = "widget"\n', "no rules"),
    ('[words]\nmenu = ["home", ""]\n' + BASE, "words.menu: has an empty entry"),
]


@pytest.mark.parametrize("toml, message", BAD_PACKS, ids=[message for _, message in BAD_PACKS])
def test_a_bad_pack_is_refused_with_its_file_rule_and_problem(toml, message):
    with pytest.raises(RuleError) as raised:
        rules_from(toml, "packs/mine.toml")
    assert str(raised.value).startswith("packs/mine.toml: ")
    assert message in str(raised.value)


def test_the_error_names_the_rule_id():
    with pytest.raises(RuleError, match=r"packs/mine.toml: rule 'widget.print-button': bad regex"):
        rules_from(rule(patterns="['(']"), "packs/mine.toml")


def test_a_pack_level_category_is_the_default_for_its_rules():
    [only] = rules_from('category = "widget"\n' + BASE.replace('category = "widget"\n', ""))
    assert only.category == "widget"


def test_word_lists_are_written_once_and_used_in_several_patterns():
    pack = '[words]\nbutton = ["print", "save", "share this"]\n' + rule(patterns="['^{button}$']")
    [only] = rules_from(pack)
    assert [bool(only.starts_at(t)) for t in ("Print", "Share this", "Saved")] == [True, True, False]


def test_patterns_ignore_case_unless_the_rule_says_otherwise():
    [loose] = rules_from(BASE)
    [strict] = rules_from(rule(case_sensitive="true"))
    assert loose.starts_at("PRINT") and not strict.starts_at("PRINT")


# -- user packs: --rules and --disable -----------------------------------------------------

def test_a_user_rule_with_a_shipped_id_replaces_it_and_a_new_id_is_added(tmp_path):
    write_tree(tmp_path / "mine", {
        "override.toml": BASE.replace("widget.print-button", "newsletter.signup-button")
                             .replace('category = "widget"', 'category = "newsletter"'),
        "extra.toml": BASE,
    })
    shipped = load_rulebook()
    book = load_rulebook(extra_dirs=[tmp_path / "mine"])
    replaced = book.by_id("newsletter.signup-button")
    assert replaced.source.endswith("override.toml") and replaced.description == "A print button"
    assert book.by_id("widget.print-button").source.endswith("extra.toml")
    assert len(book.rules) == len(shipped.rules) + 1
    # the replacement keeps the replaced rule's place in the order
    assert [r.id for r in book.rules][:len(shipped.rules)] == [r.id for r in shipped.rules]


def test_a_duplicate_id_within_one_folder_is_an_error(tmp_path):
    write_tree(tmp_path / "mine", {"a.toml": BASE, "b.toml": BASE})
    with pytest.raises(RuleError, match=r"b.toml: rule 'widget.print-button': duplicate id \(also in .*a.toml\)"):
        load_rulebook(extra_dirs=[tmp_path / "mine"])


def test_a_rules_folder_without_packs_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(RuleError, match="no \\*.toml rule packs"):
        load_rulebook(extra_dirs=[tmp_path / "empty"])


def test_disable_takes_rule_ids_and_whole_categories():
    book = load_rulebook(disabled=["social", "newsletter.consent"])
    ids = {r.id for r in book.rules}
    assert not any(r.category == "social" for r in book.rules)
    assert "newsletter.consent" not in ids and "newsletter.signup-button" in ids


def test_an_unknown_disable_name_lists_the_valid_ones():
    with pytest.raises(RuleError) as raised:
        load_rulebook(disabled=["newsleter"])
    message = str(raised.value)
    assert "unknown rule or category 'newsleter' (did you mean newsletter" in message
    assert "Categories: navigation, widget, newsletter" in message
    assert "newsletter.signup-button" in message


# -- scopes --------------------------------------------------------------------------------

def test_a_line_rule_removes_each_matching_line_with_its_id_category_and_reason():
    doc = Document("page", "Print\nBody text.\nprint\n")
    scan(doc, tuple(rules_from(BASE)), "rules")
    assert [(r.line_start, r.rule, r.category, r.reason, r.stage) for r in doc.iter_removals()] == [
        (1, "widget.print-button", "widget", "A print button", "rules"),
        (3, "widget.print-button", "widget", "A print button", "rules"),
    ]


def test_max_chars_keeps_a_rule_off_long_lines():
    pack = rule(patterns="['^share']", max_chars="20")
    assert removed("Share this\nShare prices fell sharply on Monday.\n", pack) == [(1, 1, "widget.print-button")]


def test_unless_vetoes_a_match():
    pack = rule(patterns="['^by ']", unless="['^by (monday|tuesday)']")
    assert removed("By Monday it was over.\nBy Jane Doe\n", pack) == [(2, 2, "widget.print-button")]


def test_a_run_needs_min_lines_consecutive_matches_and_may_cross_blank_lines():
    pack = rule(scope='"run"', patterns="['^(news|sport|weather)$']", min_lines="3", through_blank="true")
    assert removed("News\n\nSport\nWeather\nBody.\n", pack) == [(1, 4, "widget.print-button")]
    assert removed("News\nSport\nBody.\n", pack) == []


def test_a_block_can_end_at_an_end_line():
    pack = rule(scope='"block"', patterns="['^begin ad$']", end="['^end ad$']", max_lines="5")
    assert removed("Begin ad\nBuy now\n\nEnd ad\nBody.\n", pack) == [(1, 4, "widget.print-button")]
    assert removed("Begin ad\n1\n2\n3\n4\n5\nEnd ad\n", pack) == []  # end too far away


def test_a_block_can_continue_over_short_or_matching_lines_and_stops_at_a_blank():
    pack = rule(scope='"block"', patterns="['^topics$']", continue_max_chars="12", **{"continue": "['follow']"})
    text = "Topics\nClimate\nFollow these for alerts on new stories\nHousing\n\nHousing is short too.\n"
    assert removed(text, pack) == [(1, 4, "widget.print-button")]


def test_a_block_can_run_to_the_page_end():
    pack = rule(scope='"block"', patterns="['^dear readers,$']", to_page_end="true")
    assert removed("Story.\n\nDear readers,\n\nPlease give.\n\nThe editors\n\n", pack) == [(3, 7, "widget.print-button")]


def test_require_counts_the_lines_of_the_span_that_show_the_evidence():
    pack = rule(scope='"block"', patterns="['^benefits$']", continue_max_chars="30",
                require="['ad-free|exclusive|newsletter']", require_count="2")
    assert removed("Benefits\nAd-free reading\nExclusive events\n", pack) == [(1, 3, "widget.print-button")]
    assert removed("Benefits\nBetter sleep\nExclusive events\n", pack) == []


def test_zones_count_non_blank_lines_of_the_whole_page():
    first = rule(patterns="['^politics$']", within_first="1")
    assert removed("\n\nPolitics\n\nHeadline\n", first) == [(3, 3, "widget.print-button")]
    assert removed("Headline\n\nPolitics\n", first) == []
    last = rule(patterns="['^jane doe$']", within_last="1")
    assert removed("Story.\n\nJane Doe\n\n", last) == [(3, 3, "widget.print-button")]
    assert removed("Jane Doe\n\nStory.\n", last) == []


def test_zones_do_not_move_when_another_rule_removed_the_lines_around():
    """The kicker rule looks at the page as fixed: removing the first line does not make the
    headline below it "the first line"."""
    pack = (rule(patterns="['^menu$']", id='"navigation.menu"')
            + rule(patterns="['^headline$']", id='"navigation.kicker"', within_first="1"))
    assert removed("Menu\nHeadline\n", pack) == [(1, 1, "navigation.menu")]


def test_alone_needs_a_paragraph_of_its_own():
    pack = rule(patterns="['^jane doe$']", alone="true")
    assert removed("Text.\n\nJane Doe\n", pack) == [(3, 3, "widget.print-button")]
    assert removed("Text.\nJane Doe\n", pack) == []


def test_where_rules_overlap_the_span_that_starts_first_wins_then_the_rule_loaded_first():
    pack = (rule(id='"widget.box"', scope='"block"', patterns="['^box$']", continue_max_chars="10")
            + rule(id='"widget.item"', patterns="['^item$']")
            + rule(id='"widget.box-too"', patterns="['^box$']"))
    assert removed("Box\nItem\n\nItem\n", pack) == [(1, 2, "widget.box"), (4, 4, "widget.item")]


def test_lines_already_removed_by_an_earlier_stage_are_left_alone():
    doc = Document("page", "Print\nPrint\n")
    doc.remove(0, 0, stage="earlier", rule="x.y", category="widget")
    scan(doc, tuple(rules_from(BASE)), "rules")
    assert [(r.line_start, r.stage) for r in doc.iter_removals()] == [(1, "earlier"), (2, "rules")]


def test_a_stage_remembers_what_the_rules_make_of_a_text_and_decides_as_without_memory():
    """Chrome repeats line for line from page to page, so the stage remembers, by text, the
    gate's answer and whether each rule starts there. Where a line stands is not remembered:
    the same text in another zone is judged by that zone."""
    stage = RuleStage(load_rulebook())
    pages = ["Sign up\nStory text.\n\nJane Doe\n", "Jane Doe\nSign up\n\nStory text.\n",
             "Sign up\nStory text.\n\nJane Doe\n"]
    for text in pages:
        remembered, fresh = Document("p", text), Document("p", text)
        stage.process(remembered)
        scan(fresh, stage.rulebook.rules, "rules")         # a memo of its own, empty
        assert [r.to_json() for r in remembered.removals] == [r.to_json() for r in fresh.removals]
    assert len(stage.memo) == 3                            # "Sign up", "Story text.", "Jane Doe"


def test_the_memo_keeps_no_long_line_and_starts_afresh_when_full():
    rules = load_rulebook().rules
    memo = LineMemo(rules, gate_for(rules), capacity=20, max_chars=10)
    memo.line("a paragraph longer than ten characters")
    assert len(memo) == 0
    for text in ("Sign up", "Log in", "Print", "Share"):
        memo.line(text)
    assert len(memo) == 1                                  # 7 + 6 + 5 characters filled it; "Share" began anew


def test_a_gate_is_kept_in_the_start_up_cache_under_its_ways_and_found_only_by_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The start-up cache knows a gate by its rules' ways, each written as its digest (Way.digest
    is made with the way and pickled with it). A rule whose ways differ, even one that keeps
    its id and fingerprint, gets a gate of its own; the same ways read back the same gate."""
    import dataclasses

    from corpusclean.patterns.gate import Gate, Way
    from corpusclean.stages import rules as rules_stage

    monkeypatch.setenv("CORPUSCLEAN_CACHE_DIR", str(tmp_path))
    [rule] = rules_from(BASE)                                 # '^print$'
    other = dataclasses.replace(rule, requirement=(Way(None, ((("z", "z", "z"),),)),))
    assert other.fingerprint == rule.fingerprint and other.requirement != rule.requirement
    assert pickle.loads(pickle.dumps(other.requirement))[0].digest == other.requirement[0].digest
    rules_stage._gate.cache_clear()
    assert gate_for((rule,)).candidates("zzz") == ()          # built, and written to the cache
    rules_stage._gate.cache_clear()
    assert gate_for((other,)).candidates("zzz") == (0,)       # not the cached gate of `rule`
    rules_stage._gate.cache_clear()
    monkeypatch.setattr(Gate, "__init__", lambda *args: pytest.fail("built again"))
    assert gate_for((rule,)).candidates("print") == (0,)      # read back
    rules_stage._gate.cache_clear()                           # leave no gate of this folder to other tests


def test_the_stage_pickles_for_worker_processes_and_gives_the_same_removals():
    stage = RuleStage(load_rulebook())
    copy = pickle.loads(pickle.dumps(stage))
    text = "Home > News > Story\nSign up\n\nStory text.\n"
    a, b = Document("a", text), Document("a", text)
    stage.process(a)
    copy.process(b)
    assert [r.to_json() for r in a.removals] == [r.to_json() for r in b.removals]
    assert (stage.name, stage.step) == ("rules", "strip")


# -- the command line ----------------------------------------------------------------------

def test_rules_check_passes_on_the_shipped_packs():
    result = run_cli("rules", "check")
    assert result.exit_code == 0
    assert result.output.strip().endswith("examples checked: 0 failures.")


def test_rules_check_prints_one_line_per_failing_example_and_exits_1(tmp_path):
    write_tree(tmp_path / "mine", {"print.toml": rule(examples='["Print", "Printer"]',
                                                      counter_examples='["print"]')})
    result = run_cli("rules", "check", str(tmp_path / "mine"))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0].endswith("print.toml: widget.print-button: example 2 not removed (0 of 1 lines): 'Printer'")
    assert lines[1].endswith("print.toml: widget.print-button: counter-example 1 touched (1 of 1 lines removed): 'print'")
    assert lines[2].endswith("examples checked: 2 failures.")


def test_rules_check_reports_a_broken_pack_as_an_error(tmp_path):
    write_tree(tmp_path / "mine", {"bad.toml": rule(patterns="['(']")})
    result = run_cli("rules", "check", str(tmp_path / "mine"))
    assert result.exit_code == 1
    assert "bad.toml: rule 'widget.print-button': bad regex" in result.stderr


def test_rules_list_shows_ids_and_descriptions():
    result = run_cli("rules", "list", "--category", "paywall")
    assert result.exit_code == 0
    ids = [line.split()[0] for line in result.output.splitlines()]
    assert ids and all(i.startswith("paywall.") for i in ids if not i.startswith("heuristic."))
    assert "heuristic.appeal" in ids  # the classifier test that may name a paywall pitch


def test_run_with_a_user_pack_and_disable(tmp_path):
    write_tree(tmp_path / "in", {"page.txt": "Clip this coupon\n\nStory text.\n\nSign up\n"})
    write_tree(tmp_path / "mine", {"coupon.toml": rule(id='"widget.coupon"', description='"A coupon box"',
                                                       patterns="['^clip this coupon$']",
                                                       examples='["Clip this coupon"]')})
    result = run_cli("run", str(tmp_path / "in"), str(tmp_path / "out"), "-q", "-w", "1",
                     "--no-classifier", "--rules", str(tmp_path / "mine"), "--disable", "newsletter")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "page.txt").read_text() == "Story text.\n\nSign up\n"
    rows = [(r["rule"], r["category"], r["reason"]) for r in read_report(tmp_path / "out", "page")["removals"]
            if r["stage"] == "rules"]
    assert rows == [("widget.coupon", "widget", "A coupon box")]


def test_run_with_an_unknown_disable_name_is_a_clean_error_and_writes_nothing(tmp_path):
    write_tree(tmp_path / "in", {"page.txt": "Story.\n"})
    result = run_cli("run", str(tmp_path / "in"), str(tmp_path / "out"), "-q", "--disable", "adverts")
    assert result.exit_code == 1
    assert "Error: --disable: unknown rule or category 'adverts'" in result.stderr
    assert not (tmp_path / "out").exists()


def test_strip_with_a_broken_user_pack_is_a_clean_error(tmp_path):
    write_tree(tmp_path / "in", {"page.txt": "Story.\n"})
    write_tree(tmp_path / "mine", {"bad.toml": rule(colour='"red"')})
    result = run_cli("strip", str(tmp_path / "in"), str(tmp_path / "out"), "-q",
                     "--rules", str(tmp_path / "mine"))
    assert result.exit_code == 1
    assert "bad.toml: rule 'widget.print-button': unknown field(s) colour" in result.stderr


# -- the scan is "try every rule at every line", made fast --------------------------------

def scan_trying_every_rule(doc: Document, rules) -> None:
    """What the rules stage means, without the keyword gate, the zones gated apart or the
    line memo: at each live non-blank line, top to bottom, the first rule (in rulebook order)
    that may start there and whose span qualifies removes it; the scan goes on after it."""
    page = Page(doc)
    i = 0
    while i < page.size:
        if page.texts[i] and doc.is_live(i):
            for rule in rules:
                if in_zone(rule, page, i) and rule.starts_at(page.texts[i]):
                    span = span_from(rule, page, i)
                    if span is not None:
                        doc.remove(span[0], span[1], stage="rules", rule=rule.id, category=rule.category,
                                   reason=rule.description)
                        i = span[1]
                        break
        i += 1


def pages_of_the_shipped_examples(rules, count: int) -> list[str]:
    """Made-up pages: every shipped rule's examples and counter-examples among prose, in
    shuffled orders (so each rule meets the top and the bottom of a page, and lines recur
    from page to page as a site's chrome does)."""
    lines = [line for rule in rules for line in rule.examples + rule.counter_examples]
    prose = ["The council met on Tuesday to discuss the new budget for the coming year.",
             "Residents said the plan would change how the town pays for its roads.", ""]
    rng = random.Random(11)
    pages = []
    for _ in range(count):
        chosen = rng.sample(lines, min(len(lines), 40)) + prose * 3
        rng.shuffle(chosen)
        pages.append("\n".join(chosen) + "\n")
    return pages


def test_the_scan_removes_exactly_what_trying_every_rule_at_every_line_removes(seeds_dir: Path):
    """The keyword gate, the rules gated apart on their zone and the memory of lines met on
    earlier pages only skip work: on the seeds and on pages made of the shipped rules'
    examples, one stage's scans (its memo shared from page to page, as in a run) remove the
    same spans, by the same rules, as trying every rule everywhere."""
    book = load_rulebook()
    stage = RuleStage(book)
    texts = [path.read_text(encoding="utf-8") for path in sorted(seeds_dir.glob("*.txt"))]
    texts += pages_of_the_shipped_examples(book.rules, 30)
    rules_fired = set()
    for n, text in enumerate(texts):
        fast, reference = Document(f"p{n}", text), Document(f"p{n}", text)
        stage.process(fast)
        scan_trying_every_rule(reference, book.rules)
        assert list(fast.iter_removals()) == list(reference.iter_removals()), f"page {n}"
        rules_fired.update(removal.rule for removal in fast.iter_removals())
    assert len(rules_fired) > len(book.rules) // 2  # most rules had their say somewhere
    assert len(stage.memo) > 0  # the later pages were scanned with lines remembered
