"""A trafilatura older than corpusclean needs (datatrove's `processing` extra installs one)
is refused at the start of a run that reads HTML, saying which version is there, which is
needed and the pip command; a text-only run does not need it. The installed version is faked."""
from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import pytest

from corpusclean import extract, report
from corpusclean.errors import InputError
from corpusclean.requirements import TRAFILATURA, RequirementError, release

from conftest import run_cli, write_tree

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PAGE = "<html><body><article><p>The council met on Tuesday and agreed the budget for next year.</p></article></body></html>"


def installed(version: str | None):
    """A stand-in for importlib.metadata.version: trafilatura at `version` (None: missing)."""
    real = metadata.version

    def version_of(package: str) -> str:
        if package != "trafilatura":
            return real(package)
        if version is None:
            raise metadata.PackageNotFoundError(package)
        return version
    return version_of


@pytest.fixture
def old_trafilatura(monkeypatch):
    """trafilatura 1.6.1, as a run finds it: the version the run summary records (from the
    start-up cache, report.package_version)."""
    real = report.package_version
    monkeypatch.setattr(report, "package_version", lambda package: "1.6.1" if package == "trafilatura" else real(package))
    extract._trafilatura_problem.cache_clear()
    yield
    extract._trafilatura_problem.cache_clear()


def test_an_old_version_is_refused_with_what_is_there_what_is_needed_and_the_command():
    with pytest.raises(RequirementError) as raised:
        TRAFILATURA.check(installed("1.6.1"))
    assert str(raised.value).startswith("trafilatura 1.6.1 is installed, and corpusclean needs trafilatura>=2.0 "
                                        "to read HTML (")
    assert str(raised.value).endswith("Upgrade it with: pip install --upgrade 'trafilatura>=2.0'")


def test_a_missing_package_says_so():
    with pytest.raises(RequirementError, match="^trafilatura is not installed, and corpusclean needs"):
        TRAFILATURA.check(installed(None))


@pytest.mark.parametrize("version", ["2.0.0", "2.3.1", "2.0.0rc1", "10.1"])
def test_new_enough_versions_pass(version):
    TRAFILATURA.check(installed(version))


def test_release_numbers():
    assert release("1.6.1") == (1, 6, 1)
    assert release("2.0.0rc1") == (2, 0, 0)
    assert release("2.3.1.post2") == (2, 3, 1)


def test_pyproject_asks_for_the_same_minimum():
    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert TRAFILATURA.specifier in project["project"]["dependencies"]


def test_a_run_over_html_stops_at_the_start_and_writes_nothing(tmp_path, old_trafilatura):
    write_tree(tmp_path / "in", {"a.txt": "The council met on Tuesday.\n", "page.html": PAGE})
    result = run_cli("run", str(tmp_path / "in"), str(tmp_path / "out"), "-w", "1")
    assert result.exit_code == 1
    assert result.stderr == ("Error: trafilatura 1.6.1 is installed, and corpusclean needs trafilatura>=2.0 to read "
                             "HTML (older ones return a dict from bare_extraction and lack its `fast` option; "
                             "datatrove's `processing` extra may have installed one). "
                             "Upgrade it with: pip install --upgrade 'trafilatura>=2.0'\n")
    assert not (tmp_path / "out").exists()


def test_a_jsonl_of_html_records_stops_at_the_start(tmp_path, old_trafilatura):
    write_tree(tmp_path, {"in.jsonl": '{"id": "a", "html": "<p>Hello</p>"}\n'})
    result = run_cli("run", str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"), "-q", "-w", "1")
    assert result.exit_code == 1
    assert "trafilatura 1.6.1 is installed" in result.stderr


def test_a_text_only_run_does_not_need_it(tmp_path, old_trafilatura):
    write_tree(tmp_path / "in", {"a.txt": "The council met on Tuesday.\n"})
    result = run_cli("run", str(tmp_path / "in"), str(tmp_path / "out"), "-q", "-w", "1")
    assert result.exit_code == 0, result.stderr


def test_an_html_page_met_later_fails_alone_with_the_same_message(old_trafilatura):
    """A run decides from its first documents; a JSONL record deep in the input that holds HTML
    fails by itself, with the message, not a traceback."""
    with pytest.raises(InputError, match="trafilatura 1.6.1 is installed"):
        extract.extract_html(PAGE)


def test_a_warc_of_html_responses_stops_at_the_start(tmp_path, old_trafilatura):
    from test_formats import write_warc

    warc = write_warc(tmp_path / "crawl.warc.gz")
    result = run_cli("run", str(warc), str(tmp_path / "out.jsonl"), "-q", "-w", "1")
    assert result.exit_code == 1
    assert "trafilatura 1.6.1 is installed" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()
