"""The photos table's units and tags facets, counted from the link tables, against fresh counts.

The facets (archive/web/facets.py) count photo_units and photo_tags rather than
every row's JSON; these tests hold them to a count made from the JSON the
table displays, after an ingest, under a search and a chosen unit, and after
a unit merge through the real command line.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from datasette.plugins import pm
from datasette.utils import path_with_added_args, path_with_removed_args
from datasette.utils.asgi import Request

from archive.web import facets
from tests import web_archive
from tests.conftest import Archive
from tests.test_table_paging import StatementLog
from tests.web_archive import datasette, get


@pytest.fixture
def fresh(tmp_path: Path) -> web_archive.ReviewArchive:
    """An archive of its own: these tests change it."""
    return web_archive.build(tmp_path / "archive", tmp_path / "sources")


def shown(built: web_archive.ReviewArchive, query: str) -> dict:
    response = get(datasette(built), f"/catalog/photos.json?_size=0&{query}")
    assert response.status_code == 200, response.text[:500]
    return response.json()


def facet(data: dict, name: str) -> dict[str, int]:
    assert not data.get("facets_timed_out")
    return {r["value"]: r["count"] for r in data["facet_results"][name]["results"]}


def json_counts(built: web_archive.ReviewArchive, column: str, where: str = "1") -> Counter:
    """Photos per name from the JSON column the table displays: the array facet's answer."""
    counts: Counter = Counter()
    for row in Archive(built.root).rows(f"SELECT {column} FROM photos WHERE {where}"):
        counts.update(set(json.loads(row[column])))
    return counts


def test_facets_equal_a_fresh_count_of_the_json(fresh) -> None:
    data = shown(fresh, "")
    assert facet(data, "units") == json_counts(fresh, "units")
    assert facet(data, "tags") == json_counts(fresh, "tags")
    assert facet(data, "units") == web_archive.photo_units(fresh)
    # The array facet asked for in the address is the same facet, counted once.
    retyped = shown(fresh, "_facet_array=units")
    assert facet(retyped, "units") == facet(data, "units")
    assert [f for f in retyped["facet_results"] if f.startswith("units")] == ["units"]


def test_facets_follow_a_search_and_a_chosen_unit(fresh) -> None:
    rows = get(datasette(fresh), "/catalog/photos.json?_search=chi+bo&_shape=array&_size=max")
    ids = ",".join(str(r["id"]) for r in rows.json())
    searched = shown(fresh, "_search=chi+bo")
    assert facet(searched, "units") == json_counts(fresh, "units", f"id IN ({ids})")
    assert facet(searched, "tags") == json_counts(fresh, "tags", f"id IN ({ids})")
    unit = "Chi bộ Khu phố 3"
    chosen = shown(fresh, f"units__arraycontains={quote(unit)}")
    where = f"EXISTS (SELECT 1 FROM json_each(units) WHERE value = '{unit}')"
    assert chosen["filtered_table_rows_count"] == json_counts(fresh, "units")[unit] == 6
    assert facet(chosen, "units") == json_counts(fresh, "units", where)
    assert facet(chosen, "tags") == json_counts(fresh, "tags", where)
    link = next(r for r in chosen["facet_results"]["units"]["results"] if r["value"] == unit)
    assert link["selected"] and "arraycontains" not in link["toggle_url"]


def test_facets_after_a_unit_merge(fresh) -> None:
    source, target = "Trường THCS Nguyễn Gia Thiều", "Chi bộ Khu phố 3"
    before = facet(shown(fresh, ""), "units")
    Archive(fresh.root).run("units", "merge", source, target)
    after = facet(shown(fresh, ""), "units")
    assert source not in after
    assert after == json_counts(fresh, "units") == web_archive.photo_units(fresh)
    assert before[target] < after[target] <= before[target] + before[source]
    merged = shown(fresh, f"units__arraycontains={quote(target)}")
    assert merged["filtered_table_rows_count"] == after[target]


