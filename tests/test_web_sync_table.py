"""The table pages rendered by the synchronous twin are Datasette's async rendering, byte for byte.

archive/web/sync_table.py renders the table view's templates with async off, in a
thread, bridging the context's coroutines (the menu, the crumbs, the table's
actions) back to the event loop. These tests serve the same pages from a Datasette
whose table view renders as Datasette's own does, and compare.
"""

from __future__ import annotations

import asyncio
import re

from datasette.app import Datasette

from archive.web import sync_table
from tests import web_archive
from tests.web_archive import datasette, foreign_plugin, get

PAGES = (
    "/catalog/photos",
    "/catalog/photos?_search=%C4%91%E1%BA%A3ng+%E1%BB%A7y",
    "/catalog/photos?_search=dang+uy&_facet_array=units",
    "/catalog/photos?_search=kh%C3%B4ngc%C3%B3t%E1%BB%AB",  # no photo found
    "/catalog/photos?_nocol=exif&_sort=caption",
    "/catalog/photos?units__arraycontains=Chi+b%E1%BB%99+Khu+ph%E1%BB%91+3",
    "/catalog/events",
    "/catalog/units?_sort=name",
    "/catalog/photo_units",
)


# The parts of a page that vary from one request to the next: the query's time, the token.
QUERY_TIME = re.compile(r"mất [0-9.,]+ ms")
TOKEN = re.compile(r'name="csrftoken" value="[^"]*"')


def _steady(html: str) -> str:
    return TOKEN.sub('name="csrftoken"', QUERY_TIME.sub("mất … ms", html))


def _async_twin(built) -> Datasette:
    """The same Datasette, its table view rendered by Datasette's own render_template."""
    ds = datasette(built)
    asyncio.run(ds.invoke_startup())
    ds.render_template = Datasette.render_template.__get__(ds)
    return ds


def _pages(ds: Datasette, actor: dict | None = None) -> dict[str, tuple[int, str]]:
    """Each page's status and its HTML, the query's time left out."""
    responses = {page: get(ds, page, actor=actor) for page in PAGES}
    return {page: (r.status_code, _steady(r.text)) for page, r in responses.items()}


def test_the_table_pages_are_the_async_renderings_bytes(built, ds) -> None:
    synchronous, asynchronous = _pages(ds), _pages(_async_twin(built))
    for page, (status, html) in synchronous.items():
        assert status == asynchronous[page][0] == 200, page
        assert html == asynchronous[page][1], page
    photos = synchronous["/catalog/photos?_search=dang+uy&_facet_array=units"][1]
    assert "Templates considered" in photos and 'class="facet-results"' in photos
    assert "Danh mục ảnh" in photos  # the crumbs, a coroutine of Datasette's, are there


def test_a_signed_in_reviewer_and_a_plugins_async_actions_render_alike(built) -> None:
    """The logout form (csrftoken) and another plugin's table actions, a coroutine."""

    async def actions(datasette, actor, database, table):
        await asyncio.sleep(0)
        return [{"href": f"/-/audit/{table}", "label": f"Kiểm tra {table}"}]

    actor = {"id": "reviewer"}
    with foreign_plugin("table_actions", actions):
        synchronous = _pages(datasette(built), actor)
        asynchronous = _pages(_async_twin(built), actor)
    for page, (status, html) in synchronous.items():
        assert status == 200, page
        assert html == asynchronous[page][1], page
    assert "Kiểm tra photos" in synchronous["/catalog/photos"][1]


def test_only_the_table_view_renders_synchronously(built, monkeypatch) -> None:
    """The table page goes through the twin; the row page keeps Datasette's rendering,
    byte for byte (each Datasette fresh: Datasette 0.65's table view writes the inherited
    license into its metadata, which a row page then shows)."""
    rendered: list[str] = []
    twin_render = sync_table.SyncTemplate.render_async

    async def counted(self, *args, **kwargs):
        rendered.append(self.name)
        return await twin_render(self, *args, **kwargs)

    monkeypatch.setattr(sync_table.SyncTemplate, "render_async", counted)
    page = f"/catalog/photos/{web_archive.example_ids(built).popitem()[1]}"
    row = get(datasette(built), page)
    assert row.status_code == 200 and rendered == []
    assert _steady(row.text) == _steady(get(_async_twin(built), page).text)
    assert get(datasette(built), "/catalog/photos").status_code == 200
    assert rendered == ["table.html"]
