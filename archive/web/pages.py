"""The pages a reviewer would rather look at than a table: event, unit, photo, timeline.

Each page has a ``.json`` twin carrying the same data, built once here and
handed either to a template (autoescaped Jinja, never ``|safe`` on catalog
text) or to ``Response.json``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette.utils.asgi import BadRequest, NotFound, Response

from archive import fields
from archive.web import group_queries, groups, queries
from archive.web.site import Links, archive_database, ensure_can_view, vn_month

UNIT_PAGE_SIZE = 60
EVENT_PAGE_SIZE = 100
UNIT_EVENTS_SIZE = 50
TIMELINE_SIZE = 100
# More digits than any archive has pages: read as "past the last page" without int()
# (SQLite's OFFSET overflows at 2**63; Python refuses to parse 4,300 digits).
# (The search page numbers its pages; the archive's own pages go by key.)
PAGE_DIGITS = 9


async def respond(
    datasette: Any,
    request: Any,
    template: str,
    data: dict[str, Any],
    status: int = 200,
    **extra: Any,
) -> Response:
    """The page's data as JSON (``….json``) or through its template."""
    if request.url_vars.get("format") == ".json":
        return Response.json(data, status=status)
    links = Links(datasette, archive_database(datasette).name)
    json_url = request.path + ".json" + (f"?{request.query_string}" if request.query_string else "")
    context = {"data": data, "links": links, "json_url": json_url, **extra}
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, status=status)


def page_number(request: Any) -> int:
    """The ``?page=`` asked for (1 when absent); a 400 unless it is a whole number from 1.

    A number past the last page is returned as it is (capped): :func:`last_page_at_most`
    then shows the last page, so an old link still shows photos.
    """
    raw = (request.args.get("page") or "").strip()
    if not raw:
        return 1
    if not (raw.isascii() and raw.isdigit()) or not raw.strip("0"):
        raise BadRequest(f"Số trang không hợp lệ: «{raw[:20]}» (số trang là số nguyên từ 1).")
    return int(raw) if len(raw) <= PAGE_DIGITS else 10**PAGE_DIGITS


