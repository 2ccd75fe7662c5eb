"""The pages bench_search.py times, each with the raw SQL that computes its answer.

Each :class:`Page` names a reviewer's address, how to read its answer from its
JSON twin, and ``raw(conn)``: the queries Python's sqlite3 runs for the same
answer (first page of rows, totals, facet counts), returning that answer.

Where the page runs Datasette's generated SQL (the photos table), the raw
side is the plainest SQL a person would write for the same numbers: facets
of units and tags count the link tables (photo_units, photo_tags) rather
than unpacking every row's JSON. Where the page runs our own SQL (plugin
pages), the raw side runs that SQL, so the ratio is the page's overhead and
the absolute time says whether the SQL itself is bounded.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from datasette.utils import escape_fts

from archive import search, search_rank
from archive.web import bounded_facets, pages, queries
from bench import synthetic

FACET_SIZE, TABLE_PAGE, SMART_PAGE = 30, 100, 60
# The archive's own pages' sizes, read from them: the raw SQL asks for what the page shows.
EVENT_PAGE, UNIT_EVENTS, TIMELINE_PAGE = (
    pages.EVENT_PAGE_SIZE,
    pages.UNIT_EVENTS_SIZE,
    pages.TIMELINE_SIZE,
)
UNIT_PAGE = pages.UNIT_PAGE_SIZE
UNIT_SLUG = "dang-uy-phuong-1"  # ward 1, first unit: the most photos (Zipf weights)
PHOTO_ID = synthetic.BIG_EVENT_PHOTOS // 2  # in the middle of the big event
Answer = dict[str, Any]


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    params: dict[str, str]
    raw: Callable[[Any], Answer]
    answer: Callable[[dict[str, Any]], Answer]
    json_path: str = ""
    kind: str = "html"
    notes: list[str] = field(default_factory=list)

    def url(self, json_twin: bool = False) -> str:
        path = (self.json_path or self.path + ".json") if json_twin else self.path
        return path + (f"?{urlencode(self.params)}" if self.params else "")


# -- the photos table (Datasette's table view) ---------------------------------


def _table_raw(where: str, params: tuple) -> Callable[[Any], Answer]:
    """First page newest first, its event labels, the count, the five facets.

    Newest first is ``taken_order`` (taken_at, then id; migration m011). A search
    alone is counted in the index, which is the number a person would ask SQLite for.
    """

    def raw(conn: Any) -> Answer:
        rows = conn.execute(
            f"SELECT * FROM photos WHERE {where} ORDER BY taken_order DESC LIMIT {TABLE_PAGE + 1}",
            params,
        ).fetchall()
        event_ids = sorted({r[2] for r in rows if r[2] is not None})
        marks = ",".join("?" * len(event_ids))
        conn.execute(f"SELECT id, title FROM events WHERE id IN ({marks})", event_ids).fetchall()
        search_only = where == _fts("")
        count_sql = (
            f"SELECT count(*) FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH ?"
            if search_only
            else f"SELECT count(*) FROM photos WHERE {where}"
        )
        count = conn.execute(count_sql, params).fetchone()[0]
        facets = {}
        # A search's facets count its newest matches (archive/web/bounded_facets.py).
        sampled = where.replace(_fts(""), _sampled_fts())
        for column in ("event_id", "year", "camera"):
            facets[column] = conn.execute(
                f"SELECT {column}, count(*) FROM photos WHERE ({sampled}) AND {column} IS NOT NULL"
                f" GROUP BY {column} ORDER BY count(*) DESC, {column} LIMIT {FACET_SIZE + 1}",
                params,
            ).fetchall()[:FACET_SIZE]
        top = [v for v, _ in facets["event_id"]]
        marks = ",".join("?" * len(top))
        conn.execute(f"SELECT id, title FROM events WHERE id IN ({marks})", top).fetchall()
        for column, link, key, names in (
            ("units", "photo_units", "unit_id", "units"),
            ("tags", "photo_tags", "tag_id", "tags"),
        ):
            inside = (
                ""
                if where == "1"
                else f"WHERE l.photo_id IN (SELECT id FROM photos WHERE {sampled})"
            )
            facets[column] = conn.execute(
                f"SELECT n.name, count(*) FROM {link} l JOIN {names} n ON n.id = l.{key} {inside}"
                f" GROUP BY l.{key} ORDER BY count(*) DESC, n.name LIMIT {FACET_SIZE + 1}",
                params,
            ).fetchall()[:FACET_SIZE]
        return {
            "ids": [r[0] for r in rows[:TABLE_PAGE]],
            "count": count,
            "facets": {k: [[v, c] for v, c in rs] for k, rs in facets.items()},
        }

    return raw


def _table_answer(data: dict[str, Any]) -> Answer:
    id_at = data["columns"].index("id")
    results = data.get("facet_results") or {}
    facets = results.values() if isinstance(results, dict) else results
    return {
        "ids": [row[id_at] for row in data["rows"]],
        "count": data.get("filtered_table_rows_count"),
        "facets": {f["name"]: [[r["value"], r["count"]] for r in f["results"]] for f in facets},
    }


def _fts(word: str) -> str:
    return f"id IN (SELECT rowid FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH ?)"


def _sampled_fts() -> str:
    """The search's ``SAMPLE`` matches most recently archived: what its facets count."""
    fts = search.FTS_TABLE
    return (
        f"id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?"
        f" ORDER BY rowid DESC LIMIT {bounded_facets.SAMPLE})"
    )


