"""The catalog's part for near-duplicate groups (migrations m010 and m013 of archive.db).

Statements, not code that runs on its own: :mod:`archive.db` applies them in its
migrations, as it does :mod:`archive.kept_counts`'s. Written out once here so the
migrations stay short and the schema of groups reads in one place.
"""

from __future__ import annotations

# m010: fingerprints, sharpness and groups. ``is_pick`` is 1 for a photo in no group,
# so "only picks" is ``is_pick = 1`` on every row, old ones included; a reviewer's
# split is remembered in ``similar_splits``.
GROUPS = (
    "ALTER TABLE photos ADD COLUMN phash TEXT",
    "ALTER TABLE photos ADD COLUMN dhash TEXT",
    "ALTER TABLE photos ADD COLUMN sharpness REAL",
    "ALTER TABLE photos ADD COLUMN group_id INTEGER",
    "ALTER TABLE photos ADD COLUMN is_pick INTEGER NOT NULL DEFAULT 1",
    """CREATE TABLE photo_groups (
        id INTEGER PRIMARY KEY,
        event_id INTEGER REFERENCES events(id),
        pick_id INTEGER REFERENCES photos(id),
        pick_by_reviewer INTEGER NOT NULL DEFAULT 0,
        size INTEGER NOT NULL
    )""",
    """CREATE TABLE similar_splits (
        photo_id INTEGER PRIMARY KEY REFERENCES photos(id),
        split_at TEXT
    )""",
    "CREATE INDEX idx_photos_event_pick ON photos(event_id, is_pick)",
    "CREATE INDEX idx_photos_group ON photos(group_id)",
    "CREATE INDEX idx_photo_groups_event ON photo_groups(event_id)",
)

# m013: an event's picks in the event order (a seek per page of cards, not a sort of
# the event); the photos table's "only picks" newest first (taken_order, since m011)
# and its year, camera and event facets: partial indexes, used for the literal
# ``is_pick = 1`` the filters hook adds, with is_pick in them for Datasette's own
# bound ``"is_pick" = :p0``.
PICK_INDEXES = (
    """CREATE INDEX IF NOT EXISTS idx_photos_event_picks ON photos(event_id, is_pick,
         coalesce(taken_at, ''), coalesce(original_name, ''), id)""",
    *(
        f"""CREATE INDEX IF NOT EXISTS idx_photos_picks_{column.split("_")[0]}
             ON photos({column}, is_pick) WHERE is_pick = 1"""
        for column in ("taken_order", "year", "camera", "event_id")
    ),
)
