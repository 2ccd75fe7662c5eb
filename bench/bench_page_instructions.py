"""Benchmark: the instructions a page costs in process, against the floor page, under callgrind.

    python bench/bench_page_instructions.py DIR                      # the rare-word table page
    python bench/bench_page_instructions.py DIR "/-/events/SLUG" "/catalog/photos.json?_search=x"

DIR is an archive built by ``bench/bench_search.py --build``. Wall time on a shared
two-core machine moves by a third from one hour to the next; the instructions a page
runs do not, so a change to a page's Python can be weighed in one run. Each page is
requested in a Datasette built as ``archive serve`` builds it (no HTTP), 5 times and
then 25 times after the same warm-up, each count under valgrind's callgrind; the
difference over 20 is the page's cost, SQLite's work in the read threads included.
``/-/versions``, which runs no SQL of the archive, is measured the same way as the
reference. Needs valgrind (``apt-get install valgrind``); a few minutes a page.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import re
import shutil
import subprocess
import sys
from pathlib import Path

RARE_PAGE = "/catalog/photos?_search=r%E1%BA%A1ch"
FLOOR_PAGE = "/-/versions"
FEW, MANY = 5, 25


def serve_requests(root: Path, url: str, count: int) -> None:
    """Warm up, then request ``url`` ``count`` times (run under callgrind)."""
    from archive import shipped
    from archive.web.config import build_datasette, load_metadata

    datasette = build_datasette(root / "catalog.db", load_metadata(shipped.metadata_path()))

    async def requests() -> None:
        await datasette.invoke_startup()
        for _ in range(5):
            await datasette.client.get(url)
        gc.collect()
        gc.freeze()
        for _ in range(count):
            response = await datasette.client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")

    asyncio.run(requests())


def instructions(root: Path, url: str, counts: tuple[int, ...]) -> list[int]:
    """The instructions of whole processes requesting ``url`` each count of times (side by
    side: callgrind runs one thread at a time, and the counts do not depend on the load)."""
    runs = [
        subprocess.Popen(
            [
                "valgrind",
                "--tool=callgrind",
                "--callgrind-out-file=/dev/null",
                sys.executable,
                __file__,
                "--requests",
                str(count),
                str(root),
                url,
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for count in counts
    ]
    found = []
    for run in runs:
        _, stderr = run.communicate()
        collected = re.search(r"Collected\s*:\s*(\d+)", stderr)
        if run.returncode != 0 or collected is None:
            raise SystemExit(f"{url}: callgrind failed: {stderr[-2000:]}")
        found.append(int(collected[1]))
    return found


def per_request(root: Path, url: str) -> float:
    """Millions of instructions one request of ``url`` costs."""
    few, many = instructions(root, url, (FEW, MANY))
    return (many - few) / (MANY - FEW) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="an archive made by bench_search.py --build")
    parser.add_argument("pages", nargs="*", default=[RARE_PAGE], help="paths to measure")
    parser.add_argument("--requests", type=int, help=argparse.SUPPRESS)  # the measured child
    args = parser.parse_args()
    if not (args.root / "catalog.db").is_file():
        raise SystemExit(f"{args.root}: no catalog.db (build one with bench_search.py --build)")
    if args.requests is not None:
        serve_requests(args.root, args.pages[0], args.requests)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    floor = per_request(args.root, FLOOR_PAGE)
    print(f"{'page':60} {'M instr':>8} {'x floor':>8}")
    print(f"{'floor: ' + FLOOR_PAGE:60} {floor:8.2f} {1.0:8.2f}")
    for page in args.pages:
        cost = per_request(args.root, page)
        print(f"{page[:60]:60} {cost:8.2f} {cost / floor:8.2f}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
