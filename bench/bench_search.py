"""Benchmark: every reviewer page at scale, against the raw SQL that gives the same answer.

    python bench/bench_search.py                          # 100,000 photos, temporary archive
    python bench/bench_search.py --photos 20000 --repeat 5
    python bench/bench_search.py --build /tmp/bench-1m --photos 1000000   # build once
    python bench/bench_search.py --serve /tmp/bench-1m    # measure an existing one
    python bench/bench_search.py --serve /tmp/bench-1m --json > figures.json

``--build DIR`` makes a synthetic archive (bench/synthetic.py, catalog only)
through the catalog's bulk path and prints its time against a bare
sqlite-utils ``insert_all`` of the same photo rows into an unindexed table, in
the same run (budget: 3x at 1,000,000 photos).

Measuring starts a real ``archive serve`` (default mode, the project's
metadata.yml) on a free port and requests each page sequentially with httpx:
one warm-up, then ``--repeat`` timed requests; median and p95. Beside each,
the raw queries (bench/search_pages.py) run with Python's sqlite3 on the same
file, the same number of times, and the ratio page p95 / raw p95 (budget: 2x).

Datasette costs a few milliseconds per request whatever the SQL (routing, its
ASGI layers, permissions, the base template), which alone makes a page whose
SQL takes 1 ms "5x raw". So the same server also answers a page that runs no
SQL of ours (the floor): ``/-/versions.json`` for the JSON pages and
``/-/versions`` (the base template with the archive's chrome) for the HTML
pages. Each page is printed against raw alone and against raw + its floor;
its status is "ok" within 2x raw, "ok+floor" within 2x raw + floor, else SLOW.
The three are sampled in rounds (a raw run, a floor request, the page's
request), so the machine's busy spells fall on a page and its references alike.
One extra request of each page's JSON twin checks that the page gives the
answer the raw queries give (first page ids, totals, facet counts). An HTTP
error, a facet that timed out, a count not computed, a "takes too long"
refusal or a client timeout is FAILED in the table, never hidden.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlite_utils import Database  # noqa: E402

from archive.catalog.bulk import BulkPhoto  # noqa: E402
from archive.catalog.rows import photo_row  # noqa: E402
from bench import search_pages, synthetic  # noqa: E402
from bench.search_report import (  # noqa: E402
    BUILD_BUDGET,
    FLOORS,
    PAGE_BUDGET,
    print_build,
    print_pages,
)
from bench.search_timing import RawRuns, Server, check, stats, time_rounds  # noqa: E402

# -- building ------------------------------------------------------------------


def _plain_rows(n: int, seed: int) -> Any:
    """The photo rows the bulk path writes, as dicts, with no catalog behind them."""
    registry = synthetic.units()
    events = [(i + 1, f"event-{i}", "2020-06-18") for i in range(synthetic.EVENTS)]
    for photo in synthetic.photos(n, seed, registry, events):
        yield _row(photo)


def _row(photo: BulkPhoto) -> dict[str, Any]:
    row = photo_row(photo.facts, photo.source, 1, "2024-01-01T00:00:00+00:00")
    row.update(
        caption=photo.caption,
        caption_source=photo.caption_source,
        event_id=photo.event_id,
        units=json.dumps(list(photo.units), ensure_ascii=False),
        tags=json.dumps(list(photo.tags), ensure_ascii=False),
    )
    return row


def build(directory: Path, n: int, seed: int) -> dict[str, Any]:
    """Build the archive, then time the reference and the generator alone; the figures."""
    built = synthetic.build(directory, n, seed)
    reference_path = directory / "reference-insert-all.db"
    started = time.perf_counter()
    Database(str(reference_path))["photos"].insert_all(_plain_rows(n, seed))
    reference = time.perf_counter() - started
    reference_path.unlink()
    started = time.perf_counter()
    for _ in _plain_rows(n, seed):
        pass
    generating = time.perf_counter() - started
    bulk = built.seconds["photos (bulk)"]
    return {
        "photos": n,
        "seed": seed,
        "seconds": built.seconds,
        "reference_insert_all_seconds": reference,
        "generating_rows_seconds": generating,
        "ratio": bulk / reference,
        "ratio_net_of_generating": (bulk - generating) / max(reference - generating, 1e-9),
        "budget": BUILD_BUDGET,
        "size_bytes": (directory / "catalog.db").stat().st_size,
    }


# -- measuring -----------------------------------------------------------------


def measure(
    root: Path, repeat: int, timeout: float, only: list[str] | None = None
) -> dict[str, Any]:
    catalog = root / "catalog.db"
    photos = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    total = photos.execute("SELECT count(*) FROM photos").fetchone()[0]
    photos.close()
    results = []
    with Server(root) as server, httpx.Client(base_url=server.base, timeout=timeout) as client:
        for page in search_pages.pages():
            if only and not any(word.lower() in page.name.lower() for word in only):
                continue
            runs = RawRuns(catalog, page, timeout)
            expected = runs.answer()
            timed = time_rounds(client, page, repeat, runs)
            raw = runs.close()
            same, trouble = check(client, page, expected)
            failed = timed["failed"] or trouble
            page_stats = stats(timed["times"]) if timed["times"] else None
            raw_stats = stats(raw["times"]) if raw["times"] else None
            floor = stats(timed["floor_times"]) if timed["floor_times"] else None
            ratio = page_stats["p95"] / raw_stats["p95"] if page_stats and raw_stats else None
            floored = (
                page_stats["p95"] / (raw_stats["p95"] + floor["p95"])
                if page_stats and raw_stats and floor
                else None
            )
            results.append(
                {
                    "page": page.name,
                    "url": page.url(page.kind == "json"),
                    "failed": failed,
                    "answer": same,
                    "page_seconds": page_stats,
                    "raw_seconds": raw_stats,
                    "raw_note": raw["note"],
                    "ratio_p95": ratio,
                    "floor": FLOORS[page.kind],
                    "floor_seconds": floor,
                    "ratio_p95_raw_plus_floor": floored,
                    "within_budget": bool(
                        ratio is not None and ratio <= PAGE_BUDGET and not failed
                    ),
                    "within_budget_with_floor": bool(
                        floored is not None and floored <= PAGE_BUDGET and not failed
                    ),
                }
            )
            print(f"  measured {page.name}", file=sys.stderr)
    return {
        "photos": total,
        "repeat": repeat,
        "budget": PAGE_BUDGET,
        "pages": results,
    }


# -- the command ---------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--build", type=Path, metavar="DIR", help="only build an archive in DIR")
    where.add_argument("--serve", type=Path, metavar="DIR", help="measure the archive in DIR")
    parser.add_argument("--photos", type=int, default=100_000, help="photos to build")
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per page")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--timeout", type=float, default=60.0, help="client timeout (s)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--pages", nargs="+", metavar="WORD", help="only the pages whose name holds a WORD"
    )
    args = parser.parse_args(argv)
    if args.photos < 100 or args.repeat < 1:
        parser.error("--photos must be at least 100 and --repeat at least 1")
    out: dict[str, Any] = {}
    if args.build:
        out["build"] = build(args.build, args.photos, args.seed)
        print(json.dumps(out, indent=2) if args.json else "", end="\n" if args.json else "")
        if not args.json:
            print_build(out["build"])
        return 0
    if args.serve:
        root = args.serve
        if not (root / "catalog.db").exists():
            parser.error(f"{root}: no catalog.db here (make one with --build)")
        out["pages"] = measure(root, args.repeat, args.timeout, args.pages)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
            root = Path(tmp) / "archive"
            out["build"] = build(root, args.photos, args.seed)
            if not args.json:
                print_build(out["build"])
            out["pages"] = measure(root, args.repeat, args.timeout, args.pages)
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print_pages(out["pages"])
    return 1 if any(p["failed"] for p in out["pages"]["pages"]) else 0


if __name__ == "__main__":
    sys.exit(main())
