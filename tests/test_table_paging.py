"""Paging through the photos table with ``_next`` shows every photo exactly once.

Datasette 0.65 breaks ties on the sort column only from the second page on; at
equal ``taken_at`` (a burst, a folder dated by one sheet line) the first page's
order then disagrees with the next page's, and photos are skipped or repeated.
The table sorts by ``photos.taken_order`` (migration m011), which has no ties.
These tests page a real catalog through the Datasette ``archive serve`` runs,
by its JSON API and its ``next`` links, as a script or the page's own links do;
and hold a search's total (counted in the search index, archive/web/searched_table.py)
to the photos that paging shows.
"""

from __future__ import annotations

import dataclasses
import random
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest
from datasette import hookimpl
from datasette.plugins import pm

from archive.catalog import Catalog
from archive.db import open_catalog, write_transaction
from archive.web import searched_table
from archive.web.config import build_datasette, load_metadata
from bench import synthetic
from tests.web_archive import METADATA, get

SAME_SECOND = "2023-09-02T08:30:00+07:00"
PAGE = 100
TIED, UNDATED, OTHERS = 250, 7, 2_000  # past searched_table.DENSE: both plans run


@pytest.fixture(scope="module")
def catalog_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """250 photos taken at the same second, a few undated, a few at other times; bulk path."""
    path = tmp_path_factory.mktemp("paging") / "catalog.db"
    catalog = Catalog(open_catalog(path))
    registry = synthetic.units()
    with write_transaction(catalog.db):
        synthetic.register_units(catalog, registry)
        events = []
        for spec in synthetic.event_specs(random.Random(3), registry)[:3]:
            event_id, _ = catalog.upsert_event(spec)
            events.append((event_id, spec.slug, spec.date))
        run_id = catalog.start_run("test", None)
    photos = list(synthetic.photos(TIED + UNDATED + OTHERS, 5, registry, events))
    times = [SAME_SECOND] * TIED + [None] * UNDATED
    times += [f"20{10 + i % 14}-0{1 + i % 9}-1{i % 10}T{i % 24:02d}:00:00" for i in range(OTHERS)]
    random.Random(8).shuffle(times)  # the tied photos' ids are not one run
    photos = [
        dataclasses.replace(p, facts=dataclasses.replace(p.facts, taken_at=t))
        for p, t in zip(photos, times, strict=True)
    ]
    catalog.add_photos_bulk(photos, run_id)
    catalog.db.close()
    return path


def page_through(path: Path, query: str) -> tuple[list[int], int]:
    """Every id the table JSON gives, following ``next_url``; and the pages it took."""
    ds = build_datasette(path, load_metadata(METADATA))
    address = f"/catalog/photos.json?_size={PAGE}&_shape=objects&{query}"
    ids: list[int] = []
    pages = 0
    while address:
        response = get(ds, address)
        assert response.status_code == 200, response.text[:500]
        data = response.json()
        ids += [row["id"] for row in data["rows"]]
        pages += 1
        assert pages < 100, "next links never end"
        address = data["next_url"] and data["next_url"].split("://", 1)[-1].split("/", 1)[-1]
        address = address and "/" + address
    return ids, pages


def all_ids(path: Path, where: str = "1") -> list[int]:
    db = open_catalog(path)
    try:
        return [r[0] for r in db.execute(f"SELECT id FROM photos WHERE {where}").fetchall()]
    finally:
        db.close()


