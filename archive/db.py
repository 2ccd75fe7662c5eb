"""Open a catalog and keep its schema current.

Every schema change is a named migration, applied in order and recorded in
``_sqlite_migrations``, so an archive made by an older version opens in a newer
one. Migrations only ever add: a ward's archive is never rebuilt from scratch.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive import fields, initial_schema, kept_counts, link_picks, search, similar_schema
from archive.sqlitedb import Database, Migrations

migrations = Migrations("archive")


@migrations()
def m001_initial(db: Database) -> None:
    for statement in initial_schema.STATEMENTS:
        db.execute(statement)


@migrations()
def m002_search_index(db: Database) -> None:
    search.create_index(db)
    search.reindex_all(db)


@migrations()
def m003_search_exact_words(db: Database) -> None:
    """The exact-word index the smart search needs (``đường`` is not ``dương``)."""
    search.create_index(db)
    search.reindex_all(db)


def connect(path: Path | str) -> Database:
    """A connection with the settings every reader and writer relies on.

    WAL lets Datasette read while an ingest writes; FULL sync because the
    catalog is the record of a ward's history and a lost commit is worse than
    a slower one; the busy timeout rides out a reader's checkpoint. No
    sqlite-utils plugin that happens to be installed adds to it (looking for
    them reads every installed package's metadata: ~13 ms a command).
    """
    db = Database(str(path), execute_plugins=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=10000")
    return db


@contextmanager
def write_transaction(db: Database) -> Iterator[None]:
    """A transaction that takes the write lock first (BEGIN IMMEDIATE).

    A deferred transaction that reads before it writes cannot wait for an
    ingest's commit: SQLite answers "database is locked" at once instead of
    using the busy timeout. Taking the lock up front makes it wait its turn.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.rollback()
        raise
    db.commit()


def catalog_copy_in_memory(path: Path) -> Database:
    """The catalog as it is now, copied into memory (empty if there is none yet).

    Dry runs work here: the same code path as a real run, and nothing it
    does can reach the file or keep its writers waiting.
    """
    db = Database(memory=True, execute_plugins=False)
    if path.exists():
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(db.conn)
        finally:
            source.close()
    migrations.apply(db)
    return db


def open_catalog(path: Path | str) -> Database:
    """Open (creating if needed) a catalog and bring its schema up to date."""
    db = connect(path)
    migrations.apply(db)
    return db


@migrations()
def m004_galleries(db: Database) -> None:
    """Curated, ordered selections of photos (issue 4: galleries and export).

    ``position`` is 1..n within a gallery and renumbered on every change, so
    the order a ward office curated is the order every export shows. Events
    need no rows here: an event is a gallery of its photos by time.
    """
    db.execute(
        """CREATE TABLE galleries (
            id INTEGER PRIMARY KEY,
            slug TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            description TEXT,
            selection TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE gallery_photos (
            gallery_id INTEGER NOT NULL REFERENCES galleries(id) ON DELETE CASCADE,
            photo_id INTEGER NOT NULL REFERENCES photos(id),
            position INTEGER NOT NULL,
            added_at TEXT NOT NULL,
            PRIMARY KEY (gallery_id, photo_id)
        )"""
    )
    db.execute("CREATE INDEX idx_gallery_photos_order ON gallery_photos(gallery_id, position)")
    db.execute("CREATE INDEX idx_gallery_photos_photo ON gallery_photos(photo_id)")


@migrations()
def m005_search_unit_aliases(db: Database) -> None:
    """The index now holds the aliases of each photo's units ("UBND phường 6")."""
    search.reindex_all(db)


@migrations()
def m006_photographer_credit(db: Database) -> None:
    """Who took a photo and whom re-use must credit (archive.fields); both are searched."""
    db.execute("ALTER TABLE photos ADD COLUMN photographer TEXT")
    db.execute("ALTER TABLE photos ADD COLUMN credit TEXT")
    search.reindex_all(db)


@migrations()
def m007_table_facet_indexes(db: Database) -> None:
    """The photos table's year and camera facets count an index, not every 4 kB row."""
    db.execute("CREATE INDEX IF NOT EXISTS idx_photos_year ON photos(year)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_photos_camera ON photos(camera)")


def open_read_only(path: Path) -> Database:
    """A catalog opened without writing a byte: a backup, or an archive on read-only media.

    No migration, no switch to WAL (both would change the file, and a backup's
    manifest lists its hash). A WAL catalog on media where SQLite cannot make
    its -shm file is read as immutable instead.
    """
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    for suffix in ("", "&immutable=1"):
        conn = sqlite3.connect(uri + suffix, uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            conn.close()
            if suffix:
                raise
            continue
        return Database(conn, execute_plugins=False)
    raise AssertionError("unreachable")


def missing_photo_columns(db: Database) -> list[str]:
    """Declared photo fields (archive.fields) the catalog's ``photos`` lacks or types otherwise.

    Empty for a catalog every migration has run on; a field declared without
    its migration shows up here (and in tests/test_fields.py).
    """
    cursor = db.execute("PRAGMA table_info(photos)")
    names = [c[0] for c in cursor.description]
    return fields.missing_columns(dict(zip(names, row, strict=True)) for row in cursor.fetchall())


@migrations()
def m008_pages_kept_counts(db: Database) -> None:
    """Counts, keys and indexes that bound the event, unit, timeline and photo pages.

    ``events.photo_count`` and ``units.photo_count`` (photos of the event, photos
    showing the unit), ``unit_event_photos`` (photos of each event showing each unit),
    ``photo_units.taken_key`` (the photo's ``taken_at``, '' when unknown, so a unit's
    photos page newest first off one index), and an index on the event order. Backfilled
    here from the rows, then kept by the triggers of :mod:`archive.kept_counts`.
    """
    for statement in kept_counts.SCHEMA:
        db.execute(statement)
    db.execute("DELETE FROM unit_event_photos")
    kept_counts.backfill(db, kept_counts.BACKFILL)


recount_kept = kept_counts.recount  # the backfill, for tests and repairs


# The columns of a clip (issue 11), in the order archive.fields declares them.
_VIDEO_COLUMNS = (
    ("media_type", "TEXT"),
    ("duration", "REAL"),
    ("playback_path", "TEXT"),
    ("playback_mime", "TEXT"),
    ("playback_width", "INTEGER"),
    ("playback_height", "INTEGER"),
    ("frame_rate", "REAL"),
    ("video_codec", "TEXT"),
    ("audio_codec", "TEXT"),
    ("bitrate", "INTEGER"),
)


@migrations()
def m009_video(db: Database) -> None:
    """Video clips are rows of ``photos`` too: what kind of item, and how a clip plays.

    Every row made before clips is a photo, and says so; the media-type facet
    counts an index rather than every row.
    """
    for name, sql in _VIDEO_COLUMNS:
        db.execute(f"ALTER TABLE photos ADD COLUMN {name} {sql}")
    db.execute("UPDATE photos SET media_type = 'photo' WHERE media_type IS NULL")
    db.execute("CREATE INDEX IF NOT EXISTS idx_photos_media_type ON photos(media_type)")


@migrations()
def m010_near_duplicates(db: Database) -> None:
    """Fingerprints, sharpness and groups of near-duplicate photos (issue 12, archive.similar).

    Only columns, tables and indexes: a migration runs on every open, and computing
    the fingerprints of a million stored thumbnails here would hold the catalog for an
    hour with no progress shown. ``archive similar --backfill`` does that, resumably.
    ``is_pick`` is 1 for a photo in no group, so "only picks" is ``is_pick = 1`` on
    every row, old ones included. A reviewer's split is remembered in
    ``similar_splits``: the grouping leaves that photo on its own on every re-run.
    """
    for statement in similar_schema.GROUPS:
        db.execute(statement)


# The photos table's order: newest first, then by id. Unique, so Datasette's keyset
# pages (``_next``) neither skip nor repeat photos taken at the same second.
TAKEN_ORDER = "taken_order"


@migrations()
def m011_photos_taken_order(db: Database) -> None:
    """``photos.taken_order``: ``taken_at`` (or '' when unknown), a space, the zero-padded id.

    Datasette 0.65 orders the first page of a sorted table by the sort column alone and
    adds the id tie-breaker only from the second page on, so at equal ``taken_at`` the
    pages disagree on the order. A unique key has no ties. A virtual generated column:
    SQLite computes it, no writer can forget it, and only its index takes space.
    """
    db.execute(
        f"ALTER TABLE photos ADD COLUMN {TAKEN_ORDER} TEXT GENERATED ALWAYS AS"
        " (coalesce(taken_at, '') || ' ' || printf('%012d', id)) VIRTUAL"
    )
    db.execute(f"CREATE INDEX idx_photos_taken_order ON photos({TAKEN_ORDER})")


@migrations()
def m013_pick_indexes(db: Database) -> None:
    """Indexes of "one photo per group": the event page's cards by key (archive.web.groups),
    the photos table's "only picks" (archive.web.pick_facet).

    An event's picks (``is_pick = 1``, which photos in no group are too) in the event
    order (archive.reader.EVENT_KEY): a seek per page, not a sort of the event. The
    table's picks newest first: a partial index, used for the literal ``is_pick = 1``.
    """
    for statement in similar_schema.PICK_INDEXES:
        db.execute(statement)


@migrations()
def m014_link_picks(db: Database) -> None:
    """``is_pick`` on photo_units and photo_tags, kept by triggers (archive.link_picks):
    the photos table's units and tags facets under "only picks" read a partial index.
    """
    for statement in link_picks.schema():
        db.execute(statement)
    link_picks.recount(db)


@migrations()
def m015_unit_pick_counts(db: Database) -> None:
    """``units.pick_count`` (the unit's links to picks), kept by the triggers of
    :mod:`archive.kept_counts`: the units facet of "only picks" reads it, as the whole
    table's reads ``photo_count``, instead of counting the picks' links on each load
    (which at a million photos, the index not yet in memory, ran past the facet limit).
    """
    for statement in kept_counts.PICK_SCHEMA:
        db.execute(statement)
    kept_counts.backfill(db, kept_counts.PICK_BACKFILL)
