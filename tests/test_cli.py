"""Command-line conventions: help that teaches, data on stdout only, clear errors, exit codes,
and a summary that is the same on every run unless --timing asks for the time.
"""
from __future__ import annotations

import click
import pytest

from corpusclean import __version__
from corpusclean.cli import cli
from conftest import read_summary, run_cli, tree_bytes, write_tree


def all_commands(group: click.Group = cli, path: tuple[str, ...] = ()):
    yield path
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            yield from all_commands(command, path + (name,))
        else:
            yield path + (name,)


@pytest.mark.parametrize("path", list(all_commands()), ids=lambda path: " ".join(path) or "corpusclean")
def test_every_help_page_teaches_with_an_example(path):
    result = run_cli(*path, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout
    assert result.stdout.count("corpusclean") >= 2, "the example shows a whole command line"


def test_version():
    assert run_cli("--version").stdout == f"corpusclean, version {__version__}\n"


def test_a_missing_in_is_a_clear_error(tmp_path):
    result = run_cli("run", str(tmp_path / "nope"), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: IN does not exist: {tmp_path / 'nope'}\n"
    assert not (tmp_path / "out").exists()


def test_an_out_that_is_a_file_is_a_clear_error(tmp_path):
    write_tree(tmp_path, {"in/a.txt": "text\n", "out": "I am a file\n"})
    result = run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"))
    assert result.exit_code == 1 and "is a file" in result.stderr
    assert (tmp_path / "out").read_text() == "I am a file\n"


def test_a_mistyped_option_is_a_usage_error():
    result = run_cli("run", "--no-such-option")
    assert result.exit_code == 2 and "No such option" in result.stderr


@pytest.mark.parametrize("option", ["--jaccard-threshold", "--quality-max-symbol-ratio", "--doc-timeout"])
@pytest.mark.parametrize("value", ["nan", "inf"])
def test_a_number_option_refuses_nan_and_infinity(tmp_path, option, value):
    # float() reads both, and NaN passes every range check: it must stop at the command line
    write_tree(tmp_path / "in", {"a.txt": "text\n"})
    result = run_cli("run", str(tmp_path / "in"), str(tmp_path / "out"), option, value)
    assert result.exit_code == 2
    assert f"Invalid value for '{option}': '{value}' is not a finite number." in result.stderr
    assert not (tmp_path / "out").exists()


def test_folder_output_writes_nothing_on_stdout(tmp_path):
    write_tree(tmp_path / "in", {"a.txt": "text\n"})
    result = run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"))
    assert result.stdout == ""
    assert result.stderr.startswith("corpusclean fix: 1 documents (0 failed, 0 dropped)")


def test_quiet_means_silent(tmp_path):
    write_tree(tmp_path / "in", {"a.txt": "text\n"})
    result = run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out"), "-q")
    assert (result.stdout, result.stderr) == ("", "")


def test_the_summary_is_the_same_on_every_run_unless_timing_is_asked_for(tmp_path):
    write_tree(tmp_path / "in", {"a.txt": "Menu\n\ntext\n", "b.txt": "more text\n"})
    run_cli("run", str(tmp_path / "in"), str(tmp_path / "one"))
    run_cli("run", str(tmp_path / "in"), str(tmp_path / "two"))
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")
    assert "time" not in read_summary(tmp_path / "one/corpusclean-summary.json")
    run_cli("run", str(tmp_path / "in"), str(tmp_path / "timed"), "--timing")
    timed = read_summary(tmp_path / "timed/corpusclean-summary.json")["time"]
    assert timed["seconds"] > 0


def test_the_summary_records_what_ran_and_with_what(tmp_path):
    write_tree(tmp_path / "in", {"a.txt": "text\n"})
    run_cli("run", str(tmp_path / "in"), str(tmp_path / "out"), "--disable", "social")
    summary = read_summary(tmp_path / "out/corpusclean-summary.json")
    assert summary["command"] == "run"
    assert summary["config"]["steps"] == ["fix", "strip", "dedup"]
    assert "social" in str(summary["config"]["stages"]["rules"])
    assert summary["versions"]["corpusclean"] == __version__


def test_the_summary_cannot_collide_with_an_input_name(tmp_path):
    """An input called corpusclean-summary.txt writes corpusclean-summary.txt; the summary is
    a .json name no input maps to."""
    write_tree(tmp_path / "in", {"corpusclean-summary.txt": "text\n"})
    assert run_cli("fix", str(tmp_path / "in"), str(tmp_path / "out")).exit_code == 0
    assert (tmp_path / "out/corpusclean-summary.txt").read_text() == "text\n"
    assert read_summary(tmp_path / "out/corpusclean-summary.json")["documents"] == {"ok": 1}

