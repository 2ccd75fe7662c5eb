"""A searched photos table's facets, counted in one statement, are each facet's own.

archive/web/searched_facets.py counts the event, year, type and camera facets of a
search, its units and tags and its "only picks" together. Every page must list the
same facets, values, counts, labels, links, choices and truncation as each facet's
own statement (the combined path turned off: Datasette's per column, the linked
facets' and the picks'), in JSON and in the page's bytes.
"""

from __future__ import annotations

import re
import sqlite3

import pytest
from datasette.database import Database

from archive.web import searched_facets
from archive.web.searched_facets import Wanted
from tests.web_archive import datasette, get

SEARCH = "_search=%C4%91%E1%BA%A3ng+%E1%BB%A7y"  # "đảng ủy"
QUERIES = (
    SEARCH,
    f"{SEARCH}&_facet=event_id",  # the metadata's facet asked again in the address
    f"{SEARCH}&_facet=caption_source",  # one more column
    f"{SEARCH}&_facet_size=1",  # truncated
    f"{SEARCH}&media_type=photo",  # a value chosen
    f"{SEARCH}&year=2017",  # a number chosen
    f"{SEARCH}&_sort=camera&_size=2",
    "_search=script",
    "_search=zzzkhongco",  # nothing found: every facet empty
)
QUERY_TIME = re.compile(r"mất [0-9.,]+ ms")


def facets_of(ds, query: str) -> tuple[dict, list, str]:
    data = get(ds, f"/catalog/photos.json?{query}")
    page = get(ds, f"/catalog/photos?{query}")
    assert data.status_code == page.status_code == 200, (query, data.text[:300])
    found = data.json()
    html = QUERY_TIME.sub("mất … ms", page.text)
    return found["facet_results"], found.get("facets_timed_out", []), html


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the catalog runs (through the archive's rewrites)."""
    seen: list[str] = []
    execute = Database.execute

    async def recorded(self, sql, *args, **kwargs):
        seen.append(sql)
        return await execute(self, sql, *args, **kwargs)

    monkeypatch.setattr(Database, "execute", recorded)
    return seen


def test_the_facets_are_datasettes(built, monkeypatch, statements) -> None:
    together = {query: facets_of(datasette(built), query) for query in QUERIES}
    combined = [s for s in statements if "archive_matches" in s]
    assert len(combined) == 2 * len(QUERIES), "one statement a page, JSON and HTML"
    assert not any("select year as value" in s for s in statements)
    assert not any(s.startswith("SELECT is_pick AS value") for s in statements)
    assert not any("archive_linked_matches" in s for s in statements)
    assert together[SEARCH][0]["year"]["results"], "the example's search has years to count"
    assert together[SEARCH][0]["units"]["results"], "and units"
    assert together[SEARCH][0]["is_pick"]["results"], "and picks"
    monkeypatch.setattr(searched_facets, "counted", _each_on_its_own)
    statements.clear()
    for query, (results, timed_out, html) in together.items():
        own_results, own_timed_out, own_html = facets_of(datasette(built), query)
        assert results == own_results, query
        assert timed_out == own_timed_out == [], query
        assert html == own_html, query
    assert not any("archive_matches" in s for s in statements)
    assert any("select year as value" in s for s in statements)  # one statement a column
    assert any(s.startswith("SELECT is_pick AS value") for s in statements)


async def _each_on_its_own(facet):
    return None


def test_without_a_search_each_column_keeps_its_statement(built, ds, statements) -> None:
    assert get(ds, "/catalog/photos?year=2017").status_code == 200
    assert not any("archive_matches" in s for s in statements)


def test_a_column_the_table_lacks_is_datasettes_error(built, ds) -> None:
    assert get(ds, f"/catalog/photos?{SEARCH}&_facet=no_such_column").status_code == 400


def test_each_branch_gives_its_columns_own_statement() -> None:
    """Ties (the value breaks them), NULLs (not counted), limits: as Datasette's statements."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, event_id, year, camera)")
    rows = [(2, 2017, "b"), (1, 2017, "a"), (1, None, "a"), (2, 2018, None), (3, 2019, "c")]
    conn.executemany("INSERT INTO photos (event_id, year, camera) VALUES (?, ?, ?)", rows * 2)
    sql, columns = "select * from photos where id > 1", ["event_id", "year", "camera"]
    for limit in (1, 2, 3, 5):
        wanted = Wanted(columns=tuple(columns))
        together = conn.execute(searched_facets.counting_sql(sql, wanted, limit)).fetchall()
        for i, column in enumerate(columns):
            own = conn.execute(
                f"select {column} as value, count(*) as count from ({sql})"
                f" where {column} is not null group by {column}"
                f" order by count desc, value limit {limit}"
            ).fetchall()
            assert [(v, n) for f, v, n, _ in together if f == i] == own, (column, limit)


def test_the_statement_counts_each_column_in_its_order() -> None:
    wanted = Wanted(columns=("event_id", "year"))
    sql = searched_facets.counting_sql("select * from photos", wanted, 31)
    assert sql.startswith("with archive_matches as materialized (select event_id, year from (")
    assert sql.count("union all") == 1 and sql.count("limit 31") == 2


def test_the_event_title_comes_in_the_same_statement(built, ds, statements) -> None:
    """The event facet's labels are looked up in the counting statement: no statement of
    Datasette's own for them (the rows' labels still have theirs)."""
    found = get(ds, f"/catalog/photos.json?{SEARCH}").json()
    events = found["facet_results"]["event_id"]["results"]
    assert events and all(r["label"] != r["value"] for r in events)
    combined = [s for s in statements if "archive_matches" in s]
    assert len(combined) == 1 and "(select title from events where id = value)" in combined[0]
    label_lookups = [s for s in statements if s.strip().startswith("select id, title from events")]
    assert len(label_lookups) <= 1  # the shown rows' events, not the facet's
