"""Near-duplicate groups on the reviewer's pages: the event's cards, a photo's group, a group.

The event page shows each group once, as its pick's card with a
"+N ảnh gần giống" that opens the group's other members in place (a
``<details>``: no script needed), and a link to the group's own page
(``/-/groups/ID``), which lists every member by key. A photo page lists its
group's members, the pick marked, and says whether a reviewer chose it.
Each piece has its JSON twin, as every page of the plugin does.
"""

from __future__ import annotations

from typing import Any

from archive.web import group_queries, queries
from archive.web.site import Links


def others_label(others: int) -> str:
    """The badge of a group's card: ``+11 ảnh gần giống`` (its members but the pick)."""
    return f"+{others} ảnh gần giống"


def pick_reason(by_reviewer: Any) -> str:
    return "người duyệt chọn" if by_reviewer else "chọn tự động: ảnh nét nhất, lớn nhất"


def member_card(links: Links, row: dict[str, Any]) -> dict[str, Any]:
    """A member's thumbnail as a group shows it: its image, its page, whether it is the pick."""
    return {
        "id": row["id"],
        "url": links.photo(row["id"]),
        "thumb_url": links.image("thumb", row["id"]),
        "caption": row["caption"],
        "taken_at": row["taken_at"],
        "is_pick": bool(row["is_pick"]),
        "media_type": row.get("media_type") or "photo",
        "duration": row.get("duration"),
    }


def group_summary(links: Links, group_id: int, size: int, by_reviewer: Any) -> dict[str, Any]:
    return {
        "id": group_id,
        "url": links.path(f"/-/groups/{int(group_id)}"),
        "size": size,
        "others": size - 1,
        "label": others_label(size - 1),
        "pick_by_reviewer": bool(by_reviewer),
        "pick_reason": pick_reason(by_reviewer),
    }


async def event_cards(
    db: Any,
    links: Links,
    rows: list[dict[str, Any]] | None,
    event_id: int,
    limit: int,
    after: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    """Up to ``limit`` cards of the event from just after ``after``: one per group.

    ``rows`` are what :func:`group_queries.event_cards_in` read. A card of a group's
    pick carries ``group`` (its badge, its first other members); a photo in no group
    is a card as before. A catalog without migration m010 (served read-only, its
    ``rows`` None) shows every photo.
    """
    if rows is None:  # a catalog from before groups: every photo is a card
        rows = await queries.event_photos(db, event_id, limit, after)
        return [links.photo_card(row) for row in rows]
    grouped = [r["group_id"] for r in rows if (r["group_size"] or 0) > 1]
    members = await group_queries.shown_members(db, grouped)
    cards = []
    for row in rows:
        card = links.photo_card(row)
        if (row["group_size"] or 0) > 1:
            shown = members.get(row["group_id"], [])
            card["group"] = {
                **group_summary(links, row["group_id"], row["group_size"], row["pick_by_reviewer"]),
                "members": [member_card(links, m) for m in shown],
                "more": row["group_size"] - 1 > len(shown),
            }
        cards.append(card)
    return cards


async def photo_group(db: Any, links: Links, photo: dict[str, Any]) -> dict[str, Any] | None:
    """A photo's group as its page lists it (None when in no group, or alone in one)."""
    if "group_id" not in photo:
        return None
    found = await group_queries.photo_group(db, photo)
    if found is None or found["size"] < 2:
        return None
    members = [member_card(links, m) for m in found["members"]]
    return {
        **group_summary(links, found["id"], found["size"], found["pick_by_reviewer"]),
        "is_pick": bool(photo.get("is_pick")),
        "pick_id": found["pick_id"],
        "pick_url": links.photo(found["pick_id"]) if found["pick_id"] else None,
        "members": members,
        "more": found["size"] > len(members),
    }
