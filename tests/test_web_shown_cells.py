"""The photos table's page renders only its shown columns, and each cell as before.

archive/web/shown_cells.py hands Datasette the seven columns of
``_table-catalog-photos.html`` instead of every column: the page must show
the same cells, in the same order, as Datasette's table of every column.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archive.web import shown_cells
from tests import video_archive, web_archive
from tests.web_archive import datasette, get

TEMPLATE = Path(shown_cells.__file__).parent / "templates" / "_table-catalog-photos.html"
ROW = re.compile(r"<tr>(.*?)</tr>", re.DOTALL)
CELL = re.compile(r'<td class="col-([\w-]+) type-\w+">(.*?)</td>', re.DOTALL)


def body_rows(html: str) -> list[dict[str, str]]:
    """Each row of the table's body as {column: the cell's HTML}, in the page's order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [dict(CELL.findall(row)) for row in ROW.findall(body)]


def test_the_template_shows_the_columns_shown_cells_renders() -> None:
    shown = re.search(r"{% set shown = \[(.*?)\] %}", TEMPLATE.read_text(), re.DOTALL)
    assert shown is not None
    assert tuple(re.findall(r'\("(\w+)",', shown[1])) == shown_cells.SHOWN


def test_the_shown_cells_are_those_of_the_table_of_every_column(built, ds) -> None:
    for query in ("", "?_search=%C4%91%E1%BA%A3ng+%E1%BB%A7y", "?_sort=caption"):
        compact = get(ds, f"/catalog/photos{query}")
        separator = "&" if query else "?"
        every = get(ds, f"/catalog/photos{query}{separator}_nocol=exif")
        assert compact.status_code == every.status_code == 200
        shown, full = body_rows(compact.text), body_rows(every.text)
        assert shown and len(shown) == len(full)
        for compact_row, full_row in zip(shown, full, strict=True):
            assert tuple(compact_row) == shown_cells.SHOWN
            assert compact_row == {name: full_row[name] for name in shown_cells.SHOWN}
            assert "sha256" in full_row  # Datasette's own table still has every cell


def test_the_sort_menu_and_the_json_keep_every_column(built, ds) -> None:
    html = get(ds, "/catalog/photos").text
    menu = html.split('id="sort_by"', 1)[1].split("</select>", 1)[0]
    assert 'value="sha256"' in menu and 'value="lens"' in menu  # columns the table hides
    row = get(ds, "/catalog/photos.json?_shape=array&_size=1").json()[0]
    assert {"sha256", "lens", "thumb_path", "caption"} <= set(row)


@pytest.fixture
def other_cells():
    """Someone else's render_cell: the layout must then go through Datasette's own loop."""
    with web_archive.foreign_plugin(
        "render_cell", lambda value, column, table, database, datasette: None
    ):
        yield


QUERY_TIME = re.compile(r"mất [0-9.,]+ ms")
QUERIES = ("", "?_sort=camera", "?_sort_desc=caption&_size=3", "?_size=max")


def _pages(ds, more: tuple[str, ...] = ()) -> dict[str, str]:
    pages = {}
    for query in QUERIES + more:
        response = get(ds, f"/catalog/photos{query}")
        assert response.status_code == 200, response.text[:300]
        pages[query] = QUERY_TIME.sub("mất … ms", response.text)  # the only part that varies
    return pages


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> video_archive.VideoArchive:
    work = tmp_path_factory.mktemp("cells")
    return video_archive.build(work / "archive", work / "sources")


def test_the_archives_own_cells_are_datasettes_loops_cells(built, clips, request) -> None:
    """Byte for byte: captions that try markup, clips with their lengths, empty cells."""
    assert shown_cells.cells_are_own()
    archives = {"review": (built, ("?_search=script",)), "clips": (clips, ())}
    own = {name: _pages(datasette(a), more) for name, (a, more) in archives.items()}
    request.getfixturevalue("other_cells")
    assert not shown_cells.cells_are_own()
    for name, (archive, more) in archives.items():
        through_datasette = _pages(datasette(archive), more)
        for query, html in own[name].items():
            assert body_rows(html), (name, query)
            assert html == through_datasette[query], (name, query)
    assert (
        "archive-duration" in own["clips"][""]
        and "&lt;script&gt;" in own["review"]["?_search=script"]
    )


def test_the_head_labels_only_what_the_layout_shows(built, ds) -> None:
    """Datasette's small-screen rule per column only where every column is shown; the
    reviewers' layout is labelled by the archive's stylesheet, seven cells."""
    compact, every = get(ds, "/catalog/photos").text, get(ds, "/catalog/photos?_nocol=exif").text
    head = compact.split("</head>", 1)[0]
    assert "table.js" in head and "DATASETTE_ALLOW_FACET" in head
    assert "nth-of-type" not in head
    assert 'td:nth-of-type(2):before { content: "sha256"; }' in every.split("</head>", 1)[0]
    events = get(ds, "/catalog/events").text.split("</head>", 1)[0]
    assert "nth-of-type" in events
    css = (Path(shown_cells.__file__).parent / "static" / "archive.css").read_text("utf-8")
    labels = re.findall(r"archive-photos td:nth-of-type\((\d)\):before", css)
    assert labels == [str(i) for i in range(1, len(shown_cells.SHOWN) + 1)]
