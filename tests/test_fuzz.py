"""Fuzzing the whole pipeline: random bytes as files, random JSONL lines, random earlier
reports. Whatever they hold, no exception escapes the run (the CLI runs with exceptions
propagating), the exit status says whether something failed, and every good document beside
them comes out exactly as it does on its own.
"""
from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import read_summary, run_cli, tree_bytes, write_tree

GOOD = {
    "good/a.txt": "A headline\n\nThe council voted on Tuesday to extend the programme until next spring.\n",
    "good/b.txt": "Weather\n\nRain is expected over the hills tonight, clearing by the morning.\n",
}
#: each example is a whole run (about a second): few examples, and no shrinking, which would
#: spend minutes on a failure; the failing example is printed as found
RUNS = settings(max_examples=8, phases=[Phase.explicit, Phase.reuse, Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
#: earlier reports: mostly of roughly the right shape, with any field of any type
reports = st.fixed_dictionaries({}, optional={
    "removals": st.lists(st.dictionaries(st.sampled_from(["stage", "rule", "category", "lines", "chars", "text"]),
                                         json_values, max_size=6), max_size=3) | json_values,
    "stages": st.lists(st.sampled_from(["fix", "strip", "dedup"])) | json_values,
    "encoding": st.dictionaries(st.text(max_size=8), json_values, max_size=3) | json_values,
    "language": json_values, "extractor": json_values, "source": json_values, "status": json_values,
})
names = st.text(st.characters(whitelist_categories=("Ll", "Nd")), min_size=1, max_size=8)


def alone(tmp_path_factory_dir: Path) -> dict[str, bytes]:
    """The good documents' output when nothing else is in the corpus."""
    out = tmp_path_factory_dir / "alone-out"
    if not out.exists():
        run_cli("run", str(write_tree(tmp_path_factory_dir / "alone", GOOD)), str(out), "-w", "1", "-q")
    return {name: data for name, data in tree_bytes(out).items() if name.startswith("good/")}


@RUNS
@given(files=st.dictionaries(names, st.binary(max_size=300) | st.text(max_size=300).map(str.encode), max_size=5),
       earlier=st.dictionaries(names, st.tuples(st.text(max_size=80), reports), max_size=3),
       suffix=st.sampled_from([".txt", ".html", ".html.gz"]))
def test_random_files_and_reports_fail_alone(tmp_path_factory, files, earlier, suffix):
    root = tmp_path_factory.mktemp("fuzz")
    tree: dict[str, bytes | str] = {f"junk/{name}{suffix}": data for name, data in files.items()}
    for name, (text, report) in earlier.items():  # text beside a report, as an earlier command leaves it
        tree[f"chained/{name}.txt"] = text
        tree[f"chained/{name}.report.json"] = json.dumps(report)
    source = write_tree(root / "in", {**GOOD, **tree})
    result = run_cli("run", str(source), str(root / "out"), "-w", "1", "-q")
    summary = read_summary(root / "out/corpusclean-summary.json")
    assert result.exit_code == (1 if summary["failures"] else 0)
    written = tree_bytes(root / "out")
    for name, data in alone(tmp_path_factory.getbasetemp()).items():
        assert written[name] == data


records = st.one_of(
    st.binary(max_size=120),                                              # not even JSON
    json_values.map(lambda v: json.dumps(v).encode()),                    # JSON, not a record
    st.fixed_dictionaries({"id": json_values}, optional={"text": json_values, "html": json_values,
                                                        "report": reports}).map(lambda r: json.dumps(r).encode()),
)


@RUNS
@given(lines=st.lists(records, max_size=6), bom=st.booleans())
def test_random_jsonl_lines_fail_alone(tmp_path_factory, lines, bom):
    root = tmp_path_factory.mktemp("fuzz-jsonl")
    good = [json.dumps({"id": f"good-{n}", "text": text}).encode() for n, text in enumerate(GOOD.values())]
    body = b"\n".join([good[0], *lines, good[1]]) + b"\n"
    (root / "in.jsonl").write_bytes((b"\xef\xbb\xbf" if bom else b"") + body)
    result = run_cli("run", str(root / "in.jsonl"), str(root / "out.jsonl"), "-w", "1", "-q")
    summary = read_summary(root / "out.jsonl.summary.json")
    assert result.exit_code == (1 if summary["failures"] else 0)
    # split on newlines only: str.splitlines would also split a record at a U+0085 in its text
    out = [json.loads(line) for line in (root / "out.jsonl").read_bytes().decode("utf-8").split("\n") if line]
    cleaned = {record["id"]: record.get("text") for record in out if str(record["id"]).startswith("good-")}
    alone_out = alone(tmp_path_factory.getbasetemp())
    assert cleaned == {"good-0": alone_out["good/a.txt"].decode(), "good-1": alone_out["good/b.txt"].decode()}