def test_the_whole_tables_event_facet_reads_the_kept_counts(fresh) -> None:
    """Unfiltered, the event facet is answered from events.photo_count: the same counts and
    order as counting the photos (count descending, then id), with the events' titles.
    The triggers that keep the counts are held to a recount in tests/test_kept_counts.py."""
    log = StatementLog()
    pm.register(log, name="statement-log")
    try:
        data = shown(fresh, "")
        searched = shown(fresh, "_search=chi+bo")
    finally:
        pm.unregister(name="statement-log")
    kept = [s for s in log.statements if s.startswith("select id as value, photo_count")]
    assert len(kept) == 1  # the whole table's facet only; the search counted its matches
    rows = Archive(fresh.root).rows(
        "SELECT event_id AS value, count(*) AS count FROM photos WHERE event_id IS NOT NULL"
        " GROUP BY event_id ORDER BY count DESC, value"
    )
    results = data["facet_results"]["event_id"]["results"]
    assert [(r["value"], r["count"]) for r in results] == [(r["value"], r["count"]) for r in rows]
    assert len(rows) >= 2 and all(r["label"] != str(r["value"]) for r in results)  # titled
    assert (
        sum(r["count"] for r in searched["facet_results"]["event_id"]["results"])
        == (searched["filtered_table_rows_count"])
    )


def test_a_facet_asked_for_again_in_the_address_is_shown_once(fresh) -> None:
    plain = shown(fresh, "")
    asked = shown(fresh, "_facet=media_type&_facet=year&_facet=caption_source")
    names = list(asked["facet_results"])
    assert sorted(names) == sorted([*plain["facet_results"], "caption_source"])
    assert facet(asked, "year") == facet(plain, "year") and facet(asked, "media_type")
    page = get(datasette(fresh), "/catalog/photos?_facet=media_type")
    assert page.status_code == 200 and page.text.count('data-column="media_type"') == 1


@pytest.mark.parametrize(
    "query",
    [
        "_search=chi+bo",
        "",
        "_search=%C4%91%E1%BA%A3ng&_next=&_size=20",  # a blank argument
        f"units__arraycontains={quote('Chi bộ Khu phố 3')}&_search=chi+bo",
    ],
)
def test_a_unit_values_link_is_datasettes_added_argument(built, ds, query) -> None:
    """Each unit's narrowing link is what Datasette's path_with_added_args makes of the page's
    own address (blank arguments dropped), the selected one's its removal."""
    page = f"/catalog/photos.json?{query}"
    request = Request.fake(page)
    results = get(ds, page).json()["facet_results"]["units"]["results"]
    assert results
    for value in results:
        arg = {"units__arraycontains": value["value"]}
        build = path_with_removed_args if value["selected"] else path_with_added_args
        assert value["toggle_url"] == "http://localhost" + build(request, arg), value


@pytest.mark.parametrize(
    "query",
    ["", "_search=chi+bo", f"units__arraycontains={quote('Chi bộ Khu phố 3')}", "is_pick=1"],
)
def test_units_and_tags_are_counted_in_one_statement(built, monkeypatch, query) -> None:
    """Both linked facets come from one statement (the matches read once), with the rows
    each facet's own statement gives; a statement that fails sends each back to its own."""
    log = StatementLog()
    pm.register(log, name="statement-log")
    try:
        together = shown(built, query)
        statements = list(log.statements)
        monkeypatch.setattr(facets.LinkedFacet, "_counted_together", _one_a_facet)
        apart = shown(built, query)
    finally:
        pm.unregister(name="statement-log")
    together_marks = ("union all select 1 as facet, value", "with archive_matches as")
    combined = [s for s in statements if any(mark in s for mark in together_marks)]
    assert len(combined) == 1, combined
    # The shown photos are read once when something narrows them, not for the whole table
    # nor under "only picks" (kept counts and the picks' index answer those); a search's
    # are read once for every facet of its page (archive/web/searched_facets.py).
    narrowed = query not in ("", "is_pick=1")
    if "_search=" in query:
        assert "with archive_matches as materialized (select id, " in combined[0]
        assert "photo_units" in combined[0] and "photo_tags" in combined[0]
    else:
        assert ("archive_linked_matches as materialized" in combined[0]) == narrowed
    assert facet(together, "units") and facet(together, "tags") is not None
    for name in ("units", "tags"):
        assert together["facet_results"][name] == apart["facet_results"][name]


async def _one_a_facet(self, columns, limit):
    return None
