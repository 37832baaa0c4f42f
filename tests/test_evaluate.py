"""Scoring outputs against gold text: the dev set's metric as a library (evaluate.py) and as
`corpusclean eval`."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from corpusclean.evaluate import evaluate, load_gold, load_outputs, score_document, score_texts, shingles
from conftest import run_cli, write_tree

ARTICLE = "The council voted on Tuesday to keep the old library open for five more years."
CHROME = "Home News Sport Sign in Subscribe"
SCORE_PY = Path(__file__).resolve().parents[2] / "shared" / "devset" / "score.py"


def test_shingles_are_word_four_grams_with_counts():
    assert shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("too short") == {("too", "short"): 1}
    assert shingles("") == {}


def test_a_perfect_output_scores_one():
    d = score_document("p", ARTICLE, ARTICLE)
    assert (d.kept_right, d.kept_wrong, d.lost) == (1.0, 0.0, 0.0)


def test_chrome_kept_lowers_precision_and_text_lost_lowers_recall():
    noisy = score_document("p", ARTICLE, CHROME + "\n" + ARTICLE)
    assert noisy.precision < 1.0 and noisy.recall == 1.0
    cut = score_document("p", ARTICLE, ARTICLE.split(" library")[0])
    assert cut.precision == 1.0 and cut.recall < 1.0


def test_an_empty_output_counts_for_recall_only():
    score = score_texts({"a": ARTICLE, "b": ""}, {"a": ARTICLE, "b": ARTICLE})
    assert score.precision == 1.0        # b kept nothing: it has no precision to average
    assert score.recall == 0.5
    assert score.f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)


def test_a_missing_output_is_an_empty_one_and_is_counted():
    score = score_texts({}, {"a": ARTICLE})
    assert score.recall == 0.0 and score.missing == 1


def test_outputs_are_read_from_a_folder_tree_or_a_jsonl_file(tmp_path):
    write_tree(tmp_path / "out", {"a.txt": ARTICLE, "sub/b.txt": CHROME, "a.report.json": "{}"})
    assert load_outputs(tmp_path / "out") == {"a": ARTICLE, "b": CHROME}
    with gzip.open(tmp_path / "out.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "a", "text": ARTICLE}) + "\n" + json.dumps({"id": "b", "report": {}}) + "\n")
    assert load_outputs(tmp_path / "out.jsonl.gz") == {"a": ARTICLE, "b": ""}


def test_a_bad_gold_file_is_refused_with_its_name(tmp_path):
    (tmp_path / "gold.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ValueError, match="gold.json must be one object"):
        load_gold(tmp_path / "gold.json")


@pytest.mark.skipif(not SCORE_PY.is_file(), reason="the dev set's score.py is not next to the project")
def test_the_figures_equal_score_py(tmp_path):
    gold = {"one": ARTICLE, "two": ARTICLE + " " + ARTICLE, "three": "Short gold.", "four": ARTICLE}
    write_tree(tmp_path / "out", {"one.txt": ARTICLE, "two.txt": CHROME + "\n" + ARTICLE, "three.txt": ""})
    (tmp_path / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    ours = evaluate(tmp_path / "out", tmp_path / "gold.json").summary()
    theirs = subprocess.run([sys.executable, str(SCORE_PY), str(tmp_path / "out"), "--gold", str(tmp_path / "gold.json")],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert ours == theirs


def test_eval_command_prints_the_summary_and_the_worst_documents(tmp_path):
    write_tree(tmp_path / "out", {"one.txt": ARTICLE, "two.txt": CHROME})
    (tmp_path / "gold.json").write_text(json.dumps({"one": ARTICLE, "two": ARTICLE}), encoding="utf-8")
    result = run_cli("eval", str(tmp_path / "out"), "--gold", str(tmp_path / "gold.json"), "--worst", "1")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "  two: kept-right 0.00  kept-wrong 0.20  lost 0.80",
        "F1 0.500  precision 0.500  recall 0.500  docs 2  missing 0",
    ]


def test_eval_json_gives_per_document_figures(tmp_path):
    write_tree(tmp_path / "out", {"one.txt": ARTICLE})
    (tmp_path / "gold.json").write_text(json.dumps({"one": ARTICLE}), encoding="utf-8")
    result = run_cli("eval", str(tmp_path / "out"), "--gold", str(tmp_path / "gold.json"), "--json")
    data = json.loads(result.stdout)
    assert data["f1"] == 1.0 and data["per_document"]["one"]["kept_right"] == 1.0


def test_eval_without_a_gold_file_says_how_to_give_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CORPUSCLEAN_GOLD", raising=False)
    (tmp_path / "out").mkdir()
    result = run_cli("eval", "out")
    assert result.exit_code == 1
    assert "pass --gold PATH" in result.stderr
