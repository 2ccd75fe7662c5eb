"""How the pages speak of an item's kind: a photo or a clip, and a clip's length.

A clip is a row of ``photos`` (``media_type = 'video'``); every page that shows
a photo shows a clip through these few words, so the table, the facet, the
grids and the item page say "video" and "1:05" alike.
"""

from __future__ import annotations

import math
from typing import Any

# The media-type facet's values as a reviewer reads them (the stored values stay English).
MEDIA_LABELS = {"photo": "ảnh", "video": "video"}


def is_video(row: Any) -> bool:
    """True for a clip; a row from before clips (no media_type) is a photo."""
    try:
        return row["media_type"] == "video"
    except (KeyError, IndexError, TypeError):
        return False


def duration_text(seconds: Any) -> str:
    """A clip's length as a player shows it: ``0:07``, ``12:30``, ``1:02:03``; '' for none.

    Rounded to the nearest second, so a clip of 6.97 s reads 0:07 like its player.
    """
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        return ""
    if not math.isfinite(seconds) or seconds < 0:
        return ""
    total = int(seconds + 0.5)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def value_label(column: str, value: Any) -> Any:
    """A facet value as shown: the media type in Vietnamese, anything else as it is."""
    if column == "media_type":
        return MEDIA_LABELS.get(value, value)
    return value
