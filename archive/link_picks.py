"""Each link's copy of its photo's ``is_pick`` (migration m014), kept by triggers.

The photos table's units and tags facets under "only picks" (archive/web/facets.py)
counted every link row against ``photos.is_pick``: at a million photos that is
the list of every pick built, then every link looked up in it, past the facet
limit. With the flag on the link rows and a partial index ``(unit_id) WHERE
is_pick = 1``, the facet reads only the picks' links, in unit order, and never
``photos``.

SQLite keeps the copy, as archive/kept_counts.py keeps ``taken_key``: a new link
takes its photo's flag, and a photo whose flag changes (archive/catalog/similar.py
choosing a group's pick, or leaving a group) changes its links in the same
statement, on every write path, rolled back with it.
"""

from __future__ import annotations

from archive.sqlitedb import Database

# (link table, its key column)
LINKS = (("photo_units", "unit_id"), ("photo_tags", "tag_id"))


def schema() -> list[str]:
    """The columns, partial indexes and triggers of migration m014."""
    out = []
    for link, key in LINKS:
        out += [
            f"ALTER TABLE {link} ADD COLUMN is_pick INTEGER NOT NULL DEFAULT 1",
            # is_pick in the index too: SQLite then counts from it alone (covering).
            f"CREATE INDEX idx_{link}_picks ON {link}({key}, is_pick) WHERE is_pick = 1",
            f"""CREATE TRIGGER {link}_pick_insert AFTER INSERT ON {link}
               BEGIN
                 UPDATE {link} SET is_pick = (SELECT is_pick FROM photos WHERE id = NEW.photo_id)
                   WHERE rowid = NEW.rowid;
               END""",
        ]
    # The table's "type" facet under "only picks", as m013 does for year, camera, event.
    out.append(
        "CREATE INDEX idx_photos_picks_media ON photos(media_type, is_pick) WHERE is_pick = 1"
    )
    # The other members of groups, few: a search's total under "only picks" is its matches
    # less those (archive/web/searched_picks.py), without a look at every pick.
    out.append("CREATE INDEX idx_photos_others ON photos(is_pick) WHERE is_pick = 0")
    out.append(
        """CREATE TRIGGER photo_pick_links AFTER UPDATE OF is_pick ON photos
           WHEN OLD.is_pick IS NOT NEW.is_pick
           BEGIN
             UPDATE photo_units SET is_pick = NEW.is_pick WHERE photo_id = NEW.id;
             UPDATE photo_tags SET is_pick = NEW.is_pick WHERE photo_id = NEW.id;
           END"""
    )
    return out


def recount(db: Database) -> None:
    """Every link's flag copied afresh from its photo (the backfill; what tests compare)."""
    for link, _ in LINKS:
        db.execute(
            f"""UPDATE {link} SET is_pick = p.is_pick FROM photos p
                 WHERE p.id = {link}.photo_id AND {link}.is_pick IS NOT p.is_pick"""
        )
