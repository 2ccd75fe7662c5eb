"""Benchmark: a bucket archive against a local one, in one run on the same photos.

    scripts/ceph-dev start && eval "$(scripts/ceph-dev env)"
    python bench/bench_store.py            # 100 photos of 2 MP, 5 rounds of pages
    python bench/bench_store.py -n 200 --rounds 9

The S3 server is the one of ``$ARCHIVE_TEST_S3_ENDPOINT`` and ``$ARCHIVE_TEST_S3_BUCKET``
(with the AWS_* keys), as `scripts/ceph-dev env` prints them. Lines:

* ingest images/s: `archive ingest` (the installed command, a subprocess, default
  workers) of the same photos into a local archive, then into a bucket archive (HEAD,
  PUT with Content-MD5, SHA-256 metadata for each original and thumbnail);
* a thumbnail page: the 100 thumbnails of one page fetched from `archive serve` as a
  browser does (6 at once), from the local archive, then from the bucket archive with
  a cold cache (every thumbnail a round trip to the bucket) and a warm one (the same
  page again, from the local cache). On a shared machine one page varies several-fold
  from run to run, so each is taken ``--rounds`` times, local and bucket in turn (a
  fresh server, so a cold cache, each round), and the median is printed.

The reference for each bucket figure is the local one measured in the same run.
Prints figures, asserts nothing. The bench's objects are removed at the end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

SIZE = (1600, 1200)
PAGE = 100
AT_ONCE = 6  # what a browser opens to one server
CLI = [sys.executable, "-c", "from archive.cli import main; main()"]


def make_photos(folder: Path, count: int) -> None:
    """Photos with photo-like entropy, each its own content."""
    folder.mkdir(parents=True)
    for n in range(count):
        noise = Image.effect_noise(SIZE, 30 + n % 40).convert("RGB")
        tint = Image.new("RGB", SIZE, (n * 37 % 256, n * 91 % 256, 120))
        Image.blend(noise, tint, 0.6).save(folder / f"anh-{n:04d}.jpg", "JPEG", quality=88)


def archive(root: Path, *args: str) -> None:
    subprocess.run([*CLI, "--root", str(root), *args], check=True, capture_output=True)


def ingest_rate(root: Path, photos: Path, count: int) -> float:
    started = time.perf_counter()
    archive(root, "ingest", str(photos))
    return count / (time.perf_counter() - started)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`archive serve` on root, for the length of a with block."""

    def __init__(self, root: Path, *args: str) -> None:
        self.root, self.args, self.port = root, args, free_port()

    def __enter__(self) -> Server:
        command = [*CLI, "--root", str(self.root), "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, *self.args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(300):
            try:
                urllib.request.urlopen(self.url("/-/versions.json"), timeout=2).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("archive serve did not start")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def page_seconds(server: Server, ids: list[int]) -> float:
    """The time to fetch one page's thumbnails, AT_ONCE at a time, as a browser would."""

    def fetch(photo_id: int) -> int:
        with urllib.request.urlopen(server.url(f"/-/images/thumb/{photo_id}"), timeout=60) as r:
            return len(r.read())

    started = time.perf_counter()
    with ThreadPoolExecutor(AT_ONCE) as pool:
        sizes = list(pool.map(fetch, ids))
    assert all(sizes), "a thumbnail came back empty"
    return time.perf_counter() - started


def photo_ids(root: Path) -> list[int]:
    import sqlite3

    with sqlite3.connect(root / "catalog.db") as db:
        return [r[0] for r in db.execute("SELECT id FROM photos ORDER BY id LIMIT ?", (PAGE,))]


def remove_prefix(endpoint: str, bucket: str, prefix: str) -> None:
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint)
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=bucket, Delete={"Objects": keys})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=100, help="photos (default 100)")
    parser.add_argument(
        "--rounds", type=int, default=5, help="pages of each kind; the median is shown (5)"
    )
    args = parser.parse_args()
    endpoint = os.environ.get("ARCHIVE_TEST_S3_ENDPOINT")
    bucket = os.environ.get("ARCHIVE_TEST_S3_BUCKET", "archive-test")
    if not endpoint:
        sys.exit('no S3 server: scripts/ceph-dev start && eval "$(scripts/ceph-dev env)"')
    prefix = f"bench-{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        work = Path(tmp)
        print(f"making {args.count} JPEGs of {SIZE[0]}x{SIZE[1]} ...", flush=True)
        make_photos(work / "anh", args.count)
        local, remote = work / "local", work / "bucket"
        archive(remote, "init", "--store", f"s3://{bucket}/{prefix}", "--endpoint", endpoint)
        try:
            local_rate = ingest_rate(local, work / "anh", args.count)
            bucket_rate = ingest_rate(remote, work / "anh", args.count)
            ids = photo_ids(local)
            local_pages, colds, warms = [], [], []
            with Server(local) as server:
                page_seconds(server, ids)  # the server's own start-up out of the figure
                for round_ in range(args.rounds):  # local and bucket pages taken in turn
                    local_pages.append(page_seconds(server, ids))
                    cache = work / f"cache-{round_}"  # a fresh server, a cold cache
                    with Server(remote, "--thumb-cache", str(cache)) as bucket_server:
                        page_seconds(bucket_server, ids[:1])  # start-up, one thumbnail cached
                        cold = page_seconds(bucket_server, ids[1:])
                        colds.append(cold * len(ids) / max(len(ids) - 1, 1))
                        warms.append(page_seconds(bucket_server, ids))
            local_page, cold, warm = median(local_pages), median(colds), median(warms)
        finally:
            remove_prefix(endpoint, bucket, prefix + "/")
    print(f"\n{args.count} photos, bucket {bucket} at {endpoint}")
    print(f"{'ingest, local folder':36} {local_rate:8.1f} images/s")
    ratio = bucket_rate / local_rate
    print(f"{'ingest, bucket':36} {bucket_rate:8.1f} images/s  ({ratio:.2f}x local)")
    print(
        f"\na page of {len(ids)} thumbnails, {AT_ONCE} requests at once"
        f" (median of {args.rounds}, local and bucket in turn)"
    )
    print(f"{'local folder':36} {local_page * 1000:8.0f} ms")
    print(f"{'bucket, cold cache':36} {cold * 1000:8.0f} ms  ({cold / local_page:.1f}x local)")
    print(f"{'bucket, warm cache':36} {warm * 1000:8.0f} ms  ({warm / local_page:.1f}x local)")


if __name__ == "__main__":
    main()
