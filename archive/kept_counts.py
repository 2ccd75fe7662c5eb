"""The figures the archive's own pages read instead of counting (migrations m008, m015).

SQLite keeps them with triggers, so they change in the very statement that changes
what they count, on every write path the catalog has (an ingest, the bulk path, a
unit merge, dating undated photos): no repository can forget one, and a rollback
takes them back with the rows. :func:`recount` computes them afresh from the rows:
the migrations' backfill, and what tests/test_kept_counts.py holds the triggers to.
"""

from __future__ import annotations

from archive.sqlitedb import Database


def link_insert_trigger(picks: bool) -> str:
    """A new link counts for its unit (and, from m015, as a pick when its photo is one)."""
    counted = ", pick_count = pick_count + NEW.is_pick" if picks else ""
    return f"""CREATE TRIGGER kept_link_insert AFTER INSERT ON photo_units
       BEGIN
         UPDATE units SET photo_count = photo_count + 1{counted} WHERE id = NEW.unit_id;
         UPDATE photo_units SET taken_key =
             (SELECT coalesce(taken_at, '') FROM photos WHERE id = NEW.photo_id)
           WHERE rowid = NEW.rowid;
         INSERT INTO unit_event_photos (unit_id, event_id, photos)
           SELECT NEW.unit_id, event_id, 1 FROM photos
             WHERE id = NEW.photo_id AND event_id IS NOT NULL
           ON CONFLICT (unit_id, event_id) DO UPDATE SET photos = photos + 1;
       END"""


def link_delete_trigger(picks: bool) -> str:
    """A removed link no longer counts for its unit (nor, from m015, as a pick)."""
    counted = ", pick_count = pick_count - OLD.is_pick" if picks else ""
    return f"""CREATE TRIGGER kept_link_delete AFTER DELETE ON photo_units
       BEGIN
         UPDATE units SET photo_count = photo_count - 1{counted} WHERE id = OLD.unit_id;
         UPDATE unit_event_photos SET photos = photos - 1
           WHERE unit_id = OLD.unit_id
             AND event_id = (SELECT event_id FROM photos WHERE id = OLD.photo_id);
         DELETE FROM unit_event_photos WHERE unit_id = OLD.unit_id AND photos <= 0;
       END"""


SCHEMA = [
    "ALTER TABLE events ADD COLUMN photo_count INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE units ADD COLUMN photo_count INTEGER NOT NULL DEFAULT 0",
    # A unit's photos newest first, by key, without reading the unit's every photo.
    "ALTER TABLE photo_units ADD COLUMN taken_key TEXT NOT NULL DEFAULT ''",
    """CREATE TABLE unit_event_photos (
        unit_id INTEGER NOT NULL REFERENCES units(id),
        event_id INTEGER NOT NULL REFERENCES events(id),
        photos INTEGER NOT NULL,
        PRIMARY KEY (unit_id, event_id)
    )""",
    "CREATE INDEX idx_unit_event_photos_event ON unit_event_photos(event_id, unit_id)",
    # The event order (archive.reader.EVENT_KEY), the same expressions: a seek, not a sort.
    """CREATE INDEX idx_photos_event_order
         ON photos(event_id, coalesce(taken_at, ''), coalesce(original_name, ''), id)""",
    "CREATE INDEX idx_photo_units_newest ON photo_units(unit_id, taken_key DESC, photo_id DESC)",
    "CREATE INDEX idx_events_timeline ON events(date IS NULL, date DESC, title, id)",
    """CREATE TRIGGER kept_photo_insert AFTER INSERT ON photos WHEN NEW.event_id IS NOT NULL
       BEGIN UPDATE events SET photo_count = photo_count + 1 WHERE id = NEW.event_id; END""",
    """CREATE TRIGGER kept_photo_delete AFTER DELETE ON photos WHEN OLD.event_id IS NOT NULL
       BEGIN UPDATE events SET photo_count = photo_count - 1 WHERE id = OLD.event_id; END""",
    """CREATE TRIGGER kept_photo_event AFTER UPDATE OF event_id ON photos
       WHEN OLD.event_id IS NOT NEW.event_id
       BEGIN
         UPDATE events SET photo_count = photo_count - 1 WHERE id = OLD.event_id;
         UPDATE events SET photo_count = photo_count + 1 WHERE id = NEW.event_id;
         UPDATE unit_event_photos SET photos = photos - 1
           WHERE event_id = OLD.event_id
             AND unit_id IN (SELECT unit_id FROM photo_units WHERE photo_id = NEW.id);
         DELETE FROM unit_event_photos WHERE event_id = OLD.event_id AND photos <= 0;
         INSERT INTO unit_event_photos (unit_id, event_id, photos)
           SELECT unit_id, NEW.event_id, 1 FROM photo_units
             WHERE photo_id = NEW.id AND NEW.event_id IS NOT NULL
           ON CONFLICT (unit_id, event_id) DO UPDATE SET photos = photos + 1;
       END""",
    """CREATE TRIGGER kept_photo_taken AFTER UPDATE OF taken_at ON photos
       WHEN OLD.taken_at IS NOT NEW.taken_at
       BEGIN
         UPDATE photo_units SET taken_key = coalesce(NEW.taken_at, '') WHERE photo_id = NEW.id;
       END""",
    link_insert_trigger(picks=False),
    link_delete_trigger(picks=False),
    # A link is never re-pointed (the writer deletes and inserts), but if one were:
    """CREATE TRIGGER kept_link_update AFTER UPDATE OF photo_id, unit_id ON photo_units
       BEGIN SELECT RAISE(ABORT, 'photo_units rows are deleted and inserted, not updated'); END""",
]