def last_page_at_most(page: int, total: int, page_size: int) -> tuple[int, int]:
    """The page to show (the last one when asked for more) and how many pages there are."""
    pages = max(1, -(-total // page_size))
    return min(page, pages), pages


def cursor(request: Any, name: str = "after") -> int | None:
    """The id a "next page" link carries (``?after=``); None on a first page.

    Pages are cut by key, never by OFFSET: the next page starts just after the
    last row shown, so each page costs one index seek however deep it is.
    Anything but an id is a 400 in Vietnamese.
    """
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > queries.MAX_ID_DIGITS:
        raise BadRequest(f"Địa chỉ trang không hợp lệ: «{raw[:20]}» (sau «{name}=» là một số).")
    return int(raw)


def _known(row: dict[str, Any] | None, raw: int) -> dict[str, Any]:
    if row is None:
        raise BadRequest(f"Địa chỉ trang không hợp lệ: không có mục số {raw}.")
    return row


def next_url(
    request: Any, rows: list[dict[str, Any]], size: int, name: str = "after"
) -> str | None:
    """This page's address starting after its last row, when one more row came back."""
    if len(rows) <= size:
        return None
    return with_arg(request, name, str(rows[size - 1]["id"]))


def with_arg(request: Any, name: str, value: str | None) -> str:
    """This page's address with one argument set (or dropped, for None)."""
    args = [(k, v) for k, v in parse_qsl(request.query_string) if k != name]
    if value is not None:
        args.append((name, value))
    return request.path + (f"?{urlencode(args)}" if args else "")


async def event_view(request: Any, datasette: Any) -> Response:
    db = archive_database(datasette)
    await ensure_can_view(datasette, request, db.name, ("events", "photos"))
    links = Links(datasette, db.name)
    key, after_id = request.url_vars["key"], cursor(request)

    def first_reads(reader: Any) -> tuple[Any, Any, Any]:
        """The event, the photo the page starts after, and its cards' rows: one trip to a
        read thread instead of three (a quarter of a millisecond each)."""
        event = queries.event_in(reader, key)
        if event is None:
            return None, None, None
        after = queries.photo_key_in(reader, after_id) if after_id is not None else None
        if after_id is not None and after is None:
            return event, None, None  # an unknown cursor: refused below, nothing more read
        rows = group_queries.event_cards_in(reader, event["id"], EVENT_PAGE_SIZE + 1, after)
        return event, after, rows

    event, after, rows = await queries.read(db, first_reads)
    if event is None:
        raise NotFound("Không có sự kiện này")
    if after_id is not None:
        after = _known(after, after_id)
    # One card per group of near-duplicates (archive.web.groups), then the photos in none.
    cards = await groups.event_cards(db, links, rows, event["id"], EVENT_PAGE_SIZE + 1, after)
    data = {
        "event": {
            **{k: event[k] for k in ("id", "slug", "title", "date", "location", "description")},
            "source_ref": event["source_ref"],
            "organizer": _unit_link(links, event["organizer"]),
            "units": [_unit_link(links, name) for name in event["units"]],
            "photo_count": event["photo_count"],
            "url": links.event(event["slug"]),
            "table_url": links.table("photos", event_id=event["id"]),
        },
        "photos": cards[:EVENT_PAGE_SIZE],
        "next": next_url(request, cards, EVENT_PAGE_SIZE),
        "first": with_arg(request, "after", None) if after is not None else None,
    }
    # Whether to explain the group cards: asked here, not by a filter over every card in
    # the template (each item an await in Datasette's async Jinja).
    grouped = any(card.get("group") for card in data["photos"])
    return await respond(datasette, request, "archive_event.html", data, grouped=grouped)


async def unit_view(request: Any, datasette: Any) -> Response:
    db = archive_database(datasette)
    await ensure_can_view(datasette, request, db.name, ("units", "photos"))
    links = Links(datasette, db.name)
    unit = await queries.unit(db, request.url_vars["slug"])
    if unit is None:
        raise NotFound("Không có đơn vị này")
    if unit["slug"] != request.url_vars["slug"]:
        # Reached by another name of the unit: send the reader to its one address.
        return Response.redirect(links.unit_slug(unit["slug"]) + (request.url_vars["format"] or ""))
    after = cursor(request)
    if after is not None:
        after = _known(await queries.photo_key(db, after), after)
    rows = await queries.unit_photos(db, unit["id"], UNIT_PAGE_SIZE + 1, after)
    events_after = cursor(request, "events_after")
    if events_after is not None:
        events_after = _known(await queries.event_key(db, events_after), events_after)
    events = await queries.unit_events(db, unit["id"], UNIT_EVENTS_SIZE + 1, events_after)
    data = {
        "unit": {
            **{k: unit[k] for k in ("id", "slug", "name", "kind", "aliases", "photo_count")},
            "parent": _unit_link(links, unit["parent"]),
            "url": links.unit_slug(unit["slug"]),
            "table_url": links.table("photos", units__arraycontains=unit["name"]),
        },
        "events": [
            {
                "slug": e["slug"],
                "title": e["title"],
                "date": e["date"],
                "unit_photos": e["unit_photos"],
                "url": links.event(e["slug"]),
            }
            for e in events[:UNIT_EVENTS_SIZE]
        ],
        "more_events": next_url(request, events, UNIT_EVENTS_SIZE, "events_after"),
        "photos": [links.photo_card(row) for row in rows[:UNIT_PAGE_SIZE]],
        "next": next_url(request, rows, UNIT_PAGE_SIZE),
        "first": with_arg(request, "after", None) if after is not None else None,
    }
    return await respond(datasette, request, "archive_unit.html", data)


async def photo_view(request: Any, datasette: Any) -> Response:
    db = archive_database(datasette)
    await ensure_can_view(datasette, request, db.name, ("photos",))
    links = Links(datasette, db.name)
    photo = await queries.photo(db, int(request.url_vars["id"]))
    if photo is None:
        raise NotFound("Không có ảnh này")
    photo = fields.with_defaults(photo, await _settings(db))
    card = links.photo_card(photo)
    listed = [f for f in fields.PAGE_LIST if photo[f.name]]
    data = {
        "photo": {
            **card,
            **{f.name: photo[f.name] for f in (*fields.PAGE_FACTS, *fields.PAGE_LIST)},
            "details": [{"label": f.label, "value": photo[f.name]} for f in listed],
            "original_url": links.image("original", photo["id"]),
            **_player(links, photo),
            "gps": _gps(photo),
            "previous_url": links.photo(photo["previous_id"]) if photo["previous_id"] else None,
            "next_url": links.photo(photo["next_id"]) if photo["next_id"] else None,
            "row_url": links.row("photos", photo["id"]),
            "group": await groups.photo_group(db, links, photo),
        }
    }
    return await respond(datasette, request, "archive_photo.html", data)


async def timeline_view(request: Any, datasette: Any) -> Response:
    db = archive_database(datasette)
    await ensure_can_view(datasette, request, db.name, ("events", "photos"))
    links = Links(datasette, db.name)
    after = cursor(request)
    if after is not None:
        after = _known(await queries.event_key(db, after), after)
    events = await queries.timeline(db, TIMELINE_SIZE + 1, after)
    months: list[dict[str, Any]] = []
    for event in events[:TIMELINE_SIZE]:
        if not months or months[-1]["month"] != event["month"]:
            months.append(
                {"month": event["month"], "label": vn_month(event["month"]), "events": []}
            )
        months[-1]["events"].append(
            {
                "slug": event["slug"],
                "title": event["title"],
                "date": event["date"],
                "location": event["location"],
                "photo_count": event["photo_count"],
                "url": links.event(event["slug"]),
                "cover_url": links.image("thumb", event["cover_id"]) if event["cover_id"] else None,
            }
        )
    data = {
        "months": months,
        "next": next_url(request, events, TIMELINE_SIZE),
        "first": with_arg(request, "after", None) if after is not None else None,
    }
    return await respond(datasette, request, "archive_timeline.html", data)


async def _settings(db: Any) -> dict[str, Any]:
    """The archive settings that stand in for a photo's own fields (credit)."""
    if not fields.SETTINGS:
        return {}
    marks = ", ".join("?" for _ in fields.SETTINGS)
    rows = await db.execute(
        f"SELECT key, value FROM settings WHERE key IN ({marks})", list(fields.SETTINGS)
    )
    return {key: value for key, value in rows.rows}


def _player(links: Links, photo: dict[str, Any]) -> dict[str, Any]:
    """A clip's ``<video>`` source: its playback file, else its original (which then plays)."""
    if photo.get("media_type") != "video":
        return {}
    mime = photo["playback_mime"] if photo.get("playback_path") else photo["mime"]
    return {"playback_url": links.image("playback", photo["id"]), "playback_type": mime}


def _unit_link(links: Links, name: str | None) -> dict[str, str] | None:
    return {"name": name, "url": links.unit(name)} if name else None


def _gps(photo: dict[str, Any]) -> dict[str, Any] | None:
    lat, lon = photo.get("gps_lat"), photo.get("gps_lon")
    if lat is None or lon is None:
        return None
    return {
        "lat": lat,
        "lon": lon,
        "alt": photo.get("gps_alt"),
        "map_url": f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}"
        f"#map=18/{lat:.6f}/{lon:.6f}",
    }


def page_url(request: Any, page: int) -> str:
    """This page's address with another page number (page 1 has none)."""
    args = [(k, v) for k, v in parse_qsl(request.query_string) if k != "page"]
    if page > 1:
        args.append(("page", str(page)))
    return request.path + (f"?{urlencode(args)}" if args else "")


def description_paragraphs(text: str | None) -> list[str]:
    """An event's description as the paragraphs it was written in (blank-line separated)."""
    return [p.strip() for p in (text or "").split("\n\n") if p.strip()]
