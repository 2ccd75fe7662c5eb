"""Benchmark: the reviewer pages of near-duplicate groups at scale (issue 12).

    python bench/bench_similar_pages.py /tmp/bench-1m --build 1000000   # build, group, time
    python bench/bench_similar_pages.py /tmp/bench-1m                   # time again
    python bench/bench_similar_pages.py /tmp/bench-search-100k          # any bench_search archive

On an archive built by search_timing.py (bench/synthetic.py: 2,000 events, one
of 5,000 photos) or, in minutes rather than an hour, by ``--build``
(bench/similar_catalog.py: the same events, plain rows), this first writes
synthetic groups of near-duplicates where there are none yet: in every event
but one (the reference), runs of consecutive photos (event order) of 1 to 6,
two photos in three in a group, the first of each run its pick (written with
SQL, as a benchmark's fixture; the catalog's own grouping is ``archive
similar``). Then it starts a real ``archive serve`` and times each page as
search_timing.py does (one warm-up, ``--repeat`` requests, median and p95),
beside the raw SQL that gives the same answer run with Python's sqlite3 on the
same file, and checks that the page's JSON twin gives that answer.

Each page is held to a reference page served by the same server in the same
run: the event, group and event-half-way pages to the ungrouped event's page,
a member's photo page to that of a photo in no group, "only picks" to the
unfiltered photos table (budget: p95 at most 2x the reference's).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from archive.reader import EVENT_KEY, EVENT_ORDER  # noqa: E402
from archive.search import PHOTO_COLUMNS  # noqa: E402
from archive.web import group_queries, pages  # noqa: E402
from bench import search_pages, search_timing, similar_catalog, synthetic  # noqa: E402
from bench.search_pages import Answer, Page  # noqa: E402

EVENT_PAGE, TABLE_PAGE = pages.EVENT_PAGE_SIZE, 100
# The photos table says a facet timed out in Vietnamese (templates/table.html): trouble too.
search_timing.TROUBLE.setdefault("Các nhóm này quá lâu", "facet timed out")
RUNS = (1,) * 10 + (2, 3, 4, 5, 6)  # sizes of runs of consecutive photos: 2 in 3 grouped


def reference_event(conn: Any) -> tuple[int, str]:
    """The largest event but the big one: left without groups, the pages' reference."""
    return conn.execute(
        "SELECT id, slug FROM events WHERE slug != ? ORDER BY photo_count DESC, id LIMIT 1",
        (synthetic.BIG_EVENT_SLUG,),
    ).fetchone()


def write_groups(catalog: Path, seed: int = 12) -> dict[str, Any]:
    """Synthetic groups in every event but the reference, unless there are groups already."""
    conn = sqlite3.connect(catalog)
    try:
        if conn.execute("SELECT count(*) FROM photo_groups").fetchone()[0]:
            return {"written": False}
        skipped = reference_event(conn)[0]
        started = time.perf_counter()
        rng = random.Random(seed)
        conn.execute("CREATE TEMP TABLE grouped (photo_id INTEGER PRIMARY KEY, gid, pick)")
        groups, members = [], []
        gid = 0
        order = ", ".join(EVENT_KEY)
        ids = conn.execute(
            f"SELECT p.event_id, p.id FROM photos p WHERE p.event_id IS NOT NULL"
            f" AND p.event_id != ? ORDER BY p.event_id, {order}",
            (skipped,),
        )
        run: list[tuple[int, int]] = []
        want = rng.choice(RUNS)

        def close() -> None:
            nonlocal gid
            if len(run) > 1:
                gid += 1
                groups.append((gid, run[0][0], run[0][1], len(run)))
                members.extend((pid, gid, int(i == 0)) for i, (_, pid) in enumerate(run))

        for event_id, photo_id in ids:
            if run and (len(run) == want or run[-1][0] != event_id):
                close()
                run, want = [], rng.choice(RUNS)
            run.append((event_id, photo_id))
        close()
        with conn:
            conn.executemany(
                "INSERT INTO photo_groups (id, event_id, pick_id, size) VALUES (?, ?, ?, ?)",
                groups,
            )
            conn.executemany("INSERT INTO grouped VALUES (?, ?, ?)", members)
            conn.execute(
                "UPDATE photos SET group_id = g.gid, is_pick = g.pick FROM grouped g"
                " WHERE photos.id = g.photo_id"
            )
        return {
            "written": True,
            "groups": len(groups),
            "grouped_photos": len(members),
            "seconds": time.perf_counter() - started,
        }
    finally:
        conn.close()


def _big_event(conn: Any) -> int:
    row = conn.execute("SELECT id FROM events WHERE slug = ?", (synthetic.BIG_EVENT_SLUG,))
    return row.fetchone()[0]


