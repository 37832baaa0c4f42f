"""The Ray engine gives, byte for byte, what the local engine gives.

One local Ray cluster (`ray.init(num_cpus=2)`) serves the module. Each test cleans a generated
corpus (site templates, paragraphs repeated across pages and within them, near-duplicates, a
copied page, a page in German, a file that cannot be read) with both engines and compares the
outputs file by file; the run summary is compared only for what it counts (it records the
configuration, which names the engine's settings).
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

import corpusclean
from corpusclean import UsageError
from conftest import tree_bytes, write_tree

SUMMARY = "corpusclean-summary.json"
WORDS = ("river bridge council budget school harvest market station engineer festival museum winter railway "
         "doctor island village teacher factory garden library weather hospital election orchestra harbour "
         "mountain journalist farmer stadium airport").split()


def paragraph(rng: random.Random, words: int = 12) -> str:
    """A line of prose: content words joined by function words, as the classifier expects."""
    return " ".join(f"{rng.choice(WORDS)}{rng.randrange(100)} {rng.choice(('of the', 'and the', 'in a', 'to the'))}"
                    for _ in range(words)).capitalize() + " town."


def generated_corpus(seed: int = 3, pages: int = 48) -> dict[str, str | bytes]:
    """Pages of three sites: each site's header and footer on all its pages (template chrome),
    paragraphs quoted from earlier pages, near-copies of them, repeats within a page, a copy of
    a whole page, a German page quoting an English paragraph, and a binary file."""
    rng = random.Random(seed)
    files: dict[str, str | bytes] = {}
    earlier: list[str] = []
    for n in range(pages):
        site = n % 3
        header = [f"Site {site} home", "News", "Sport", f"Sign up for the site {site} newsletter to get every story"]
        body = [paragraph(rng) for _ in range(rng.randint(3, 6))]
        if earlier and rng.random() < 0.5:
            body.insert(1, rng.choice(earlier))                              # syndicated
        if earlier and rng.random() < 0.3:
            quoted = rng.choice(earlier).split()
            quoted[rng.randrange(len(quoted))] = "harbour"
            body.append(" ".join(quoted))                                    # a near-copy
        earlier += body[:2]
        # the site's long promotion, inside the article on every page of the site (template chrome)
        body.insert(1, f"The site {site} team writes about the town, the river and the harbour for the people who "
                       f"live there, and it thanks every reader who sends a story, a photograph or a correction.")
        if rng.random() < 0.3:
            body += body[-2:]                                                # a block pasted twice
        footer = [f"Copyright site {site} media group", "Share"]
        files[f"site{site}/page{n:03d}.txt"] = "\n".join(header + [""] + body + [""] + footer) + "\n"
    files["site0/copy.txt"] = files["site0/page003.txt"]
    files["site1/deutsch.txt"] = (
        "Der Stadtrat hat am Dienstag beschlossen, die alte Bibliothek für weitere fünf Jahre offen zu halten.\n"
        "Die Entscheidung fiel einstimmig, und der Bürgermeister dankte allen Anwesenden für ihre Geduld.\n"
        + earlier[5] + "\n")
    files["site2/binary.txt"] = b"\x00\x01\x02 not text"
    return files


def outputs(root: Path) -> dict[str, bytes]:
    return {name: data for name, data in tree_bytes(root).items() if not name.endswith(SUMMARY)}


def counts(summary: corpusclean.Summary) -> tuple:
    return summary.documents, summary.failures, summary.clean_chars


# -- without Ray ---------------------------------------------------------------------------------

def test_without_ray_the_ray_engine_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)   # what an environment without Ray gives
    write_tree(tmp_path / "in", {"a.txt": "Some text.\n"})
    with pytest.raises(UsageError, match=r"pip install 'corpusclean\[ray\]'"):
        corpusclean.run(tmp_path / "in", tmp_path / "out", engine="ray")
    assert not (tmp_path / "out").exists()


# -- with Ray ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'corpusclean[ray]'); "
                                            "the Ray engine cannot run here")
    from corpusclean.ray.engine import local_cluster

    # the cluster `--engine ray` starts, so that tests run what users run
    ray.init(**local_cluster(2), include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_tree(tmp_path_factory.mktemp("corpus"), generated_corpus())


#: the generated pages repeat paragraphs only on their own, which the default keeps; with
#: drop_paragraph_repeats every kind of dedup removal is exercised on both engines
OPTIONS = {"drop_paragraph_repeats": True}


@pytest.fixture(scope="module")
def local(corpus, tmp_path_factory) -> tuple[Path, corpusclean.Summary]:
    """The local engine's output of the corpus (and its summary), which Ray runs must equal."""
    out = tmp_path_factory.mktemp("local") / "out"
    return out, corpusclean.run(corpus, out, workers=1, **OPTIONS)