def table_page(name: str, **params: str) -> Page:
    clauses, args = ["1"], []
    if "_search" in params:
        clauses.append(_fts(params["_search"]))
        args.append(escape_fts(params["_search"]))
    if params.get("is_pick") == "1":
        clauses.append("is_pick = 1")
    if "units__arraycontains" in params:
        clauses.append(
            "id IN (SELECT pu.photo_id FROM photo_units pu JOIN units u ON u.id = pu.unit_id"
            " WHERE u.name = ?)"
        )
        args.append(params["units__arraycontains"])
    where = " AND ".join(clauses[1:]) or "1"
    return Page(name, "/catalog/photos", params, _table_raw(where, tuple(args)), _table_answer)


# -- the smart search ----------------------------------------------------------


def smart_page(q: str) -> Page:
    def raw(conn: Any) -> Answer:
        # The page's own steps (archive.search_rank): its first page with its total.
        query = search.parse(q)
        found = search_rank.run(conn, search_rank.plan(query, SMART_PAGE, 0))
        return {"total": found.total, "ids": [r["id"] for r in found.rows]}

    def answer(data: dict[str, Any]) -> Answer:
        return {"total": data.get("total"), "ids": [r["id"] for r in data.get("results", [])]}

    return Page(f"smart search «{q}»", "/-/search", {"q": q}, raw, answer)


# -- the plugin's pages --------------------------------------------------------


def event_page(slug: str) -> Page:
    """The event's first page: its kept count, its units, its first 200 photos by key."""

    def raw(conn: Any) -> Answer:
        event = conn.execute(
            """SELECT e.id, e.slug, e.title, e.date, e.location, e.description, e.source_ref,
                 o.name, e.photo_count
               FROM events e LEFT JOIN units o ON o.id = e.organizer_unit_id WHERE e.slug = ?""",
            (slug,),
        ).fetchone()
        conn.execute(
            """SELECT u.name, u.slug FROM units u
               WHERE u.id IN (SELECT unit_id FROM event_units WHERE event_id = :id
                              UNION SELECT unit_id FROM unit_event_photos WHERE event_id = :id)
               ORDER BY 2""",
            {"id": event[0]},
        ).fetchall()
        rows = conn.execute(
            f"""SELECT {search.PHOTO_COLUMNS} FROM photos p LEFT JOIN events e
                ON e.id = p.event_id WHERE p.event_id = ? ORDER BY {queries.EVENT_ORDER}
                LIMIT {EVENT_PAGE + 1}""",
            (event[0],),
        ).fetchall()
        return {"count": event[8], "ids": [r[0] for r in rows[:EVENT_PAGE]]}

    def answer(data: dict[str, Any]) -> Answer:
        return {"count": data["event"]["photo_count"], "ids": [p["id"] for p in data["photos"]]}

    return Page("event page (5,000 photos)", f"/-/events/{slug}", {}, raw, answer)


