"""corpusclean from Python: `corpusclean.run` is what the `run` command does, and a run's
options are one typed `RunConfig`, built alike from keywords, the command line and a TOML file."""
from __future__ import annotations

import re

import pytest

import corpusclean
from corpusclean import RunConfig, UsageError
from corpusclean.config import read_config_file
from corpusclean.stages.language import LanguageConfig
from conftest import read_report, read_summary, run_cli, tree_bytes, write_tree

PAGE = "Sign up for our newsletter\n\nThe council met on Tuesday and agreed the budget for the coming year.\n"


def test_run_writes_what_the_command_writes(seeds_dir, tmp_path):
    summary = corpusclean.run(seeds_dir, tmp_path / "api", workers=1)
    assert summary.failed == 0
    assert summary.documents["ok"] == 5
    assert summary.path == tmp_path / "api" / "corpusclean-summary.json"
    assert run_cli("run", str(seeds_dir), str(tmp_path / "cli"), "-q").exit_code == 0
    assert tree_bytes(tmp_path / "api") == tree_bytes(tmp_path / "cli")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_run_leaves_the_programs_garbage_collector_as_it_found_it(tmp_path, monkeypatch, workers):
    """A run tunes the collector for itself (pipeline._collect_for_a_run: fewer young collections,
    its long-lived tables frozen out of them) and hands it back as it was, even when it fails."""
    import gc

    from corpusclean import pipeline

    write_tree(tmp_path / "in", {"a.txt": "The council met on Tuesday.\n", "b.txt": "Menu\nShare on Facebook\n"})
    before = gc.get_threshold(), gc.get_freeze_count()
    corpusclean.run(tmp_path / "in", tmp_path / "out", workers=workers)
    assert (gc.get_threshold(), gc.get_freeze_count()) == before

    def broken(*args, **kwargs):
        raise RuntimeError("the parent failed mid-run")

    monkeypatch.setattr(pipeline, "take_results", broken)
    with pytest.raises(RuntimeError, match="mid-run"):
        corpusclean.run(tmp_path / "in", tmp_path / "again", workers=workers)
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_run_takes_the_commands_options_as_keywords(tmp_path):
    source = write_tree(tmp_path / "in", {"page.txt": PAGE})
    corpusclean.run(source, tmp_path / "out", command="strip", disable=["newsletter"], classifier=False, workers=1)
    assert read_report(tmp_path / "out", "page")["removals"] == []
    config = read_summary(tmp_path / "out" / "corpusclean-summary.json")["config"]
    assert config["steps"] == ["fix", "strip"]
    assert list(config["stages"]) == ["rules", "language"]  # --no-classifier: no classifier stage


def test_an_unknown_option_is_refused_with_a_hint(tmp_path):
    with pytest.raises(UsageError, match=r"unknown option\(s\) 'langs' \(did you mean lang\b"):
        corpusclean.run(tmp_path, tmp_path / "out", langs="en")
    assert not (tmp_path / "out").exists()  # refused before anything is written


def test_a_bad_value_is_refused_before_anything_is_written(tmp_path):
    source = write_tree(tmp_path / "in", {"page.txt": PAGE})
    with pytest.raises(UsageError, match="unknown language code"):
        corpusclean.run(source, tmp_path / "out", lang="english")
    with pytest.raises(UsageError, match="unknown rule or category 'socail'"):
        corpusclean.run(source, tmp_path / "out", disable=["socail"])
    with pytest.raises(UsageError, match="inside IN"):
        corpusclean.run(source, source / "out")
    assert not (tmp_path / "out").exists()


def test_a_config_is_typed_and_checked_when_built():
    config = RunConfig.build("run", lang="en,DE", max_bytes=1000, template_min_pages=20, workers=2)
    assert config.stages["language"] == LanguageConfig(lang=("en", "de"))
    assert config.stages["dedup"].template_min_pages == 20
    assert config.input.max_bytes == 1000
    assert config.workers == 2
    with pytest.raises(ValueError, match="the Jaccard threshold"):
        RunConfig.build("run", jaccard_threshold=1.5)
    # a TOML file can spell nan and inf; neither gets past a config
    with pytest.raises(ValueError, match="the Jaccard threshold"):
        RunConfig.build("run", jaccard_threshold=float("nan"))
    with pytest.raises(ValueError, match="quality_max_symbol_ratio must be a finite number"):
        RunConfig.build("run", quality_max_symbol_ratio=float("nan"))
    with pytest.raises(ValueError, match="doc_timeout must be a finite number"):
        RunConfig.build("run", doc_timeout=float("inf"))


def test_a_config_file_sets_run_and_stage_options(tmp_path):
    path = tmp_path / "corpusclean.toml"
    path.write_text('disable = ["newsletter"]\nworkers = 1\n\n[classifier]\nclassifier = false\n', encoding="utf-8")
    assert read_config_file(path) == {"disable": ["newsletter"], "workers": 1, "classifier": False}
    source = write_tree(tmp_path / "in", {"page.txt": PAGE})
    result = run_cli("strip", str(source), str(tmp_path / "out"), "-q", "--config", str(path))
    assert result.exit_code == 0, result.output
    assert read_report(tmp_path / "out", "page")["removals"] == []


def test_the_command_line_wins_over_the_config_file(tmp_path):
    path = tmp_path / "corpusclean.toml"
    path.write_text('[language]\nlang = ["de"]\n', encoding="utf-8")
    source = write_tree(tmp_path / "in", {"page.txt": PAGE})
    result = run_cli("strip", str(source), str(tmp_path / "out"), "-q", "--config", str(path), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert read_report(tmp_path / "out", "page")["status"] == "ok"  # English kept: --lang en won


@pytest.mark.parametrize("text, message", [
    ("[dedup]\nlang = ['en']\n", r"\[dedup\] has no option 'lang'"),
    ("[nosuchstage]\nx = 1\n", r"unknown table \[nosuchstage\]"),
    ("template_min_pages = 3\n", "a stage's options go in its"),
    ("workers = [\n", "not valid TOML"),
])
def test_a_bad_config_file_names_the_problem(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("run", str(tmp_path), str(tmp_path / "out"), "--config", str(path))
    assert result.exit_code == 1
    assert "bad.toml" in result.stderr
    assert re.search(message, result.stderr), result.stderr
