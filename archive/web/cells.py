"""How the archive shows a catalog cell: a thumbnail, links to its own pages, dates in Vietnamese.

Each function takes the page's :class:`~archive.web.site.Links`, the row and the
value, and returns the cell's markup (built from escaped text only), or None to
leave the cell to Datasette. The plugin's ``render_cell`` hook calls them, and
the photos table's own layout calls them directly (:mod:`archive.web.shown_cells`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from markupsafe import Markup

from archive.web import media
from archive.web.html_text import escaped
from archive.web.site import Links, anchor, unit_url, vn_datetime

Cell = Callable[[Links, Any, Any], "Markup | None"]
CellHtml = Callable[[Links, Any, Any], "str | None"]
TABLES = (None, "photos", "events", "units")  # None: a canned query's rows


def _field(row: Any, name: str) -> Any:
    try:
        return row[name]
    except (KeyError, IndexError):
        return None


def _thumb_cell(links: Links, row: Any, value: Any) -> str | None:
    photo_id = _field(row, "id")
    if not value or not isinstance(photo_id, int):
        return None
    href, src = escaped(links.photo(photo_id)), escaped(links.image("thumb", photo_id))
    alt = escaped(_field(row, "caption") or "")
    if media.is_video(row):
        length = escaped(media.duration_text(_field(row, "duration")))
        return (
            f'<a class="archive-thumb archive-video" href="{href}" title="Xem video">'
            f'<img src="{src}" alt="{alt}" loading="lazy">'
            '<span class="archive-play" aria-hidden="true">▶</span>'
            f'<span class="archive-duration">{length}</span></a>'
        )
    return (
        f'<a class="archive-thumb" href="{href}"><img src="{src}" alt="{alt}" loading="lazy"></a>'
    )


def _caption_cell(links: Links, row: Any, value: Any) -> str | None:
    photo_id = _field(row, "id")
    if not value or not isinstance(photo_id, int):
        return None
    return anchor(links.photo(photo_id), value)


def _event_cell(links: Links, row: Any, value: Any) -> str | None:
    if isinstance(value, dict):
        event_id, label = value.get("value"), value.get("label")
    else:
        event_id, label = value, value
    if event_id is None:
        return None
    return anchor(links.event(event_id), label or event_id)


def _units_cell(links: Links, row: Any, value: Any) -> str | None:
    if isinstance(value, str):
        return _units_html(links.base_url, value)
    return None if value else "&nbsp;"


@lru_cache(maxsize=4096)
def _units_html(base_url: str, value: str) -> str | None:
    """A photo's units (their JSON list) as links, one per line; None when not a list
    of names. Kept per list: the same few hundred lists recur on every page."""
    try:
        names = json.loads(value or "[]")
    except ValueError:
        return None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return None
    if not names:
        return "&nbsp;"
    # One string joined, not a Markup per link: this runs for every row of the table.
    return "<br>".join(anchor(unit_url(base_url, name), name) for name in names)


def _tags_cell(links: Links, row: Any, value: Any) -> str | None:
    try:
        names = json.loads(value or "[]")
    except (TypeError, ValueError):
        return None
    if not isinstance(names, list):
        return None
    return "<br>".join(escaped(str(name)) for name in names) or "&nbsp;"


def _text(text: str | None) -> str | None:
    """A cell shown as text: escaped, or None (Datasette's own) when there is none."""
    return escaped(text) if text else None


def _taken_at_cell(links: Links, row: Any, value: Any) -> str | None:
    return _text(vn_datetime(value)) if isinstance(value, str) and value else None


def _event_title_cell(links: Links, row: Any, value: Any) -> str | None:
    slug = _field(row, "slug")
    if not value or not slug:
        return None
    return anchor(links.event(slug), value)


def _unit_name_cell(links: Links, row: Any, value: Any) -> str | None:
    if not value:
        return None
    return anchor(links.unit(value), value)


def _duration_cell(links: Links, row: Any, value: Any) -> str | None:
    return _text(media.duration_text(value))


def _media_type_cell(links: Links, row: Any, value: Any) -> str | None:
    return _text(media.MEDIA_LABELS.get(value)) if isinstance(value, str) else None


# Each cell's HTML as a plain string (None: Datasette's own). The photos table's own
# layout joins these strings into its rows (archive.web.shown_cells); the hook gets
# them as markup (CELLS).
HTML: dict[tuple[str | None, str], CellHtml] = {
    ("photos", "thumb_path"): _thumb_cell,
    ("photos", "duration"): _duration_cell,
    ("photos", "media_type"): _media_type_cell,
    ("photos", "caption"): _caption_cell,
    ("photos", "event_id"): _event_cell,
    ("photos", "units"): _units_cell,
    ("photos", "tags"): _tags_cell,
    ("photos", "taken_at"): _taken_at_cell,
    ("events", "title"): _event_title_cell,
    ("units", "name"): _unit_name_cell,
}


def _as_markup(html_cell: CellHtml) -> Cell:
    """The hook's cell: the same HTML, as markup Datasette shows as it is."""

    def cell(links: Links, row: Any, value: Any) -> Markup | None:
        html = html_cell(links, row, value)
        return None if html is None else Markup(html)

    cell.__name__ = html_cell.__name__
    return cell


CELLS: dict[tuple[str | None, str], Cell] = {key: _as_markup(f) for key, f in HTML.items()}
_THUMB = CELLS[("photos", "thumb_path")]


def renderer(table: str | None, column: str) -> Cell | None:
    """The function showing this column of this table; a canned query (``table`` None)
    gets the thumbnail when it selects the photo's ``id`` with its ``thumb_path``."""
    if table not in TABLES:
        return None
    return CELLS.get((table, column)) or (_THUMB if column == "thumb_path" else None)


def html_renderer(table: str, column: str) -> CellHtml | None:
    """:func:`renderer`'s HTML as a plain string, for a layout that joins its cells."""
    return HTML.get((table, column)) if table in TABLES else None
