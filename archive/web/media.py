"""How the pages speak of an item's kind: a photo or a clip, and a clip's length.

A clip is a row of ``photos`` (``media_type = 'video'``); every page that shows
a photo shows a clip through these few words, so the table, the facet, the
grids and the item page say "video" and "1:05" alike.
"""

from __future__ import annotations

from typing import Any

from archive.dates import duration_text

__all__ = ["MEDIA_LABELS", "duration_text", "is_video", "size_text", "value_label"]

# The media-type facet's values as a reviewer reads them (the stored values stay English).
MEDIA_LABELS = {"photo": "ảnh", "video": "video"}


def is_video(row: Any) -> bool:
    """True for a clip; a row from before clips (no media_type) is a photo."""
    try:
        return row["media_type"] == "video"
    except (KeyError, IndexError, TypeError):
        return False


def value_label(column: str, value: Any) -> Any:
    """A facet value as shown: the media type in Vietnamese, anything else as it is."""
    if column == "media_type":
        return MEDIA_LABELS.get(value, value)
    return value


def size_text(size: int | None) -> str:
    """A file's size as a reviewer reads it: 26 KB, 3,4 MB, 1,2 GB (a comma for decimals).

    A 26 KB clip is not "0.0 MB"; the unit follows the size, the decimal comma is Vietnam's.
    """
    if not size:
        return ""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20)):
        if size >= scale:
            return f"{size / scale:.1f}".replace(".", ",") + f" {unit}"
    return f"{max(1, round(size / 1024))} KB"
