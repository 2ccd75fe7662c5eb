"""A searched photos table's facets: exact up to the sample, then over its newest matches.

archive/web/bounded_facets.py counts the facets of a search over the
``SAMPLE`` matches most recently archived, and the page says so. These tests
hold every facet of metadata.yml to counts made in SQLite over those photos,
the rows and the total to the whole search (unchanged), and the note to
searches that match more than the sample. The sample is made small here so a
catalog of a thousand photos crosses it.
"""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from datasette.plugins import pm

from archive.catalog import Catalog
from archive.db import open_catalog, write_transaction
from archive.web import bounded_facets, searched_picks, searched_unit
from archive.web.config import build_datasette, load_metadata
from bench import synthetic
from tests.test_table_paging import StatementLog
from tests.web_archive import METADATA, get

PHOTOS, SAMPLE = 1_200, 500
COMMON = "ph%C6%B0%E1%BB%9Dng"  # "phường": in every synthetic caption or unit name
COLUMNS = ("event_id", "year", "camera", "media_type", "is_pick")
LINKS = {"units": ("photo_units", "unit_id", "units"), "tags": ("photo_tags", "tag_id", "tags")}


@pytest.fixture(scope="module")
def catalog_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic catalog through the bulk path (bench/synthetic.py), a few events."""
    path = tmp_path_factory.mktemp("search-facets") / "catalog.db"
    catalog = Catalog(open_catalog(path))
    registry = synthetic.units()
    with write_transaction(catalog.db):
        synthetic.register_units(catalog, registry)
        events = []
        for spec in synthetic.event_specs(random.Random(4), registry)[:40]:
            event_id, _ = catalog.upsert_event(spec)
            events.append((event_id, spec.slug, spec.date))
        run_id = catalog.start_run("test", None)
    catalog.add_photos_bulk(list(synthetic.photos(PHOTOS, 9, registry, events)), run_id)
    with write_transaction(catalog.db):  # as if every 7th photo were a group's other member
        catalog.db.execute("UPDATE photos SET is_pick = 0 WHERE id % 7 = 0")
    catalog.db.close()
    return path


@pytest.fixture
def small_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounded_facets, "SAMPLE", SAMPLE)


def matches(path: Path, words: str) -> list[int]:
    """Ids of the photos the search finds, newest archived first."""
    db = sqlite3.connect(path)
    try:
        sql = "SELECT rowid FROM photos_fts WHERE photos_fts MATCH ? ORDER BY rowid DESC"
        return [r[0] for r in db.execute(sql, (words,))]
    finally:
        db.close()


def expected_facets(path: Path, ids: list[int]) -> dict[str, Counter]:
    """Every configured facet counted in SQLite over exactly these photos."""
    db = sqlite3.connect(path)
    marks = ",".join(str(i) for i in ids)
    out: dict[str, Counter] = {}
    try:
        for column in COLUMNS:
            out[column] = Counter(
                dict(
                    db.execute(
                        f"SELECT {column}, count(*) FROM photos WHERE id IN ({marks})"
                        f" AND {column} IS NOT NULL GROUP BY {column}"
                    ).fetchall()
                )
            )
        for name, (link, key, names) in LINKS.items():
            out[name] = Counter(
                dict(
                    db.execute(
                        f"SELECT n.name, count(*) FROM {link} l JOIN {names} n ON n.id = l.{key}"
                        f" WHERE l.photo_id IN ({marks}) GROUP BY l.{key}"
                    ).fetchall()
                )
            )
    finally:
        db.close()
    return out


def shown_facets(data: dict[str, Any]) -> dict[str, Counter]:
    assert not data.get("facets_timed_out"), data.get("facets_timed_out")
    results = data["facet_results"]
    assert set(results) == set(COLUMNS) | set(LINKS)
    return {
        name: Counter({r["value"]: r["count"] for r in facet["results"]})
        for name, facet in results.items()
    }


def shown_top(expected: Counter, shown: Counter) -> None:
    """The page lists the top values (30 at most); each with the count SQLite gives."""
    assert shown, "a facet with no values"
    for value, count in shown.items():
        assert expected[value] == count, (value, count, expected[value])
    if len(expected) <= len(shown):
        assert shown == expected


def test_a_common_word_counts_its_facets_over_the_newest_matches(
    catalog_path: Path, small_sample: None
) -> None:
    found = matches(catalog_path, '"phường"')
    assert len(found) > SAMPLE
    ds = build_datasette(catalog_path, load_metadata(METADATA))
    data = get(ds, f"/catalog/photos.json?_search={COMMON}&_size=max").json()
    # The rows and the total are the whole search, as before.
    assert data["filtered_table_rows_count"] == len(found)
    assert {row[0] for row in data["rows"]} <= set(found)
    expected = expected_facets(catalog_path, found[:SAMPLE])
    everything = expected_facets(catalog_path, found)
    for name, counts in shown_facets(data).items():
        shown_top(expected[name], counts)
    assert sum(expected["year"].values()) <= SAMPLE < sum(everything["year"].values())
    page = get(ds, f"/catalog/photos?_search={COMMON}").text
    assert 'class="facet-sample"' in page
    assert f"trên {SAMPLE} ảnh nhập kho gần nhất" in page


def test_a_rarer_word_counts_every_match_and_says_nothing(
    catalog_path: Path, small_sample: None
) -> None:
    words = "đường"
    found = matches(catalog_path, f'"{words}"')
    assert 0 < len(found) <= SAMPLE
    ds = build_datasette(catalog_path, load_metadata(METADATA))
    data = get(ds, f"/catalog/photos.json?_search={words}").json()
    assert data["filtered_table_rows_count"] == len(found)
    expected = expected_facets(catalog_path, found)
    for name, counts in shown_facets(data).items():
        shown_top(expected[name], counts)
    assert 'class="facet-sample"' not in get(ds, f"/catalog/photos?_search={words}").text


def test_the_whole_table_keeps_exact_facets(catalog_path: Path, small_sample: None) -> None:
    ds = build_datasette(catalog_path, load_metadata(METADATA))
    data = get(ds, "/catalog/photos.json?_size=0").json()
    assert data["filtered_table_rows_count"] == PHOTOS
    assert sum(shown_facets(data)["media_type"].values()) == PHOTOS
    assert 'class="facet-sample"' not in get(ds, "/catalog/photos").text


def expected_with_unit(path: Path, words: str, unit: str) -> list[int]:
    """The photos the search finds that the unit's JSON names, newest first (taken_order)."""
    db = sqlite3.connect(path)
    try:
        sql = (
            "SELECT id FROM photos WHERE id IN (SELECT rowid FROM photos_fts WHERE photos_fts"
            " MATCH ?) AND EXISTS (SELECT 1 FROM json_each(units) WHERE value = ?)"
            " ORDER BY taken_order DESC"
        )
        return [r[0] for r in db.execute(sql, (f'"{words}"', unit))]
    finally:
        db.close()


