"""The photos table's page labels its rows' events as Datasette would, without rebuilding rows.

archive/web/deferred_labels.py keeps Datasette's labels aside on the photos table's
HTML page and applies them to the cells shown. Each page must be the same bytes as
the page Datasette labels itself (the deferral turned off): with the archive's own
cells, through Datasette's loop (another plugin's ``render_cell``), sorted by the
labelled column itself, and the facets' labels. The JSON labels as before.
"""

from __future__ import annotations

import html
import re
import sqlite3

import pytest
from datasette.views import table as table_view

from archive.web import deferred_labels, shown_cells
from tests import web_archive
from tests.web_archive import datasette, get

QUERY_TIME = re.compile(r"mất [0-9.,]+ ms")
QUERIES = (
    "",
    "?_search=%C4%91%E1%BA%A3ng+%E1%BB%A7y",
    "?_sort=event_id",
    "?_sort_desc=caption&_size=3",
    "?_label=event_id",
    "?_labels=off",
    "?_facet=event_id&_size=2",
)


def pages(ds) -> dict[str, str]:
    found = {}
    for query in QUERIES:
        response = get(ds, f"/catalog/photos{query}")
        assert response.status_code == 200, (query, response.text[:300])
        found[query] = QUERY_TIME.sub("mất … ms", response.text)  # the only part that varies
    return found


@pytest.fixture
def rows_made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many rows Datasette's label step rebuilt (it makes a CustomRow for each)."""
    made: list[int] = []

    class Counted(table_view.CustomRow):  # type: ignore[name-defined, misc]
        def __init__(self, *args, **kwargs) -> None:
            made.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(table_view, "CustomRow", Counted)
    return made


def undeferred(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deferred_labels, "is_html_page", lambda scope, args: False)


def test_the_page_is_datasettes_labelled_page(built, monkeypatch, rows_made) -> None:
    deferred = pages(datasette(built))
    assert not rows_made  # no row was rebuilt to label it
    assert 'title="' in deferred[""] and "/-/events/" in deferred[""]
    undeferred(monkeypatch)
    labelled = pages(datasette(built))
    assert rows_made  # Datasette rebuilt the rows itself
    for query, page in deferred.items():
        assert page == labelled[query], query


def test_the_event_cells_show_titles(built, ds) -> None:
    with sqlite3.connect(built.catalog) as conn:
        titles = {title for (title,) in conn.execute("SELECT title FROM events")}
    body = get(ds, "/catalog/photos").text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    cells = re.findall(r'<td class="col-event_id type-dict"><a href="[^"]+">([^<]+)</a>', body)
    assert cells and set(map(html.unescape, cells)) <= titles  # each photo's event, by title


def test_through_datasettes_loop_too(built, monkeypatch) -> None:
    with web_archive.foreign_plugin(
        "render_cell", lambda value, column, table, database, datasette: None
    ):
        assert not shown_cells.cells_are_own()
        deferred = pages(datasette(built))
        undeferred(monkeypatch)
        labelled = pages(datasette(built))
    for query, page in deferred.items():
        assert page == labelled[query], query


def test_the_json_labels_as_datasette_does(built, ds) -> None:
    rows = get(ds, "/catalog/photos.json?_shape=array&_labels=on&_size=3").json()
    assert rows and all(isinstance(r["event_id"], dict) for r in rows)
    assert all({"value", "label"} == set(r["event_id"]) for r in rows)
    plain = get(ds, "/catalog/photos.json?_shape=array&_size=3").json()
    assert [r["event_id"]["value"] for r in rows] == [r["event_id"] for r in plain]