def unit_page(slug: str) -> Page:
    """The unit's first page: kept counts, its 50 newest events, its 60 newest photos."""

    def raw(conn: Any) -> Answer:
        unit_id, count = conn.execute(
            "SELECT id, photo_count FROM units WHERE slug = ?", (slug,)
        ).fetchone()
        conn.execute("SELECT alias FROM unit_aliases WHERE unit_id = ?", (unit_id,)).fetchall()
        events = conn.execute(
            f"""SELECT e.slug, coalesce(c.photos, 0) FROM events e
                 LEFT JOIN unit_event_photos c ON c.unit_id = :id AND c.event_id = e.id
               WHERE e.id IN (SELECT event_id FROM event_units WHERE unit_id = :id
                              UNION SELECT event_id FROM unit_event_photos WHERE unit_id = :id)
               ORDER BY {queries.EVENTS_NEWEST} LIMIT {UNIT_EVENTS + 1}""",
            {"id": unit_id},
        ).fetchall()
        rows = conn.execute(
            f"""SELECT {search.PHOTO_COLUMNS} FROM photo_units pu
                  JOIN photos p ON p.id = pu.photo_id LEFT JOIN events e ON e.id = p.event_id
                WHERE pu.unit_id = ? ORDER BY pu.taken_key DESC, pu.photo_id DESC
                LIMIT {UNIT_PAGE + 1}""",
            (unit_id,),
        ).fetchall()
        return {
            "count": count,
            "events": [list(e) for e in events[:UNIT_EVENTS]],
            "ids": [r[0] for r in rows[:UNIT_PAGE]],
        }

    def answer(data: dict[str, Any]) -> Answer:
        return {
            "count": data["unit"]["photo_count"],
            "events": [[e["slug"], e["unit_photos"]] for e in data["events"]],
            "ids": [p["id"] for p in data["photos"]],
        }

    return Page("unit page", f"/-/units/{slug}", {}, raw, answer)


def timeline_page() -> Page:
    """The timeline's first page: 100 events, kept counts, a cover by one seek each."""

    def raw(conn: Any) -> Answer:
        rows = conn.execute(
            queries.TIMELINE_SQL.format(condition=""), {"limit": TIMELINE_PAGE + 1}
        ).fetchall()
        return {"events": [[r[1], r[6], r[7]] for r in rows[:TIMELINE_PAGE]]}

    def answer(data: dict[str, Any]) -> Answer:
        events = [e for m in data["months"] for e in m["events"]]
        return {
            "events": [
                [e["slug"], e["photo_count"], _id_of(e["cover_url"]) if e["cover_url"] else None]
                for e in events
            ]
        }

    return Page("timeline", "/-/timeline", {}, raw, answer)


def _id_of(url: str) -> int:
    return int(url.rstrip("/").rsplit("/", 1)[-1].split(".")[0])


