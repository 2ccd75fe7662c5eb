"""The bulk path writes what the photo-at-a-time writer writes, and searches find the same.

Two real catalogs get the same few hundred synthetic photos (bench/synthetic.py:
Vietnamese captions, aliases, both tone placements, units typed by alias):
one through ``add_photo`` + ``apply_meta`` as an ingest commits them, one
through ``add_photos_bulk``. Every row of every table they touch must match,
the search index included, and so must the ids the searches return.
"""

from __future__ import annotations

import dataclasses
import random
import sqlite3
from pathlib import Path

import pytest
from datasette.utils import escape_fts

from archive import search, search_rank
from archive.catalog import Catalog, CatalogError
from archive.catalog.bulk import BulkPhoto
from archive.db import open_catalog, write_transaction
from archive.records import PhotoMeta
from bench import synthetic

N = 400
SEED = 11
# Not in the registry: both writers must create it, as first written.
NEW_UNIT = "Tổ dân phố 9 phường 21"
WORDS = [
    "Bá Trạc",
    "ba trac",
    "đường",
    "duong",
    "dương",
    "Uỷ ban",
    "ủy ban",
    "hoà giải",
    "hòa",
    "UBND",
]


def _photos(registry: list[synthetic.Unit], events: list[tuple]) -> list[BulkPhoto]:
    photos = list(synthetic.photos(N, SEED, registry, events))
    # A few photos naming a unit nobody registered, twice in two spellings.
    for i in (3, 50, 51):
        extra = (NEW_UNIT, NEW_UNIT.replace("Tổ", "TỔ"))
        photos[i] = dataclasses.replace(photos[i], units=photos[i].units + extra)
    return photos


def _archive(path: Path) -> tuple[Catalog, list[synthetic.Unit], list[tuple]]:
    catalog = Catalog(open_catalog(path))
    registry = synthetic.units()
    events = []
    with write_transaction(catalog.db):
        synthetic.register_units(catalog, registry)
        specs = synthetic.event_specs(random.Random(SEED), registry)[:40]
        for spec in specs:
            event_id, _ = catalog.upsert_event(spec)
            events.append((event_id, spec.slug, spec.date))
    return catalog, registry, events


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Catalog, Catalog]:
    base = tmp_path_factory.mktemp("bulk")
    one, registry, events = _archive(base / "one.db")
    with write_transaction(one.db):
        run_id = one.start_run("ingest", None)
        for photo in _photos(registry, events):
            photo_id = one.add_photo(photo.facts, photo.source, run_id)
            meta = PhotoMeta(
                caption=photo.caption,
                caption_source=photo.caption_source,
                units=photo.units,
                tags=photo.tags,
                event=f"id:{photo.event_id}",
            )
            one.apply_meta(photo_id, [(meta, True)], {f"id:{photo.event_id}": photo.event_id})
    bulk, registry, events = _archive(base / "bulk.db")
    with write_transaction(bulk.db):
        run_id = bulk.start_run("ingest", None)
    ids = bulk.add_photos_bulk(_photos(registry, events), run_id)
    assert list(ids) == list(range(1, N + 1))
    return one, bulk


TABLES = {
    "photos": "SELECT * FROM photos ORDER BY id",
    "photo_units": "SELECT rowid, * FROM photo_units ORDER BY rowid",
    "photo_tags": "SELECT rowid, * FROM photo_tags ORDER BY rowid",
    "photo_sources": "SELECT * FROM photo_sources ORDER BY id",
    "units": "SELECT id, slug, name, kind, parent_id FROM units ORDER BY id",
    "unit_aliases": "SELECT * FROM unit_aliases ORDER BY id",
    "tags": "SELECT * FROM tags ORDER BY id",
    "photos_fts": f"SELECT rowid, * FROM {search.FTS_TABLE} ORDER BY rowid",
    "photos_smart_fts": f"SELECT rowid, * FROM {search.SMART_TABLE} ORDER BY rowid",
}


def _rows(catalog: Catalog, sql: str) -> list[dict]:
    rows = catalog._all(sql)
    for row in rows:  # the clock is the one thing allowed to differ
        row.pop("added_at", None)
        row.pop("updated_at", None)
    return rows


@pytest.mark.parametrize("table", TABLES)
def test_bulk_writes_the_rows_the_normal_writer_writes(
    pair: tuple[Catalog, Catalog], table: str
) -> None:
    one, bulk = pair
    expected = _rows(one, TABLES[table])
    assert expected, f"{table} is empty: the comparison would prove nothing"
    assert _rows(bulk, TABLES[table]) == expected


def test_the_data_has_what_the_comparison_must_cover(pair: tuple[Catalog, Catalog]) -> None:
    one, _ = pair
    new = one.find_unit(NEW_UNIT)
    assert new is not None and new["name"] == NEW_UNIT
    assert one._one("SELECT count(*) AS n FROM photos WHERE units LIKE '%UBND%'")["n"] == 0
    with_aliases = one._one(
        "SELECT count(*) AS n FROM photos_fts WHERE units LIKE '%UBND phường%'"
    )["n"]
    assert with_aliases > 0  # units named by alias are stored by name, indexed by both
    embedded = one._one("SELECT count(*) AS n FROM photos WHERE caption_source LIKE 'embedded:%'")
    assert embedded["n"] > 0


@pytest.mark.parametrize("word", WORDS)
def test_searches_find_the_same_photos(pair: tuple[Catalog, Catalog], word: str) -> None:
    one, bulk = pair
    smart = [[r["id"] for r in search_rank.smart_search(c.db, word, limit=N)] for c in pair]
    assert smart[0], f"{word!r} finds nothing: the comparison would prove nothing"
    assert smart[1] == smart[0]
    table_sql = (
        f"SELECT rowid FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH ? ORDER BY rowid"
    )
    table = [[r[0] for r in c.db.execute(table_sql, (escape_fts(word),))] for c in (one, bulk)]
    assert table[1] == table[0]


def test_range_rebuild_gives_exactly_the_per_photo_rows(pair: tuple[Catalog, Catalog]) -> None:
    one, _ = pair
    before = {t: _rows(one, TABLES[t]) for t in ("photos_fts", "photos_smart_fts")}
    with write_transaction(one.db):
        search.reindex_range(one.db, 1, N)
    for table, rows in before.items():
        assert _rows(one, TABLES[table]) == rows
    with write_transaction(one.db):
        search.reindex(one.db, range(1, N + 1))
    for table, rows in before.items():
        assert _rows(one, TABLES[table]) == rows


def test_a_photo_already_there_refuses_the_whole_batch(pair: tuple[Catalog, Catalog]) -> None:
    _, bulk = pair
    count = bulk._one("SELECT count(*) AS n FROM photos")["n"]
    again = bulk.photo(5)
    photos = list(synthetic.photos(3, SEED + 1, synthetic.units(), [(None, "x", "2020-01-01")] * 2))
    clash = dataclasses.replace(
        photos[2], facts=dataclasses.replace(photos[2].facts, sha256=again["sha256"])
    )
    with pytest.raises(CatalogError, match="already in the catalog"):
        bulk.add_photos_bulk([photos[0], photos[1], clash], 1)
    assert bulk._one("SELECT count(*) AS n FROM photos")["n"] == count


def test_the_import_cache_is_given_back(pair: tuple[Catalog, Catalog]) -> None:
    # The bulk path widens SQLite's page cache for the import and only for it.
    _, bulk = pair
    default = sqlite3.connect(":memory:").execute("PRAGMA cache_size").fetchone()[0]
    assert bulk.db.execute("PRAGMA cache_size").fetchone()[0] == default
