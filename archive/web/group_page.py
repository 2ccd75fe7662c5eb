"""``/-/groups/ID``: one group of near-duplicates: its pick, then every member.

Reached from an event's card ("Xem cả nhóm") and from a photo page; its
members go by key in the event order, as the event page's photos do.
"""

from __future__ import annotations

from typing import Any

from datasette.utils.asgi import NotFound, Response

from archive.web import group_queries, pages, queries
from archive.web.groups import group_summary
from archive.web.site import Links, archive_database, ensure_can_view

GROUP_PAGE_SIZE = 200


async def group_view(request: Any, datasette: Any) -> Response:
    """``/-/groups/ID``: a group, its pick, and a page of its members in the event order."""
    db = archive_database(datasette)
    await ensure_can_view(datasette, request, db.name, ("events", "photos"))
    links = Links(datasette, db.name)
    found = await group_queries.group(db, int(request.url_vars["id"]))
    if found is None:
        raise NotFound("Không có nhóm ảnh này")
    after = pages.cursor(request)
    if after is not None:
        after = pages._known(await queries.photo_key(db, after), after)
    rows = await group_queries.group_members(db, found["id"], GROUP_PAGE_SIZE + 1, after)
    photos = []
    for row in rows[:GROUP_PAGE_SIZE]:
        photos.append({**links.photo_card(row), "is_pick": bool(row["is_pick"])})
    event = None
    if found["event_slug"]:
        event = {
            "slug": found["event_slug"],
            "title": found["event_title"],
            "date": found["event_date"],
            "url": links.event(found["event_slug"]),
        }
    data = {
        "group": {
            **group_summary(links, found["id"], found["size"], found["pick_by_reviewer"]),
            "pick_id": found["pick_id"],
            "pick_url": links.photo(found["pick_id"]) if found["pick_id"] else None,
            "event": event,
        },
        "photos": photos,
        "next": pages.next_url(request, rows, GROUP_PAGE_SIZE),
        "first": pages.with_arg(request, "after", None) if after is not None else None,
    }
    return await pages.respond(datasette, request, "archive_group.html", data)