def test_a_folder_cleaned_on_ray_is_byte_for_byte_the_local_engine_s(ray_cluster, corpus, local, tmp_path):
    local_out, local_summary = local
    assert local_summary.failed == 1 and local_summary.documents["ok"] > 40
    rules = [row["rule"] for name, data in outputs(local_out).items() if name.endswith(".report.json")
             for row in json.loads(data)["removals"]]
    assert {"dedup.template", "dedup.corpus-repeat", "dedup.page-repeat"} <= set(rules)  # all kinds exercised
    for workers, partitions in ((2, 3), (1, 1)):
        on_ray = corpusclean.run(corpus, tmp_path / f"ray-{workers}-{partitions}", engine="ray",
                                 workers=workers, partitions=partitions, **OPTIONS)
        assert outputs(tmp_path / f"ray-{workers}-{partitions}") == outputs(local_out)
        assert counts(on_ray) == counts(local_summary)   # the failing file is reported the same way


def test_jsonl_with_dropped_pages_on_ray_is_the_local_engine_s(ray_cluster, corpus, tmp_path):
    """--lang drops the German page and --drop-duplicate-pages the copy: neither may be
    anybody's kept copy, on either engine."""
    records = [{"id": name, "text": data, "site": name.split("/")[0]}
               for name, data in sorted(generated_corpus().items()) if isinstance(data, str)]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    options = dict(lang="en", drop_duplicate_pages=True, workers=2)
    local = corpusclean.run(source, tmp_path / "local.jsonl", **options)
    on_ray = corpusclean.run(source, tmp_path / "ray.jsonl", engine="ray", partitions=2, **options)
    assert local.documents["dropped"] == 2
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert counts(on_ray) == counts(local)


def test_jsonl_gz_on_ray_is_the_local_engine_s(ray_cluster, tmp_path, monkeypatch):
    """A .jsonl.gz OUT is gzip members of 32 documents each (writers.jsonl.MEMBER_DOCUMENTS),
    made from the same lines with the same function wherever they are made: on Ray, the
    workers make the members of the groups a block of 64 documents holds whole (here documents
    0-127), the driver the last group's (128-131); locally, with 2 workers, the workers the
    first two groups', the parent the rest (pass 2 ends in batches of 8)."""
    import gzip

    import corpusclean.writers.jsonl as jsonl

    records = [{"id": name, "text": data} for name, data in sorted(generated_corpus(pages=130).items())
               if isinstance(data, str)]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    corpusclean.run(source, tmp_path / "local.jsonl.gz", workers=2)
    made_here, make = [], jsonl.gzip_member
    monkeypatch.setattr(jsonl, "gzip_member", lambda data: made_here.append(data) or make(data))
    corpusclean.run(source, tmp_path / "ray.jsonl.gz", engine="ray", workers=1, partitions=2)
    assert (tmp_path / "ray.jsonl.gz").read_bytes() == (tmp_path / "local.jsonl.gz").read_bytes()
    assert gzip.decompress((tmp_path / "ray.jsonl.gz").read_bytes()).count(b"\n") == len(records) == 132
    assert [data.count(b"\n") for data in made_here] == [4]   # the driver made the last member only


def test_clean_takes_and_gives_a_ray_dataset(ray_cluster, tmp_path):
    import corpusclean.ray

    records = [{"id": name, "text": data, "site": name.split("/")[0]}
               for name, data in sorted(generated_corpus().items()) if isinstance(data, str)]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    corpusclean.run(source, tmp_path / "local.jsonl", workers=1)
    expected = [json.loads(line) for line in (tmp_path / "local.jsonl").read_text().splitlines()]
    cleaned = corpusclean.ray.clean(ray_cluster.data.from_items(records), workers=2)
    rows = cleaned.take_all()
    assert [row["id"] for row in rows] == [record["id"] for record in expected]
    for row, record in zip(rows, expected):
        assert (row["text"], row["site"], json.loads(row["report"])) == (record["text"], record["site"], record["report"])


