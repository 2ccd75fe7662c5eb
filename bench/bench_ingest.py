"""Benchmark: a whole `archive ingest` against a plain Pillow loop over the same photos.

    python bench/bench_ingest.py          # 16 photos of 12 MP
    python bench/bench_ingest.py -n 32

The named reference is the plain Pillow loop of bench_thumbs.py (open,
exif_transpose, thumbnail 1280, save, thumbnail 320, save), run in one
process over files on disk. Our ingest does more per photo (SHA-256, EXIF,
copying the original into the store, catalog rows, search index) and runs
once with one worker and once with one worker per CPU, under each start
method the platform offers (forkserver and spawn here; Windows has only spawn).
The re-run line shows what an unchanged folder costs. The start-up lines show
what a pool of workers costs before the first photo: each is measured in a
fresh process that starts like the `archive` command (whose module every
spawned worker imports again), from creating the pool until every worker has
taken a job. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:  # run from a checkout without `pip install -e .`
        sys.path.insert(0, str(path))

from bench_thumbs import make_photo, plain_pillow  # noqa: E402

from archive.catalog import Catalog  # noqa: E402
from archive.db import open_catalog  # noqa: E402
from archive.store import Store  # noqa: E402
from ingest.describe import CommandLine  # noqa: E402
from ingest.pipeline import Options, ingest  # noqa: E402
from ingest.workers import START_METHOD_ENV, START_METHODS  # noqa: E402

# Starts as the installed `archive` script does (its module is imported again by every
# spawned worker), then times a pool from creation until each worker has taken a job.
STARTUP_PROBE = """\
from archive.cli import main

if __name__ == "__main__":
    import json, sys, time
    from ingest import workers
    method, count, hold = sys.argv[1], int(sys.argv[2]), 1.0
    start = time.perf_counter()
    with workers.pool(count, method) as pool:
        waits = [pool.submit(time.sleep, hold) for _ in range(count)]
        for wait in waits:
            wait.result()
        started = len(pool._processes)
    print(json.dumps({"seconds": time.perf_counter() - start - hold, "workers": started}))
"""


def startup(method: str, count: int, folder: Path) -> dict:
    """Seconds from creating a pool of count workers until each has taken a job."""
    probe = folder / "startup_probe.py"
    probe.write_text(STARTUP_PROBE, "utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [sys.executable, str(probe), method, str(count)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def timed_ingest(folder: Path, root: Path, jobs: int) -> tuple[float, dict]:
    store = Store(root)
    store.create()
    catalog = Catalog(open_catalog(store.catalog_path))
    start = time.perf_counter()
    report = ingest(store, catalog, [folder], CommandLine(), Options(jobs=jobs))
    elapsed = time.perf_counter() - start
    catalog.db.close()
    return elapsed, report.as_json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=16, help="number of 12 MP photos")
    args = parser.parse_args()
    cpus = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        for i in range(args.n):
            make_photo(folder / f"IMG_{i:04d}.jpg", seed=i, orientation=6 if i % 2 else 1)
        files = sorted(folder.glob("*.jpg"))
        megabytes = sum(f.stat().st_size for f in files) / 1e6

        start = time.perf_counter()
        for file in files:
            plain_pillow(file.read_bytes())
        reference = time.perf_counter() - start

        one, report = timed_ingest(folder, Path(tmp) / "one", jobs=1)
        assert report["added"] == args.n, report
        methods = [m for m in START_METHODS if m in multiprocessing.get_all_start_methods()]
        many: dict[str, float] = {}
        for method in methods:
            os.environ[START_METHOD_ENV] = method
            many[method], _ = timed_ingest(folder, Path(tmp) / method, jobs=cpus)
        rerun, again = timed_ingest(folder, Path(tmp) / methods[0], jobs=cpus)
        os.environ.pop(START_METHOD_ENV)
        assert again["unchanged"] == args.n, again
        starts = {method: startup(method, cpus, Path(tmp)) for method in methods}

    per = 1000 / args.n
    print(f"{args.n} photos, 12 MP, {megabytes:.0f} MB in all; {cpus} CPU(s)")
    print(f"  plain Pillow loop (reference, 1 process) {reference * per:7.1f} ms/photo")
    print(
        f"  archive ingest, 1 worker                 {one * per:7.1f} ms/photo"
        f"   {one / reference:5.2f}x the reference"
    )
    for method, seconds in many.items():
        print(
            f"  archive ingest, {cpus} workers, {method:<10}   {seconds * per:7.1f} ms/photo"
            f"   {seconds / reference:5.2f}x the reference"
        )
    print(f"  re-run, nothing changed                  {rerun * per:7.1f} ms/photo")
    for method, start in starts.items():
        print(
            f"  start-up of {start['workers']} workers, {method:<10}      "
            f"{start['seconds'] * 1000:7.0f} ms before the first photo"
        )


if __name__ == "__main__":
    main()
