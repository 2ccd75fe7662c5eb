"""The table page's body, rendered by the synchronous twin, keeps everything the page showed.

The body of Datasette's table page is rendered in one piece by the synchronous
twin of the template environment (archive/web/sync_macros.py), its column
glossary and rows written in Python; the one awaited value, the table's
actions, is read before. These tests hold that to what a reviewer sees: an
action another plugin adds (an async hook), every column's description, every
row, the facets; and the query arguments Datasette reads fifty times a page,
parsed once (archive/web/request_args.py), still follow the request.
"""

from __future__ import annotations

import html
import re

from datasette.utils.asgi import Request

from archive.web import request_args
from tests import web_archive
from tests.web_archive import datasette, foreign_plugin, get


def test_an_action_a_plugin_awaits_is_in_the_menu(built) -> None:
    def actions(datasette, actor, database, table, request):
        async def later():  # Datasette awaits what a hook returns, when it must
            return [{"href": "/-/xem-them", "label": f"Xem thêm «{table}» <b>"}]

        return later()

    with foreign_plugin("table_actions", actions):
        page = get(datasette(built), "/catalog/photos")
    assert page.status_code == 200
    menu = page.text.split('class="actions-menu-links"', 1)[1].split("</details>", 1)[0]
    assert '<a href="/-/xem-them">Xem thêm «photos» &lt;b&gt;</a>' in menu
    assert "coroutine" not in page.text


def test_the_database_pages_actions_share_the_header(built) -> None:
    def actions(datasette, actor, database, request):
        return [{"href": "/-/sao-luu", "label": f"Sao lưu «{database}»"}]

    with foreign_plugin("database_actions", actions):
        page = get(datasette(built), "/catalog")
    header = page.text.split('<div class="page-header"', 1)[1].split("</div>\n", 1)[0]
    assert 'title="Thao tác với cơ sở dữ liệu"' in header
    assert '<a href="/-/sao-luu">Sao lưu «catalog»</a>' in header


def test_the_glossary_names_every_column_escaped(built) -> None:
    ds = datasette(built)
    page = get(ds, "/catalog/photos?_search=dang+uy")
    columns = ds.table_metadata("catalog", "photos")["columns"]
    glossary = page.text.split('<dl class="column-descriptions">', 1)[1].split("</dl>", 1)[0]
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", glossary)
    assert [(html.unescape(n), html.unescape(d)) for n, d in pairs] == list(columns.items())


def test_every_found_row_and_facet_is_on_the_page(built) -> None:
    ds = datasette(built)
    found = get(ds, "/catalog/photos.json?_search=dang+uy&_shape=array&_size=max").json()
    page = get(ds, "/catalog/photos?_search=dang+uy&_size=max")
    body = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == body.count("</tr>") == len(found) >= 2
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    shown = [int(re.search(r'class="archive-thumb" href="/-/photos/(\d+)"', r)[1]) for r in rows]
    assert shown == [row["id"] for row in found]  # each row once, in the table's order
    facets = page.text.split('<div class="facet-results">', 1)[1]
    assert 'data-column="units"' in facets and web_archive.XSS not in page.text


def test_query_arguments_are_parsed_once_and_follow_the_request() -> None:
    request_args.install()
    request = Request.fake("/catalog/photos?_search=%C4%91%E1%BA%A3ng&_facet=units&_facet=tags")
    first = request.args
    assert first.get("_search") == "đảng" and first.getlist("_facet") == ["units", "tags"]
    first.getlist("_facet").append("year")  # a caller changing its own copy
    assert request.args.getlist("_facet") == ["units", "tags"]
    request.scope["query_string"] = b"_search=ph%C6%B0%E1%BB%9Dng"
    assert request.args.get("_search") == "phường" and "_facet" not in request.args
