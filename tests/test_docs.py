"""What the README shows must keep working: its example rule pack passes `rules check`, and a
run with it applies the pack's rule."""
from __future__ import annotations

from pathlib import Path

from conftest import read_report, run_cli, write_tree

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_RULES = ROOT / "docs" / "example-rules"


def test_the_example_rule_pack_passes_rules_check():
    result = run_cli("rules", "check", str(EXAMPLE_RULES))
    assert result.exit_code == 0, result.output
    assert "0 failures" in result.output


def test_a_run_with_the_example_pack_removes_what_its_rule_names(tmp_path):
    source = write_tree(tmp_path / "in", {"page.txt": "Weather: 12°C Cloudy\n\nThe council met on Tuesday and agreed the budget.\n"})
    result = run_cli("run", str(source), str(tmp_path / "out"), "-q", "--rules", str(EXAMPLE_RULES))
    assert result.exit_code == 0, result.output
    rules = [row["rule"] for row in read_report(tmp_path / "out", "page")["removals"]]
    assert "widget.weather-ticker" in rules
    assert (tmp_path / "out" / "page.txt").read_text(encoding="utf-8") == "The council met on Tuesday and agreed the budget.\n"
