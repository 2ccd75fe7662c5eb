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


async def event(db: Database, key: str) -> dict[str, Any] | None:
    """An event by slug, else by id (the photos table links events by id)."""
    sql = """SELECT e.id, e.slug, e.title, e.date, e.location, e.description, e.source_ref,
               o.name AS organizer,
               (SELECT count(*) FROM photos WHERE event_id = e.id) AS photo_count
             FROM events e LEFT JOIN units o ON o.id = e.organizer_unit_id WHERE {where}"""
    found = await _one(db, sql.format(where="e.slug = :key"), {"key": key})
    if found is None and key.isascii() and key.isdigit() and len(key) <= MAX_ID_DIGITS:
        found = await _one(db, sql.format(where="e.id = :key"), {"key": int(key)})
    if found is None:
        return None
    units = await _dicts(
        db,
        """SELECT u.name, u.slug FROM event_units eu JOIN units u ON u.id = eu.unit_id
             WHERE eu.event_id = :id
           UNION SELECT u.name, u.slug FROM photo_units pu JOIN units u ON u.id = pu.unit_id
             JOIN photos p ON p.id = pu.photo_id WHERE p.event_id = :id
           ORDER BY 2""",
        {"id": found["id"]},
    )
    found["units"] = [u["name"] for u in units]
    return found


async def event_photos(db: Database, event_id: int) -> list[dict[str, Any]]:
    return await _dicts(
        db,
        f"""SELECT {PHOTO_COLUMNS} FROM photos p LEFT JOIN events e ON e.id = p.event_id
            WHERE p.event_id = :id ORDER BY {EVENT_ORDER}""",
        {"id": event_id},
    )


async def unit(db: Database, slug: str) -> dict[str, Any] | None:
    """A unit by its slug or by the slug of one of its other names."""
    found = await _one(
        db,
        """SELECT u.id, u.slug, u.name, u.kind, p.name AS parent FROM units u
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
    count = await _one(
        db, "SELECT count(*) AS n FROM photo_units WHERE unit_id = :id", {"id": found["id"]}
    )
    found["photo_count"] = count["n"]
    return found


async def unit_events(db: Database, unit_id: int) -> list[dict[str, Any]]:
    """Events the unit took part in (named in the event or shown in its photos), newest first."""
    return await _dicts(
        db,
        """SELECT e.id, e.slug, e.title, e.date,
             (SELECT count(*) FROM photos p JOIN photo_units pu ON pu.photo_id = p.id
               WHERE p.event_id = e.id AND pu.unit_id = :id) AS unit_photos
           FROM events e
           WHERE e.id IN (SELECT event_id FROM event_units WHERE unit_id = :id
                          UNION SELECT p.event_id FROM photos p
                            JOIN photo_units pu ON pu.photo_id = p.id WHERE pu.unit_id = :id)
           ORDER BY e.date DESC, e.title""",
        {"id": unit_id},
    )


async def unit_photos(db: Database, unit_id: int, limit: int, offset: int) -> list[dict[str, Any]]:
    return await _dicts(
        db,
        f"""SELECT {PHOTO_COLUMNS} FROM photo_units pu JOIN photos p ON p.id = pu.photo_id
              LEFT JOIN events e ON e.id = p.event_id
            WHERE pu.unit_id = :id ORDER BY p.taken_at DESC, p.id DESC
            LIMIT :limit OFFSET :offset""",
        {"id": unit_id, "limit": limit, "offset": offset},
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


async def _neighbour(db: Database, photo: dict[str, Any], op: str, direction: str) -> int | None:
    """The photo just before (``<``) or after (``>``) this one in its event's order.

    One row through the event's index, rather than every id of the event: an event
    of a few thousand photos is opened one photo at a time, again and again.
    """
    order = ", ".join(f"{column} {direction}" for column in EVENT_KEY)
    sql = f"""SELECT p.id FROM photos p WHERE p.event_id = :event
                AND ({EVENT_ORDER}) {op} (:taken_at, :name, :id)
              ORDER BY {order} LIMIT 1"""
    params = {
        "event": photo["event_id"],
        "taken_at": photo["taken_at"] or "",
        "name": photo["original_name"] or "",
        "id": photo["id"],
    }
    row = await _one(db, sql, params)
    return row["id"] if row else None


async def timeline(db: Database) -> list[dict[str, Any]]:
    """Every event with its month, photo count and a cover photo, newest first."""
    return await _dicts(
        db,
        f"""SELECT e.id, e.slug, e.title, e.date, e.location, substr(e.date, 1, 7) AS month,
              (SELECT count(*) FROM photos WHERE event_id = e.id) AS photo_count,
              (SELECT p.id FROM photos p WHERE p.event_id = e.id ORDER BY {EVENT_ORDER} LIMIT 1)
                AS cover_id
            FROM events e ORDER BY e.date IS NULL, e.date DESC, e.title""",
    )


async def image_path(db: Database, size: str, key: str) -> dict[str, Any] | None:
    """Where the catalog says an image of this photo is (by id or SHA-256), and its type."""
    column = {"thumb": "thumb_path", "preview": "preview_path", "original": "original_path"}[size]
    by_sha = len(key) == 64
    return await _one(
        db,
        f"SELECT {column} AS path, mime, sha256, original_name FROM photos"
        f" WHERE {'sha256' if by_sha else 'id'} = :key",
        {"key": key if by_sha else int(key)},
    )
