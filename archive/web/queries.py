"""Read-only queries behind the plugin's pages, run on Datasette's own connections.

Kept apart from the views so each page's SQL can be read in one place. Every
query goes through :class:`archive.reader.Reader` (:func:`read`), which has no
method that writes, on a connection Datasette opened read-only, under
Datasette's SQL time limit. An event's photos are in the reader's
:data:`~archive.reader.EVENT_ORDER`, the order `archive gallery show` and the
exports use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from datasette.database import Database
from datasette.utils import sqlite_timelimit

from archive.reader import EVENT_KEY, EVENT_ORDER, Reader
from archive.search import PHOTO_COLUMNS

T = TypeVar("T")
# SQLite's integers are 64-bit; a longer number cannot be an id (and would overflow).
MAX_ID_DIGITS = 18


async def read(db: Database, fn: Callable[[Reader], T], time_limit: bool = True) -> T:
    """fn(reader) on one of Datasette's read connections, in its thread.

    Under Datasette's SQL time limit, as its own queries are; a download
    (a gallery's export, which reads thousands of rows on purpose) passes
    ``time_limit=False``, as ``db.execute_fn`` always ran it.
    """

    def run(conn: Any) -> T:
        if not time_limit:
            return fn(Reader(conn))
        with sqlite_timelimit(conn, db.ds.sql_time_limit_ms):
            return fn(Reader(conn))

    return await db.execute_fn(run)


async def _dicts(db: Database, sql: str, params: Any = None) -> list[dict[str, Any]]:
    return await read(db, lambda reader: reader.all(sql, params or {}))


async def _one(db: Database, sql: str, params: Any = None) -> dict[str, Any] | None:
    rows = await _dicts(db, sql, params)
    return rows[0] if rows else None


EVENT_SQL = """SELECT e.id, e.slug, e.title, e.date, e.location, e.description, e.source_ref,
               o.name AS organizer, e.photo_count
             FROM events e LEFT JOIN units o ON o.id = e.organizer_unit_id WHERE {where}"""
EVENT_UNITS_SQL = """SELECT u.name, u.slug FROM units u
           WHERE u.id IN (SELECT unit_id FROM event_units WHERE event_id = :id
                          UNION SELECT unit_id FROM unit_event_photos WHERE event_id = :id)
           ORDER BY 2"""


def event_in(reader: Reader, key: str) -> dict[str, Any] | None:
    """An event by slug, else by id (the photos table links events by id), on a reader.

    Its photo count is the one the catalog keeps (``events.photo_count``); its units
    are those it names and those its photos show (``unit_event_photos``, kept too).
    Called in a read thread, with the event page's other first reads (one trip).
    """
    found = reader.one(EVENT_SQL.format(where="e.slug = :key"), {"key": key})
    if found is None and key.isascii() and key.isdigit() and len(key) <= MAX_ID_DIGITS:
        found = reader.one(EVENT_SQL.format(where="e.id = :key"), {"key": int(key)})
    if found is None:
        return None
    # Names only, off tuples: a district-wide event names a few hundred units.
    found["units"] = [name for name, _ in reader.tuples(EVENT_UNITS_SQL, {"id": found["id"]})]
    return found


def _after_event_key(after: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """The condition "after this photo in the event order", and its parameters.

    The first term (``coalesce(taken_at, '') >= …``) is what lets SQLite seek in
    ``idx_photos_event_order``; the row value then settles ties within that time.
    """
    if after is None:
        return "", {}
    return (
        f" AND {EVENT_KEY[0]} >= :after_taken"
        f" AND ({EVENT_ORDER}) > (:after_taken, :after_name, :after_id)",
        {
            "after_taken": after["taken_at"] or "",
            "after_name": after["original_name"] or "",
            "after_id": after["id"],
        },
    )


async def event_photos(
    db: Database, event_id: int, limit: int, after: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """A page of the event's photos in EVENT_ORDER, from just after ``after`` (a photo row)."""
    return await read(db, lambda reader: event_photos_in(reader, event_id, limit, after))


def event_photos_in(
    reader: Reader, event_id: int, limit: int, after: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """:func:`event_photos` on a reader: in the caller's thread."""
    condition, params = _after_event_key(after)
    return reader.all(
        f"""SELECT {PHOTO_COLUMNS} FROM photos p LEFT JOIN events e ON e.id = p.event_id
            WHERE p.event_id = :id{condition} ORDER BY {EVENT_ORDER} LIMIT :limit""",
        {"id": event_id, "limit": limit, **params},
    )


async def photo_key(db: Database, photo_id: int) -> dict[str, Any] | None:
    """What a page's "next" link names: a photo, by id, with the values it sorts by."""
    return await read(db, lambda reader: photo_key_in(reader, photo_id))


def photo_key_in(reader: Reader, photo_id: int) -> dict[str, Any] | None:
    """:func:`photo_key` on a reader: in the caller's thread."""
    return reader.one(
        "SELECT id, event_id, taken_at, original_name FROM photos WHERE id = :id",
        {"id": photo_id},
    )


async def unit(db: Database, slug: str) -> dict[str, Any] | None:
    """A unit by its slug or by the slug of one of its other names; its count as kept."""
    found = await _one(
        db,
        """SELECT u.id, u.slug, u.name, u.kind, p.name AS parent, u.photo_count FROM units u
             LEFT JOIN units p ON p.id = u.parent_id
           WHERE u.slug = :slug
              OR u.id = (SELECT unit_id FROM unit_aliases WHERE slug = :slug)""",
        {"slug": slug},
    )
    if found is None:
        return None
    aliases = await _dicts(
        db, "SELECT alias FROM unit_aliases WHERE unit_id = :id ORDER BY alias", {"id": found["id"]}
    )
    found["aliases"] = [a["alias"] for a in aliases]
    return found


# Events newest first (undated last), then by title and id: the unit page's and the
# timeline's order, as a condition "after this event" that works with NULL dates.
EVENTS_NEWEST = "e.date IS NULL, e.date DESC, e.title, e.id"
_AFTER_EVENT = """AND (CASE WHEN :after_date IS NULL
                      THEN e.date IS NULL AND (e.title, e.id) > (:after_title, :after_id)
                      ELSE e.date < :after_date OR e.date IS NULL
                        OR (e.date = :after_date AND (e.title, e.id) > (:after_title, :after_id))
                      END)"""


def _after_event(after: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    if after is None:
        return "", {}
    return _AFTER_EVENT, {
        "after_date": after["date"],
        "after_title": after["title"],
        "after_id": after["id"],
    }


async def event_key(db: Database, event_id: int) -> dict[str, Any] | None:
    """An event's place in the newest-first order, for a "more events" link."""
    return await _one(db, "SELECT id, date, title FROM events WHERE id = :id", {"id": event_id})


async def unit_events(
    db: Database, unit_id: int, limit: int, after: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Events the unit took part in (named in the event or shown in its photos), newest first.

    Its photos per event come from ``unit_event_photos``, which the catalog keeps:
    the unit's events are read, not its every photo.
    """
    condition, params = _after_event(after)
    return await _dicts(
        db,
        f"""SELECT e.id, e.slug, e.title, e.date, coalesce(c.photos, 0) AS unit_photos
           FROM events e LEFT JOIN unit_event_photos c ON c.unit_id = :id AND c.event_id = e.id
           WHERE e.id IN (SELECT event_id FROM event_units WHERE unit_id = :id
                          UNION SELECT event_id FROM unit_event_photos WHERE unit_id = :id)
             {condition}
           ORDER BY {EVENTS_NEWEST} LIMIT :limit""",
        {"id": unit_id, "limit": limit, **params},
    )


async def unit_photos(
    db: Database, unit_id: int, limit: int, after: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """A page of the unit's photos, newest first (undated last), from just after ``after``.

    Off ``idx_photo_units_newest``: ``photo_units.taken_key`` is the photo's
    ``taken_at`` ('' when unknown), kept by the catalog.
    """
    condition, params = "", {}
    if after is not None:
        condition = "AND (pu.taken_key, pu.photo_id) < (:after_taken, :after_id)"
        params = {"after_taken": after["taken_at"] or "", "after_id": after["id"]}
    return await _dicts(
        db,
        f"""SELECT {PHOTO_COLUMNS} FROM photo_units pu JOIN photos p ON p.id = pu.photo_id
              LEFT JOIN events e ON e.id = p.event_id
            WHERE pu.unit_id = :id {condition}
            ORDER BY pu.taken_key DESC, pu.photo_id DESC LIMIT :limit""",
        {"id": unit_id, "limit": limit, **params},
    )


async def photo(db: Database, photo_id: int) -> dict[str, Any] | None:
    """A photo with its event, its units (as linked) and its neighbours in the event."""
    found = await _one(
        db,
        """SELECT p.*, e.slug AS event_slug, e.title AS event_title, e.date AS event_date
           FROM photos p LEFT JOIN events e ON e.id = p.event_id WHERE p.id = :id""",
        {"id": photo_id},
    )
    if found is None:
        return None
    found["previous_id"] = found["next_id"] = None
    if found["event_id"] is not None:
        found["previous_id"] = await _neighbour(db, found, "<", "DESC")
        found["next_id"] = await _neighbour(db, found, ">", "ASC")
    return found


def neighbour_sql(op: str, direction: str) -> str:
    """The photo just before (``<``) or after (``>``) one in its event: one index seek.

    The bound on ``coalesce(taken_at, '')`` alone is what SQLite seeks on in
    ``idx_photos_event_order``; the row value settles photos taken in the same second.
    """
    order = ", ".join(f"{column} {direction}" for column in EVENT_KEY)
    return f"""SELECT p.id FROM photos p WHERE p.event_id = :event
                 AND {EVENT_KEY[0]} {op}= :taken_at
                 AND ({EVENT_ORDER}) {op} (:taken_at, :name, :id)
               ORDER BY {order} LIMIT 1"""


async def _neighbour(db: Database, photo: dict[str, Any], op: str, direction: str) -> int | None:
    """The photo just before (``<``) or after (``>``) this one in its event's order.

    One row through the event's index, rather than every id of the event: an event
    of a few thousand photos is opened one photo at a time, again and again.
    """
    params = {
        "event": photo["event_id"],
        "taken_at": photo["taken_at"] or "",
        "name": photo["original_name"] or "",
        "id": photo["id"],
    }
    row = await _one(db, neighbour_sql(op, direction), params)
    return row["id"] if row else None


TIMELINE_SQL = f"""SELECT e.id, e.slug, e.title, e.date, e.location,
      substr(e.date, 1, 7) AS month, e.photo_count,
      (SELECT p.id FROM photos p WHERE p.event_id = e.id ORDER BY {EVENT_ORDER} LIMIT 1)
        AS cover_id
    FROM events e WHERE 1 {{condition}} ORDER BY {EVENTS_NEWEST} LIMIT :limit"""


async def timeline(
    db: Database, limit: int, after: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """A page of events with month, kept photo count and cover, newest first.

    The cover is the event's first photo in EVENT_ORDER: one seek in
    ``idx_photos_event_order`` per event on the page.
    """
    condition, params = _after_event(after)
    return await _dicts(db, TIMELINE_SQL.format(condition=condition), {"limit": limit, **params})


# A clip plays from its playback file, or from its original when that plays as it is
# (playback_path NULL); a photo has nothing to play.
_PLAYBACK = (
    "CASE WHEN media_type = 'video' THEN coalesce(playback_path, original_path) END AS path,"
    " CASE WHEN playback_path IS NOT NULL THEN playback_mime ELSE mime END AS mime"
)
_MEDIA_COLUMNS = {
    "thumb": "thumb_path AS path, mime",
    "preview": "preview_path AS path, mime",
    "original": "original_path AS path, mime",
    "playback": _PLAYBACK,
}


async def image_path(db: Database, size: str, key: str) -> dict[str, Any] | None:
    """Where the catalog says a file of this photo or clip is (by id or SHA-256), and its type."""
    by_sha = len(key) == 64
    return await _one(
        db,
        f"SELECT {_MEDIA_COLUMNS[size]}, sha256, original_name FROM photos"
        f" WHERE {'sha256' if by_sha else 'id'} = :key",
        {"key": key if by_sha else int(key)},
    )