def _cards(conn: Any, after: dict[str, Any] | None) -> list[int]:
    condition, params = group_queries.queries._after_event_key(after)
    sql = group_queries.EVENT_CARDS_SQL.format(condition=condition)
    rows = conn.execute(sql, {"id": _big_event(conn), "limit": EVENT_PAGE + 1, **params})
    ids = [r[0] for r in rows.fetchall()]
    groups = conn.execute(
        f"SELECT group_id FROM photos WHERE id IN ({','.join(map(str, ids))})"
        " AND group_id IS NOT NULL"
    ).fetchall()
    conn.execute(
        f"SELECT id FROM photos WHERE group_id IN ({','.join(str(g[0]) for g in groups) or 0})"
        " AND +is_pick = 0"  # off idx_photos_group, as the page reads them
    ).fetchall()
    return ids[:EVENT_PAGE]


def _middle_card(conn: Any) -> dict[str, Any]:
    """The card half way through the big event, as a ``?after=`` names it."""
    sql = (
        f"SELECT p.id, p.taken_at, p.original_name FROM photos p WHERE p.event_id = ?"
        f" AND p.is_pick = 1 ORDER BY {EVENT_ORDER} LIMIT 1 OFFSET"
        " (SELECT count(*) / 2 FROM photos WHERE event_id = ? AND is_pick = 1)"
    )
    event = _big_event(conn)
    row = conn.execute(sql, (event, event)).fetchone()
    return {"id": row[0], "taken_at": row[1], "original_name": row[2]}


def event_pages(conn: Any) -> list[Page]:
    """The big event's first page and a page half way, each one card per group."""
    middle = _middle_card(conn)

    def answer(data: dict[str, Any]) -> Answer:
        return {"ids": [p["id"] for p in data["photos"]]}

    first = Page(
        "event page, one card per group",
        f"/-/events/{synthetic.BIG_EVENT_SLUG}",
        {},
        lambda c: {"ids": _cards(c, None)},
        answer,
    )
    deep = Page(
        "event page, half way (after=)",
        f"/-/events/{synthetic.BIG_EVENT_SLUG}",
        {"after": str(middle["id"])},
        lambda c: {"ids": _cards(c, middle)},
        answer,
    )
    return [first, deep]


def group_and_photo_pages(conn: Any) -> list[Page]:
    """The largest group of the big event: its page, and a member's photo page."""
    group_id, pick_id = conn.execute(
        "SELECT id, pick_id FROM photo_groups WHERE event_id = ? ORDER BY size DESC, id LIMIT 1",
        (_big_event(conn),),
    ).fetchone()
    member = conn.execute(
        "SELECT id FROM photos WHERE group_id = ? AND is_pick = 0 LIMIT 1", (group_id,)
    ).fetchone()[0]

    def group_raw(c: Any) -> Answer:
        rows = c.execute(
            f"SELECT {PHOTO_COLUMNS} FROM photos p LEFT JOIN events e ON e.id = p.event_id"
            f" WHERE p.group_id = ? ORDER BY {EVENT_ORDER} LIMIT 201",
            (group_id,),
        ).fetchall()
        return {"ids": [r[0] for r in rows]}

    def photo_raw(c: Any) -> Answer:
        c.execute("SELECT * FROM photos WHERE id = ?", (member,)).fetchall()
        rows = c.execute(
            f"SELECT p.id FROM photos p WHERE p.group_id = ? ORDER BY p.is_pick DESC,"
            f" p.id = ? DESC, {EVENT_ORDER} LIMIT 13",
            (group_id, member),
        ).fetchall()
        return {"members": [r[0] for r in rows]}

    return [
        Page(
            "group page",
            f"/-/groups/{group_id}",
            {},
            group_raw,
            lambda d: {"ids": [p["id"] for p in d["photos"]]},
        ),
        Page(
            "photo page of a group member",
            f"/-/photos/{member}",
            {},
            photo_raw,
            lambda d: {"members": [m["id"] for m in d["photo"]["group"]["members"]]},
        ),
    ]


def table_pages() -> list[Page]:
    """The photos table with its facets (the picks facet among them), unfiltered and picks."""
    unfiltered = search_pages.table_page("photos table (picks facet)")
    picks = search_pages.table_page("photos table, only picks", is_pick="1")

    def picks_raw(conn: Any) -> Answer:
        rows = conn.execute(
            f"SELECT id FROM photos WHERE is_pick = 1 ORDER BY taken_at DESC LIMIT {TABLE_PAGE}"
        ).fetchall()
        return {"ids": [r[0] for r in rows]}

    def ids_only(data: dict[str, Any]) -> Answer:
        return {"ids": search_pages._table_answer(data)["ids"][:TABLE_PAGE]}

    return [unfiltered, Page(picks.name, picks.path, picks.params, picks_raw, ids_only)]


def references(conn: Any) -> dict[str, Page]:
    """What each page is measured against, through the same server in the same run."""
    event_id, slug = reference_event(conn)
    lone = conn.execute(
        "SELECT id FROM photos WHERE event_id = ? ORDER BY id LIMIT 1", (event_id,)
    ).fetchone()[0]
    nothing = lambda c: {}  # noqa: E731 (no answer to check: the reference is timed only)
    return {
        "event": Page(
            f"event page without groups ({slug[:24]})", f"/-/events/{slug}", {}, nothing, nothing
        ),
        "photo": Page(
            "photo page of a photo in no group", f"/-/photos/{lone}", {}, nothing, nothing
        ),
        "table": search_pages.table_page("photos table (picks facet)"),
    }


