"""The catalog's text decoded in C, and a catalog holding bytes that are not UTF-8 still shown.

archive/web/text_decoding.py reads the catalog with ``sqlite3``'s own decoding
instead of Datasette's Python call per value, and reads again as Datasette
does when a value is not UTF-8. A copy of the reviewers' archive gets such a
caption and such an event title (written by raw SQL, as another tool might):
every page that shows them answers as Datasette would, with U+FFFD in place of
the bad bytes, and the good text beside them unchanged.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tests import web_archive
from tests.web_archive import datasette, get

# "Ả" (UTF-8 C3 A2... written whole) then a lone 0xFF byte, then "nh".
BAD_CAPTION = "CAST(X'C3A261FF6E68' AS TEXT)"
SHOWN_CAPTION = "âa\ufffdnh"


@pytest.fixture(scope="module")
def spoiled(built, tmp_path_factory):
    """A copy of the archive whose one photo's caption and event title are not UTF-8."""
    root = tmp_path_factory.mktemp("spoiled") / "archive"
    root.mkdir()
    with sqlite3.connect(built.catalog) as source, sqlite3.connect(root / "catalog.db") as copy:
        source.backup(copy)
    photo_id = next(iter(built.ids.values()))
    with sqlite3.connect(root / "catalog.db") as conn:
        conn.execute(f"UPDATE photos SET caption = {BAD_CAPTION} WHERE id = ?", (photo_id,))
        (event_id,) = conn.execute(
            "SELECT event_id FROM photos WHERE id = ?", (photo_id,)
        ).fetchone()
        conn.execute(f"UPDATE events SET title = {BAD_CAPTION} WHERE id = ?", (event_id,))
        (slug,) = conn.execute("SELECT slug FROM events WHERE id = ?", (event_id,)).fetchone()
    conn.close()
    return web_archive.ReviewArchive(root=root), photo_id, slug


def test_the_catalogs_connections_decode_text_in_c(ds) -> None:
    get(ds, "/catalog/photos")  # the read connections exist once a page has read

    async def factories() -> tuple[object, object]:
        catalog = ds.get_database("catalog")
        found = await catalog.execute_fn(lambda conn: conn.text_factory)
        internal = await ds.get_database("_internal").execute_fn(lambda conn: conn.text_factory)
        return found, internal

    catalog, internal = asyncio.run(factories())
    assert catalog is str
    assert internal is not str  # other databases keep Datasette's own


@pytest.mark.parametrize(
    "path",
    [
        "/catalog/photos",
        "/catalog/photos.json?_shape=array&_size=max",
        "/catalog/photos?_col=caption",
        "/-/photos/{photo}",
        "/-/photos/{photo}.json",
        "/-/events/{slug}",
        "/-/events/{slug}.json",
        "/catalog/events",
        "/-/timeline",
    ],
)
def test_text_that_is_not_utf8_is_shown_as_datasette_shows_it(spoiled, path: str) -> None:
    archive, photo_id, slug = spoiled
    ds = datasette(archive)
    response = get(ds, path.format(photo=photo_id, slug=slug))
    assert response.status_code == 200, response.text[:500]
    shown = response.text if not path.split("?")[0].endswith(".json") else str(response.json())
    assert SHOWN_CAPTION in shown
    assert "Đảng" in get(ds, "/catalog/photos?_search=dang").text  # the good text as it was


def test_a_read_that_fails_otherwise_still_fails(ds) -> None:
    async def broken() -> None:
        await ds.get_database("catalog").execute_fn(
            lambda conn: conn.execute("SELECT * FROM no_such_table").fetchall()
        )

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        asyncio.run(broken())


def test_the_copy_really_holds_bytes_that_are_not_utf8(spoiled) -> None:
    archive, photo_id, _ = spoiled
    conn = sqlite3.connect(Path(archive.root) / "catalog.db")
    with pytest.raises(sqlite3.OperationalError, match="Could not decode to UTF-8"):
        conn.execute("SELECT caption FROM photos WHERE id = ?", (photo_id,)).fetchall()
    conn.close()
