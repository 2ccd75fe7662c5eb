"""What every page of the plugin shares: the archive's database, its folder, links, access.

The archive root is the folder holding ``catalog.db`` (see DESIGN.md), so it
is derived from the database file Datasette opened: the same catalog can be
served from wherever the folder was copied, and no URL ever names a file.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from datasette.database import Database
from datasette.utils.asgi import NotFound
from markupsafe import Markup

from archive import fields
from archive.text import slugify
from archive.web.html_text import escaped

CATALOG_FILE = "catalog.db"
IMAGE_SIZES = ("thumb", "preview", "original", "playback")
CARD_NAMES = fields.names(fields.CARD)
# A card's own fields; its event is shown by slug and title instead (Links.photo_card).
_CARD_FIELDS = tuple(name for name in CARD_NAMES if name != "event_id")


def archive_database(datasette: Any) -> Database:
    """The database Datasette opened from an archive's ``catalog.db``.

    Asked for every cell of the photos table: the one found is remembered on the
    instance, and used while Datasette still has it open under its name.
    """
    found = getattr(datasette, "_archive_catalog", None)
    if found is not None and datasette.databases.get(found.name) is found:
        return found
    for db in datasette.databases.values():
        if db.path and os.path.basename(db.path) == CATALOG_FILE:
            datasette._archive_catalog = db
            return db
    raise NotFound("Không có danh mục ảnh (catalog.db) nào đang được mở")


def is_catalog(datasette: Any, name: str) -> bool:
    """Whether the database Datasette calls ``name`` is the archive's catalog."""
    try:
        return archive_database(datasette).name == name
    except NotFound:
        return False


def archive_root(db: Database) -> Path:
    return Path(db.path).resolve().parent


async def ensure_can_view(
    datasette: Any, request: Any, db_name: str, tables: tuple[str, ...] = ("photos",)
) -> None:
    """Raise Forbidden unless the actor may see these tables: the pages show their rows.

    Checked most specific first, as Datasette's own table page does, so an
    ``allow`` block on the instance, the database or a table applies here too.
    """
    for table in tables:
        await datasette.ensure_permissions(
            request.actor,
            [("view-table", (db_name, table)), ("view-database", db_name), "view-instance"],
        )


@lru_cache(maxsize=4096)
def unit_slug(name: str) -> str:
    """A unit's slug from its name: the same few hundred names on every card of a page."""
    return slugify(name)


@lru_cache(maxsize=4096)
def _unit_page(name: str) -> str:
    """``-/units/SLUG`` of a unit's name, quoted: asked for each unit of every card and event."""
    return f"-/units/{quote(unit_slug(name))}"


def unit_url(base_url: str, name: str) -> str:
    """A unit's page under ``base_url`` by its name as photos list it."""
    return base_url + _unit_page(name)


class Links:
    """Every URL the plugin's pages and JSON hand out (base_url aware)."""

    def __init__(self, datasette: Any, db_name: str) -> None:
        self.datasette = datasette
        self.db_name = db_name
        self.base_url = datasette.setting("base_url")
        self._event_urls: dict[str, str] = {}

    def path(self, path: str, **query: Any) -> str:
        """The address under Datasette's ``base_url``, as ``datasette.urls.path`` gives it.

        A plain ``str``: Datasette's ``PrefixedUrlString`` looks each attribute up
        in ``dir(str)``, which markupsafe's escape does several times per URL, and a
        page of 200 cards holds over a thousand URLs (a third of its render).
        """
        if query:
            args = {k: v for k, v in query.items() if v not in (None, "")}
            path += f"?{urlencode(args)}" if args else ""
        return self.base_url + (path[1:] if path.startswith("/") else path)

    def image(self, size: str, photo_id: int) -> str:
        return self.path(f"/-/images/{size}/{int(photo_id)}")

    def photo(self, photo_id: int) -> str:
        return self.path(f"/-/photos/{int(photo_id)}")

    def event(self, key: str | int) -> str:
        """An event's page by its slug, or by its id (the photos table's cells link by id,
        which needs no quoting: a table page links each of its rows' events)."""
        if type(key) is int:
            return self.path(f"/-/events/{key}")
        return self.path(f"/-/events/{quote(str(key))}")

    def unit(self, name: str) -> str:
        """A unit's page by its name as photos list it (a unit's slug is its folded name)."""
        return unit_url(self.base_url, name)

    def unit_slug(self, slug: str) -> str:
        return self.path(f"/-/units/{quote(slug)}")

    def _event_url(self, slug: str) -> str:
        """:meth:`event` once per slug: a page's cards are mostly of one event."""
        found = self._event_urls.get(slug)
        if found is None:
            found = self._event_urls[slug] = self.event(slug)
        return found

    def search(self, q: str | None = None, page: int | None = None) -> str:
        return self.path("/-/search", q=q, page=page if page and page > 1 else None)

    def timeline(self) -> str:
        return self.path("/-/timeline")

    def table(self, table: str, **query: Any) -> str:
        return self.path(f"/{quote(self.db_name)}/{quote(table)}", **query)

    def row(self, table: str, pk: int) -> str:
        return self.path(f"/{quote(self.db_name)}/{quote(table)}/{int(pk)}")

    def photo_card(self, row: dict[str, Any]) -> dict[str, Any]:
        """A photo as pages and JSON show it: its text, its links, its images."""
        # The fields in their declared order (the JSON's), the lists then put in their places.
        card: dict[str, Any] = {name: row.get(name) for name in _CARD_FIELDS}
        if "units" in card:
            pairs = _unit_pairs(self.base_url, card["units"])
            if pairs is None:  # not a JSON list (a catalog changed by another tool)
                pairs = [(unit, self.unit(unit)) for unit in json.loads(card["units"])]
            card["units"] = [{"name": name, "url": url} for name, url in pairs]
        if "tags" in card:
            tags = _json_tuple(card["tags"])
            card["tags"] = list(tags) if tags is not None else json.loads(card["tags"])
        photo_id = int(row["id"])
        card["url"] = f"{self.base_url}-/photos/{photo_id}"
        card["thumb_url"] = f"{self.base_url}-/images/thumb/{photo_id}"
        card["preview_url"] = f"{self.base_url}-/images/preview/{photo_id}"
        if row.get("event_slug"):
            card["event"] = {
                "slug": row["event_slug"],
                "title": row.get("event_title"),
                "url": self._event_url(row["event_slug"]),
            }
        return card


