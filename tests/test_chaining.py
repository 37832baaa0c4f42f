"""The staged commands add up to `run`, and the output does not depend on the worker count.

`fix`, `strip` and `dedup` chained through folders (or JSONL files) give the same clean text
and the same reports as `run` in one pass; only the summary, which names its command and
configuration, differs.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import read_summary, run_cli, tree_bytes, write_tree

SUMMARY = "corpusclean-summary.json"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The seeds, plus pages that exercise the fix stage and repeat each other."""
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(Path(__file__).resolve().parent.parent / "seeds", root / "seeds")
    shared = "Sign up for our newsletter to get the best stories every morning in your inbox.\n"
    write_tree(root / "extra", {
        "crlf.txt": ("Weather warning for the coast\r\n\r\n" + shared.replace("\n", "\r\n") +
                     "Storms are expected to reach the coast by Friday evening, forecasters said.\r\n"),
        "legacy.txt": ("Caf\xe9 owners say the new rules are unfair.\n\n" + shared +
                       "The council will vote again next month.\n" + shared).encode("cp1252"),
        "blank-runs.txt": "\n\n\nMenu\n\n\n\nA short article about nothing in particular.\n\n\n",
    })
    return root


def run_tree(*args: str) -> None:
    result = run_cli(*args, "--workers", "1")
    assert result.exit_code == 0, result.stderr


def without_summary(root: Path) -> dict[str, bytes]:
    return {name: data for name, data in tree_bytes(root).items() if not name.endswith(SUMMARY)}


def test_fix_strip_dedup_through_folders_equals_run(corpus, tmp_path):
    run_tree("fix", str(corpus), str(tmp_path / "fixed"))
    run_tree("strip", str(tmp_path / "fixed"), str(tmp_path / "stripped"))
    run_tree("dedup", str(tmp_path / "stripped"), str(tmp_path / "chained"))
    run_tree("run", str(corpus), str(tmp_path / "run"))
    chained, at_once = without_summary(tmp_path / "chained"), without_summary(tmp_path / "run")
    assert chained.keys() == at_once.keys()
    for name in chained:
        assert chained[name] == at_once[name], name


def test_fix_then_dedup_equals_dedup_on_raw_input(corpus, tmp_path):
    """A stage given raw input fixes it first, so skipping `fix` changes nothing."""
    run_tree("fix", str(corpus), str(tmp_path / "fixed"))
    run_tree("dedup", str(tmp_path / "fixed"), str(tmp_path / "chained"))
    run_tree("dedup", str(corpus), str(tmp_path / "direct"))
    assert without_summary(tmp_path / "chained") == without_summary(tmp_path / "direct")


def test_the_chain_through_jsonl_equals_run(tmp_path):
    texts = ["Menu\n\nA story about the council.\nShare on Facebook\n", "Another story.\nAnother story.\n"]
    records = "".join(json.dumps({"id": str(n), "text": text, "lang_hint": "en"}) + "\n"
                      for n, text in enumerate(texts))
    (tmp_path / "in.jsonl").write_text(records)
    run_tree("fix", str(tmp_path / "in.jsonl"), str(tmp_path / "fixed.jsonl"))
    run_tree("strip", str(tmp_path / "fixed.jsonl"), str(tmp_path / "stripped.jsonl.gz"))
    run_tree("dedup", str(tmp_path / "stripped.jsonl.gz"), str(tmp_path / "chained.jsonl"))
    run_tree("run", str(tmp_path / "in.jsonl"), str(tmp_path / "run.jsonl"))
    assert (tmp_path / "chained.jsonl").read_bytes() == (tmp_path / "run.jsonl").read_bytes()


def test_the_output_is_the_same_for_any_number_of_workers(corpus, tmp_path):
    run_tree("run", str(corpus), str(tmp_path / "one"))
    result = run_cli("run", str(corpus), str(tmp_path / "two"), "--workers", "2")
    assert result.exit_code == 0
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")  # summary included


def test_failures_are_carried_along_the_chain(tmp_path):
    """A document `fix` could not read has only a report; `strip` and `dedup` list it again,
    so the last folder of the chain holds the same failure reports as `run`."""
    write_tree(tmp_path / "in", {"good.txt": "Some text.\n", "binary.txt": b"\x00\x01\x02"})
    for command, source, target in [("fix", "in", "fixed"), ("strip", "fixed", "stripped"),
                                    ("dedup", "stripped", "chained"), ("run", "in", "run")]:
        assert run_cli(command, str(tmp_path / source), str(tmp_path / target)).exit_code == 1
    assert without_summary(tmp_path / "chained") == without_summary(tmp_path / "run")
    failures = read_summary(tmp_path / "chained" / SUMMARY)["failures"]
    assert failures == [{"document": "binary", "error": "binary file: NUL byte at offset 0; not text "
                                                         "(UTF-16 and UTF-32 text needs a byte-order mark)"}]