BACKFILL = [
    "UPDATE events SET photo_count = (SELECT count(*) FROM photos WHERE event_id = events.id)",
    "UPDATE units SET photo_count = (SELECT count(*) FROM photo_units WHERE unit_id = units.id)",
    """UPDATE photo_units SET taken_key = coalesce(p.taken_at, '')
         FROM photos p WHERE p.id = photo_units.photo_id""",
    """INSERT INTO unit_event_photos (unit_id, event_id, photos)
         SELECT pu.unit_id, p.event_id, count(*) FROM photo_units pu
           JOIN photos p ON p.id = pu.photo_id
         WHERE p.event_id IS NOT NULL GROUP BY pu.unit_id, p.event_id""",
]


# Migration m015: each unit's links to picks ("only picks" reads its units facet off
# them). A link's flag is its photo's (archive/link_picks.py, m014): a link counts as it
# is inserted and removed, and again whenever its flag changes (a photo grouped, a pick
# chosen), whichever of the insert's triggers runs first.
PICK_SCHEMA = [
    "ALTER TABLE units ADD COLUMN pick_count INTEGER NOT NULL DEFAULT 0",
    "DROP TRIGGER kept_link_insert",
    link_insert_trigger(picks=True),
    "DROP TRIGGER kept_link_delete",
    link_delete_trigger(picks=True),
    """CREATE TRIGGER kept_link_pick AFTER UPDATE OF is_pick ON photo_units
       WHEN OLD.is_pick IS NOT NEW.is_pick
       BEGIN
         UPDATE units SET pick_count = pick_count + NEW.is_pick - OLD.is_pick
           WHERE id = NEW.unit_id;
       END""",
]
PICK_BACKFILL = [
    """UPDATE units SET pick_count =
         (SELECT count(*) FROM photo_units WHERE unit_id = units.id AND is_pick = 1)""",
]


def backfill(db: Database, statements: list[str]) -> None:
    """Kept figures computed afresh from the rows (a migration's backfill)."""
    for statement in statements:
        db.execute(statement)


def recount(db: Database) -> None:
    """Every kept figure computed afresh from the rows (repairs; what tests compare)."""
    db.execute("DELETE FROM unit_event_photos")
    backfill(db, BACKFILL + PICK_BACKFILL)
