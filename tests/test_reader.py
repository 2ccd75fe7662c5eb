"""The reader: one event order for every reader of it, and no way to write through it.

An event's photos are listed by `archive gallery show`, exported, shown in
the web's grid and walked by its previous/next links. They must agree,
undated photos included (a photo sent through Zalo has lost its date), and
the web must reach them through a reader that cannot change a row.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import sqlite3
from pathlib import Path

import pytest
from datasette.app import Datasette

from archive.catalog import Catalog
from archive.db import open_catalog, write_transaction
from archive.export import ExportOptions, export_gallery
from archive.reader import Reader
from archive.web import queries
from bench import synthetic

N = 60
BIG = synthetic.big_event_size(N)  # the first BIG photos are the first event's
UNDATED = (1, BIG // 2, BIG - 1)  # the photos of it whose date was lost


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    """A catalog whose big event holds dated and undated photos: (path, slug, event id)."""
    path = tmp_path_factory.mktemp("reader") / "catalog.db"
    catalog = Catalog(open_catalog(path))
    registry = synthetic.units()
    with write_transaction(catalog.db):
        synthetic.register_units(catalog, registry)
        events = []
        for spec in synthetic.event_specs(random.Random(3), registry)[:5]:
            event_id, _ = catalog.upsert_event(spec)
            events.append((event_id, spec.slug, spec.date))
        photos = list(synthetic.photos(N, 3, registry, events))
        for i in UNDATED:
            photos[i] = dataclasses.replace(
                photos[i], facts=dataclasses.replace(photos[i].facts, taken_at=None)
            )
        run_id = catalog.start_run("test", None)
        catalog.add_photos_bulk(photos, run_id)
    catalog.db.conn.close()
    return path, events[0][1], events[0][0]


def test_an_event_has_one_order_for_the_cli_the_export_and_the_web(built) -> None:
    path, slug, event_id = built
    catalog = Catalog(open_catalog(path))
    ref = catalog.find_gallery(slug, kind="event")
    shown = [row["id"] for row in catalog.gallery_photos(ref)]
    exported = [p["id"] for p in export_gallery(catalog.reader, ref, ExportOptions()).photos]

    async def web() -> tuple[list[int], list[int | None]]:
        db = Datasette([str(path)]).get_database()
        # The grid page by page (7 at a time, each page starting after the last one's
        # last photo): pages cut by key join up to the one order, undated photos included.
        grid: list[int] = []
        while page := await queries.event_photos(
            db, event_id, 7, await queries.photo_key(db, grid[-1]) if grid else None
        ):
            grid += [row["id"] for row in page]
        walked = [(await queries.photo(db, grid[0]))["id"]]
        while (nxt := (await queries.photo(db, walked[-1]))["next_id"]) is not None:
            walked.append(nxt)
        return grid, walked

    grid, walked = asyncio.run(web())
    undated = {r["id"] for r in catalog.gallery_photos(ref) if r["taken_at"] is None}
    assert len(undated) == len(UNDATED)
    assert shown == exported == grid == walked
    assert set(shown[: len(undated)]) == undated  # the web's documented order: undated first


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM photos",
        "UPDATE photos SET caption = 'x'",
        "INSERT INTO tags (slug, name) VALUES ('x', 'x')",
        "WITH old AS (SELECT id FROM photos) DELETE FROM photos WHERE id IN old",
        "PRAGMA writable_schema = 1",
        "ATTACH DATABASE ':memory:' AS other",
    ],
)
def test_the_reader_runs_queries_only(built, sql: str) -> None:
    path, _, _ = built
    conn = sqlite3.connect(path)  # a writable connection: the reader itself must refuse
    reader = Reader(conn)
    before = conn.execute("SELECT count(*), total(length(caption)) FROM photos").fetchone()
    with pytest.raises(ValueError, match="the reader runs queries only"):
        reader.all(sql)
    with pytest.raises(ValueError, match="the reader runs queries only"):
        list(reader.tuples(sql))
    assert conn.execute("SELECT count(*), total(length(caption)) FROM photos").fetchone() == before
    conn.close()


def test_the_reader_offers_no_way_to_write(built) -> None:
    """Its public face is queries; the connection is private, so no .db.insert()."""
    path, slug, _ = built
    reader = Reader(sqlite3.connect(path))
    public = {name for name in dir(reader) if not name.startswith("_")}
    writes = ("add", "set_", "create", "delete", "update", "insert", "upsert", "merge", "move")
    assert not [name for name in public if name.startswith(writes)]
    assert not {"db", "conn", "execute", "executemany"} & public
    assert reader.find_gallery(slug, kind="event").slug == slug
