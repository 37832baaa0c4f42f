"""`corpusclean diff OUT [NAME]`: removed lines in context, tagged [category rule].

The run under test is made by tests/review_run.py: three made-up pages and one binary file,
cleaned by a tiny stage that removes lines holding known phrases. CliRunner's output is not a
terminal, so it is plain text unless --color asks for colour.
"""
from __future__ import annotations

from conftest import run_cli
from review_run import make_run


def test_one_page_in_context(tmp_path):
    out = make_run(tmp_path)
    result = run_cli("diff", str(out), "council", "--context", "1")
    assert result.exit_code == 0
    assert result.output == (
        "=== council: 5 removals, 106 of 268 characters (39.6%)\n"
        "@@ lines 1-3 @@\n"
        "- Skip to content  [navigation nav.skip]\n"
        "- Home | News | Sport  [navigation nav.menu]\n"
        "-\n"                                  # the blank line the removals left, tidied away
        "@@ lines 8-13 @@\n"
        "\n"                                   # a kept blank line, as context
        "- Share on Facebook  [social social.share]\n"
        "- Share on Twitter  [social social.share]\n"
        "-\n"
        "- Sign up for our morning newsletter  [newsletter newsletter.signup]\n"
        "-\n"
    )


def test_kept_lines_around_a_removal_are_context(tmp_path):
    out = make_run(tmp_path)
    result = run_cli("diff", str(out), "recipe")
    assert result.output == (
        "=== recipe: 1 removal, 34 of 169 characters (20.1%)\n"
        "@@ lines 1-5 @@\n"
        "  Lentil soup\n"
        "\n"
        "  Rinse the lentils and simmer them for twenty minutes.\n"
        "- Sign up for our recipe newsletter  [newsletter newsletter.signup]\n"
        "  Season with cumin before serving. Never type </script> into a page.\n"
    )


def test_rule_filter_takes_shell_patterns(tmp_path):
    out = make_run(tmp_path)
    result = run_cli("diff", str(out), "council", "-C", "0", "--rule", "nav.*")
    assert result.output == (
        "=== council: 2 removals, 36 of 268 characters (13.4%)\n"
        "@@ lines 1-2 @@\n"
        "- Skip to content  [navigation nav.skip]\n"
        "- Home | News | Sport  [navigation nav.menu]\n"
    )


def test_removals_the_filter_leaves_out_still_show_as_removed_in_context(tmp_path):
    """Context never passes a removed line off as kept: it keeps its "-" and its tag."""
    out = make_run(tmp_path)
    result = run_cli("diff", str(out), "council", "--category", "newsletter", "--context", "3", "--reasons")
    assert result.output == (
        "=== council: 1 removal, 35 of 268 characters (13.1%)\n"
        "@@ lines 9-14 @@\n"
        "- Share on Facebook  [social social.share]\n"
        "- Share on Twitter  [social social.share]\n"
        "-\n"
        '- Sign up for our morning newsletter  [newsletter newsletter.signup: the line holds "Sign up for"]\n'
        "-\n"
        "  The mayor said the vote was close.\n"
    )


def test_without_name_one_line_per_page(tmp_path):
    out = make_run(tmp_path)
    result = run_cli("diff", str(out))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("broken  FAILED: binary file")
    assert lines[1:] == [
        "council  5 removals, 106 of 268 characters (39.6%): navigation 2, social 2, newsletter 1",
        "notes  0 removals, 0 of 60 characters (0.0%)",
        "recipe  1 removal, 34 of 169 characters (20.1%): newsletter 1",
        f"4 pages. One page in full: corpusclean diff {out} NAME; every page: --all.",
    ]


def test_without_name_a_filter_lists_only_pages_it_matches(tmp_path):
    out = make_run(tmp_path)
    result = run_cli("diff", str(out), "-c", "newsletter")
    assert result.output.splitlines() == [
        "council  1 removal, 35 of 268 characters (13.1%): newsletter 1",
        "recipe  1 removal, 34 of 169 characters (20.1%): newsletter 1",
        f"2 of 4 pages have matching removals. One page in full: corpusclean diff {out} NAME; every page: --all.",
    ]


def test_all_shows_every_matching_page_in_full(tmp_path):
    out = make_run(tmp_path)
    result = run_cli("diff", str(out), "--all", "-c", "social", "-C", "0")
    assert result.output == (
        "=== council: 2 removals, 35 of 268 characters (13.1%)\n"
        "@@ lines 9-10 @@\n"
        "- Share on Facebook  [social social.share]\n"
        "- Share on Twitter  [social social.share]\n"
        "\n"
    )


def test_jsonl_output_reads_the_same_as_a_folder(tmp_path):
    folder = run_cli("diff", str(make_run(tmp_path)), "council")
    jsonl = run_cli("diff", str(make_run(tmp_path, jsonl=True)), "council")
    assert jsonl.output == folder.output
    assert "[social social.share]" in jsonl.output


def test_name_may_be_given_as_the_output_file(tmp_path):
    out = make_run(tmp_path)
    by_name = run_cli("diff", str(out), "recipe").output
    assert run_cli("diff", str(out), "recipe.txt").output == by_name
    assert run_cli("diff", str(out), str(out / "recipe.report.json")).output == by_name


def test_failed_page_shows_its_error(tmp_path):
    out = make_run(tmp_path)
    result = run_cli("diff", str(out), "broken")
    assert result.exit_code == 0
    assert result.output.startswith("=== broken: FAILED: binary file")


def test_unknown_name_is_a_clear_error(tmp_path):
    out = make_run(tmp_path)
    result = run_cli("diff", str(out), "councl")
    assert result.exit_code == 1
    assert f"Error: no page named 'councl' in {out}; did you mean council?" in result.stderr


def test_not_a_run_output_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run_cli("diff", str(tmp_path / "empty"))
    assert result.exit_code == 1
    assert "holds no reports" in result.stderr


def test_plain_when_piped_coloured_on_request(tmp_path):
    out = make_run(tmp_path)
    plain = run_cli("diff", str(out), "council").output
    coloured = run_cli("diff", str(out), "council", "--color").output
    assert "\x1b[" not in plain
    # dark text on the category's colour, as on the review page: xterm colour 146 is social's
    # #afafd7, 176 newsletter's #d787d7 (corpusclean.colours)
    assert "\x1b[38;5;16m\x1b[48;5;146m- Share on Facebook" in coloured
    assert "\x1b[38;5;16m\x1b[48;5;176m- Sign up for our morning newsletter" in coloured


def test_an_unknown_category_or_rule_is_refused_with_the_close_names(tmp_path):
    out = make_run(tmp_path)
    result = run_cli("diff", str(out), "--category", "socail")
    assert result.exit_code == 2
    assert "Invalid value for --category: unknown category 'socail' (did you mean social?)" in result.stderr

    result = run_cli("diff", str(out), "--rule", "newsleter.*")
    assert result.exit_code == 2
    assert "unknown rule 'newsleter.*'" in result.stderr


def test_names_the_run_used_and_names_corpusclean_knows_are_accepted(tmp_path):
    out = make_run(tmp_path)  # its made-up stage removes with rule ids such as nav.skip
    assert run_cli("diff", str(out), "--rule", "nav.skip").exit_code == 0
    assert run_cli("diff", str(out), "--rule", "heuristic.menu-run").exit_code == 0
    result = run_cli("diff", str(out), "--category", "paywall")  # known, though this run removed none
    assert result.exit_code == 0
    assert result.output.endswith("0 of 4 pages have matching removals. One page in full: "
                                  f"corpusclean diff {out} NAME; every page: --all.\n")