def photo_page(photo_id: int) -> Page:
    def raw(conn: Any) -> Answer:
        row = conn.execute(
            """SELECT p.*, e.slug, e.title, e.date FROM photos p
               LEFT JOIN events e ON e.id = p.event_id WHERE p.id = ?""",
            (photo_id,),
        ).fetchone()
        names = [c[0] for c in conn.execute("SELECT * FROM photos LIMIT 0").description]
        photo = dict(zip(names, row, strict=False))
        found = []
        for op, direction in (("<", "DESC"), (">", "ASC")):
            hit = conn.execute(
                queries.neighbour_sql(op, direction),
                {
                    "event": photo["event_id"],
                    "taken_at": photo["taken_at"] or "",
                    "name": photo["original_name"] or "",
                    "id": photo_id,
                },
            ).fetchone()
            found.append(hit[0] if hit else None)
        return {"id": photo_id, "previous": found[0], "next": found[1]}

    def answer(data: dict[str, Any]) -> Answer:
        p = data["photo"]
        return {
            "id": p["id"],
            "previous": _id_of(p["previous_url"]) if p["previous_url"] else None,
            "next": _id_of(p["next_url"]) if p["next_url"] else None,
        }

    return Page("photo page", f"/-/photos/{photo_id}", {}, raw, answer)


def gallery_page(slug: str) -> Page:
    """The export JSON: its rows, their units and tags with slugs, the event; json.dumps."""

    def raw(conn: Any) -> Answer:
        gallery_id = conn.execute("SELECT id FROM galleries WHERE slug = ?", (slug,)).fetchone()[0]
        cursor = conn.execute(
            """SELECT p.*, e.slug AS event_slug, e.title AS event_title FROM gallery_photos gp
               JOIN photos p ON p.id = gp.photo_id LEFT JOIN events e ON e.id = p.event_id
               WHERE gp.gallery_id = ? ORDER BY gp.position""",
            (gallery_id,),
        )
        names = [c[0] for c in cursor.description]
        photos = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        by_id = {p["id"]: p for p in photos}
        for link, key, table in (
            ("photo_units", "unit_id", "units"),
            ("photo_tags", "tag_id", "tags"),
        ):
            for photo_id, item_slug, name in conn.execute(
                f"""SELECT l.photo_id, n.slug, n.name FROM gallery_photos gp
                    JOIN {link} l ON l.photo_id = gp.photo_id JOIN {table} n ON n.id = l.{key}
                    WHERE gp.gallery_id = ? ORDER BY l.rowid""",
                (gallery_id,),
            ):
                by_id[photo_id].setdefault(f"{table}_linked", []).append(
                    {"slug": item_slug, "name": name}
                )
        text = json.dumps({"photos": photos}, ensure_ascii=False)
        return {"photos": len(photos), "ids": [p["id"] for p in photos], "bytes": len(text)}

    def answer(data: dict[str, Any]) -> Answer:
        return {"photos": len(data["photos"]), "ids": [p["id"] for p in data["photos"]]}

    return Page(
        "gallery JSON (10,000 photos)",
        f"/-/galleries/{slug}.json",
        {},
        raw,
        answer,
        json_path=f"/-/galleries/{slug}.json",
        kind="json",
    )


def pages() -> list[Page]:
    return [
        table_page("photos table (5 facets)"),
        table_page("photos table, only picks", is_pick="1"),
        table_page(f"table search «{synthetic.RARE_WORD}» (rare)", _search=synthetic.RARE_WORD),
        table_page(
            f"table search «{synthetic.COMMON_WORD}» (common)", _search=synthetic.COMMON_WORD
        ),
        table_page("table search «đường» + unit facet", _search="đường", _facet_array="units"),
        table_page("table search «đường», only picks", _search="đường", is_pick="1"),
        table_page(
            "table search «đường», one unit chosen",
            _search="đường",
            units__arraycontains="Đảng ủy phường 1",
        ),
        smart_page(synthetic.RARE_WORD),
        smart_page("rach"),
        smart_page("đường"),
        smart_page("duong"),
        smart_page("Uỷ ban phường"),
        event_page(synthetic.BIG_EVENT_SLUG),
        unit_page(UNIT_SLUG),
        timeline_page(),
        photo_page(PHOTO_ID),
        gallery_page(synthetic.GALLERY_SLUG),
    ]
