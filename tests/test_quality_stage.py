"""The quality stage (the README's "add a stage" example): a Gopher-style flag, off by default,
that drops a page with too few words or too many symbols, and says so in its report."""
from __future__ import annotations

import corpusclean
from conftest import read_report, read_summary, run_cli, write_tree

PROSE = ("The harbour board met on Monday to discuss the winter timetable for the island ferries, "
         "and agreed to keep the early crossing that fishermen and nurses rely on every day of the week. ")
LONG = PROSE * 3 + "\n"                       # 99 words
SHORT = "Opening hours: Monday to Friday.\n"  # 5 words
#: prose trailing off in ellipses: 15 "..." for 111 words
TAGS = PROSE.replace(",", "...").replace(" the ", " the ... ") * 3 + "\n"


def run(tmp_path, *options: str) -> dict:
    source = write_tree(tmp_path / "in", {"long.txt": LONG, "short.txt": SHORT, "tags.txt": TAGS})
    result = run_cli("strip", str(source), str(tmp_path / "out"), "-q", "-w", "1", *options)
    assert result.exit_code == 0, result.stderr
    return {name: read_report(tmp_path / "out", name) for name in ("long", "short", "tags")}


def test_off_by_default_it_changes_nothing(tmp_path):
    reports = run(tmp_path)
    assert all(report["status"] == "ok" and "quality" not in report for report in reports.values())
    assert "quality" not in read_summary(tmp_path / "out" / "corpusclean-summary.json")["config"]["stages"]


def test_a_page_with_too_few_words_or_too_many_symbols_is_dropped_with_its_measurements(tmp_path):
    reports = run(tmp_path, "--quality")
    assert reports["long"]["status"] == "ok"
    assert reports["long"]["quality"] == {"words": 99, "symbol_ratio": 0.0}
    short, tags = reports["short"], reports["tags"]
    assert short["status"] == "dropped" and short["dropped"] == "quality: 5 words, fewer than 50"
    assert [(r["rule"], r["category"], r["text"]) for r in short["removals"]] == [("quality.too-few-words", "quality", SHORT)]
    assert tags["status"] == "dropped" and tags["dropped"] == "quality: 0.135 symbols per word, more than 0.1"
    assert [r["rule"] for r in tags["removals"]] == ["quality.too-many-symbols"]
    assert tags["quality"] == {"words": 111, "symbol_ratio": 0.135}
    assert not (tmp_path / "out" / "short.txt").exists()  # dropped: no text, the report says why
    summary = read_summary(tmp_path / "out" / "corpusclean-summary.json")
    assert summary["documents"] == {"dropped": 2, "ok": 1}
    assert summary["config"]["stages"]["quality"] == {"min_words": 50, "max_symbol_ratio": 0.1, "disabled": []}


def test_its_thresholds_and_tests_are_options(tmp_path):
    reports = run(tmp_path, "--quality", "--quality-min-words", "5", "--disable", "quality.too-many-symbols")
    assert [r["status"] for r in reports.values()] == ["ok", "ok", "ok"]
    result = run_cli("strip", str(tmp_path / "in"), str(tmp_path / "o2"), "--quality", "--disable", "quality.nope")
    assert result.exit_code == 1 and "unknown quality test(s) quality.nope" in result.stderr


def test_its_category_switches_off_all_its_tests(tmp_path):
    reports = run(tmp_path, "--quality", "--disable", "quality")
    assert [r["status"] for r in reports.values()] == ["ok", "ok", "ok"]
    summary = read_summary(tmp_path / "out" / "corpusclean-summary.json")
    assert summary["config"]["stages"]["quality"]["disabled"] == ["quality.too-few-words", "quality.too-many-symbols"]


def test_rules_list_the_api_and_a_config_file_know_it(tmp_path):
    listed = run_cli("rules", "list", "--category", "quality").output.splitlines()
    assert [line.split()[0] for line in listed] == ["quality.too-few-words", "quality.too-many-symbols"]
    assert corpusclean.clean(SHORT, quality=True).status == "dropped"
    assert corpusclean.clean(SHORT).status == "ok"
    config = write_tree(tmp_path, {"q.toml": "[quality]\nquality = true\nquality_min_words = 10\n"}) / "q.toml"
    reports = run(tmp_path, "--config", str(config))
    assert reports["short"]["status"] == "dropped" and reports["short"]["dropped"] == "quality: 5 words, fewer than 10"
