"""Which WARC library reads crawl files faster: FastWARC or warcio?

Writes a gzipped WARC of N HTML `response` records (each with its `request` record, as crawlers
write them, and some image responses), then reads it the way `readers/warc.py` needs: every
record's type, and for responses the record ID, target URI, date, HTTP Content-Type and the
payload bytes. Prints the CPU seconds of each library (median of the repeats) and their ratio.

    python3 benchmarks/bench_warc.py --records 5000 --repeats 5
"""
from __future__ import annotations

import argparse
import gzip
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

WORDS = ("council harbour ferry timetable winter island board meeting budget year school road "
         "river bridge library market museum station hospital garden").split()


def warc_record(kind: str, uri: str, payload: bytes, content_type: str) -> bytes:
    """One WARC/1.0 record, gzipped on its own (the way crawl WARC files are)."""
    head = (f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
            f"WARC-Date: 2024-05-01T12:00:00Z\r\nWARC-Target-URI: {uri}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(payload)}\r\n\r\n").encode("ascii")
    return gzip.compress(head + payload + b"\r\n\r\n", mtime=0)


def make_warc(path: Path, records: int, seed: int = 0) -> int:
    rng = random.Random(seed)
    with open(path, "wb") as out:
        for i in range(records):
            uri = f"https://example.org/news/{i}"
            request = f"GET /news/{i} HTTP/1.1\r\nHost: example.org\r\n\r\n".encode("ascii")
            out.write(warc_record("request", uri, request, "application/http; msgtype=request"))
            if i % 10 == 9:
                body, mime = bytes(rng.randrange(256) for _ in range(3000)), "image/png"
            else:
                paragraphs = "".join(f"<p>{' '.join(rng.choices(WORDS, k=60))}.</p>" for _ in range(12))
                body = f"<html><head><title>Story {i}</title></head><body>{paragraphs}</body></html>".encode()
                mime = "text/html; charset=utf-8"
            http = f"HTTP/1.1 200 OK\r\nContent-Type: {mime}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
            out.write(warc_record("response", uri, http, "application/http; msgtype=response"))
    return path.stat().st_size


def read_fastwarc(path: Path) -> int:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    payload_bytes = 0
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=True):
            record.headers.get("WARC-Target-URI"), record.headers.get("WARC-Date"), record.record_id
            record.http_headers.get("Content-Type")
            payload_bytes += len(record.reader.read())
    return payload_bytes


def read_warcio(path: Path) -> int:
    from warcio.archiveiterator import ArchiveIterator

    payload_bytes = 0
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type != "response":
                continue
            record.rec_headers.get_header("WARC-Target-URI"), record.rec_headers.get_header("WARC-Date")
            record.rec_headers.get_header("WARC-Record-ID")
            record.http_headers.get_header("Content-Type")
            payload_bytes += len(record.content_stream().read())
    return payload_bytes


def cpu_seconds(read, path: Path) -> tuple[float, int]:
    started = time.process_time()
    size = read(path)
    return time.process_time() - started, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="corpusclean-warc-") as folder:
        path = Path(folder) / "crawl.warc.gz"
        size = make_warc(path, args.records)
        print(f"WARC: {args.records} responses (+ requests), {size / 1e6:.1f} MB gzipped")
        times: dict[str, list[float]] = {"fastwarc": [], "warcio": []}
        payloads = {}
        for _ in range(args.repeats):  # alternate, so both meet the same machine load
            for name, read in (("fastwarc", read_fastwarc), ("warcio", read_warcio)):
                seconds, payloads[name] = cpu_seconds(read, path)
                times[name].append(seconds)
        assert payloads["fastwarc"] == payloads["warcio"], payloads  # both read the same bytes
        for name, values in times.items():
            median = statistics.median(values)
            print(f"  {name:<9} {median:6.3f} CPU-s (median of {args.repeats}; {min(values):.3f}-{max(values):.3f}), "
                  f"{size / 1e6 / median:6.1f} MB/s gzipped")
        ratio = statistics.median(times["warcio"]) / statistics.median(times["fastwarc"])
        print(f"  fastwarc is {ratio:.1f}x warcio")


if __name__ == "__main__":
    main()
