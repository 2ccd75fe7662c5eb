"""Groups of near-duplicate photos, read-only: what the pages, the CLI and exports show.

The writer (:mod:`archive.catalog.similar`) keeps ``photo_groups`` and each photo's
``group_id`` / ``is_pick``; these functions only read them, through a
:class:`~archive.reader.Reader` (the CLI's connection or one of Datasette's), so the web
can call them inside :func:`archive.web.queries.read`. A photo in no group has
``group_id`` NULL and ``is_pick`` 1, so "only picks" is ``is_pick = 1`` everywhere.

Members come pick first, then in the event's order (:data:`archive.reader.EVENT_ORDER`),
so a group card and a photo page list them alike.
"""

from __future__ import annotations

from typing import Any

from archive.reader import EVENT_ORDER, Reader

# The columns a group card or list needs of each photo (never the EXIF blob).
PHOTO_COLUMNS = (
    "p.id, p.sha256, p.event_id, p.taken_at, p.caption, p.original_name, p.camera,"
    " p.width, p.height, p.thumb_path, p.preview_path, p.sharpness, p.private,"
    " p.group_id, p.is_pick"
)
_GROUP_COLUMNS = "g.id, g.event_id, g.pick_id, g.pick_by_reviewer, g.size"


def has_groups(reader: Reader) -> bool:
    """False on a catalog from before m010 (Datasette may open an old one read-only)."""
    return bool(
        reader.one(
            "SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'photo_groups'"
        )
    )


def members(reader: Reader, group_id: int) -> list[dict[str, Any]]:
    """A group's photos: its pick first, then the rest in the event's order."""
    return reader.all(
        f"SELECT {PHOTO_COLUMNS} FROM photos p WHERE p.group_id = ?"
        f" ORDER BY p.is_pick DESC, {EVENT_ORDER}",
        (group_id,),
    )


def group(reader: Reader, group_id: int) -> dict[str, Any] | None:
    """One group: its row, its ``pick`` (a photo dict) and its ``members`` (pick first)."""
    if not has_groups(reader):
        return None
    row = reader.one(f"SELECT {_GROUP_COLUMNS} FROM photo_groups g WHERE g.id = ?", (group_id,))
    if row is None:
        return None
    row["members"] = members(reader, group_id)
    row["pick"] = next((m for m in row["members"] if m["id"] == row["pick_id"]), None)
    return row


def photo_group(reader: Reader, photo_id: int) -> dict[str, Any] | None:
    """The group a photo is in (as :func:`group`), or None when it is in none."""
    if not has_groups(reader):
        return None
    row = reader.one("SELECT group_id FROM photos WHERE id = ?", (photo_id,))
    if row is None or row["group_id"] is None:
        return None
    return group(reader, row["group_id"])


def event_groups(reader: Reader, event_id: int) -> list[dict[str, Any]]:
    """Every group of an event, each as :func:`group` gives it, in the order of their picks.

    Two queries whatever the number of groups: the groups with their picks, then all
    grouped photos of the event (off the ``(event_id, is_pick)`` and ``group_id`` indexes).
    """
    if not has_groups(reader):
        return []
    rows = reader.all(
        f"SELECT {_GROUP_COLUMNS} FROM photo_groups g JOIN photos p ON p.id = g.pick_id"
        f" WHERE g.event_id = ? ORDER BY {EVENT_ORDER}",
        (event_id,),
    )
    by_id = {row["id"]: {**row, "members": [], "pick": None} for row in rows}
    for photo in reader.all(
        f"SELECT {PHOTO_COLUMNS} FROM photos p WHERE p.event_id = ? AND p.group_id IS NOT NULL"
        f" ORDER BY p.is_pick DESC, {EVENT_ORDER}",
        (event_id,),
    ):
        found = by_id.get(photo["group_id"])
        if found is not None:
            found["members"].append(photo)
            if photo["id"] == found["pick_id"]:
                found["pick"] = photo
    return list(by_id.values())


def others_count(reader: Reader, photo_ids: list[int]) -> dict[int, int]:
    """For each of these photos that is a group's pick: how many near-duplicates it stands for.

    What a grid of picks shows as "+N ảnh gần giống" under each card; photos in no
    group (and non-picks) are absent from the answer.
    """
    if not photo_ids or not has_groups(reader):
        return {}
    marks = ", ".join("?" for _ in photo_ids)
    rows = reader.all(
        f"SELECT pick_id, size FROM photo_groups WHERE pick_id IN ({marks})", tuple(photo_ids)
    )
    return {row["pick_id"]: row["size"] - 1 for row in rows}


def list_groups(reader: Reader, event_id: int | None = None) -> list[dict[str, Any]]:
    """Groups with their event's slug and pick (no members): what `archive similar` lists."""
    if not has_groups(reader):
        return []
    where, params = ("WHERE g.event_id = ?", (event_id,)) if event_id is not None else ("", ())
    return reader.all(
        f"SELECT {_GROUP_COLUMNS}, e.slug AS event, p.sha256 AS pick_sha256,"
        " p.original_name AS pick_name, p.sharpness AS pick_sharpness,"
        " (SELECT json_group_array(m.id) FROM photos m WHERE m.group_id = g.id) AS member_ids"
        " FROM photo_groups g JOIN photos p ON p.id = g.pick_id"
        f" LEFT JOIN events e ON e.id = g.event_id {where}"
        f" ORDER BY e.slug, {EVENT_ORDER}",
        params,
    )


def split_ids(reader: Reader) -> set[int]:
    """Photos a reviewer took out of their group: the grouping leaves each on its own."""
    if not has_groups(reader):
        return set()
    return {row["photo_id"] for row in reader.all("SELECT photo_id FROM similar_splits")}
