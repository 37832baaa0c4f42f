"""The staged commands add up to `run`, and the output does not depend on the worker count.

`fix`, `strip` and `dedup` chained through folders (or JSONL files) give the same clean text
and the same reports as `run` in one pass; only the summary, which names its command and
configuration, differs.
"""
from __future__ import annotations

import json
import random
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


def test_a_page_another_stage_drops_is_nobody_s_kept_copy(tmp_path):
    """`--lang en` drops the German page; a paragraph it quotes in English must stay on the
    English page that repeats it, as when `strip --lang en` runs first and `dedup` never sees
    the German page."""
    quote = "The minister said the new bridge would open to traffic before the end of next summer.\n"
    german = ("Der Stadtrat hat am Dienstag beschlossen, die alte Bibliothek für weitere fünf Jahre offen zu "
              "halten, nachdem viele Bürger in den Saal gekommen waren, um für das Gebäude zu sprechen.\n"
              "Die Entscheidung fiel einstimmig, und der Bürgermeister dankte allen Anwesenden für ihre "
              "Geduld und ihre Beiträge während der langen Sitzung am Abend.\n")
    english = ("The town council voted on Tuesday to keep the old library open for another five years, "
               "after residents filled the hall to argue that the building was still used every day.\n")
    write_tree(tmp_path / "in", {"1-de.txt": german + quote, "2-en.txt": english + quote})
    run_tree("run", str(tmp_path / "in"), str(tmp_path / "run"), "--lang", "en")
    run_tree("strip", str(tmp_path / "in"), str(tmp_path / "stripped"), "--lang", "en")
    run_tree("dedup", str(tmp_path / "stripped"), str(tmp_path / "chained"))
    assert (tmp_path / "run" / "2-en.txt").read_text() == english + quote
    assert not (tmp_path / "run" / "1-de.txt").exists()
    chained, at_once = without_summary(tmp_path / "chained"), without_summary(tmp_path / "run")
    # the chain's `dedup` never sees the dropped page (`strip` wrote its report only)
    assert set(at_once) - set(chained) == {"1-de.report.json"}
    assert chained == {name: at_once[name] for name in chained}


def test_a_page_dropped_as_a_duplicate_is_nobody_s_kept_copy(tmp_path):
    """With --drop-duplicate-pages, a paragraph first seen on a dropped copy of a page stays
    on the next page that has it."""
    words = [f"word{i}" for i in range(500)]
    article = [" ".join(random.Random(n).choices(words, k=30)) + ".\n" for n in range(6)]
    extra = "A sentence only the copy adds, which a later page quotes in full as its own paragraph.\n"
    later = "The later page has its own opening paragraph that nobody else has written anywhere.\n"
    write_tree(tmp_path / "in", {"1.txt": "".join(article), "2.txt": "".join(article) + extra,
                                 "3.txt": later + extra})
    run_tree("dedup", str(tmp_path / "in"), str(tmp_path / "out"), "--drop-duplicate-pages")
    assert not (tmp_path / "out" / "2.txt").exists()
    assert (tmp_path / "out" / "3.txt").read_text() == later + extra