# Which reference each page is held to (its p95 at most BUDGET times the reference's).
REFERENCE_OF = {
    "event page, one card per group": "event",
    "event page, half way (after=)": "event",
    "group page": "event",
    "photo page of a group member": "photo",
    "photos table, only picks": "table",
}
BUDGET = 2.0


def _timed(client: httpx.Client, catalog: Path, page: Page, repeat: int, timeout: float) -> dict:
    raw, expected = search_timing.time_raw(catalog, page, repeat, timeout)
    timed = search_timing.time_page(client, page, repeat)
    same, trouble = search_timing.check(client, page, expected)
    return {
        "page": page.name,
        "url": page.url(),
        "failed": timed["failed"] or trouble,
        "answer": same,
        "page_seconds": search_timing.stats(timed["times"]) if timed["times"] else None,
        "raw_seconds": search_timing.stats(raw["times"]) if raw["times"] else None,
    }


def measure(root: Path, repeat: int, timeout: float) -> dict[str, Any]:
    catalog = root / "catalog.db"
    conn = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    pages = event_pages(conn) + group_and_photo_pages(conn) + table_pages()[1:]
    refs = references(conn)
    total = conn.execute("SELECT count(*) FROM photos").fetchone()[0]
    conn.close()
    results, measured = [], {}
    with (
        search_timing.Server(root) as server,
        httpx.Client(base_url=server.base, timeout=timeout) as client,
    ):
        for key, page in refs.items():
            measured[key] = _timed(client, catalog, page, repeat, timeout)
            print(f"  measured {page.name}", file=sys.stderr)
        for page in pages:
            result = _timed(client, catalog, page, repeat, timeout)
            ref = measured[REFERENCE_OF[page.name]]
            ratio = None
            if result["page_seconds"] and ref["page_seconds"]:
                ratio = result["page_seconds"]["p95"] / ref["page_seconds"]["p95"]
            result.update(
                reference=ref["page"],
                ratio_p95=ratio,
                within_budget=bool(ratio is not None and ratio <= BUDGET and not result["failed"]),
            )
            results.append(result)
            print(f"  measured {page.name}", file=sys.stderr)
    return {
        "photos": total,
        "repeat": repeat,
        "references": list(measured.values()),
        "pages": results,
    }


def _ms(stats: dict[str, float] | None) -> str:
    if not stats:
        return f"{'-':>8} {'-':>8}"
    return f"{stats['median'] * 1e3:8.1f} {stats['p95'] * 1e3:8.1f}"


def print_figures(figures: dict[str, Any]) -> None:
    print(
        f"\nPages at {figures['photos']:,} photos, {figures['repeat']} timed requests each"
        f" (ms; ratio = page p95 / its reference's p95, same server, budget {BUDGET:.0f}x):"
    )
    print(f"{'page':<44} {'median':>8} {'p95':>8} {'raw med':>8} {'raw p95':>8} {'ratio':>7}")
    for r in figures["references"]:
        print(
            f"{'ref: ' + r['page'][:39]:<44} {_ms(r['page_seconds'])} {_ms(r['raw_seconds'])}"
            + (f"  FAILED ({r['failed']})" if r["failed"] else "")
        )
    for r in figures["pages"]:
        ratio = f"{r['ratio_p95']:6.2f}x" if r["ratio_p95"] is not None else "      -"
        status = (
            f"FAILED ({r['failed']})" if r["failed"] else ("ok" if r["within_budget"] else "SLOW")
        )
        print(
            f"{r['page'][:44]:<44} {_ms(r['page_seconds'])} {_ms(r['raw_seconds'])} {ratio}"
            f"  {status}"
        )
        if r["answer"] != "same":
            print(f"{'':<44}   answer: {r['answer']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="an archive built by search_timing.py --build")
    parser.add_argument("--build", type=int, metavar="PHOTOS", help="first build a catalog")
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per page")
    parser.add_argument("--timeout", type=float, default=60.0, help="client timeout (s)")
    args = parser.parse_args(argv)
    if args.build:
        steps = similar_catalog.build(args.root, args.build)
        print(
            f"Built {args.build:,} photos: " + ", ".join(f"{k} {v:.0f} s" for k, v in steps.items())
        )
    written = write_groups(args.root / "catalog.db")
    if written["written"]:
        print(
            f"Wrote {written['groups']:,} synthetic groups of {written['grouped_photos']:,}"
            f" photos in {written['seconds']:.1f} s"
        )
    figures = measure(args.root, args.repeat, args.timeout)
    print_figures(figures)
    return 0 if all(r["within_budget"] for r in figures["pages"]) else 1


if __name__ == "__main__":
    sys.exit(main())
