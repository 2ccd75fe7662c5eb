"""Every facet of a searched photos table from one statement: the rows of each facet's own.

archive/web/searched_facets.py reads a search's matches once and counts the
column facets, the units and tags and "only picks" in branches of one
statement. Each branch must give exactly the rows its facet's own statement
gives over the same rows (ties, NULLs, limits, photos in no unit), and a
statement that fails must leave each facet to count on its own, with the
same results on the page.
"""

from __future__ import annotations

import sqlite3

from datasette.database import QueryInterrupted
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.web import searched_facets
from archive.web.facet_sql import linked_counts_among, picks_counts_among
from archive.web.searched_facets import COLUMN_TYPE, Wanted, counting_sql, wanted_of
from tests.web_archive import datasette, get

SCHEMA = """
CREATE TABLE photos (id INTEGER PRIMARY KEY, event_id, year, is_pick);
CREATE TABLE units (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE photo_units (photo_id, unit_id);
CREATE TABLE photo_tags (photo_id, tag_id);
"""
UNITS = ["Chi bộ Công an phường", "Đảng ủy phường", "Trường THCS", "Ủy ban nhân dân phường"]
TAGS = ["hội nghị", "học tập", "lễ"]

photo = st.tuples(
    st.sampled_from([None, 1, 2, 3]),  # event
    st.sampled_from([None, 2016, 2017]),  # year
    st.sampled_from([None, 0, 1]),  # is_pick (NULL: a catalog row before the groups)
    st.sets(st.integers(1, len(UNITS)), max_size=3),
    st.sets(st.integers(1, len(TAGS)), max_size=2),
)


def catalog(photos: list[tuple]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    conn.executescript(SCHEMA)
    conn.executemany("INSERT INTO units (name) VALUES (?)", [(n,) for n in UNITS])
    conn.executemany("INSERT INTO tags (name) VALUES (?)", [(n,) for n in TAGS])
    for event, year, pick, units, tags in photos:
        pid = conn.execute(
            "INSERT INTO photos (event_id, year, is_pick) VALUES (?, ?, ?)", (event, year, pick)
        ).lastrowid
        conn.executemany("INSERT INTO photo_units VALUES (?, ?)", [(pid, u) for u in units])
        conn.executemany("INSERT INTO photo_tags VALUES (?, ?)", [(pid, t) for t in tags])
    return conn


@settings(max_examples=60, deadline=None)
@given(st.lists(photo, max_size=25), st.integers(1, 4), st.sampled_from([0, 3, 7]))
def test_each_branch_gives_its_facets_own_rows(photos, limit, above) -> None:
    conn = catalog(photos)
    sql = f"select * from photos where id > {above}"  # the table's query, narrowed
    wanted = Wanted(columns=("event_id", "year"), linked=("units", "tags"), picks=True)
    rows = conn.execute(counting_sql(sql, wanted, limit)).fetchall()
    for place, (kind, column) in enumerate(wanted.places()):
        together = [(r["value"], r["count"]) for r in rows if r["facet"] == place]
        if kind == COLUMN_TYPE:
            own_sql = (
                f"select {column} as value, count(*) as count from ({sql})"
                f" where {column} is not null group by {column}"
                f" order by count desc, value limit {limit}"
            )
        elif kind == "linked":
            own_sql = linked_counts_among(column, limit, f"({sql})")
        else:
            own_sql = picks_counts_among(f"({sql})")
        own = [(r["value"], r["count"]) for r in conn.execute(own_sql)]
        assert together == own, (kind, column)


def test_the_statement_reads_only_the_columns_its_facets_count() -> None:
    columns_only = counting_sql("select * from photos", Wanted(columns=("year",)), 31)
    assert columns_only.startswith("with archive_matches as materialized (select year from (")
    every_kind = counting_sql("select * from photos", Wanted(("year",), ("units",), picks=True), 31)
    assert every_kind.startswith("with archive_matches as materialized (select id, is_pick, year")
    assert every_kind.count("union all") == 2


def test_what_the_facets_ask_for() -> None:
    configs = {
        "column": [
            {"source": "metadata", "config": {"simple": "year"}},
            {"source": "request", "config": {"simple": "year"}},  # asked again: counted once
        ],
        "linked": [
            {"source": "metadata", "config": {"simple": "units"}},
            {"config": {"simple": "x"}},
        ],
        "picks": [{"source": "metadata", "config": {"simple": "is_pick"}}],
    }
    wanted = wanted_of(configs, {"id", "year", "is_pick"})
    assert wanted == Wanted(columns=("year",), linked=("units",), picks=True)
    assert wanted_of(configs, {"id", "year"}) == Wanted(("year",), ("units",), picks=False)
    assert wanted_of(configs, {"id", "is_pick"}) is None  # Datasette's own error, then


SEARCHES = ("_search=chi+bo", "_search=%C4%91%E1%BA%A3ng+%E1%BB%A7y&_facet_size=1")


def test_a_statement_that_fails_leaves_each_facet_its_own(built, monkeypatch) -> None:
    """Past the facet time limit, the page is the same: each facet counts on its own."""
    pages = {query: get(datasette(built), f"/catalog/photos.json?{query}") for query in SEARCHES}

    tried: list[str] = []

    async def interrupted(facet, sql):
        tried.append(sql)
        raise QueryInterrupted(sqlite3.OperationalError("interrupted"), sql, facet.params)

    monkeypatch.setattr(searched_facets, "_run", interrupted)
    for query, page in pages.items():
        again = get(datasette(built), f"/catalog/photos.json?{query}")
        assert again.status_code == page.status_code == 200
        facets = page.json()["facet_results"]
        assert {"event_id", "year", "units", "tags", "is_pick"} <= set(facets), query
        assert again.json()["facet_results"] == facets, query
        assert again.json().get("facets_timed_out", []) == [], query
    assert len(tried) == len(SEARCHES), "tried once a page, by whichever facet came first"
