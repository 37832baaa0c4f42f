"""Score cleaned text against gold article text, the way the dev set's score.py does.

The metric public article-extraction benchmarks use: each text becomes a multiset of word
4-gram shingles; per document, true positives (shingles in both), false positives (kept but
not gold) and false negatives (gold but lost) are normalised to sum to 1; precision and recall
are averaged over documents; F1 is taken of the two averages. A document with no output counts
as an empty one. Precision averages only documents where something was kept or should have been
(tp + fp > 0), recall only those with gold text (tp + fn > 0): that is score.py's rule, kept
here so both give the same figures to the last digit.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .writers import read_jsonl_output

TOKEN = re.compile(r"\w+")
SHINGLE = 4


def shingles(text: str, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """Word n-grams of the text, with their counts (a text shorter than n is one shingle)."""
    tokens = TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


@dataclass(frozen=True)
class DocumentScore:
    """Shares of one document's shingles: kept and gold, kept but not gold, gold but lost."""

    name: str
    kept_right: float
    kept_wrong: float
    lost: float
    missing: bool = False  # no output file for this document

    @property
    def precision(self) -> float | None:
        judged = self.kept_right + self.kept_wrong
        return self.kept_right / judged if judged else None

    @property
    def recall(self) -> float | None:
        judged = self.kept_right + self.lost
        return self.kept_right / judged if judged else None


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    documents: list[DocumentScore] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return sum(1 for d in self.documents if d.missing)

    def worst(self, count: int) -> list[DocumentScore]:
        """The documents with the lowest share of right shingles (score.py --worst)."""
        return sorted(self.documents, key=lambda d: d.kept_right)[:count]

    def summary(self) -> str:
        return (f"F1 {self.f1:.3f}  precision {self.precision:.3f}  recall {self.recall:.3f}  "
                f"docs {len(self.documents)}  missing {self.missing}")


def score_document(name: str, gold: str, predicted: str, missing: bool = False) -> DocumentScore:
    truth, kept = shingles(gold), shingles(predicted)
    keys = truth.keys() | kept.keys()
    right = sum(min(truth[k], kept[k]) for k in keys)
    wrong = sum(max(0, kept[k] - truth[k]) for k in keys)
    lost = sum(max(0, truth[k] - kept[k]) for k in keys)
    total = right + wrong + lost
    if not total:
        return DocumentScore(name, 0.0, 0.0, 0.0, missing)
    return DocumentScore(name, right / total, wrong / total, lost / total, missing)


def score_texts(predictions: Mapping[str, str], gold: Mapping[str, str]) -> Score:
    """Score in-memory outputs (document name -> clean text) against gold (name -> text).
    Gold documents without a prediction count as empty outputs."""
    rows = [score_document(name, text, predictions.get(name, ""), missing=name not in predictions)
            for name, text in gold.items()]
    precisions = [d.precision for d in rows if d.precision is not None]
    recalls = [d.recall for d in rows if d.recall is not None]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, rows)


def load_gold(path: str | Path) -> dict[str, str]:
    """A gold file: one JSON object mapping document name to its article text."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"gold file not found: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"gold file {path} is not JSON: {err}") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError(f"gold file {path} must be one object of name -> text (strings)")
    return data


def load_outputs(out: str | Path) -> dict[str, str]:
    """Clean texts by document name: NAME.txt files anywhere under a folder (the name is the
    file's stem), or the records (`id`, `text`) of a JSONL / JSONL.gz output file."""
    path = Path(out)
    if path.is_dir():
        found: dict[str, str] = {}
        for file in sorted(path.rglob("*.txt")):
            found[file.stem] = file.read_text(encoding="utf-8", errors="replace")
        return found
    if path.is_file() and (path.name.endswith(".jsonl") or path.name.endswith(".jsonl.gz")):
        texts = {}
        for _, record in read_jsonl_output(path):
            if isinstance(record, dict) and "id" in record:
                texts[str(record["id"])] = record.get("text") or ""
        return texts
    raise ValueError(f"OUT must be a folder of NAME.txt files or a .jsonl/.jsonl.gz file: {out}")


def evaluate(out: str | Path, gold_path: str | Path) -> Score:
    """Score an output folder (or JSONL file) against a gold file."""
    return score_texts(load_outputs(out), load_gold(gold_path))
