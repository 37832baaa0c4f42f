"""The run summary adds up the documents' reports: from whole reports (the parent writes the
output) or from what a worker that wrote them sends back (`Summary.fields`), the same sums."""
from __future__ import annotations

import json
from pathlib import Path

from corpusclean.report import Summary, failure_report, tally

CLEAN = Path(__file__).resolve().parent.parent / "clean"


def test_a_pages_removals_are_added_up_by_rule_in_the_order_they_first_appear():
    removals = [{"category": "social", "rule": "social.share", "chars": [0, 10]},
                {"category": "navigation", "rule": "navigation.menu", "chars": [10, 14]},
                {"category": "social", "rule": "social.share", "chars": [40, 45]}]
    assert tally(removals) == [("social", "social.share", 2, 15), ("navigation", "navigation.menu", 1, 4)]
    assert tally([]) == []


def test_the_summary_adds_up_the_same_from_whole_reports_and_from_what_a_worker_sends():
    reports = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(CLEAN.glob("*.report.json"))]
    reports.append(failure_report("broken", "cannot read: permission denied", {"path": "broken.txt"}))
    whole, sent = Summary("run", {}), Summary("run", {})
    for report in reports:
        whole.add(report)
        sent.add(Summary.fields(report))
    assert whole.to_json() == sent.to_json()
    assert whole.by_rule and whole.failed == 1  # the seeds' removals are in it
