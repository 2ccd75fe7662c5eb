"""Read-only queries for near-duplicate groups (issue 12): what the pages show of them.

A group is a row of ``photo_groups`` and its members are the photos whose
``group_id`` names it; exactly one member has ``is_pick = 1`` (the pick), the
others 0. A photo in no group has ``is_pick = 1`` too, so an event's cards are
simply its photos with ``is_pick = 1``, in the event order: one seek in
``idx_photos_event_picks`` (migration m013) per page, however large the archive.

Every query here runs through :func:`archive.web.queries.read` (the read-only
reader, on Datasette's read connections, under its time limit). On a catalog
that predates migration m010 (served read-only, never migrated) the event page
falls back to every photo: :func:`event_cards_in` answers None there.
"""

from __future__ import annotations

from typing import Any

from datasette.database import Database

from archive import similar_reader
from archive.reader import EVENT_ORDER
from archive.search import PHOTO_COLUMNS
from archive.web import queries

# Members shown inside a card's "+N ảnh gần giống" and on a photo page; the group's
# own page lists them all, by key.
MEMBERS_SHOWN = 12
# The narrow columns a member's thumbnail needs (its caption for alt text and title).
MEMBER_COLUMNS = (
    "p.id, p.caption, p.taken_at, p.original_name, p.group_id, p.is_pick,"
    " p.media_type, p.duration"  # a clip among the members is shown as a clip
)
# An event's cards from just after a key (see queries._after_event_key): a seek in
# idx_photos_event_picks, whose order is the ORDER BY, so no sort (tests hold the plan).
EVENT_CARDS_SQL = f"""SELECT {PHOTO_COLUMNS}, p.group_id, g.size AS group_size, g.pick_by_reviewer
    FROM photos p LEFT JOIN events e ON e.id = p.event_id
      LEFT JOIN photo_groups g ON g.id = p.group_id
    WHERE p.event_id = :id AND p.is_pick = 1{{condition}}
    ORDER BY {EVENT_ORDER} LIMIT :limit"""


async def _dicts(db: Database, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return await queries.read(db, lambda reader: reader.all(sql, params))


def event_cards_in(
    reader: Any, event_id: int, limit: int, after: dict[str, Any] | None = None
) -> list[dict[str, Any]] | None:
    """A page of the event's cards: its picks and its photos in no group, in EVENT_ORDER.

    Each row carries its group's ``group_size`` (NULL when in no group) and
    ``pick_by_reviewer``: one primary-key look-up in ``photo_groups`` per card.
    None on a catalog without groups (:func:`archive.similar_reader.has_groups`),
    whose every photo is a card. On a reader, in the read thread: the event page
    reads these with its event, in one trip.
    """
    if not similar_reader.has_groups(reader):
        return None
    condition, params = queries._after_event_key(after)
    sql = EVENT_CARDS_SQL.format(condition=condition)
    return reader.all(sql, {"id": event_id, "limit": limit, **params})


def shown_members_sql(groups: int) -> str:
    """The members of ``groups`` groups (``:g0``, ``:g1``…), the first ``:shown`` of each.

    ``+p.is_pick``: the unary plus keeps SQLite off m014's partial index of every
    non-pick photo (``idx_photos_others``), which it otherwise chose without
    statistics and walked whole (105 ms at 100,000 photos against 1.0 ms off
    ``idx_photos_group``; tests/test_similar_web.py holds the plan).
    """
    marks = ", ".join(f":g{i}" for i in range(groups))
    return f"""SELECT * FROM (
              SELECT {MEMBER_COLUMNS},
                row_number() OVER (PARTITION BY p.group_id ORDER BY {EVENT_ORDER}) AS n
              FROM photos p WHERE p.group_id IN ({marks}) AND +p.is_pick = 0)
            WHERE n <= :shown ORDER BY group_id, n"""


async def shown_members(db: Database, group_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The first :data:`MEMBERS_SHOWN` non-pick members of each group, in EVENT_ORDER.

    Off ``idx_photos_group``: the members of the groups on one page, never the
    event's or the archive's other photos.
    """
    if not group_ids:
        return {}
    rows = await _dicts(
        db,
        shown_members_sql(len(group_ids)),
        {**{f"g{i}": g for i, g in enumerate(group_ids)}, "shown": MEMBERS_SHOWN},
    )
    members: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        members.setdefault(row["group_id"], []).append(row)
    return members


async def group(db: Database, group_id: int) -> dict[str, Any] | None:
    """A group with its event and its pick's caption, or None."""
    rows = await _dicts(
        db,
        """SELECT g.id, g.event_id, g.pick_id, g.pick_by_reviewer, g.size,
             e.slug AS event_slug, e.title AS event_title, e.date AS event_date
           FROM photo_groups g LEFT JOIN events e ON e.id = g.event_id WHERE g.id = :id""",
        {"id": group_id},
    )
    return rows[0] if rows else None


async def group_members(
    db: Database, group_id: int, limit: int, after: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """A page of a group's members (its pick among them) in EVENT_ORDER, by key."""
    condition, params = queries._after_event_key(after)
    return await _dicts(
        db,
        f"""SELECT {PHOTO_COLUMNS}, p.group_id, p.is_pick
            FROM photos p LEFT JOIN events e ON e.id = p.event_id
            WHERE p.group_id = :group{condition} ORDER BY {EVENT_ORDER} LIMIT :limit""",
        {"group": group_id, "limit": limit, **params},
    )


async def photo_group(db: Database, photo: dict[str, Any]) -> dict[str, Any] | None:
    """The group of a photo (a row of ``photos``) with its first members, or None.

    The pick always comes first, then the others in EVENT_ORDER, at most
    :data:`MEMBERS_SHOWN` + 1 of them (this photo among them, wherever it sorts).
    """
    if photo.get("group_id") is None:
        return None
    found = await group(db, photo["group_id"])
    if found is None:
        return None
    members = await _dicts(
        db,
        f"""SELECT {MEMBER_COLUMNS} FROM photos p WHERE p.group_id = :group
            ORDER BY p.is_pick DESC, p.id = :photo DESC, {EVENT_ORDER} LIMIT :limit""",
        {"group": found["id"], "photo": photo["id"], "limit": MEMBERS_SHOWN + 1},
    )
    found["members"] = members
    return found