def anchor(href: str, text: Any) -> str:
    """``<a href>text</a>``, both escaped, as a plain string to join with others.

    An f-string: Markup.format's formatter cost more than the SQL.
    """
    return f'<a href="{escaped(href)}">{escaped(text)}</a>'


def unit_links(units: list[dict[str, str]] | None) -> Markup:
    """Units as links, comma-separated (empty markup for none): the templates' unit lists.

    In Python rather than a Jinja macro: a district-wide event lists a few hundred units,
    and a macro's loop cost a millisecond there (each name and address a lookup, each
    comma a peek at the next item).
    """
    return Markup(", ".join(_unit_anchor(u["url"], u["name"]) for u in units or ()))


def _unit_anchor(href: Any, text: Any) -> str:
    """:func:`anchor` of a unit, plain texts written once each (:func:`_plain_anchor`)."""
    if type(href) is str and type(text) is str:
        return _plain_anchor(href, text)
    return anchor(href, text)  # markup is not a key: it would meet the same text unescaped


@lru_cache(maxsize=4096)
def _plain_anchor(href: str, text: str) -> str:
    """:func:`anchor` of two plain texts: the same few hundred units on page after page."""
    return anchor(href, text)


@lru_cache(maxsize=4096)
def _json_tuple(text: str | None) -> tuple[Any, ...] | None:
    """A JSON list column's value, decoded once per text: a page's cards repeat the same
    few lists of units and tags (a photo's units are its event's), and decoding each
    card's was a tenth of an event page. A tuple, so no caller can change the kept one;
    None when the text holds JSON that is not a list, which the card shows as it is."""
    value = json.loads(text) if text and text != "[]" else []
    return tuple(value) if isinstance(value, list) else None


@lru_cache(maxsize=4096)
def _unit_pairs(base_url: str, text: str | None) -> tuple[tuple[str, str], ...] | None:
    """A ``units`` column's names, each with its page's address under ``base_url``."""
    names = _json_tuple(text)
    return None if names is None else tuple((name, unit_url(base_url, name)) for name in names)


# -- how dates read in Vietnamese ---------------------------------------------


def vn_date(value: str | None) -> str:
    """``2017-12-22`` (or a timestamp) as ``22/12/2017``; anything else as it is."""
    if not value or len(value) < 10 or value[4] != "-":
        return value or ""
    return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"


def vn_datetime(value: str | None) -> str:
    """``2017-12-22T07:58:12+07:00`` as ``07:58 ngày 22/12/2017`` (the time as recorded)."""
    if not value or len(value) < 16 or value[10] != "T":
        return vn_date(value)
    return f"{value[11:16]} ngày {vn_date(value)}"


def vn_month(value: str | None) -> str:
    """``2017-12`` as ``Tháng 12 năm 2017``."""
    if not value or len(value) < 7:
        return "Chưa rõ ngày"
    return f"Tháng {int(value[5:7])} năm {value[0:4]}"
