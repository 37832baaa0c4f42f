"""The five seed pages, cleaned exactly (issue 2, item 6).

`corpusclean run seeds/ OUT` must remove exactly the lines listed in
../shared/seeds-expected/removed.json, each with its category (a repeated sign-up line may be
`duplicate` instead of `newsletter`), leave every other non-blank line, write text equal to
../shared/seeds-expected/NAME.txt, and reproduce the committed clean/ byte for byte.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import read_report, run_cli, tree_bytes

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SUMMARY = "corpusclean-summary.json"
CLEAN = ROOT / "clean"
EXPECTED = ROOT.parent / "shared" / "seeds-expected"
#: a run may count a repeated line of this category as a duplicate of its first appearance
MAY_BE_DUPLICATE = {"newsletter"}


def expected_removals() -> dict[str, dict[int, str]]:
    """{seed file name: {1-based line: category}} from removed.json."""
    path = EXPECTED / "removed.json"
    if not path.exists():
        pytest.fail(f"{path} is missing: the seeds' expected output lives in ../shared/seeds-expected")
    rows = json.loads(path.read_text(encoding="utf-8"))
    return {name: {int(line): row["category"] for line, row in lines.items()} for name, lines in rows.items()}


SEED_NAMES = sorted(path.name for path in SEEDS.glob("*.txt"))


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory) -> Path:
    """The seeds cleaned once, with the same command that makes clean/."""
    out = tmp_path_factory.mktemp("seeds") / "clean"
    result = run_cli("run", str(SEEDS), str(out), "-q")
    assert result.exit_code == 0, result.output
    return out


def removed_lines(out: Path, name: str) -> dict[int, tuple[str, str]]:
    """{1-based line: (category, rule)} of every removal a run made, layout tidying left out."""
    lines = {}
    for row in read_report(out, Path(name).stem)["removals"]:
        if row["stage"] == "layout":
            continue
        first, last = row["lines"]
        for line in range(first, last + 1):
            lines[line] = (row["category"], row["rule"])
    return lines


def test_every_seed_is_listed_in_the_expected_removals():
    assert sorted(expected_removals()) == SEED_NAMES


@pytest.mark.parametrize("name", SEED_NAMES)
def test_every_expected_line_is_removed_with_its_category(seed_run, name):
    got = removed_lines(seed_run, name)
    wrong = []
    for line, category in sorted(expected_removals()[name].items()):
        found = got.get(line)
        if found is None:
            wrong.append(f"line {line}: not removed (expected {category})")
        elif found[0] != category and not (found[0] == "duplicate" and category in MAY_BE_DUPLICATE):
            wrong.append(f"line {line}: removed as {found[0]} by {found[1]} (expected {category})")
    assert wrong == []


@pytest.mark.parametrize("name", SEED_NAMES)
def test_nothing_else_that_is_not_blank_is_removed(seed_run, name):
    lines = (SEEDS / name).read_text(encoding="utf-8").splitlines()
    expected = expected_removals()[name]
    extra = [f"line {line} removed as {category} by {rule}: {lines[line - 1]!r}"
             for line, (category, rule) in sorted(removed_lines(seed_run, name).items())
             if line not in expected and lines[line - 1].strip()]
    assert extra == []


@pytest.mark.parametrize("name", SEED_NAMES)
def test_clean_text_equals_the_expected_text(seed_run, name):
    expected = (EXPECTED / name).read_text(encoding="utf-8")
    assert (seed_run / name).read_text(encoding="utf-8") == expected


def test_a_fresh_run_reproduces_the_committed_clean_directory(seed_run):
    if not CLEAN.is_dir():
        pytest.fail("clean/ is missing: run `corpusclean run seeds/ clean/` and commit the result")
    # The summary names the versions of the libraries it ran with; a machine with a newer
    # click or numpy differs there and nowhere else, so that one entry is compared apart.
    committed, fresh = tree_bytes(CLEAN), tree_bytes(seed_run)
    for tree in (committed, fresh):
        if SUMMARY in tree:
            summary = json.loads(tree[SUMMARY])
            assert set(summary["versions"]) >= {"corpusclean", "python", "ftfy", "datasketch", "trafilatura"}
            summary["versions"] = "compared apart"
            tree[SUMMARY] = json.dumps(summary).encode("utf-8")
    assert sorted(committed) == sorted(fresh), "clean/ does not hold the same files as a fresh run"
    differing = [name for name in sorted(committed) if committed[name] != fresh[name]]
    assert differing == [], (f"these files of clean/ differ from a fresh run: {differing}; "
                             "if the change is intended, regenerate clean/ with `corpusclean run seeds/ clean/`")
