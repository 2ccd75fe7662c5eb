"""Groups written as built, for the reviewer-page tests, until ingest groups by itself.

STAND-IN: the grouping at ingest (branch ``similar``, archive.catalog.similar) is
not there yet, so these tests write the groups a scene was built with
(tests/similar_scenes.py) straight into the catalog's ``photo_groups``,
``photos.group_id`` and ``photos.is_pick`` (the names of migration m010). Once
ingest groups the photos, the tests read the groups it made and this goes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def write_groups(
    catalog: Path, groups: list[list[int]], by_reviewer: frozenset[int] = frozenset()
) -> list[int]:
    """One group per list of photo ids (its pick first); the new groups' ids, in order.

    ``by_reviewer`` holds the indexes (in ``groups``) of groups whose pick a reviewer chose.
    """
    conn = sqlite3.connect(catalog)
    try:
        with conn:
            ids = []
            for n, members in enumerate(groups):
                (event_id,) = conn.execute(
                    "SELECT event_id FROM photos WHERE id = ?", (members[0],)
                ).fetchone()
                cursor = conn.execute(
                    "INSERT INTO photo_groups (event_id, pick_id, pick_by_reviewer, size)"
                    " VALUES (?, ?, ?, ?)",
                    (event_id, members[0], int(n in by_reviewer), len(members)),
                )
                ids.append(cursor.lastrowid)
                for photo_id in members:
                    conn.execute(
                        "UPDATE photos SET group_id = ?, is_pick = ? WHERE id = ?",
                        (cursor.lastrowid, int(photo_id == members[0]), photo_id),
                    )
        return ids
    finally:
        conn.close()
