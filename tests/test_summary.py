"""The run summary adds up the documents' reports: from whole reports (the parent writes the
output) or from what a worker that wrote them sends back (`Summary.fields`), the same sums."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from corpusclean.report import NOTICE_EXAMPLES, Summary, Totals, failure_report, tally

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


def test_totals_a_worker_adds_up_per_task_merge_into_what_adding_each_report_gives():
    """A local worker adds up a task's reports itself (`Totals`, in `pipeline.Written`) and
    the parent merges them in input order: the same summary, lists in input order, the first
    few documents of each notice kept as they come, whatever the tasks' sizes."""
    reports = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(CLEAN.glob("*.report.json"))]
    reports += [failure_report(f"broken-{i}", "cannot read: permission denied") for i in range(3)]
    empty = {"document": "", "status": "ok", "sizes": {"input_bytes": 0, "fixed_chars": 0, "clean_chars": 0},
             "removals": [], "notices": [{"kind": "empty", "message": "empty input: nothing to clean"}]}
    reports += [{**empty, "document": f"empty-{i}"} for i in range(NOTICE_EXAMPLES + 3)]
    reports.insert(2, {**empty, "document": "early-empty"})
    one_by_one = Summary("run", {})
    for report in reports:
        one_by_one.add(report)
    for size in (1, 3, 7, len(reports)):
        merged = Summary("run", {})
        for start in range(0, len(reports), size):
            task = Totals()
            for report in reports[start:start + size]:
                task.add(Summary.fields(report) if start % 2 else report)
            merged.merge(task)
        assert merged.to_json() == one_by_one.to_json()
    assert one_by_one.notices["empty"]["first"][0]["document"] == "early-empty"
    assert [f["document"] for f in one_by_one.failures] == ["broken-0", "broken-1", "broken-2"]


def test_a_packages_version_is_what_importlib_metadata_says():
    from importlib import metadata

    from corpusclean.report import package_version

    for package in ("numpy", "click", "ftfy", "langdetect"):
        assert package_version(package) == metadata.version(package)
    assert package_version("no-such-package-here") == "not installed"


def test_the_recorded_versions_come_from_the_start_up_cache_until_a_folder_on_the_path_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from corpusclean import report

    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.setenv("CORPUSCLEAN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(sys, "path", [str(site), *sys.path])
    looked_up: list[str] = []
    real = report._read_version

    def read_version(package: str) -> str:
        looked_up.append(package)
        return real(package)

    monkeypatch.setattr(report, "_read_version", read_version)
    report._installed.cache_clear()
    first = report.versions()
    assert "numpy" in looked_up                       # the first run reads the metadata
    looked_up.clear()
    report._installed.cache_clear()                   # a new process, as it were
    assert report.versions() == first and looked_up == []
    (site / "newly-installed.pth").write_text("")    # an install changes the folder
    os.utime(site, ns=(0, 123))                       # (even within the clock's resolution)
    report._installed.cache_clear()
    assert report.versions() == first and "numpy" in looked_up
    looked_up.clear()
    (site / "other-1.0.dist-info").mkdir()            # an install where every time is set alike
    os.utime(site, ns=(0, 123))
    report._installed.cache_clear()
    assert report.versions() == first and "numpy" in looked_up   # the folder's names are in the key
    report._installed.cache_clear()