def test_the_default_order_pages_every_tied_photo_once(catalog_path: Path) -> None:
    ids, pages = page_through(catalog_path, "")
    assert pages == -(-(TIED + UNDATED + OTHERS) // PAGE)
    assert len(ids) == len(set(ids)) and sorted(ids) == sorted(all_ids(catalog_path))
    tied = all_ids(catalog_path, f"taken_at = '{SAME_SECOND}'")
    assert len(tied) == TIED and set(tied) <= set(ids)
    # Newest first, the undated last: the order the table promises.
    taken = dict(
        open_catalog(catalog_path)
        .execute("SELECT id, coalesce(taken_at, '') FROM photos")
        .fetchall()
    )
    shown = [taken[i] for i in ids]
    assert shown == sorted(shown, reverse=True) and shown[-UNDATED:] == [""] * UNDATED


@pytest.mark.parametrize("sort", ["_sort=taken_at", "_sort_desc=taken_at"])
def test_sorting_by_the_time_column_pages_every_photo_once(catalog_path: Path, sort: str) -> None:
    """The column header's links sort by taken_at: the same order, ties broken."""
    ids, _ = page_through(catalog_path, sort)
    assert len(ids) == len(set(ids)) and sorted(ids) == sorted(all_ids(catalog_path))


def test_a_search_pages_every_match_once(catalog_path: Path) -> None:
    word = "phường"
    ids, pages = page_through(catalog_path, f"_search={quote(word)}")
    db = open_catalog(catalog_path)
    expected = [
        r[0]
        for r in db.execute(
            "SELECT rowid FROM photos_fts WHERE photos_fts MATCH ?", (f'"{word}"',)
        ).fetchall()
    ]
    db.close()
    assert pages > 2 and len(ids) == len(set(ids)) and sorted(ids) == sorted(expected)


class StatementLog:
    """A plugin that records every statement SQLite runs on Datasette's connections."""

    __name__ = "statement-log"  # Datasette lists plugins by it

    def __init__(self) -> None:
        self.statements: list[str] = []

    @hookimpl
    def prepare_connection(self, conn: sqlite3.Connection) -> None:
        conn.set_trace_callback(self.statements.append)


@pytest.mark.parametrize(
    "query, in_index",
    [
        ("_search=ph%C6%B0%E1%BB%9Dng", True),
        ("_search=ph%C6%B0%E1%BB%9Dng&_searchmode=raw", True),
        ("_search=ph%C6%B0%E1%BB%9Dng&year=2023", False),  # a filter beside: Datasette's count
    ],
)
def test_a_search_is_counted_in_the_index_and_counts_what_it_pages(
    catalog_path: Path, query: str, in_index: bool
) -> None:
    log = StatementLog()
    pm.register(log, name="statement-log")
    try:
        ds = build_datasette(catalog_path, load_metadata(METADATA))
        data = get(ds, f"/catalog/photos.json?_size=0&{query}").json()
    finally:
        pm.unregister(name="statement-log")
    ids, _ = page_through(catalog_path, query)
    assert (
        data["filtered_table_rows_count"] == len(ids) > (searched_table.DENSE if in_index else 20)
    )
    counts = [s for s in log.statements if s.lower().startswith("select count(*) from")]
    from_index = [s for s in counts if s.startswith("select count(*) from photos_fts ")]
    assert bool(from_index) == in_index, counts
    # The first page of a search alone read the time index in order; the same rows.
    ordered = [s for s in log.statements if "indexed by idx_photos_taken_order" in s]
    assert bool(ordered) == in_index
    first = get(ds, f"/catalog/photos.json?_size={PAGE}&_shape=objects&{query}").json()
    assert [row["id"] for row in first["rows"]] == ids[:PAGE]


def test_a_first_page_reads_its_count_once(catalog_path: Path) -> None:
    """The index's count chooses the first page's plan and is the table's total: read once."""
    log = StatementLog()
    pm.register(log, name="statement-log")
    try:
        ds = build_datasette(catalog_path, load_metadata(METADATA))
        path = f"/catalog/photos.json?_size={PAGE}&_search=ph%C6%B0%E1%BB%9Dng"
        get(ds, path)  # the server's start, out of the count
        log.statements.clear()
        data = get(ds, path).json()
    finally:
        pm.unregister(name="statement-log")
    counts = [s for s in log.statements if s.startswith("select count(*) from photos_fts ")]
    assert len(counts) == 1, counts
    assert data["filtered_table_rows_count"] > searched_table.DENSE
    versions = [s for s in log.statements if s == "PRAGMA schema_version"]
    assert len(versions) <= len(ds.databases), versions  # once a database at most


def test_the_first_page_of_a_common_word_is_the_newest_matches(catalog_path: Path) -> None:
    """Read in index order or sorted, the first page is the same: the newest matches."""
    db = open_catalog(catalog_path)
    expected = [
        r[0]
        for r in db.execute(
            "SELECT id FROM photos WHERE id IN (SELECT rowid FROM photos_fts"
            " WHERE photos_fts MATCH ?) ORDER BY taken_at DESC, id DESC LIMIT ?",
            ('"phường"', PAGE),
        ).fetchall()
    ]
    db.close()
    ds = build_datasette(catalog_path, load_metadata(METADATA))
    data = get(
        ds, f"/catalog/photos.json?_size={PAGE}&_shape=objects&_search=ph%C6%B0%E1%BB%9Dng"
    ).json()
    assert [row["id"] for row in data["rows"]] == expected
