"""The catalog's first tables (migration m001 of :mod:`archive.db`), as it was made then.

Frozen: later changes are migrations of their own, never edits here, so an archive
made by the first version and one made today end with the same schema.
"""

from __future__ import annotations

STATEMENTS = [
    """CREATE TABLE units (
        id INTEGER PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        kind TEXT,
        parent_id INTEGER REFERENCES units(id),
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE unit_aliases (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        alias TEXT NOT NULL,
        slug TEXT NOT NULL UNIQUE
    )""",
    """CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        date TEXT,
        location TEXT,
        organizer_unit_id INTEGER REFERENCES units(id),
        description TEXT,
        source_ref TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE event_units (
        event_id INTEGER NOT NULL REFERENCES events(id),
        unit_id INTEGER NOT NULL REFERENCES units(id),
        PRIMARY KEY (event_id, unit_id)
    )""",
    """CREATE TABLE tags (
        id INTEGER PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL
    )""",
    """CREATE TABLE ingest_runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,
        user TEXT,
        command TEXT,
        added INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL DEFAULT 0,
        unchanged INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        warnings INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE ingest_problems (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES ingest_runs(id),
        path TEXT NOT NULL,
        level TEXT NOT NULL,
        stage TEXT NOT NULL,
        reason TEXT NOT NULL
    )""",
    """CREATE TABLE photos (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        event_id INTEGER REFERENCES events(id),
        caption TEXT,
        caption_source TEXT,
        embedded_caption TEXT,
        embedded_caption_source TEXT,
        taken_at TEXT,
        taken_at_source TEXT,
        year INTEGER,
        width INTEGER,
        height INTEGER,
        format TEXT,
        ext TEXT,
        mime TEXT,
        bytes INTEGER,
        camera TEXT,
        make TEXT,
        model TEXT,
        lens TEXT,
        iso INTEGER,
        exposure TEXT,
        exposure_time REAL,
        f_number REAL,
        focal_length REAL,
        gps_lat REAL,
        gps_lon REAL,
        gps_alt REAL,
        orientation INTEGER,
        original_name TEXT,
        source_path TEXT,
        original_path TEXT NOT NULL,
        thumb_path TEXT,
        preview_path TEXT,
        units TEXT NOT NULL DEFAULT '[]',
        tags TEXT NOT NULL DEFAULT '[]',
        exif TEXT NOT NULL DEFAULT '{}',
        private INTEGER NOT NULL DEFAULT 0,
        run_id INTEGER REFERENCES ingest_runs(id),
        added_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE photo_units (
        photo_id INTEGER NOT NULL REFERENCES photos(id),
        unit_id INTEGER NOT NULL REFERENCES units(id),
        PRIMARY KEY (photo_id, unit_id)
    )""",
    """CREATE TABLE photo_tags (
        photo_id INTEGER NOT NULL REFERENCES photos(id),
        tag_id INTEGER NOT NULL REFERENCES tags(id),
        PRIMARY KEY (photo_id, tag_id)
    )""",
    """CREATE TABLE photo_sources (
        id INTEGER PRIMARY KEY,
        photo_id INTEGER NOT NULL REFERENCES photos(id),
        path TEXT NOT NULL UNIQUE,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        first_run_id INTEGER REFERENCES ingest_runs(id),
        last_run_id INTEGER REFERENCES ingest_runs(id)
    )""",
    """CREATE TABLE fixity_checks (
        id INTEGER PRIMARY KEY,
        checked_at TEXT NOT NULL,
        photo_id INTEGER REFERENCES photos(id),
        path TEXT NOT NULL,
        ok INTEGER NOT NULL,
        finding TEXT
    )""",
    """CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT
    )""",
    "CREATE INDEX idx_photos_event ON photos(event_id)",
    "CREATE INDEX idx_photos_taken_at ON photos(taken_at)",
    "CREATE INDEX idx_photo_units_unit ON photo_units(unit_id)",
    "CREATE INDEX idx_photo_tags_tag ON photo_tags(tag_id)",
    "CREATE INDEX idx_photo_sources_photo ON photo_sources(photo_id)",
    "CREATE INDEX idx_ingest_problems_run ON ingest_problems(run_id)",
]
