"""How bench_search.py times a page: a real server, its floor, the raw SQL, in rounds.

Shared with bench_similar_pages.py. :func:`time_rounds` samples a raw run, the
page's floor and the page side by side, so that a busy spell of the shared
machine falls on a page and its references alike; :func:`check` reads the
page's JSON twin against the raw answer.
"""

from __future__ import annotations

import math
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from archive.web.search_page import TOO_SLOW
from bench.search_pages import Page
from bench.search_report import FLOORS

ROOT = Path(__file__).resolve().parents[1]
RAW_BUDGET = 60.0  # seconds of raw runs per page, at most (see RawRuns)

# What a page shows when part of it could not be computed in time.
TROUBLE = {
    "These facets timed out": "facet timed out",
    'class="facets-timed-out"': "facet timed out",  # the archive's own table.html
    'facets_timed_out": ["': "facet timed out",
    TOO_SLOW: "refused: takes too long",
    "took too long": "SQL interrupted",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A real `archive serve` in a subprocess, stopped (by its pid) on exit."""

    def __init__(self, root: Path) -> None:
        self.root, self.port = root, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in __exit__)

    def __enter__(self) -> Server:
        command = [sys.executable, "-c", "from archive.cli import main; main()"]
        command += ["--root", str(self.root), "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ}
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise SystemExit(f"archive serve exited: {self.log.read().decode()[-2000:]}")
            try:
                if httpx.get(self.base + "/-/versions.json", timeout=5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise SystemExit("archive serve did not answer within 120 s")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def stats(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank
    return {"median": statistics.median(ordered), "p95": p95}


def _trouble(status: int, text: str) -> str | None:
    why = next((why for needle, why in TROUBLE.items() if needle in text), None)
    if status != 200:
        return f"HTTP {status}" + (f": {why}" if why else "")
    return why


def _timed_get(client: httpx.Client, url: str) -> tuple[float, int, str, str | None]:
    """One request: its seconds, status and text, and a client timeout as trouble."""
    started = time.perf_counter()
    try:
        response = client.get(url)
        status, text, failed = response.status_code, response.text, None
    except httpx.TimeoutException:
        status, text = 0, ""
        failed = f"client timeout ({client.timeout.read:.0f} s)"
    return time.perf_counter() - started, status, text, failed


class RawRuns:
    """The raw queries of one page on their own read-only connection, run by run.

    Each run is interrupted after ``timeout`` seconds, and timing stops once the
    runs have taken ``RAW_BUDGET`` seconds in all: some raw SQL (the smart
    search's ranking) takes minutes, and the figure is then plain enough.
    """

    def __init__(self, path: Path, page: Page, timeout: float) -> None:
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.page, self.timeout = page, timeout
        self.times: list[float] = []
        self.note: str | None = None
        self.spent = 0.0

    def answer(self) -> Any:
        """The untimed first run: the answer the page must give ({} if it failed)."""
        try:
            return self._run()
        except sqlite3.OperationalError as error:
            self.note = f"raw SQL {error} after {self.timeout:.0f} s"
            return {}

    def run(self) -> None:
        """One timed run, unless a run failed or the budget is spent."""
        if self.note is not None:
            return
        if self.spent > RAW_BUDGET:
            self.note = f"{len(self.times)} runs (stopped after {RAW_BUDGET:.0f} s)"
            return
        started = time.perf_counter()
        try:
            self._run()
        except sqlite3.OperationalError as error:
            self.note = f"raw SQL {error} after {self.timeout:.0f} s"
            self.times.clear()
            return
        self.times.append(time.perf_counter() - started)
        self.spent += self.times[-1]

    def _run(self) -> Any:
        timer = threading.Timer(self.timeout, self.conn.interrupt)
        timer.start()
        try:
            return self.page.raw(self.conn)
        finally:
            timer.cancel()

    def close(self) -> dict[str, Any]:
        """The timed runs and the note on them; the connection closed."""
        self.conn.close()
        return {"times": self.times, "note": self.note}


def time_raw(path: Path, page: Page, repeat: int, timeout: float) -> tuple[dict[str, Any], Any]:
    """The raw queries, ``repeat`` times after the run that gives the answer."""
    runs = RawRuns(path, page, timeout)
    answer = runs.answer()
    for _ in range(repeat):
        runs.run()
    return runs.close(), answer


def time_rounds(
    client: httpx.Client, page: Page, repeat: int, raw: RawRuns | None = None
) -> dict[str, Any]:
    """A warm-up and ``repeat`` rounds, each: a raw run, the page's floor, the page.

    The three are sampled side by side, so a busy spell of the machine (which
    moves a 10 ms page by half within minutes) falls on the page and on both of
    its references alike, and the ratios hold from one run to the next. The
    first trouble the page shows is kept.
    """
    floor_url = FLOORS[page.kind]
    pages, floors, failed = [], [], None
    for round_ in range(repeat + 1):
        if raw is not None and round_:
            raw.run()
        floor_seconds = _timed_get(client, floor_url)[0]
        seconds, status, text, trouble = _timed_get(client, page.url(page.kind == "json"))
        failed = failed or trouble or (_trouble(status, text) if status else None)
        if round_:
            pages.append(seconds)
            floors.append(floor_seconds)
        if failed and seconds > 10:
            break  # a page that fails slowly is not asked again and again
    # Without the warm-up, unless it is all there is (a slow failure).
    return {"times": pages or [seconds], "failed": failed, "floor_times": floors}


def time_page(client: httpx.Client, page: Page, repeat: int) -> dict[str, Any]:
    """One warm-up and ``repeat`` timed requests (each after its floor's)."""
    return time_rounds(client, page, repeat)


def check(client: httpx.Client, page: Page, expected: Any) -> tuple[str, str | None]:
    """Whether the page's JSON twin gives the raw answer; and trouble it reports."""
    try:
        response = client.get(page.url(json_twin=True))
    except httpx.TimeoutException:
        return "timeout", "client timeout"
    if response.status_code != 200:
        return f"HTTP {response.status_code}", None
    data = response.json()
    trouble = None
    if data.get("facets_timed_out"):
        trouble = f"facet timed out: {', '.join(data['facets_timed_out'])}"
    elif "filtered_table_rows_count" in data and data["filtered_table_rows_count"] is None:
        trouble = "count not computed"
    if not expected:
        return "unchecked", trouble
    got = page.answer(data)
    # Keys only the raw side has (the JSON's size) are not part of what the page shows.
    differs = [k for k, v in expected.items() if k in got and k != "facets" and got[k] != v]
    missing = []
    for name, values in expected.get("facets", {}).items():
        shown = got.get("facets", {}).get(name)
        if shown is None:
            missing.append(name)
        elif shown != values:
            differs.append(f"facet {name} differs")
    if missing:  # Datasette 0.65's JSON has no facets_timed_out: a facet that timed out is absent
        trouble = trouble or f"facet timed out: {', '.join(missing)}"
        differs.append(f"facets missing: {', '.join(missing)}")
    return ("same" if not differs else "DIFFERS: " + ", ".join(differs)), trouble