WALK_ALWAYS = 10**12


@pytest.mark.parametrize("walk", [WALK_ALWAYS, 0])
def test_a_search_with_one_unit_chosen_is_the_same_either_plan(
    catalog_path: Path, monkeypatch: pytest.MonkeyPatch, walk: int
) -> None:
    """The time-index walk and the sort of the few matches give Datasette's rows and total."""
    monkeypatch.setattr(searched_unit, "DENSE", 1)
    monkeypatch.setattr(searched_unit, "WALK", walk)
    log = StatementLog()
    pm.register(log, name="statement-log")
    try:
        ds = build_datasette(catalog_path, load_metadata(METADATA))
        unit = "Đảng ủy phường 1"
        data = get(
            ds,
            f"/catalog/photos.json?_search={COMMON}&units__arraycontains={quote(unit)}&_size=50",
        ).json()
    finally:
        pm.unregister(name="statement-log")
    expected = expected_with_unit(catalog_path, "phường", unit)
    assert len(expected) > 50
    assert [row[0] for row in data["rows"]] == expected[:50]
    assert data["filtered_table_rows_count"] == len(expected)
    walked = [s for s in log.statements if "indexed by idx_photos_taken_order" in s]
    assert bool(walked) == (walk == WALK_ALWAYS)
    assert any("count(DISTINCT l.photo_id)" in s for s in log.statements)


@pytest.mark.parametrize("value", ["1", "0"])
def test_a_search_under_only_picks_reads_the_picks_in_order(
    catalog_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """The picks' index walked newest first: Datasette's rows and total, exactly."""
    monkeypatch.setattr(searched_picks, "DENSE", 1)
    log = StatementLog()
    pm.register(log, name="statement-log")
    try:
        ds = build_datasette(catalog_path, load_metadata(METADATA))
        data = get(ds, f"/catalog/photos.json?_search={COMMON}&is_pick={value}&_size=50").json()
    finally:
        pm.unregister(name="statement-log")
    db = sqlite3.connect(catalog_path)
    expected = [
        r[0]
        for r in db.execute(
            "SELECT id FROM photos WHERE id IN (SELECT rowid FROM photos_fts WHERE photos_fts"
            " MATCH ?) AND is_pick = ? ORDER BY taken_order DESC",
            ('"phường"', int(value)),
        )
    ]
    db.close()
    assert len(expected) > 50
    assert [row[0] for row in data["rows"]] == expected[:50]
    assert data["filtered_table_rows_count"] == len(expected)
    index = searched_picks.INDEX[value]
    assert any(f"indexed by {index} where" in s and "limit 51" in s for s in log.statements)
    # The total: the matches less the other members among them (a few index entries).
    assert any("from photos indexed by idx_photos_others" in s for s in log.statements)


@pytest.mark.parametrize(
    "query, read_again",
    [
        (f"_search={COMMON}", False),  # the page's total is the matches' count: read once
        (f"_search={COMMON}&media_type=photo", True),  # a filter beside: its own bounded count
    ],
)
def test_the_note_reads_the_matches_count_once(
    catalog_path: Path, small_sample: None, query: str, read_again: bool
) -> None:
    log = StatementLog()
    pm.register(log, name="statement-log")
    try:
        ds = build_datasette(catalog_path, load_metadata(METADATA))
        page = get(ds, f"/catalog/photos?{query}").text
    finally:
        pm.unregister(name="statement-log")
    assert f"trên {SAMPLE} ảnh nhập kho gần nhất" in page
    bounded_counts = [s for s in log.statements if f"limit {SAMPLE + 1})" in s]
    assert bool(bounded_counts) == read_again, bounded_counts