def test_a_worker_that_dies_is_replaced_and_its_task_retried(ray_cluster, corpus, local, tmp_path):
    """A stage that kills its process the first time it runs: Ray restarts the actor and
    retries the block, and the output is what a run without the crash gives."""
    from ray import cloudpickle

    from corpusclean.config import RunConfig
    from corpusclean.pipeline import Job
    from corpusclean.ray.engine import run_corpus
    from corpusclean.readers import open_input
    from corpusclean.report import Summary
    from corpusclean.stages.base import Stage
    from corpusclean.stages.registry import build_stages
    from corpusclean.writers import open_output

    class DiesOnce(Stage):
        name = "dies-once"

        def __init__(self, marker: str):
            self.marker = marker

        def process(self, doc):
            if not os.path.exists(self.marker):
                Path(self.marker).touch()
                os._exit(1)

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import this test module
    config = RunConfig.build("run", **OPTIONS)
    stages = [DiesOnce(str(tmp_path / "died")), *build_stages(config)]
    writer = open_output(str(tmp_path / "ray"))
    job = Job(stages=stages, steps=list(config.steps), max_bytes=64_000_000, worker_sink=writer)
    summary = Summary("run", {})
    run_corpus(open_input(str(corpus)).sources, job, lambda result: None, summary, 2)
    writer.close(summary.to_json())
    assert (tmp_path / "died").exists()
    assert outputs(tmp_path / "ray") == outputs(local[0])


def test_an_interrupt_stops_the_job_and_the_cluster_it_started(tmp_path):
    """Ctrl-C in the middle of a run: the driver stops with KeyboardInterrupt and shuts down the
    local cluster it started (no Ray process is left behind)."""
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'corpusclean[ray]')")
    script = (
        "import ray, signal, threading\n"
        "from corpusclean.ray.engine import cluster\n"
        "try:\n"
        "    with cluster(None, 1):\n"
        "        print('pid', ray.get(ray.remote(lambda: __import__('os').getpid()).remote()), flush=True)\n"
        "        threading.Timer(1.0, lambda: signal.raise_signal(signal.SIGINT)).start()\n"
        "        ray.get(ray.remote(lambda: __import__('time').sleep(600)).remote())\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', ray.is_initialized(), flush=True)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    lines = done.stdout.split("\n")
    worker = int(lines[0].split()[1])
    assert "interrupted False" in lines
    assert not Path(f"/proc/{worker}").exists() or "ray::" not in Path(f"/proc/{worker}/cmdline").read_text()


def test_parquet_and_warc_on_ray_are_the_local_engine_s(ray_cluster, tmp_path):
    """The Ray engine reads and writes through the local engine's readers and writers, so every
    format works: Parquet in and out (with its own field names), a WARC's HTML responses."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from test_formats import write_warc

    texts = [text for name, text in sorted(generated_corpus().items()) if isinstance(text, str)][:20]
    pq.write_table(pa.table({"doc_id": list(range(len(texts))), "content": texts}), tmp_path / "pages.parquet")
    warc = write_warc(tmp_path / "crawl.warc.gz")
    for engine in ("local", "ray"):
        corpusclean.run(tmp_path / "pages.parquet", tmp_path / f"{engine}.parquet", engine=engine, workers=2,
                        text_field="content", id_field="doc_id")
        corpusclean.run(warc, tmp_path / f"{engine}-warc.jsonl", engine=engine, workers=2)
    assert pq.read_table(tmp_path / "ray.parquet").equals(pq.read_table(tmp_path / "local.parquet"))
    local = [json.loads(line) for line in (tmp_path / "local-warc.jsonl").read_text().splitlines()]
    # both pages cleaned, with their titles: the local engine's workers, forked from a process
    # that runs Ray (and maps its object store), still have room to load lxml
    assert [(r["report"]["status"], r["title"]) for r in local] == [("ok", "Ferry timetable kept"),
                                                                   ("ok", "Café crème on the ferry")]
    assert (tmp_path / "ray-warc.jsonl").read_bytes() == (tmp_path / "local-warc.jsonl").read_bytes()
