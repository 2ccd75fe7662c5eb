"""The photos table sorted by time pages without skipping or repeating a photo.

Datasette 0.65 orders the first page of a sorted table by the sort column
alone and adds the primary key as a tie-breaker only from the second page on
(its ``_next`` clause). Photos taken at the same second (a burst, a sheet
that dates a whole folder) then come in one order on page 1 and another on
page 2: some are shown twice, others never. The catalog keeps
``photos.taken_order`` (migration m011: ``taken_at``, then the id), which has
no ties; metadata.yml sorts the table by it, and :func:`order_wrapper` turns
a ``_sort=taken_at`` or ``_sort_desc=taken_at`` (the column header's link, an
old bookmark) into the same sort by ``taken_order``, which is the same order
with the ties broken.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from archive.db import TAKEN_ORDER

TABLE = "photos"
SORT_ARGS = ("_sort", "_sort_desc")


def reorder(query_string: bytes) -> bytes | None:
    """``_sort(_desc)=taken_at`` as ``=taken_order``; None when there is none."""
    if b"taken_at" not in query_string:
        return None
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    changed = False
    kept = []
    for key, value in pairs:
        if key in SORT_ARGS and value == "taken_at":
            value, changed = TAKEN_ORDER, True
        kept.append((key, value))
    return urlencode(kept).encode("latin-1") if changed else None


def is_photos_table(path: str) -> bool:
    return path.rstrip("/").split("/")[-1] in (TABLE, f"{TABLE}.json", f"{TABLE}.csv")


def order_wrapper(app: Any) -> Any:
    """ASGI middleware applying :func:`reorder` to the photos table's requests."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") == "http" and is_photos_table(scope.get("path") or ""):
            query_string = reorder(scope.get("query_string") or b"")
            if query_string is not None:
                scope = {**scope, "query_string": query_string}
        await app(scope, receive, send)

    return wrapped
